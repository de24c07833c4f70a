"""The fusion golden vectors: pairs of probability rows, weights, and what mnist_draw/fusion.py makes of them.

Written by `python -m tests.make_golden` to tests/golden/fusion.json, read by tests/test_fusion.py
(Python) and tests/js/fusion.test.mjs (web/js/fusion.js in Node). Format:

    {"params": {"probability_floor"}, "cases": [{"name", "stroke", "image", "stroke_weight", "expected"}],
     "splits": [{"name", "stroke", "digits", "not_a_digit"}]}

`splits` hold the stroke model's 11-class rows (digits, then "not a digit") and what
split_not_a_digit makes of them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mnist_draw.fusion import PROBABILITY_FLOOR, fuse, split_not_a_digit

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


def splits() -> list[dict]:
    rng = np.random.default_rng(11)
    rows = [
        ("a sure digit", softmax([0, 0, 0, 9, 0, 0, 0, 0, 0, 0, -2])),
        ("a sure non-digit", softmax([1, 0, 0, 0, 2, 0, 0, 1, 0, 0, 9])),
        ("torn between the two", softmax(rng.normal(0, 1, 11))),
        ("every digit exactly 0", np.eye(11, dtype=np.float32)[10]),
        ("a ten-class row has no non-digit", softmax(rng.normal(0, 2, 10))),
    ]
    cases = []
    for name, stroke in rows:
        digits, not_a_digit = split_not_a_digit(stroke)
        cases.append(
            {
                "name": name,
                "stroke": [float(value) for value in stroke],
                "digits": [float(value) for value in digits],
                "not_a_digit": float(not_a_digit),
            }
        )
    return cases


def document() -> dict:
    return {"params": {"probability_floor": PROBABILITY_FLOOR}, "cases": cases(), "splits": splits()}


def text() -> str:
    return json.dumps(document(), indent=1) + "\n"
