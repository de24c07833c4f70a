"""Strokes -> canvas pixels, drawn the way the page's canvas draws them.

Twin: web/js/canvas.js. For each stroke the page makes one draw call per pointer event, each a
separate `stroke()` composited onto the canvas: pointer-down fills a round dot of the pen's
width; every pointer-move (and pointer-up, which repeats the last move) strokes a quadratic
curve from the last midpoint, controlled by the last point, to the midpoint of the last point
and the new one, with round caps. Pointer-up's closing `lineTo` always starts where that last
curve ended, so it has zero length, and the canvas draws nothing for zero-length paths.

A pointer move closer than MIN_POINT_DISTANCE to the last kept point adds no ink: the canvas
neither draws nor records it (and a pointer-up that close ends the stroke at the last kept
point), so `kept_points` drops such points here too before drawing. Strokes the canvas recorded
already hold to that; raw pen trajectories are thinned the way the canvas would thin them.

This module makes the same draw calls (`stroke_pieces`), flattens each curve into pieces that
stray at most FLATNESS pixels from it, and gives every pixel the call's coverage
clip(radius + 0.5 - distance, 0, 1), distance from the pixel centre to the nearest piece of the
call: a one-pixel anti-aliasing ramp, like the canvas's. Calls are composited the way the
canvas composites white over what is there ("source-over"): ink = 1 - (1 - ink)(1 - coverage),
so where two calls overlap (every joint between curves) a half-covered edge pixel gets darker,
as it does on the page. What is left is how Chromium's rasteriser computes coverage (16 samples
a pixel, its own curve flattening): a few 1/16 steps at the edge of a stroke.
tests/test_render_parity.py measures it in the real page.

Speed (training renders thousands of digits, several times): each piece's coverage is computed
in a fixed-size window around it, all pieces of a digit in one NumPy pass over a (pieces,
window, window) array (`coverage`); the loop that composites calls only takes maxima and
products of small slices. A pen digit at pen width 22 and size 0.7 takes about 4 ms.

Used to turn pen trajectories (digit_data/pendigits.py) and people's saved drawings
(mnist_draw/strokes.py) into the training images the page would have produced from them, and
(render_canvas_strokes) the Streamlit app's strokes, already in canvas pixels, into what its
canvas shows (app/drawing_canvas.py draws them with web/js/canvas.js itself).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from mnist_draw.config import CANVAS_SIZE, MIN_POINT_DISTANCE, STROKE_WIDTH
from mnist_draw.strokes import DrawnDigit

FLATNESS = 0.02  # canvas pixels: most a flattened curve may stray from the true one
LONGEST_PIECE = 8.0  # canvas pixels; longer pieces would make every coverage window bigger
PIECES_PER_BATCH = 512  # bounds the (pieces, window, window) arrays to a few MB at the widest pen


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


def stray(starts: np.ndarray, controls: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """(curves,) the most each quadratic strays from its polyline when cut into n equal steps of t, times n^2.

    With u = control - start and v = end - control: a curve that turns less than 90 degrees
    strays at most |u x v| sqrt(|u|^2 + |v|^2) / (4 |u| |v|), zero for canvas.js's straight
    first and last curves of a stroke; one that turns further may overshoot its chords, and
    strays at most |v - u| / 4.
    """
    u, v = controls - starts, ends - controls
    u_length, v_length = np.linalg.norm(u, axis=1), np.linalg.norm(v, axis=1)
    turn = np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0])
    forward = turn * np.hypot(u_length, v_length) / (4 * np.maximum(u_length * v_length, 1e-300))
    return np.where((u * v).sum(axis=1) >= 0, forward, np.linalg.norm(v - u, axis=1) / 4)


def stroke_pieces(points: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, 2) pointer positions of one stroke -> the line pieces of the draw calls canvas.js makes.

    Returns starts (p, 2), ends (p, 2) and the draw call of each piece (p,), calls numbered in
    drawing order. Call 0 is pointer-down's dot, one piece from the first point to itself; then
    one quadratic curve per pointer-move, and one for pointer-up's repeat of the last move, each
    cut into pieces that stray at most FLATNESS from the curve. Curves of zero length (the pen
    stood still) are left out because the canvas draws nothing for them.
    """
    controls = points  # the curve for the move to point i+1 is controlled by point i
    ends = (points + np.concatenate([points[1:], points[-1:]])) / 2
    starts = np.concatenate([points[:1], ends[:-1]])
    drawn = ~(np.all(starts == controls, axis=1) & np.all(controls == ends, axis=1))
    starts, controls, ends = starts[drawn], controls[drawn], ends[drawn]
    length = np.linalg.norm(controls - starts, axis=1) + np.linalg.norm(ends - controls, axis=1)
    steps = np.maximum(
        np.ceil(np.maximum(np.sqrt(stray(starts, controls, ends) / FLATNESS), length / LONGEST_PIECE)), 1
    ).astype(np.intp)
    curve = np.repeat(np.arange(len(steps)), steps)
    step = np.arange(len(curve)) - np.repeat(np.cumsum(steps) - steps, steps)

    def at(t: np.ndarray) -> np.ndarray:
        t = t[:, np.newaxis]
        return (1 - t) ** 2 * starts[curve] + 2 * (1 - t) * t * controls[curve] + t**2 * ends[curve]

    piece_starts, piece_ends = at(step / steps[curve]), at((step + 1) / steps[curve])
    return (
        np.concatenate([points[:1], piece_starts]),
        np.concatenate([points[:1], piece_ends]),
        np.concatenate([[0], curve + 1]),
    )


