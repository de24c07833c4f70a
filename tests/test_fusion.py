"""mnist_draw/fusion.py: the geometric mix of the stroke and image models, and its golden vectors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mnist_draw.fusion import fuse, fuse_reading, is_not_a_digit, split_not_a_digit
from tests import fusion_golden


def test_golden_vectors_are_current():
    assert fusion_golden.FUSION_GOLDEN_PATH.read_text() == fusion_golden.text()  # python -m tests.make_golden


@pytest.mark.parametrize(
    "case", json.loads(fusion_golden.FUSION_GOLDEN_PATH.read_text())["cases"], ids=lambda c: c["name"]
)
def test_fuse_matches_golden(case):
    got = fuse(np.array(case["stroke"]), np.array(case["image"]), case["stroke_weight"])
    np.testing.assert_allclose(got, case["expected"], atol=1e-7)


def test_the_ends_of_the_weight_are_each_model_alone():
    rng = np.random.default_rng(0)
    stroke, image = rng.dirichlet(np.ones(10), size=4), rng.dirichlet(np.ones(10), size=4)
    np.testing.assert_allclose(fuse(stroke, image, 0.0), image, rtol=1e-5)
    np.testing.assert_allclose(fuse(stroke, image, 1.0), stroke, rtol=1e-5)


def test_either_model_can_veto_a_class():
    seven = np.full(10, 0.001)
    seven[7] = 0.991  # the pen path: surely a 7
    looks_like_two = np.full(10, 0.01)
    looks_like_two[[2, 7]] = [0.6, 0.32]  # the picture: a 2, or else a 7
    assert np.argmax((seven + looks_like_two) / 2) == 7 and np.argmax(fuse(seven, looks_like_two, 0.6)) == 7
    fused = fuse(seven, looks_like_two, 0.6)
    assert fused.dtype == np.float32 and fused.sum() == pytest.approx(1, abs=1e-6)


@pytest.mark.parametrize("weight", [-0.1, 1.1, float("nan")])
def test_a_weight_outside_zero_to_one_is_refused(weight):
    with pytest.raises(ValueError, match="stroke_weight must be in"):
        fuse(np.ones(10) / 10, np.ones(10) / 10, weight)


def test_rows_of_different_shapes_are_refused():
    with pytest.raises(ValueError, match="differ in shape"):
        fuse(np.ones(10) / 10, np.ones(9) / 9, 0.5)


@pytest.mark.parametrize(
    "case", json.loads(fusion_golden.FUSION_GOLDEN_PATH.read_text())["splits"], ids=lambda c: c["name"]
)
def test_split_not_a_digit_matches_golden(case):
    digits, not_a_digit = split_not_a_digit(np.array(case["stroke"]))
    np.testing.assert_allclose(digits, case["digits"], atol=1e-7)
    assert not_a_digit == pytest.approx(case["not_a_digit"], abs=1e-7)


def test_the_split_keeps_the_digits_order_and_sums_to_one():
    rng = np.random.default_rng(3)
    stroke = rng.dirichlet(np.ones(11), size=5)
    digits, not_a_digit = split_not_a_digit(stroke)
    assert digits.shape == (5, 10) and not_a_digit.shape == (5,)
    np.testing.assert_allclose(digits.sum(axis=-1), 1, atol=1e-6)
    np.testing.assert_array_equal(np.argmax(digits, axis=-1), np.argmax(stroke[:, :10], axis=-1))
    np.testing.assert_allclose(not_a_digit, stroke[:, 10], atol=1e-7)


def test_not_a_digit_from_the_threshold_up_and_never_without_one():
    assert is_not_a_digit(np.array([0.49, 0.5, 0.9]), 0.5).tolist() == [False, True, True]
    assert not is_not_a_digit(np.array(0.99), None).any()


def test_a_row_neither_ten_nor_eleven_wide_is_refused():
    with pytest.raises(ValueError, match="a model gives 10 or 11 probabilities, got 12"):
        split_not_a_digit(np.ones(12) / 12)


@pytest.mark.parametrize(
    "case", json.loads(fusion_golden.FUSION_GOLDEN_PATH.read_text())["readings"], ids=lambda c: c["name"]
)
def test_fuse_reading_matches_golden(case):
    stroke = None if case["stroke"] is None else np.array(case["stroke"])
    digits, not_a_digit = fuse_reading(stroke, np.array(case["image"]), case["stroke_weight"])
    np.testing.assert_allclose(digits, case["digits"], atol=1e-7)
    assert not_a_digit == pytest.approx(case["not_a_digit"], abs=1e-7)


def test_fusing_eleven_classes_reads_the_same_digits_as_fusing_each_models_ten():
    rng = np.random.default_rng(5)
    stroke, image = rng.dirichlet(np.ones(11), size=20), rng.dirichlet(np.ones(11), size=20)
    for weight in (0.0, 0.35, 0.6, 1.0):
        digits, not_a_digit = fuse_reading(stroke, image, weight)
        apart = fuse(split_not_a_digit(stroke)[0], split_not_a_digit(image)[0], weight)
        np.testing.assert_allclose(digits, apart, atol=1e-6)
        np.testing.assert_allclose(not_a_digit, fuse(stroke, image, weight)[:, 10], atol=1e-7)
        assert digits.shape == (20, 10) and not_a_digit.shape == (20,) and digits.dtype == np.float32


def test_the_picture_vetoes_a_non_digit_the_pen_path_reads_as_a_zero():
    stroke = np.full(11, 0.01)
    stroke[[0, 10]] = [0.85, 0.06]  # the pen path: a cloud's bumpy outline, a 0
    image = np.full(11, 0.005)
    image[[0, 10]] = [0.05, 0.905]  # the picture: no digit at all
    _, alone = split_not_a_digit(stroke)
    _, fused = fuse_reading(stroke, image, 0.6)
    threshold = 0.1
    assert not is_not_a_digit(alone, threshold) and is_not_a_digit(fused, threshold)


def test_the_model_with_the_class_decides_when_the_other_has_none():
    rng = np.random.default_rng(6)
    eleven, ten = rng.dirichlet(np.ones(11), size=3), rng.dirichlet(np.ones(10), size=3)
    for stroke, image in ((eleven, ten), (ten, eleven)):
        digits, not_a_digit = fuse_reading(stroke, image, 0.6)
        np.testing.assert_allclose(not_a_digit, eleven[:, 10], atol=1e-7)
        np.testing.assert_allclose(
            digits, fuse(split_not_a_digit(stroke)[0], split_not_a_digit(image)[0], 0.6), atol=1e-7
        )


def test_a_picture_alone_never_refuses():
    image = np.eye(11)[10] * 0.99 + 0.0009
    digits, not_a_digit = fuse_reading(None, image, 0.6)
    assert not_a_digit == 0 and digits.shape == (10,)
    assert digits.sum() == pytest.approx(1, abs=1e-6)
    np.testing.assert_allclose(digits, split_not_a_digit(image)[0])
