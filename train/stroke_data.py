"""Pen digits -> stroke-model training arrays, with augmentation that imitates other writers.

The stroke model (train/stroke_model.py) reads mnist_draw/pen_path.py's features. One writer's
digit becomes another writer's by changing what varies between people: how slanted, wide, turned
and shaky the digit is, how fast the pen moved (so how densely the tablet or the browser sampled
it), whether a stroke sits a little off from the others, whether the pen was lifted between two
strokes, and in which order and direction the secondary strokes (the bar of a 7, the flag of a 5)
were drawn. Size and position need no augmenting: pen_path normalises them away.

Everything is NumPy on plain (k, 2) float64 stroke arrays, about 0.1 ms a digit, so a fresh
augmented copy of every training digit per epoch costs a second or two on one core.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from digit_data.geometry import random_affine
from mnist_draw.pen_path import PATH_POINTS, path_features
from mnist_draw.strokes import DrawnDigit

Strokes = list[np.ndarray]  # each (k >= 1, 2) float64, x right, y down


@dataclasses.dataclass(frozen=True)
class Augmentation:
    """How far each variation between writers reaches; zero turns one off. Lengths are shares of the digit's size."""

    slant: float = 0.3  # most x shear per unit of y (0.3: about 17 degrees of italic either way)
    aspect: float = 0.2  # log of the most width-to-height stretch (0.2: 0.82x to 1.22x)
    rotation_degrees: float = 10.0  # most turn of the whole digit
    spacing_range: tuple[float, float] = (0.015, 0.12)  # pen-sample spacing: fast to slow hands, coarse to fine tablets
    jitter: float = 0.008  # standard deviation of the shake added to every sample
    stroke_shift: float = 0.04  # standard deviation of each stroke's own offset, multi-stroke digits only
    join_probability: float = 0.1  # chance that the pen stays down between two strokes (a one-stroke 4)
    reorder_probability: float = 0.15  # chance that a multi-stroke digit's strokes come in another order
    reverse_probability: float = 0.15  # chance per secondary stroke (not the longest) of being drawn backwards
    main_reverse_probability: float = 0.05  # chance that the longest stroke is drawn backwards (a 9 from its tail up)
    split_probability: float = 0.1  # chance that the longest stroke is drawn as two (an 8 as two halves)
    smooth_probability: float = 0.3  # chance that the digit is smoothed: a slow mouse's clean curve, not a tablet's


NO_AUGMENTATION = Augmentation(0, 0, 0, (0, 0), 0, 0, 0, 0, 0, 0, 0, 0)
# What bench/stroke_cv.py compares the default with: order and direction varied only in secondary strokes.
BASIC_AUGMENTATION = Augmentation(main_reverse_probability=0.0, split_probability=0.0)


def digit_size(strokes: Strokes) -> float:
    """The longer side of the strokes' bounding box, 1.0 for a single dot (so shares stay finite)."""
    points = np.concatenate(strokes)
    extent = float((points.max(axis=0) - points.min(axis=0)).max())
    return extent if extent > 0 else 1.0


