"""The adaptation golden vectors: kept drawings, new drawings, and what mnist_draw/adapt.py makes of them.

Written by `python -m tests.make_golden` to tests/golden/adapt.json, read by tests/test_adapt.py
(Python) and tests/js/adapt.test.mjs (web/js/adapt.js in Node). Format:

    {"params": {"radius", "halfStrength"},
     "kept": {"features": [[160 floats], ...], "labels": [...], "weights": [...]},
     "cases": [{"name", "features", "probabilities", "expected", "share", "changed"}]}

The features are pen paths (mnist_draw/pen_path.py) of made-up strokes: a person's 1s drawn with a
flag that the models read as 7, their plain 7s, and one 7 kept by mistake among the 1s.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mnist_draw import adapt
from mnist_draw.pen_path import path_features

ADAPT_GOLDEN_PATH = Path(__file__).resolve().parent / "golden" / "adapt.json"


def flagged_one(wobble: float) -> list:
    """A 1 with a long flag at the top, which looks like a 7."""
    return [[[40 + wobble, 60], [100, 20 + wobble], [102, 150], [101 - wobble, 250]]]


def seven(wobble: float) -> list:
    return [[[30, 30 + wobble], [150 + wobble, 32], [80, 250 - wobble]]]


def zero() -> list:
    return [[[100, 20], [40, 80], [50, 200], [120, 240], [160, 150], [140, 40], [100, 20]]]


def model_reading(top: int, confidence: float) -> np.ndarray:
    probabilities = np.full(10, (1 - confidence) / 9, dtype=np.float32)
    probabilities[top] = confidence
    return probabilities


def kept() -> tuple[np.ndarray, list[int]]:
    strokes = [flagged_one(wobble) for wobble in (0, 3, -4, 6)] + [seven(wobble) for wobble in (0, 5, -5)]
    labels = [1, 1, 1, 1, 7, 7, 7]
    strokes.append(flagged_one(1.5))  # the same shape, kept as a 7 by mistake: outvoted by the 1s
    labels.append(7)
    return np.stack([path_features(drawing) for drawing in strokes]), labels


def document() -> dict:
    features, labels = kept()
    memory = adapt.kept_memory(features, labels)
    queries = [
        ("a flagged 1 the models read as 7 is read as the person's 1", flagged_one(2), model_reading(7, 0.9)),
        ("a plain 7 stays a 7", seven(2), model_reading(7, 0.95)),
        ("a shape far from every kept drawing is the models' answer", zero(), model_reading(0, 0.8)),
        ("a drawing between the two shapes", [[[35, 45], [125, 26], [90, 150], [90, 250]]], model_reading(7, 0.6)),
    ]
    cases = []
    for name, strokes, probabilities in queries:
        query = path_features(strokes)
        expected, share, changed = adapt.adapt(probabilities, query, memory)
        cases.append(
            {
                "name": name,
                "features": [float(value) for value in query.reshape(-1)],
                "probabilities": [float(value) for value in probabilities],
                "expected": [float(value) for value in expected],
                "share": share,
                "changed": changed,
            }
        )
    return {
        "params": adapt.adapt_parameters(),
        "kept": {
            "features": [[float(value) for value in row] for row in features.reshape(len(features), -1)],
            "labels": labels,
            "weights": [float(weight) for weight in memory["weights"]],
        },
        "cases": cases,
    }


def text() -> str:
    return json.dumps(document(), indent=1) + "\n"
