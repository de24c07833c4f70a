"""The fusion golden vectors: pairs of probability rows, weights, and what mnist_draw/fusion.py makes of them.

Written by `python -m tests.make_golden` to tests/golden/fusion.json, read by tests/test_fusion.py
(Python) and tests/js/fusion.test.mjs (web/js/fusion.js in Node). Format:

    {"params": {"probability_floor"}, "cases": [{"name", "stroke", "image", "stroke_weight", "expected"}]}
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mnist_draw.fusion import PROBABILITY_FLOOR, fuse

FUSION_GOLDEN_PATH = Path(__file__).resolve().parent / "golden" / "fusion.json"


def softmax(logits) -> np.ndarray:
    values = np.exp(np.asarray(logits, dtype=np.float64) - np.max(logits))
    return (values / values.sum()).astype(np.float32)


def cases() -> list[dict]:
    rng = np.random.default_rng(7)
    sure_seven, curled_two = np.eye(10, dtype=np.float32)[7] * 0.98 + 0.002, softmax([0, 0, 6, 0, 0, 0, 0, 5, 0, 0])
    pairs = [
        ("the pen path vetoes a look-alike", sure_seven, curled_two, 0.6),
        ("weight 0 is the image model", softmax(rng.normal(0, 3, 10)), softmax(rng.normal(0, 3, 10)), 0.0),
        ("weight 1 is the stroke model", softmax(rng.normal(0, 3, 10)), softmax(rng.normal(0, 3, 10)), 1.0),
        ("a zero probability is floored", np.eye(10, dtype=np.float32)[3], softmax(rng.normal(0, 2, 10)), 0.5),
        ("two unsure models", softmax(rng.normal(0, 0.5, 10)), softmax(rng.normal(0, 0.5, 10)), 0.65),
    ]
    return [
        {
            "name": name,
            "stroke": [float(value) for value in stroke],
            "image": [float(value) for value in image],
            "stroke_weight": weight,
            "expected": [float(value) for value in fuse(stroke, image, weight)],
        }
        for name, stroke, image, weight in pairs
    ]


def document() -> dict:
    return {"params": {"probability_floor": PROBABILITY_FLOOR}, "cases": cases()}


def text() -> str:
    return json.dumps(document(), indent=1) + "\n"