def resample_stroke(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """One stroke -> points every `spacing` units of arc length, first and last point kept."""
    if len(stroke) < 2:
        return stroke
    lengths = np.sqrt(((stroke[1:] - stroke[:-1]) ** 2).sum(axis=1))
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    if cumulative[-1] == 0:
        return stroke[:1]
    count = max(int(cumulative[-1] / spacing), 1) + 1
    targets = np.linspace(0.0, cumulative[-1], count)
    return np.stack([np.interp(targets, cumulative, stroke[:, axis]) for axis in range(2)], axis=1)


def vary_sampling(strokes: Strokes, rng: np.random.Generator, augmentation: Augmentation) -> Strokes:
    """Resample every stroke at one random spacing: the same path as a faster or slower hand, another device, leaves it."""
    low, high = augmentation.spacing_range
    if high <= 0:
        return strokes
    spacing = math.exp(rng.uniform(math.log(low), math.log(high))) * digit_size(strokes)
    return [resample_stroke(stroke, spacing) for stroke in strokes]


def shake(strokes: Strokes, rng: np.random.Generator, augmentation: Augmentation) -> Strokes:
    """Jitter every sample, and shift each stroke of a multi-stroke digit by its own small offset."""
    size = digit_size(strokes)
    shifted = len(strokes) > 1 and augmentation.stroke_shift > 0
    return [
        stroke
        + rng.normal(0.0, augmentation.jitter * size, stroke.shape)
        + (rng.normal(0.0, augmentation.stroke_shift * size, 2) if shifted else 0.0)
        for stroke in strokes
    ]


def stroke_length(stroke: np.ndarray) -> float:
    return float(np.sqrt(((stroke[1:] - stroke[:-1]) ** 2).sum(axis=1)).sum()) if len(stroke) > 1 else 0.0


def split_longest(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """The longest stroke lifted once, at a random point between 30% and 70% of its samples."""
    longest = int(np.argmax([stroke_length(stroke) for stroke in strokes]))
    stroke = strokes[longest]
    if len(stroke) < 4:
        return strokes
    cut = int(rng.integers(round(0.3 * len(stroke)), round(0.7 * len(stroke)) + 1))
    cut = min(max(cut, 1), len(stroke) - 1)
    return strokes[:longest] + [stroke[:cut], stroke[cut:]] + strokes[longest + 1 :]


def vary_order(strokes: Strokes, rng: np.random.Generator, augmentation: Augmentation) -> Strokes:
    """Split or reverse the main stroke, reverse secondary strokes, shuffle, join neighbours, each by its own chance.

    The longest stroke is reversed far less often than the others: people differ in how they
    draw a bar or a flag more than in how they draw the body of a digit.
    """
    longest = int(np.argmax([stroke_length(stroke) for stroke in strokes]))
    strokes = [
        stroke[::-1]
        if rng.random()
        < (augmentation.main_reverse_probability if index == longest else augmentation.reverse_probability)
        else stroke
        for index, stroke in enumerate(strokes)
    ]
    if rng.random() < augmentation.split_probability:
        strokes = split_longest(strokes, rng)
    if len(strokes) < 2:
        return strokes
    if rng.random() < augmentation.reorder_probability:
        strokes = [strokes[index] for index in rng.permutation(len(strokes))]
    joined = [strokes[0]]
    for stroke in strokes[1:]:
        if rng.random() < augmentation.join_probability:
            joined[-1] = np.concatenate([joined[-1], stroke])  # the jump is drawn: the pen stayed down
        else:
            joined.append(stroke)
    return joined


SMOOTHING_HALF_WIDTHS = (1, 5)  # the moving average spans 2h + 1 samples, h drawn from [low, high)


def smooth(strokes: Strokes, rng: np.random.Generator, augmentation: Augmentation) -> Strokes:
    """By chance, every stroke's samples averaged over a few neighbours (ends kept): a clean curve.

    The pen writers' tablet adds a little wobble to every digit, while a 0 drawn slowly with a
    mouse can be a near-perfect ellipse. Without smooth digits in training, the "not a digit" class
    learns that clean, regular curves (its made-up shapes) are no digit, and refuses a round 0.
    """
    if rng.random() >= augmentation.smooth_probability:
        return strokes
    half = int(rng.integers(*SMOOTHING_HALF_WIDTHS))
    window = 2 * half + 1
    kernel = np.ones(window) / window
    smoothed = []
    for stroke in strokes:
        if len(stroke) < window:
            smoothed.append(stroke)
            continue
        padded = np.concatenate([np.repeat(stroke[:1], half, 0), stroke, np.repeat(stroke[-1:], half, 0)])
        inner = np.stack([np.convolve(padded[:, axis], kernel, mode="valid") for axis in range(2)], axis=1)
        smoothed.append(np.concatenate([stroke[:1], inner[1:-1], stroke[-1:]]) if len(inner) > 2 else stroke)
    return smoothed


def augment(strokes: Sequence, rng: np.random.Generator, augmentation: Augmentation = Augmentation()) -> Strokes:
    """One digit's strokes -> the same digit as another writer might have drawn it (list of (k, 2) float64)."""
    strokes = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes]
    strokes = vary_order(strokes, rng, augmentation)
    strokes = vary_sampling(strokes, rng, augmentation)
    strokes = random_affine(strokes, rng, augmentation.slant, augmentation.aspect, augmentation.rotation_degrees)
    return smooth(shake(strokes, rng, augmentation), rng, augmentation)


def training_arrays(
    digits: Sequence[DrawnDigit],
    copies: int,
    seed: int,
    augmentation: Augmentation | None = Augmentation(),
    n_points: int = PATH_POINTS,
) -> tuple[np.ndarray, np.ndarray]:
    """Digits -> (features (len * copies, n_points, 5) float32, labels (len * copies,) uint8).

    Each copy is a fresh augmentation; augmentation None gives the plain features, repeated.
    """
    rng = np.random.default_rng(seed)
    features, labels = [], []
    for _ in range(copies):
        for digit in digits:
            strokes = digit.strokes if augmentation is None else augment(digit.strokes, rng, augmentation)
            features.append(path_features(strokes, n_points))
            labels.append(digit.label)
    return np.stack(features), np.array(labels, dtype=np.uint8)
