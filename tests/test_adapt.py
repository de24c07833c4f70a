"""mnist_draw/adapt.py: the golden vectors its JS twin is held to, its generated page copy, and what it promises."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench.adapt_simulation import adapted_top
from mnist_draw import adapt
from mnist_draw.config import ADAPT_HALF_STRENGTH, ADAPT_RADIUS
from tests import adapt_golden
from tests.adapt_golden import ADAPT_GOLDEN_PATH

GOLDEN = json.loads(ADAPT_GOLDEN_PATH.read_text())
MEMORY = adapt.kept_memory(np.array(GOLDEN["kept"]["features"]), GOLDEN["kept"]["labels"])


def test_golden_file_is_current():
    assert ADAPT_GOLDEN_PATH.read_text() == adapt_golden.text(), "run `python -m tests.make_golden`"


def test_page_copy_of_the_numbers_is_current():
    assert adapt.PARAMS_JS_PATH.read_text() == adapt.params_js(), "run `python -m mnist_draw.adapt`"


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda case: case["name"])
def test_adapt_matches_golden(case):
    got, share, changed = adapt.adapt(np.array(case["probabilities"], np.float32), np.array(case["features"]), MEMORY)
    np.testing.assert_allclose(got, case["expected"], atol=1e-6, err_msg=case["name"])
    assert (share, changed) == (pytest.approx(case["share"], abs=1e-9), case["changed"])


def test_kept_drawing_that_contradicts_its_close_neighbours_weighs_little():
    weights = MEMORY["weights"]
    assert weights[-1] < 0.3 < 0.7 < weights[:-1].min()


def test_same_shape_drawn_again_is_read_as_the_person_meant_it():
    case = GOLDEN["cases"][0]
    got, _, changed = adapt.adapt(np.array(case["probabilities"]), np.array(case["features"]), MEMORY)
    assert changed and got.argmax() == 1


def test_far_drawing_is_left_as_the_models_read_it():
    case = GOLDEN["cases"][2]
    got, share, changed = adapt.adapt(np.array(case["probabilities"]), np.array(case["features"]), MEMORY)
    assert share == 0 and not changed
    np.testing.assert_array_equal(got, np.array(case["probabilities"], np.float32))


def test_no_kept_drawings_changes_nothing():
    memory = adapt.kept_memory(np.zeros((0, 32, 5)), [])
    probabilities = np.full(10, 0.1, np.float32)
    assert adapt.adapt(probabilities, np.zeros((32, 5)), memory)[1:] == (0.0, False)


def test_kept_memory_refuses_labels_out_of_range():
    with pytest.raises(ValueError, match="labels"):
        adapt.kept_memory(np.zeros((1, 32, 5)), [10])


def test_simulation_blend_is_the_same_as_adapt():
    queries = np.array([case["features"] for case in GOLDEN["cases"]])
    probabilities = np.array([case["probabilities"] for case in GOLDEN["cases"]])
    tops = adapted_top(probabilities, queries, MEMORY, ADAPT_RADIUS, ADAPT_HALF_STRENGTH)
    assert list(tops) == [int(np.argmax(case["expected"])) for case in GOLDEN["cases"]]


def test_the_numbers_are_the_ones_the_committed_simulation_chose():
    from bench.adapt_simulation import RESULTS_PATH, choose

    results = json.loads(RESULTS_PATH.read_text())
    chosen = choose(results["grid_training_writers_mnist_only_cnn"])
    assert (chosen["radius"], chosen["half_strength"]) == (ADAPT_RADIUS, ADAPT_HALF_STRENGTH)


def test_kept_drawings_near_a_refused_drawing_lift_the_refusal_by_their_share():
    """stroke_inference.adapt_reading (the page's twin: web/js/readDigits.js): p(not a digit) * (1 - share)."""
    from mnist_draw.pen_path import path_features
    from mnist_draw.stroke_inference import Reading, adapt_reading

    four = [[[10.0, 0.0], [0.0, 20.0], [20.0, 20.0]], [[15.0, 5.0], [15.0, 30.0]]]  # an open 4, two strokes
    memory = adapt.kept_memory(path_features(four)[None], [4])
    digits = np.full(10, 0.02, np.float32)
    digits[9] = 0.82
    refused = Reading(digits, digits, digits, not_a_digit=0.6, not_a_digit_threshold=0.5)
    assert refused.digit is None and refused.confidence == pytest.approx(0.6)
    taught, changed = adapt_reading(refused, four, memory)
    _, share, _ = adapt.adapt(digits, path_features(four), memory)
    assert taught.not_a_digit == pytest.approx(0.6 * (1 - share)) and share > 1 / 6  # 0.6 * (1 - share) < 0.5
    assert taught.digit == 4 and changed
    assert adapt_reading(refused, four, None) == (refused, False)  # learning switched off
