"""mnist_draw/fusion.py: the geometric mix of the stroke and image models, and its golden vectors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mnist_draw.fusion import fuse
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
