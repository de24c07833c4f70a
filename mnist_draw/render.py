"""Strokes -> canvas pixels, drawn the way the page's canvas draws them.

Twin: web/js/canvas.js. The page strokes each pointer move as a quadratic curve through the
midpoints of successive points (the previous point is the control point), with round caps and
joins, white on black, on a CANVAS_SIZE x CANVAS_SIZE canvas; pointer-down leaves a round dot
and pointer-up closes the stroke with a straight piece to the last point. This module builds
the same path, flattens it into short line pieces and paints each piece's coverage with a
one-pixel anti-aliasing ramp, the way a browser's rasteriser fills a thick round-capped line.
How closely the two agree, measured in the real page, is in tests/test_render_parity.py.

Used to turn pen trajectories (mnist_draw/pendigits.py) and people's saved drawings into the
training images the page would have produced from them.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from mnist_draw.config import CANVAS_SIZE, STROKE_WIDTH
from mnist_draw.strokes import DrawnDigit

FLATTEN_STEP = 2.0  # canvas pixels per line piece when a curve is flattened


@dataclasses.dataclass(frozen=True)
class Placement:
    """Where and how big a digit is drawn on the canvas, and with which pen."""

    size: float = 0.7  # the digit's longer side, as a fraction of the canvas side
    centre_x: float = 0.5  # centre of the digit's bounding box, as fractions of the canvas
    centre_y: float = 0.5
    pen_width: float = STROKE_WIDTH  # canvas pixels


def to_canvas(digit: DrawnDigit, placement: Placement, canvas_size: int = CANVAS_SIZE) -> list[np.ndarray]:
    """The digit's strokes as (n, 2) float64 canvas-pixel arrays, scaled and placed by `placement`.

    The bounding box's longer side becomes placement.size of the canvas (aspect kept), its centre
    lands on (centre_x, centre_y); a single dot keeps its place at the centre.
    """
    left, top, right, bottom = digit.bounds()
    extent = max(right - left, bottom - top)
    scale = placement.size * canvas_size / extent if extent > 0 else 1.0
    middle = np.array([(left + right) / 2, (top + bottom) / 2])
    target = np.array([placement.centre_x, placement.centre_y]) * canvas_size
    return [(np.asarray(stroke, dtype=np.float64) - middle) * scale + target for stroke in digit.strokes]


def quadratic(start: np.ndarray, control: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Points along a quadratic Bezier, about FLATTEN_STEP apart, start and end included."""
    length = np.linalg.norm(control - start) + np.linalg.norm(end - control)
    steps = max(1, math.ceil(length / FLATTEN_STEP))
    t = np.linspace(0.0, 1.0, steps + 1)[:, np.newaxis]
    return (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end


def stroke_path(points: np.ndarray) -> np.ndarray:
    """(n, 2) pointer positions -> (m, 2) polyline of the path web/js/canvas.js strokes through them.

    pointerdown p0; each pointermove p: curve from the last midpoint, controlled by the last point,
    to the midpoint of the last point and p; pointerup at the last point repeats that move and adds
    a straight line to it.
    """
    pieces = [points[:1]]
    last_point, last_midpoint = points[0], points[0]
    for point in [*points[1:], points[-1]]:  # the moves, then pointerup's own extendTo
        midpoint = (last_point + point) / 2
        pieces.append(quadratic(last_midpoint, last_point, midpoint)[1:])
        last_point, last_midpoint = point, midpoint
    pieces.append(points[-1:])
    return np.concatenate(pieces)


def paint_polyline(ink: np.ndarray, path: np.ndarray, radius: float) -> None:
    """Paint a round-capped, round-joined line of `radius` along `path` into `ink` (H, W) in place.

    Coverage of a pixel is clip(radius + 0.5 - distance, 0, 1), distance from the pixel centre to
    the nearest line piece: a one-pixel anti-aliasing ramp at the edge, like the canvas's.
    Overlaps keep the larger coverage.
    """
    height, width = ink.shape
    starts, ends = path[:-1], path[1:]
    if len(path) == 1:
        starts, ends = path, path
    reach = radius + 1.0
    for start, end in zip(starts, ends):
        x0 = max(0, math.floor(min(start[0], end[0]) - reach))
        x1 = min(width, math.ceil(max(start[0], end[0]) + reach) + 1)
        y0 = max(0, math.floor(min(start[1], end[1]) - reach))
        y1 = min(height, math.ceil(max(start[1], end[1]) + reach) + 1)
        if x0 >= x1 or y0 >= y1:
            continue
        ys, xs = np.mgrid[y0:y1, x0:x1]
        px, py = xs + 0.5 - start[0], ys + 0.5 - start[1]
        dx, dy = end[0] - start[0], end[1] - start[1]
        length_squared = dx * dx + dy * dy
        t = np.clip((px * dx + py * dy) / length_squared, 0.0, 1.0) if length_squared > 0 else 0.0
        distance = np.hypot(px - t * dx, py - t * dy)
        coverage = np.clip(radius + 0.5 - distance, 0.0, 1.0)
        np.maximum(ink[y0:y1, x0:x1], coverage, out=ink[y0:y1, x0:x1])


def render_ink(digit: DrawnDigit, placement: Placement = Placement(), canvas_size: int = CANVAS_SIZE) -> np.ndarray:
    """A drawn digit -> (canvas_size, canvas_size) float64 ink in [0, 1], 8-bit steps like a canvas.

    The result goes straight into mnist_draw.preprocess.preprocess_ink (the canvas is opaque white
    on black, so its ink is its grey level).
    """
    ink = np.zeros((canvas_size, canvas_size), dtype=np.float64)
    for points in to_canvas(digit, placement, canvas_size):
        paint_polyline(ink, stroke_path(points), placement.pen_width / 2)
    return np.round(ink * 255) / 255


def render_rgba(digit: DrawnDigit, placement: Placement = Placement(), canvas_size: int = CANVAS_SIZE) -> np.ndarray:
    """A drawn digit -> (canvas_size, canvas_size, 4) uint8 RGBA, white on opaque black, as the page reads it."""
    grey = np.round(render_ink(digit, placement, canvas_size) * 255).astype(np.uint8)
    return np.stack([grey, grey, grey, np.full_like(grey, 255)], axis=-1)
