"""One answer from two models: the stroke model's probabilities (how the digit was drawn) and the
image model's (what it looks like), mixed as a weighted geometric mean.

    fused = normalise(p_stroke ** w * p_image ** (1 - w))   i.e. w * log p_stroke + (1 - w) * log p_image

A geometric mix lets either model veto a class it is sure is wrong, which a plain average does
not: a crossed 7 with a curled top looks like a 2, but its pen path rules the 2 out. The weight
w comes from the stroke model's run (chosen on writers neither model trained on) and travels in
web/model/metadata.json to the page; web/js/fusion.js is the twin, held to this file by golden
vectors (tests/golden/fusion.json).
"""

from __future__ import annotations

import numpy as np

from mnist_draw.config import NOT_A_DIGIT, NUM_CLASSES

FUSION_RULE = "normalise(p_stroke ** w * p_image ** (1 - w))"
PROBABILITY_FLOOR = 1e-7  # a probability of exactly 0 would make its log -inf and veto outright
NOT_A_DIGIT_THRESHOLD_KEY = "not_a_digit_threshold"  # in the same metrics.json, beside w
STROKE_WEIGHT_KEY = "stroke_weight"  # w in the stroke set's metrics.json (train/stroke_training.py writes it)
WEIGHT_GRID = tuple(round(step * 0.05, 2) for step in range(21))  # the weights training chooses w from: 0, 0.05, ..., 1


def fuse(stroke: np.ndarray, image: np.ndarray, stroke_weight: float) -> np.ndarray:
    """(..., 10) probabilities from each model and w in [0, 1] -> (..., 10) float32 fused probabilities.

    w = 0 gives the image model's answer, w = 1 the stroke model's (each floored and renormalised).
    """
    if not 0 <= stroke_weight <= 1:
        raise ValueError(f"stroke_weight must be in [0, 1], got {stroke_weight}")
    stroke, image = np.asarray(stroke, dtype=np.float64), np.asarray(image, dtype=np.float64)
    if stroke.shape != image.shape:
        raise ValueError(f"the two models' probabilities differ in shape: {stroke.shape} and {image.shape}")
    logits = stroke_weight * np.log(np.maximum(stroke, PROBABILITY_FLOOR)) + (1 - stroke_weight) * np.log(
        np.maximum(image, PROBABILITY_FLOOR)
    )
    logits -= logits.max(axis=-1, keepdims=True)  # exp of the largest is 1: no overflow
    weights = np.exp(logits)
    return (weights / weights.sum(axis=-1, keepdims=True)).astype(np.float32)


def split_not_a_digit(stroke: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The stroke model's (..., 11) probabilities -> (..., 10) digit probabilities and (...,) p(not a digit).

    The stroke model learnt an 11th class, "not a digit" (index NOT_A_DIGIT), from generated
    scribbles, letters, shapes, dots, lines and crammed digits; the image model did not. The ten
    digit probabilities are renormalised so that they fuse with the image model's as before: which
    digit it would be, and whether it is one at all, are two separate questions. A (..., 10) row,
    from a stroke model without that class, gives p(not a digit) = 0.
    """
    stroke = np.asarray(stroke, dtype=np.float64)
    if stroke.shape[-1] == NUM_CLASSES:
        return stroke.astype(np.float32), np.zeros(stroke.shape[:-1], dtype=np.float32)
    if stroke.shape[-1] != NUM_CLASSES + 1:
        raise ValueError(
            f"the stroke model gives {NUM_CLASSES} or {NUM_CLASSES + 1} probabilities, got {stroke.shape[-1]}"
        )
    digits = stroke[..., :NUM_CLASSES]
    total = np.maximum(digits.sum(axis=-1, keepdims=True), PROBABILITY_FLOOR)
    return (digits / total).astype(np.float32), stroke[..., NOT_A_DIGIT].astype(np.float32)


def is_not_a_digit(p_not_a_digit, threshold: float | None) -> np.ndarray:
    """p(not a digit) (...,) and the chosen threshold -> (...,) bool; a threshold of None never refuses."""
    if threshold is None:
        return np.zeros(np.shape(p_not_a_digit), dtype=bool)
    return np.asarray(p_not_a_digit) >= threshold


def fuse_reading(stroke, image, stroke_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """Provisional (the inference branch replaces it): (..., 10|11) each -> (..., 10) digits, (...,) p(not a digit)."""
    image = np.asarray(image, dtype=np.float64)
    if stroke is None:
        return split_not_a_digit(image)[0], np.zeros(image.shape[:-1], np.float32)
    stroke = np.asarray(stroke, dtype=np.float64)
    if stroke.shape[-1] == image.shape[-1] == NUM_CLASSES + 1:
        fused = fuse(stroke, image, stroke_weight)
        digits, p = split_not_a_digit(fused)
        return digits, p
    (s, ps), (i, pi) = split_not_a_digit(stroke), split_not_a_digit(image)
    return fuse(s, i, stroke_weight), np.maximum(ps, pi)