def coverage(starts: np.ndarray, ends: np.ndarray, radius: float, origins: np.ndarray, window: int) -> np.ndarray:
    """Each line piece's coverage of the window x window pixels from its origin -> (pieces, window, window) float32.

    starts, ends: (pieces, 2) canvas x, y; origins: (pieces, 2) integer x, y of each window's
    top-left pixel. Coverage is clip(radius + 0.5 - distance, 0, 1), distance from the pixel
    centre to the piece (a round-capped line; a piece with start == end is a dot).
    """
    offsets = np.arange(window, dtype=np.float32) + 0.5
    # Pixel centres relative to each piece's start: x along the window's columns, y down its rows.
    x = (origins[:, 0, None] - starts[:, 0, None]).astype(np.float32) + offsets
    y = (origins[:, 1, None] - starts[:, 1, None]).astype(np.float32) + offsets
    x, y = x[:, None, :], y[:, :, None]
    direction = (ends - starts).astype(np.float32)
    length_squared = np.maximum((direction**2).sum(axis=1), np.float32(1e-12))
    dx, dy = direction[:, 0, None, None], direction[:, 1, None, None]
    along = np.clip((x * dx + y * dy) / length_squared[:, None, None], 0.0, 1.0)
    distance = np.sqrt((x - along * dx) ** 2 + (y - along * dy) ** 2)
    return np.clip(np.float32(radius + 0.5) - distance, 0.0, 1.0)


def window_origins(starts: np.ndarray, ends: np.ndarray, radius: float) -> tuple[np.ndarray, int]:
    """(pieces, 2) integer x, y of the top-left pixel of each piece's window, and the one window size.

    Windows share one size, big enough for the longest piece plus the reach of its ink, so the
    coverage of many pieces is computed in one NumPy pass.
    """
    reach = radius + 0.5  # no pixel centre farther than this from a piece gets any ink
    origins = np.floor(np.minimum(starts, ends) - reach).astype(np.intp)
    window = int((np.ceil(np.maximum(starts, ends) + reach).astype(np.intp) - origins).max()) + 1
    return origins, window


def piece_coverage(starts: np.ndarray, ends: np.ndarray, radius: float, origins: np.ndarray, window: int):
    """coverage() of each piece in order, computed PIECES_PER_BATCH at a time."""
    for first in range(0, len(starts), PIECES_PER_BATCH):
        batch = slice(first, first + PIECES_PER_BATCH)
        yield from coverage(starts[batch], ends[batch], radius, origins[batch], window)


