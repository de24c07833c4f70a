"""Strokes -> the pen path the stroke model reads: N equidistant points with position, direction and pen state.

Twin: web/js/penPath.js implements the same numbered steps with the same names
(`path_features` <-> `penPathFeatures`). Both are checked against the shared golden vectors in
tests/golden/pen_path.json (regenerate with `python -m tests.make_golden`), so a change here must
be made there too. The image model sees what was drawn; this sees how it was drawn, which tells
apart shapes that look alike as pictures (a one-stroke 4 and a 5, a curled 7 and a 2).

The steps:
  1. join the strokes in drawing order into one polyline; the pen-up jump from a stroke's last
     point to the next stroke's first is a segment too, marked as "air" (pen up)
  2. arc length: cumulative segment lengths, sqrt(dx * dx + dy * dy), air counted like ink, so a
     long jump (the bar of a 5) gets its share of points and the model sees where it went
  3. resample: n_points targets at total * i / (n_points - 1); each lies on the last segment whose
     start is at or before it, linearly interpolated; its pen flag is that segment's (ink 1, air 0)
  4. normalise: the bounding box of the input points (not the resampled ones) is centred at 0
     and its longer side scaled to [-1, 1], aspect kept
  5. direction: the unit vector from point i - 1 to point i + 1 (ends: one-sided), (0, 0) where
     those points coincide within DIRECTION_EPSILON
  6. float32 (n_points, 5): x, y, cos, sin, pen

Degenerate input is answered deterministically: a single point, or strokes of zero total length,
give every point at (0, 0) with direction (0, 0) and pen 1; a one-point stroke among others is
reached and left through the air and gets no ink points of its own.

Coordinates are the stroke format's (mnist_draw/strokes.py): x right, y down, in any units (canvas
pixels or tablet units); step 4 removes the units, the size and the position.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mnist_draw.strokes import DrawnDigit

PATH_POINTS = 32  # resampled points per digit; bench/stroke_cv.py compares 32 with 64
FEATURE_NAMES = ("x", "y", "cos", "sin", "pen")  # the order of the last axis
DIRECTION_EPSILON = 1e-9  # in normalised units: neighbours closer than this give no direction


def path_parameters(n_points: int = PATH_POINTS) -> dict:
    """The numbers the JS twin needs (the golden file's "params"; later the stroke model's metadata)."""
    return {"n_points": n_points, "features": list(FEATURE_NAMES), "direction_epsilon": DIRECTION_EPSILON}


def join_strokes(strokes: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Step 1. Strokes (each >= 1 [x, y] point) -> points (p, 2) float64 and segment_ink (p - 1,) bool.

    segment_ink[k] says whether the segment from point k to point k + 1 was drawn (True) or is
    the pen-up jump between two strokes (False).
    """
    arrays = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes]
    arrays = [points for points in arrays if len(points)]
    if not arrays:
        raise ValueError("a pen path needs at least one point")
    ink = []
    for index, points in enumerate(arrays):
        if index:
            ink.append(False)  # the jump from the previous stroke's end to this stroke's start
        ink.extend([True] * (len(points) - 1))
    return np.concatenate(arrays), np.array(ink, dtype=bool)


def resample(points: np.ndarray, segment_ink: np.ndarray, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Steps 2-3. Polyline (p, 2) and its segments' ink -> (n_points, 2) equidistant points, (n_points,) pen.

    Zero total length (one point, or all points equal) -> n_points copies of the first point, pen 1.
    """
    if len(points) == 1:
        return np.repeat(points, n_points, axis=0), np.ones(n_points)
    delta = points[1:] - points[:-1]
    lengths = np.sqrt(delta[:, 0] * delta[:, 0] + delta[:, 1] * delta[:, 1])
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])  # sequential sums, like the JS loop
    total = cumulative[-1]
    if total == 0:
        return np.repeat(points[:1], n_points, axis=0), np.ones(n_points)
    targets = total * np.arange(n_points) / (n_points - 1)
    segment = np.clip(np.searchsorted(cumulative, targets, side="right") - 1, 0, len(lengths) - 1)
    # The last target equals the total; it may sit past the end of trailing zero-length segments.
    along = targets - cumulative[segment]
    fraction = np.divide(along, lengths[segment], out=np.zeros(n_points), where=lengths[segment] > 0)
    fraction = np.minimum(fraction, 1.0)
    resampled = points[segment] + fraction[:, None] * delta[segment]
    return resampled, segment_ink[segment].astype(np.float64)


def normalise(resampled: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Step 4. Resampled (n, 2) -> centred on the input's box, longer side spanning [-1, 1]; aspect kept."""
    low, high = points.min(axis=0), points.max(axis=0)
    centre = (low + high) / 2
    half_extent = max(high[0] - low[0], high[1] - low[1]) / 2
    if half_extent == 0:
        return np.zeros_like(resampled)
    return (resampled - centre) / half_extent


def directions(normalised: np.ndarray) -> np.ndarray:
    """Step 5. (n >= 2, 2) path points -> (n, 2) unit tangents (cos, sin), (0, 0) where undefined."""
    previous = np.concatenate([normalised[:1], normalised[:-2], normalised[-2:-1]])
    following = np.concatenate([normalised[1:2], normalised[2:], normalised[-1:]])
    delta = following - previous
    norm = np.sqrt(delta[:, 0] * delta[:, 0] + delta[:, 1] * delta[:, 1])
    safe = norm > DIRECTION_EPSILON
    return np.divide(delta, norm[:, None], out=np.zeros_like(delta), where=safe[:, None])


def path_features(strokes: Sequence | DrawnDigit, n_points: int = PATH_POINTS) -> np.ndarray:
    """A digit's strokes -> (n_points, 5) float32: x, y in [-1, 1] (y down), cos, sin in [-1, 1], pen in {0, 1}.

    strokes: a DrawnDigit, or a list of strokes, each a list (or (k, 2) array) of [x, y] points.
    ValueError for no points or n_points < 2.
    """
    if n_points < 2:
        raise ValueError(f"a pen path needs at least 2 points, got n_points={n_points}")
    if isinstance(strokes, DrawnDigit):
        strokes = strokes.strokes
    points, segment_ink = join_strokes(strokes)
    resampled, pen = resample(points, segment_ink, n_points)
    normalised = normalise(resampled, points)
    features = np.concatenate([normalised, directions(normalised), pen[:, None]], axis=1)
    return features.astype(np.float32)


def batch_features(digits: Sequence, n_points: int = PATH_POINTS) -> np.ndarray:
    """Many digits (DrawnDigits or stroke lists) -> (len(digits), n_points, 5) float32."""
    return (
        np.stack([path_features(digit, n_points) for digit in digits])
        if len(digits)
        else np.zeros((0, n_points, len(FEATURE_NAMES)), np.float32)
    )
