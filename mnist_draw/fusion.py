"""One answer from two models: the stroke model's probabilities (how the digit was drawn) and the
image model's (what it looks like), mixed as a weighted geometric mean.

    fused = normalise(p_stroke ** w * p_image ** (1 - w))   i.e. w * log p_stroke + (1 - w) * log p_image

A geometric mix lets either model veto a class it is sure is wrong, which a plain average does
not: a crossed 7 with a curled top looks like a 2, but its pen path rules the 2 out. The same
holds for the 11th class, "not a digit", when both models have it (fuse_reading): a tap's path,
scaled up, is a 1 while its picture is a dot, and a 0 drawn in one sure stroke is a digit
whatever its outline looks like; fused, each vetoes the other's mistake. The weight
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
    """(..., k) probabilities from each model and w in [0, 1] -> (..., k) float32 fused probabilities.

    k is 10 (the digits) or 11 (the digits, then "not a digit"), the same for both. w = 0 gives the image model's answer, w = 1 the stroke model's (each floored and renormalised).
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


def split_not_a_digit(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Either model's (..., 11) probabilities -> (..., 10) digit probabilities and (...,) p(not a digit).

    A model with an 11th class, "not a digit" (index NOT_A_DIGIT), learnt it from generated
    scribbles, letters, shapes, dots, lines and crammed digits. The ten digit probabilities are
    renormalised so that they fuse with the other model's ten: which digit it would be, and
    whether it is one at all, are two separate questions. A (..., 10) row, from a model without
    that class, is its own digits and gives p(not a digit) = 0.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape[-1] == NUM_CLASSES:
        return probabilities.astype(np.float32), np.zeros(probabilities.shape[:-1], dtype=np.float32)
    if probabilities.shape[-1] != NUM_CLASSES + 1:
        raise ValueError(
            f"a model gives {NUM_CLASSES} or {NUM_CLASSES + 1} probabilities, got {probabilities.shape[-1]}"
        )
    digits = probabilities[..., :NUM_CLASSES]
    total = np.maximum(digits.sum(axis=-1, keepdims=True), PROBABILITY_FLOOR)
    return (digits / total).astype(np.float32), probabilities[..., NOT_A_DIGIT].astype(np.float32)


def fuse_reading(stroke: np.ndarray | None, image: np.ndarray, stroke_weight: float) -> tuple[np.ndarray, np.ndarray]:
    """The answer to a drawing: the stroke model's (..., 10 or 11) probabilities (None without a
    pen path or a stroke model), the image model's (..., 10 or 11) and w in [0, 1] ->
    ((..., 10) float32 digit probabilities summing to 1, (...,) float32 p(not a digit)).

    Both 11 wide: all eleven classes fused by the one rule (fuse), the digits then renormalised
    and p(not a digit) the fused 11th; the two views veto each other on "not a digit" as on the
    digits. The digits equal fuse of each model's renormalised ten (a weighted geometric mean
    commutes with renormalising), so which digit is read does not depend on the 11th class.
    Only one 11 wide (an older export of the other model): p(not a digit) is that model's own,
    the digits the fused ten. Neither: p(not a digit) = 0. No stroke reading: the picture's ten
    and p(not a digit) = 0, since the threshold is calibrated on the fused p alone and a picture
    alone never refuses.
    """
    image_digits, image_not_a_digit = split_not_a_digit(image)
    if stroke is None:
        return image_digits, np.zeros(image_not_a_digit.shape, dtype=np.float32)
    stroke = np.asarray(stroke, dtype=np.float64)
    image = np.asarray(image, dtype=np.float64)
    if stroke.shape[-1] == image.shape[-1] == NUM_CLASSES + 1:
        return split_not_a_digit(fuse(stroke, image, stroke_weight))
    stroke_digits, stroke_not_a_digit = split_not_a_digit(stroke)
    # At most one of the two is not all zeros: the one model that has the class.
    return fuse(stroke_digits, image_digits, stroke_weight), stroke_not_a_digit + image_not_a_digit


def is_not_a_digit(p_not_a_digit, threshold: float | None) -> np.ndarray:
    """p(not a digit) (...,) and the chosen threshold -> (...,) bool; a threshold of None never refuses."""
    if threshold is None:
        return np.zeros(np.shape(p_not_a_digit), dtype=bool)
    return np.asarray(p_not_a_digit) >= threshold
