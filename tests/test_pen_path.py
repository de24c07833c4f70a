"""mnist_draw/pen_path.py: the pen-path features, and the golden vectors its JS twin is held to.

tests/js/penPath.test.mjs reads the same tests/golden/pen_path.json (tests/pen_path_golden.py).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from mnist_draw.pen_path import FEATURE_NAMES, PATH_POINTS, batch_features, path_features
from mnist_draw.strokes import make_digit
from tests.pen_path_golden import PEN_PATH_GOLDEN_PATH, golden_document

GOLDEN = json.loads(PEN_PATH_GOLDEN_PATH.read_text())
SEVEN = [[(30.0, 28.0), (112.0, 28.5), (62.0, 128.0)], [(55.5, 80.0), (100.25, 78.0)]]


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda case: case["name"])
def test_path_features_match_golden(case):
    got = path_features(case["strokes"], case["n_points"])
    np.testing.assert_allclose(got, np.array(case["expected"], np.float32), atol=1e-6, err_msg=case["name"])


def test_golden_file_is_up_to_date():
    assert GOLDEN == json.loads(json.dumps(golden_document())), "run `python -m tests.make_golden`"


def test_features_have_the_documented_shape_dtype_and_ranges():
    features = path_features(SEVEN)
    assert features.shape == (PATH_POINTS, len(FEATURE_NAMES)) and features.dtype == np.float32
    assert np.abs(features[:, :4]).max() <= 1.0 + 1e-6
    assert set(np.unique(features[:, 4])) <= {0.0, 1.0}
    np.testing.assert_allclose(np.hypot(features[:, 2], features[:, 3]), 1.0, atol=1e-6)


def test_longer_side_spans_minus_one_to_one_and_the_box_is_centred():
    features = path_features([[(0.0, 0.0), (10.0, 40.0)]], 9)
    assert features[:, 1].min() == -1.0 and features[:, 1].max() == 1.0
    assert features[:, 0].min() == pytest.approx(-0.25) and features[:, 0].max() == pytest.approx(0.25)


def test_points_are_equidistant_along_the_path():
    features = path_features([[(0.0, 0.0), (30.0, 0.0), (30.0, 10.0)]], 5)
    steps = np.hypot(*np.diff(features[:, :2], axis=0).T)
    np.testing.assert_allclose(steps, steps[0], rtol=0, atol=0.3)  # corners cut a step short, never long


def test_features_ignore_position_size_and_units():
    moved = [[(3 * x + 500, 3 * y - 20) for x, y in stroke] for stroke in SEVEN]
    np.testing.assert_allclose(path_features(moved), path_features(SEVEN), atol=1e-5)


def test_sampling_density_barely_matters():
    line = [[(0.0, 0.0), (100.0, 0.0)]]
    dense = [[(float(x), 0.0) for x in range(0, 101, 5)]]
    np.testing.assert_allclose(path_features(dense), path_features(line), atol=1e-6)


def test_pen_up_jump_is_marked_air_and_drawing_ink():
    features = path_features(SEVEN, 64)
    pen = features[:, 4]
    assert pen[0] == 1 and pen[-1] == 1 and 0 < (pen == 0).sum() < 64
    # One run of air, between the two strokes.
    assert np.count_nonzero(np.diff(pen) != 0) == 2


def test_one_stroke_and_two_strokes_differ_only_in_the_pen_flag():
    joined = [SEVEN[0] + SEVEN[1]]
    np.testing.assert_allclose(path_features(joined)[:, :4], path_features(SEVEN)[:, :4], atol=1e-6)
    assert path_features(joined)[:, 4].min() == 1.0


@pytest.mark.parametrize(
    "strokes",
    [[[(4.0, 5.0)]], [[(4.0, 5.0), (4.0, 5.0)]], [[(4.0, 5.0)], [(4.0, 5.0), (4.0, 5.0)]]],
    ids=["single_point", "zero_length", "dots"],
)
def test_degenerate_input_gives_the_centre_without_direction(strokes):
    features = path_features(strokes, 6)
    expected = np.tile(np.array([0, 0, 0, 0, 1], np.float32), (6, 1))
    np.testing.assert_array_equal(features, expected)


def test_a_drawn_digit_reads_like_its_strokes():
    digit = make_digit(SEVEN, label=7, width=140, height=140)
    np.testing.assert_array_equal(path_features(digit), path_features(SEVEN))
    assert batch_features([digit, SEVEN]).shape == (2, PATH_POINTS, len(FEATURE_NAMES))


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError, match="at least one point"):
        path_features([[]])
    with pytest.raises(ValueError, match="at least 2 points"):
        path_features(SEVEN, 1)


def test_direction_follows_the_drawing():
    features = path_features([[(0.0, 0.0), (0.0, 10.0)]], 4)  # drawn downwards; y points down
    np.testing.assert_allclose(features[:, 2:4], [[0, 1]] * 4, atol=1e-7)
    assert math.isclose(float(features[0, 1]), -1.0)
