"""The number-grouping golden cases: strokes and the groups mnist_draw/number.py makes of them.

Written by `python -m tests.make_golden` to tests/golden/number.json, read by tests/test_number.py
(Python) and tests/js/number.test.mjs (web/js/number.js in Node). Format, plain JSON so a
regenerated file is a readable diff:

    {"params": {"minWidthShare", "joinShare", ...},
     "cases": [{"name", "strokes": [[[x, y], ...], ...], "truth": [[stroke index, ...], ...] | null,
                "expected": [{"strokes": [...], "box": [x0, y0, x1, y1]}, ...],
                "alternatives": [[{"strokes", "box"}, ...], ...]}],
     "choices": [{"name", "groupings": [[group index, ...], ...], "readings": [[is digit, p], ...],
                  "expected": grouping index}]}

"expected" is what group_strokes answers (groups left to right); "truth" the groups the strokes
were drawn as, left to right, where known; "alternatives" what alternative_groupings adds to
"expected". "choices" hold the readers' side: which grouping choose_grouping keeps given each
group's reading. Hand-made cases name what they test; the composed ones
are numbers made by digit_data/numbers.py from the hand-made digit shapes below (no data files
needed), in canvas pixels on the page's 840 x 280 number canvas.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from digit_data.numbers import compose_number
from mnist_draw.number import GroupingParams, alternative_groupings, choose_grouping, group_strokes, grouping_parameters
from mnist_draw.strokes import make_digit

NUMBER_GOLDEN_PATH = Path(__file__).resolve().parent / "golden" / "number.json"
LINE = 200.0  # line height of the hand-made cases, canvas pixels
TOP = 40.0  # their top edge


def arc(centre_x, centre_y, radius_x, radius_y, start_degrees, end_degrees, points=12) -> list:
    """Points along an elliptic arc, unit-box coordinates (y down)."""
    angles = np.radians(np.linspace(start_degrees, end_degrees, points))
    return [(centre_x + radius_x * math.cos(angle), centre_y + radius_y * math.sin(angle)) for angle in angles]


# Each digit's strokes in pen order, in a box of height 1 (y down), as most people write them.
SHAPES = {
    0: [arc(0.3, 0.5, 0.3, 0.5, -100, 265, 24)],
    1: [[(0.0, 0.12), (0.1, 0.0), (0.1, 1.0)]],
    2: [arc(0.27, 0.27, 0.27, 0.27, 200, 380, 8)[:-1] + [(0.52, 0.4), (0.0, 1.0), (0.58, 1.0)]],
    3: [arc(0.25, 0.25, 0.27, 0.25, 210, 450, 10) + arc(0.25, 0.74, 0.3, 0.26, -90, 150, 10)],
    4: [[(0.38, 0.0), (0.0, 0.64), (0.62, 0.64)], [(0.46, 0.3), (0.46, 1.0)]],
    5: [[(0.08, 0.0), (0.04, 0.45)] + arc(0.27, 0.7, 0.28, 0.3, -120, 150, 10), [(0.08, 0.0), (0.56, 0.0)]],
    6: [[(0.5, 0.0), (0.15, 0.35)] + arc(0.3, 0.72, 0.28, 0.28, 200, 560, 14)],
    7: [[(0.0, 0.0), (0.6, 0.0), (0.2, 1.0)], [(0.12, 0.52), (0.54, 0.5)]],
    8: [arc(0.28, 0.25, 0.24, 0.25, 0, -360, 12) + arc(0.28, 0.75, 0.28, 0.25, -90, 270, 12)],
    9: [arc(0.28, 0.28, 0.28, 0.28, 0, 360, 14) + [(0.55, 0.6), (0.5, 1.0)]],
}


def placed(label: int, left: float, line: float = LINE, top: float = TOP) -> list[list[list[float]]]:
    """A shape's strokes scaled to `line` pixels tall with its left edge at `left`, 3 decimals."""
    return [[[round(left + x * line, 3), round(top + y * line, 3)] for x, y in stroke] for stroke in SHAPES[label]]


