"""The pen-path golden vectors: synthetic strokes and what mnist_draw/pen_path.py makes of them.

Written by `python -m tests.make_golden` (next to the preprocessing vectors) to
tests/golden/pen_path.json, read by tests/test_pen_path.py (Python) and tests/js/penPath.test.mjs
(web/js/penPath.js in Node). Format, plain JSON so a regenerated file is a readable diff:

    {"params": {"n_points", "features", "direction_epsilon"},
     "cases": [{"name", "n_points", "strokes": [[[x, y], ...], ...], "expected": [[x, y, cos, sin, pen], ...]}]}

"expected" holds the float32 outputs written as decimals that read back to the same float32.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from mnist_draw.pen_path import PATH_POINTS, path_features, path_parameters

PEN_PATH_GOLDEN_PATH = Path(__file__).resolve().parent / "golden" / "pen_path.json"


def wobbly_loop(points: int = 61, seed: int = 3) -> list[list[float]]:
    """A hand-like "0": an ellipse drawn once round with a little shake, tablet units (y down)."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0.2, 0.2 + 2 * math.pi * 1.05, points)
    xs = 250 + 110 * np.cos(angles) + rng.normal(0, 3, points)
    ys = 250 + 170 * np.sin(angles) + rng.normal(0, 3, points)
    return [[round(float(x), 3), round(float(y), 3)] for x, y in zip(xs, ys)]


def golden_strokes() -> dict[str, tuple[list, int]]:
    """Name -> (strokes, n_points): ordinary digits, both units, and every degenerate input."""
    four = [[[60.5, 20.25], [40.0, 110.0], [120.75, 108.5]], [[100.0, 30.0], [101.5, 190.25]]]
    seven = [[[30.0, 28.0], [112.0, 28.5], [62.0, 128.0]], [[55.5, 80.0], [100.25, 78.0]]]
    return {
        "one_vertical": ([[[141.3, 52.6], [138.2, 230.4]]], PATH_POINTS),
        "four_two_strokes": (four, PATH_POINTS),
        "four_one_stroke": ([four[0] + four[1]], PATH_POINTS),
        "seven_with_bar": (seven, PATH_POINTS),
        "zero_tablet_units": ([wobbly_loop()], PATH_POINTS),
        "zero_at_64_points": ([wobbly_loop()], 64),
        "minus_wide_flat": ([[[12.4, 71.2], [128.9, 73.5]]], PATH_POINTS),
        "repeated_points": ([[[10.0, 10.0], [10.0, 10.0], [30.0, 50.0], [30.0, 50.0], [30.0, 50.0], [5.0, 60.0]]], 16),
        "dot_stroke_among_others": ([[[20.0, 20.0], [20.0, 80.0]], [[50.0, 50.0]], [[80.0, 20.0], [80.0, 80.0]]], 24),
        "single_point": ([[[40.3, 61.7]]], 8),
        "zero_length_strokes": ([[[7.0, 7.0], [7.0, 7.0]], [[7.0, 7.0]]], 8),
        "two_points_only": ([[[0.0, 0.0], [3.0, 4.0]]], 2),
    }


def golden_document() -> dict:
    cases = []
    for name, (strokes, n_points) in golden_strokes().items():
        expected = path_features(strokes, n_points)
        cases.append({"name": name, "n_points": n_points, "strokes": strokes, "expected": expected.tolist()})
    return {"params": path_parameters(), "cases": cases}


def is_up_to_date(path: Path, document: dict) -> bool:
    try:
        return json.loads(path.read_text()) == json.loads(json.dumps(document))
    except (OSError, ValueError):
        return False


def write(path: Path = PEN_PATH_GOLDEN_PATH) -> str:
    """Write the golden file -> a one-line summary."""
    document = golden_document()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document) + "\n")
    return f"wrote {len(document['cases'])} pen-path cases to {path}"
