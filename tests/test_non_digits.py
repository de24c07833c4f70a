"""Made-up drawings that are not digits (digit_data/non_digits.py): valid pen paths, two disjoint splits.

Synthetic pen digits (mnist_draw.strokes.make_digit) stand in for the pen writers, so these run
without the data files; one test crams the real held-out writers' digits (pen_dir fixture).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from digit_data.non_digits import (
    DOTS,
    FAMILIES,
    KINDS,
    SPLITS,
    TEMPLATES,
    TURN_SPREAD_DEGREES,
    TURNS,
    NonDigit,
    make_non_digits,
    turned_digits,
)
from mnist_draw.config import MAX_POINTS_PER_DIGIT, MAX_STROKES_PER_DIGIT
from mnist_draw.pen_path import PATH_POINTS, path_features
from mnist_draw.strokes import make_digit


def fake_digits(writer: str, strokes_per_digit: int, count: int = 5) -> list:
    """`count` digits by one writer, each of `strokes_per_digit` short bars, in tablet units."""
    return [
        make_digit(
            [
                [(10 * index + 50 * stroke, 0), (10 * index + 50 * stroke + 20, 100)]
                for stroke in range(strokes_per_digit)
            ],
            label=index % 10,
            writer=writer,
            width=500,
            height=500,
        )
        for index in range(count)
    ]


DIGITS = fake_digits("one-stroke writer", 1) + fake_digits("three-stroke writer", 3)


def make(count: int, seed: int, split: str) -> list[NonDigit]:
    return make_non_digits(count, np.random.default_rng(seed), split, DIGITS)


@pytest.mark.parametrize("split", SPLITS)
def test_same_seed_gives_the_same_drawings(split):
    first, second = make(60, 7, split), make(60, 7, split)
    assert [(item.family, item.kind) for item in first] == [(item.family, item.kind) for item in second]
    for one, other in zip(first, second):
        assert len(one.strokes) == len(other.strokes)
        for stroke, same in zip(one.strokes, other.strokes):
            np.testing.assert_array_equal(stroke, same, err_msg=f"{split} {one.family} {one.kind}")


@pytest.mark.parametrize("split", SPLITS)
def test_every_family_appears_in_each_split(split):
    items = make(len(FAMILIES), 0, split)
    assert sorted(item.family for item in items) == sorted(FAMILIES)


@pytest.mark.parametrize("split", SPLITS)
def test_items_are_of_their_splits_kinds_and_every_kind_comes_up(split):
    items = make(1500, 1, split)
    for family in FAMILIES:
        made = {item.kind for item in items if item.family == family}
        assert made == set(KINDS[split][family]), f"{split} {family}"


def test_splits_share_no_template():
    # Crammed digits are split by writer (the caller's digits), not by kind.
    for family in FAMILIES:
        if family == "crammed":
            continue
        shared = set(KINDS["training"][family]) & set(KINDS["unseen"][family])
        assert not shared, f"{family}: {sorted(shared)} in both splits"
        templates = DOTS if family == "dot" else TEMPLATES[family]
        assert set(KINDS["training"][family]) | set(KINDS["unseen"][family]) == set(templates), family


@pytest.mark.parametrize("split", SPLITS)
def test_every_item_is_a_valid_drawing_and_pen_path(split):
    for item in make(400, 2, split):
        name = f"{split} {item.family} {item.kind}"
        assert 1 <= len(item.strokes) <= MAX_STROKES_PER_DIGIT, name
        assert sum(len(stroke) for stroke in item.strokes) <= MAX_POINTS_PER_DIGIT, name
        for stroke in item.strokes:
            assert stroke.dtype == np.float64 and stroke.ndim == 2 and stroke.shape[1] == 2 and len(stroke), name
            assert np.isfinite(stroke).all() and stroke.min() > -20 and stroke.max() < 300, name
        make_digit([stroke.tolist() for stroke in item.strokes])  # the stroke format's own checks
        features = path_features(item.strokes)
        assert features.shape == (PATH_POINTS, 5) and np.isfinite(features).all(), name


@pytest.mark.parametrize("split", SPLITS)
def test_lines_lie_at_least_35_degrees_from_vertical(split):
    for item in make(800, 3, split):
        if item.family != "line":
            continue
        for stroke in item.strokes:
            dx, dy = stroke[-1] - stroke[0]
            if math.hypot(dx, dy) > 20:  # a short dash's ends are mostly shake
                assert math.degrees(math.atan2(abs(dx), abs(dy))) >= 35, f"{item.kind}: {dx:.1f}, {dy:.1f}"


@pytest.mark.parametrize("split", SPLITS)
def test_crammed_packs_two_or_three_digits_of_one_writer(split):
    crammed = [item for item in make(300, 4, split) if item.family == "crammed"]
    assert crammed
    for item in crammed:
        # One-stroke digits give 2 or 3 strokes, three-stroke ones 6 or 9; a mix would give 4, 5 or 7.
        assert len(item.strokes) in {2, 3, 6, 9}, len(item.strokes)
        digits = len(item.strokes) if len(item.strokes) <= 3 else len(item.strokes) // 3
        assert item.kind == f"{digits} digits"


def test_crammed_without_digits_is_a_one_line_value_error():
    with pytest.raises(ValueError, match="crammed non-digits need pen digits") as raised:
        make_non_digits(10, np.random.default_rng(0), "training")
    assert "\n" not in str(raised.value)


def test_families_without_crammed_need_no_digits():
    families = tuple(family for family in FAMILIES if family != "crammed")
    items = make_non_digits(40, np.random.default_rng(0), "unseen", families=families)
    assert {item.family for item in items} == set(families)


@pytest.mark.parametrize(
    "arguments", [{"split": "test"}, {"count": -1}, {"families": ("letter", "emoji")}, {"families": ()}]
)
def test_bad_arguments_are_value_errors(arguments):
    call = {"count": 5, "rng": np.random.default_rng(0), "split": "training", "digits": DIGITS} | arguments
    with pytest.raises(ValueError):
        make_non_digits(**call)


def test_real_held_out_writers_crammed(pen_digits):
    from digit_data.pendigits import is_validation_writer

    held_out = [digit for digit in pen_digits if is_validation_writer(digit.writer)]
    items = make_non_digits(40, np.random.default_rng(5), "unseen", held_out, families=("crammed",))
    assert len(items) == 40
    for item in items:
        make_digit([stroke.tolist() for stroke in item.strokes])
        assert np.isfinite(path_features(item.strokes)).all()


def seven(index: int) -> object:
    """A 7 as a bar (left to right) and a stem, in canvas pixels."""
    return make_digit([[(60 + index, 60), (220, 60), (120, 230)]], label=7, width=280, height=280)


def test_turned_digits_lie_on_their_side_about_their_own_centre():
    items = turned_digits([seven(index) for index in range(5)], 60, np.random.default_rng(0))
    assert len(items) == 60 and {item.family for item in items} == {"turned"}
    assert {item.kind for item in items} == {"7 turned 90", "7 turned -90"}  # upside down only a 4 turns
    for item in items:
        (stroke,) = item.strokes
        bar = stroke[1] - stroke[0]
        # The bar was horizontal; turned 90 degrees either way, give or take TURN_SPREAD_DEGREES.
        assert 90 - TURN_SPREAD_DEGREES - 1e-9 <= math.degrees(math.atan2(abs(bar[1]), abs(bar[0]))), item.kind
        centre = (stroke.min(axis=0) + stroke.max(axis=0)) / 2
        assert np.allclose(centre, [140, 145], atol=40), centre  # near where the 7 was, on the canvas


def test_turned_digits_only_turn_the_labels_a_turn_makes_into_no_digit():
    digits = [make_digit([[(0, 0), (10, 100)]], label=label, width=280, height=280) for label in range(10)]
    kinds = {item.kind for item in turned_digits(digits, 400, np.random.default_rng(1))}
    expected = {f"{label} turned {degrees}" for degrees, labels in TURNS.items() for label in labels}
    assert kinds == expected
    assert not any(kind.startswith(("0 ", "1 ", "8 ")) for kind in kinds)
    with pytest.raises(ValueError, match="turned non-digits need pen digits") as raised:
        turned_digits([digit for digit in digits if digit.label in (0, 1, 8)], 3, np.random.default_rng(2))
    assert "\n" not in str(raised.value)