def hand_cases() -> dict[str, tuple[list, list]]:
    """Name -> (strokes in pen order, true groups left to right): each rule and each degenerate input."""
    five, three = placed(5, 100), placed(3, 100 + 0.56 * LINE + 30)
    four, one = placed(4, 60), placed(1, 60 + 0.62 * LINE + 40)
    one_a, seven = placed(1, 200), placed(7, 200 + 0.1 * LINE + 25)
    tight_one_a, tight_one_b = placed(1, 300), placed(1, 300 + 0.1 * LINE + 34)
    touching_one, touching_zero = placed(1, 250), placed(0, 250 + 0.1 * LINE)
    two = placed(2, 150)
    dot = [[round(150 + 0.58 * LINE + 50, 3), TOP + LINE - 4]]  # a quarter line past the 2: a point, not ink of it
    tap = [[round(150 + 0.58 * LINE + 10, 3), TOP + LINE - 4]]  # a pen tap at the 2's foot: part of it
    five_b, one_b, four_b = placed(5, 80), placed(1, 80 + 0.56 * LINE + 30), placed(4, 80 + 0.66 * LINE + 60)
    open_four = [
        placed(4, 60)[0],
        [[round(60 + 0.75 * LINE, 3), TOP + 0.1 * LINE], [round(60 + 0.75 * LINE, 3), TOP + LINE]],
    ]
    small_zero = placed(0, 420, 0.7 * LINE, TOP + 0.3 * LINE)
    close_one = [[[420 + 0.42 * LINE + 20, TOP + step * LINE / 20] for step in range(21)]]  # a stem, densely sampled
    return {
        # Geometry joins a 1 this near a small digit, as it would a stem; the readers are offered the split.
        "one_close_after_a_small_zero": (small_zero + close_one, [[0], [1]]),
        # Geometry leaves this 4's stem apart (a 1 could stand there); the readers are offered the join.
        "open_four_stem_apart": (open_four, [[0, 1]]),
        "five_with_late_bar": ([five[0], three[0], five[1]], [[0, 2], [1]]),
        "four_two_strokes": (four + one, [[0, 1], [2]]),
        "seven_crossed_after_a_one": (one_a + seven, [[0], [1, 2]]),
        "eleven_tight": (tight_one_a + tight_one_b, [[0], [1]]),
        "ten_touching": (touching_one + touching_zero, [[0], [1]]),
        "dot_after_a_digit": (two + [dot], [[0], [1]]),
        "dot_touching_a_digit": (two + [tap], [[0, 1]]),
        "five_bar_after_two_digits": ([five_b[0], one_b[0], four_b[0], four_b[1], five_b[1]], [[0, 4], [1], [2, 3]]),
        "one_stroke_only": (two, [[0]]),
        "empty": ([], []),
        "single_point": ([[[40.3, 61.7]]], [[0]]),
        "coincident_points": ([[[70.0, 90.0]], [[70.0, 90.0], [70.0, 90.0]]], [[0, 1]]),
        "flat_minus_then_dot": ([[[100.0, 140.0], [190.5, 141.0]], [[300.0, 141.0]]], [[0], [1]]),
        "written_right_to_left": (placed(7, 400) + placed(2, 150), [[2], [0, 1]]),
    }


def shape_digit(label: int):
    """A hand-made shape as a DrawnDigit in a 1 x 1 surface, the composer's input."""
    return make_digit([[list(point) for point in stroke] for stroke in SHAPES[label]], label=label)


def composed_cases() -> dict[str, tuple[list, list]]:
    """A dozen numbers composed from the shapes, seeded: every length, gaps from wide to overlapping."""
    cases = {}
    rng = np.random.default_rng(2026)
    for number in range(12):
        labels = rng.integers(0, 10, 2 + number % 7)
        composed = compose_number([shape_digit(int(label)) for label in labels], rng)
        name = f"composed_{''.join(str(label) for label in labels)}"
        cases[name] = ([[list(point) for point in stroke] for stroke in composed.strokes], composed.groups)
    return cases


def as_golden(groups) -> list[dict]:
    return [{"strokes": list(group.stroke_indices), "box": list(group.box)} for group in groups]


def expected(strokes: list) -> list[dict]:
    return as_golden(group_strokes(strokes))


def alternatives(strokes: list) -> list[list[dict]]:
    return [as_golden(grouping) for grouping in alternative_groupings(strokes, group_strokes(strokes))[1:]]


def choice_cases() -> dict[str, tuple[list, list]]:
    """Name -> (groupings as group indices, the first geometric; each group's (is a digit, probability))."""
    margin = GroupingParams().choice_margin
    sure, unsure = 0.125, 0.125 * margin  # binary fractions, so the product at the margin is exact
    return {
        "sure_geometry_stays": ([[0], [1, 2]], [(True, 0.98), (True, 0.99), (True, 0.97)]),
        "a_merged_pair_read_as_not_a_digit_is_split": ([[0], [1, 2]], [(False, 0.7), (True, 0.95), (True, 0.9)]),
        "an_alternative_at_the_margin_loses": ([[0], [1, 2]], [(True, sure), (True, 1.0), (True, unsure)]),
        "an_alternative_past_the_margin_wins": ([[0], [1, 2]], [(True, sure), (True, 1.0), (True, unsure * 1.0625)]),
        "the_best_alternative_wins": ([[0, 1], [2, 1], [3, 1]], [(False, 0.6), (True, 0.9), (True, 0.5), (True, 0.8)]),
        "a_tie_keeps_the_earlier": ([[0], [1], [2]], [(False, 0.6), (True, 0.75), (True, 0.75)]),
        "refused_parts_do_not_win": ([[0], [1, 2]], [(False, 0.9), (False, 0.9), (True, 0.99)]),
        "one_grouping_only": ([[0, 1]], [(False, 0.9), (True, 0.3)]),
    }


def document() -> dict:
    cases = [
        {
            "name": name,
            "strokes": strokes,
            "truth": [list(group) for group in truth],
            "expected": expected(strokes),
            "alternatives": alternatives(strokes),
        }
        for name, (strokes, truth) in {**hand_cases(), **composed_cases()}.items()
    ]
    choices = [
        {
            "name": name,
            "groupings": groupings,
            "readings": [list(reading) for reading in readings],
            "expected": choose_grouping(groupings, readings),
        }
        for name, (groupings, readings) in choice_cases().items()
    ]
    return {"params": grouping_parameters(), "cases": cases, "choices": choices}


def text() -> str:
    return json.dumps(document()) + "\n"
