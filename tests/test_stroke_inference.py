"""mnist_draw/stroke_inference.py: one digit's answer from the two models, "not a digit" decided on the fused reading."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mnist_draw import fusion
from mnist_draw.stroke_inference import StrokeReader, fused_readings, read_digit

THRESHOLD = 0.1


def reader() -> StrokeReader:
    """A reader whose model is never called: fused_readings gets both models' outputs."""
    return StrokeReader(model=None, stroke_weight=0.6, not_a_digit_threshold=THRESHOLD, n_points=64, path=Path())


def eleven(digit: int, share: float, not_a_digit: float) -> np.ndarray:
    """(11,) float32: `share` of the digits on `digit`, the rest spread, all scaled by 1 - not_a_digit."""
    digits = np.full(10, (1 - share) / 9)
    digits[digit] = share
    return np.append(digits * (1 - not_a_digit), not_a_digit).astype(np.float32)


def test_the_picture_refuses_a_shape_the_pen_path_alone_reads_as_a_zero():
    stroke = eleven(0, 0.9, 0.06)  # a cloud's bumpy outline: to the pen path a 0
    image = eleven(0, 0.5, 0.95)  # to the picture no digit at all
    assert not fusion.is_not_a_digit(fusion.split_not_a_digit(stroke)[1], THRESHOLD)
    [reading] = fused_readings(reader(), image[np.newaxis], stroke[np.newaxis])
    assert not reading.is_digit and reading.digit is None
    assert reading.not_a_digit == pytest.approx(float(fusion.fuse(stroke, image, 0.6)[10]), abs=1e-6)
    assert reading.image.shape == reading.stroke.shape == reading.probabilities.shape == (10,)


def test_a_digit_both_models_agree_on_is_read_with_the_same_digits_as_before():
    stroke, image = eleven(4, 0.8, 0.01), eleven(4, 0.7, 0.02)
    [reading] = fused_readings(reader(), image[np.newaxis], stroke[np.newaxis])
    before = fusion.fuse(fusion.split_not_a_digit(stroke)[0], fusion.split_not_a_digit(image)[0], 0.6)
    np.testing.assert_allclose(reading.probabilities, before, atol=1e-6)
    assert reading.digit == 4


def test_a_picture_alone_reads_ten_digits_and_is_never_refused():
    image = eleven(6, 0.8, 0.9)
    reading = read_digit(image, reader(), strokes=None)
    assert reading.is_digit and reading.digit == 6 and reading.not_a_digit == 0
    assert reading.probabilities.shape == (10,) and reading.probabilities.sum() == pytest.approx(1, abs=1e-6)
    assert reading.stroke is None
