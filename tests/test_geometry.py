"""digit_data/geometry.py random_affine: each of slant, stretch and turn alone, and the order of its draws."""

from __future__ import annotations

import math

import numpy as np

from digit_data.geometry import random_affine

STROKES = [np.array([[0.0, 0.0], [4.0, 2.0], [6.0, 10.0]]), np.array([[1.0, 8.0]])]
CENTRE = np.array([3.0, 5.0])  # the middle of STROKES' bounding box


def test_zero_ranges_give_the_strokes_back_and_still_draw_three_numbers():
    rng = np.random.default_rng(3)
    out = random_affine(STROKES, rng, 0.0, 0.0, 0.0)
    assert [stroke.shape for stroke in out] == [stroke.shape for stroke in STROKES]
    for before, after in zip(STROKES, out, strict=True):
        np.testing.assert_allclose(after, before, atol=1e-12)
    after_three = np.random.default_rng(3)
    after_three.uniform(size=3)
    assert rng.uniform() == after_three.uniform()


def test_slant_shears_x_by_height_about_the_centre_with_the_first_draw():
    out = random_affine(STROKES, np.random.default_rng(5), 0.3, 0.0, 0.0)
    shear = np.random.default_rng(5).uniform(-0.3, 0.3)
    for before, after in zip(STROKES, out, strict=True):
        np.testing.assert_allclose(after[:, 1], before[:, 1])
        np.testing.assert_allclose(after[:, 0], before[:, 0] + shear * (before[:, 1] - CENTRE[1]))


def test_aspect_stretches_x_against_y_with_the_second_draw():
    out = random_affine(STROKES, np.random.default_rng(6), 0.0, 0.2, 0.0)
    draws = np.random.default_rng(6)
    draws.uniform()
    stretch = math.exp(draws.uniform(-0.2, 0.2))
    for before, after in zip(STROKES, out, strict=True):
        np.testing.assert_allclose(after - CENTRE, (before - CENTRE) * [stretch, 1 / stretch])


def test_rotation_turns_about_the_centre_with_the_third_draw():
    out = random_affine(STROKES, np.random.default_rng(7), 0.0, 0.0, 10.0)
    draws = np.random.default_rng(7)
    draws.uniform(size=2)
    angle = math.radians(draws.uniform(-10.0, 10.0))
    for before, after in zip(STROKES, out, strict=True):
        relative_before, relative_after = before - CENTRE, after - CENTRE
        np.testing.assert_allclose(np.hypot(*relative_after.T), np.hypot(*relative_before.T))
        turned = np.arctan2(relative_after[:, 1], relative_after[:, 0]) - np.arctan2(
            relative_before[:, 1], relative_before[:, 0]
        )
        np.testing.assert_allclose(np.remainder(turned + np.pi, 2 * np.pi) - np.pi, angle)
