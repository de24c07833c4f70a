"""The fusion golden vectors: pairs of probability rows, weights, and what mnist_draw/fusion.py makes of them.

Written by `python -m tests.make_golden` to tests/golden/fusion.json, read by tests/test_fusion.py
(Python) and tests/js/fusion.test.mjs (web/js/fusion.js in Node). Format:

    {"params": {"probability_floor"}, "cases": [{"name", "stroke", "image", "stroke_weight", "expected"}],
     "splits": [{"name", "stroke", "digits", "not_a_digit"}],
     "readings": [{"name", "stroke" (null: no stroke reading), "image", "stroke_weight", "digits", "not_a_digit"}]}

`splits` hold 11-class rows (digits, then "not a digit") and what split_not_a_digit makes of
them; `readings` what fuse_reading makes of every pairing of 10- and 11-wide rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mnist_draw.fusion import PROBABILITY_FLOOR, fuse, fuse_reading, split_not_a_digit

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


def readings() -> list[dict]:
    rng = np.random.default_rng(13)
    cloud_as_zero = softmax([5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3])  # the pen path: a 0's bumpy outline
    cloud_as_picture = softmax([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7])  # the picture: no digit
    rows = [
        ("both with the class: the picture vetoes a 0", cloud_as_zero, cloud_as_picture, 0.6),
        (
            "both with the class: a plain digit",
            softmax([0, 0, 8, 0, 0, 0, 0, 2, 0, 0, -1]),
            softmax(rng.normal(0, 2, 11)),
            0.5,
        ),
        ("an older image model without the class", softmax(rng.normal(0, 2, 11)), softmax(rng.normal(0, 2, 10)), 0.6),
        ("an older stroke model without the class", softmax(rng.normal(0, 2, 10)), softmax(rng.normal(0, 2, 11)), 0.6),
        ("neither model has the class", softmax(rng.normal(0, 2, 10)), softmax(rng.normal(0, 2, 10)), 0.6),
        ("no stroke reading: the picture alone never refuses", None, cloud_as_picture, 0.6),
        ("no stroke reading, a ten-class picture", None, softmax(rng.normal(0, 2, 10)), 0.6),
    ]
    cases = []
    for name, stroke, image, weight in rows:
        digits, not_a_digit = fuse_reading(stroke, image, weight)
        cases.append(
            {
                "name": name,
                "stroke": None if stroke is None else [float(value) for value in stroke],
                "image": [float(value) for value in image],
                "stroke_weight": weight,
                "digits": [float(value) for value in digits],
                "not_a_digit": float(not_a_digit),
            }
        )
    return cases


def document() -> dict:
    return {
        "params": {"probability_floor": PROBABILITY_FLOOR},
        "cases": cases(),
        "splits": splits(),
        "readings": readings(),
    }


def text() -> str:
    return json.dumps(document(), indent=1) + "\n"