def canvas_pieces(strokes: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """stroke_pieces of every (n, 2) canvas-pixel stroke, with draw calls numbered across strokes."""
    starts, ends, calls, first_call = [], [], [], 0
    for points in strokes:
        stroke_starts, stroke_ends, stroke_calls = stroke_pieces(points)
        starts.append(stroke_starts)
        ends.append(stroke_ends)
        calls.append(stroke_calls + first_call)
        first_call += stroke_calls[-1] + 1
    return np.concatenate(starts), np.concatenate(ends), np.concatenate(calls)


def composite(calls: np.ndarray, corners: list, covers, window: int, size: int) -> np.ndarray:
    """Draw calls composited onto a black canvas -> (size, size) float32 "clear": 1 - ink, in [0, 1].

    calls: (pieces,) draw call of each piece, in order; corners: each piece's window origin in
    the (size, size) canvas; covers: each piece's (window, window) coverage, in order. A call's
    coverage is the largest of its pieces' (one stroke() is one shape, however it was flattened).
    """
    clear = np.ones((size, size), dtype=np.float32)
    call_cover = np.zeros_like(clear)
    first = 0
    for count in np.bincount(calls).tolist():
        placed = corners[first : first + count]
        first += count
        if not placed:
            continue  # a call wholly off the canvas
        for (x, y), cover in zip(placed, covers):
            region = call_cover[y : y + window, x : x + window]
            np.maximum(region, cover, out=region)
        xs, ys = zip(*placed)
        region = (slice(min(ys), max(ys) + window), slice(min(xs), max(xs) + window))
        # Source-over with white: what was still black keeps (1 - coverage) of its blackness.
        clear[region] *= 1.0 - call_cover[region]
        call_cover[region] = 0.0
    return clear


def kept_points(points: np.ndarray) -> np.ndarray:
    """(n, 2) canvas-pixel points -> those web/js/canvas.js keeps: each at least MIN_POINT_DISTANCE from the last kept.

    The distance is taken between points rounded to 1/100 pixel, as the canvas records them.
    """
    rounded = np.round(points * 100) / 100
    keep, last = [0], rounded[0]
    for index in range(1, len(points)):
        if np.hypot(*(rounded[index] - last)) >= MIN_POINT_DISTANCE:
            keep.append(index)
            last = rounded[index]
    return points[keep]


def render_ink(digit: DrawnDigit, placement: Placement = Placement(), canvas_size: int = CANVAS_SIZE) -> np.ndarray:
    """A drawn digit -> (canvas_size, canvas_size) float64 ink in [0, 1], 8-bit steps like a canvas.

    The result goes straight into mnist_draw.preprocess.preprocess_ink (the canvas is opaque white
    on black, so its ink is its grey level).
    """
    return render_canvas_strokes(to_canvas(digit, placement, canvas_size), placement.pen_width, canvas_size)


def render_canvas_strokes(strokes, pen_width: float = STROKE_WIDTH, canvas_size: int = CANVAS_SIZE) -> np.ndarray:
    """Strokes already in canvas pixels -> (canvas_size, canvas_size) float64 ink in [0, 1], 8-bit steps.

    strokes: each an (n, 2) array or list of [x, y] pointer positions in canvas pixels (x right,
    y down, n >= 1), as the canvas recorded them (web/js/canvas.js `strokes()`); pen_width in canvas
    pixels. No strokes -> all zeros. render_ink places a digit first, then draws it here.
    """
    strokes = [np.asarray(points, dtype=np.float64).reshape(-1, 2) for points in strokes]
    strokes = [kept_points(points) for points in strokes if len(points)]
    if not strokes:
        return np.zeros((canvas_size, canvas_size), dtype=np.float64)
    starts, ends, calls = canvas_pieces(strokes)
    radius = pen_width / 2
    origins, window = window_origins(starts, ends, radius)
    # Pieces off the canvas paint nothing; leaving them out keeps every window within a margin.
    on_canvas = np.all((origins < canvas_size) & (origins + window > 0), axis=1)
    starts, ends, calls, origins = starts[on_canvas], ends[on_canvas], calls[on_canvas], origins[on_canvas]
    # A margin as wide as a window lets every window be a plain slice, even past the canvas edge.
    margin = window
    covers = piece_coverage(starts, ends, radius, origins, window)
    clear = composite(calls, (origins + margin).tolist(), covers, window, canvas_size + 2 * margin)
    ink = 1.0 - clear[margin:-margin, margin:-margin].astype(np.float64)
    return np.round(ink * 255) / 255


def render_rgba(digit: DrawnDigit, placement: Placement = Placement(), canvas_size: int = CANVAS_SIZE) -> np.ndarray:
    """A drawn digit -> (canvas_size, canvas_size, 4) uint8 RGBA, white on opaque black, as the page reads it."""
    grey = np.round(render_ink(digit, placement, canvas_size) * 255).astype(np.uint8)
    return np.stack([grey, grey, grey, np.full_like(grey, 255)], axis=-1)
