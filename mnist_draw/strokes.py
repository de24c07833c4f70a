"""The stroke format: a drawn digit as the pen moved, not as pixels.

One format serves every place strokes appear: the pen-digit reader (mnist_draw/pendigits.py),
the renderer (mnist_draw/render.py), the browser drawing helpers (browser/draw.py) and people's
own labelled drawings from the page and the app.

A `DrawnDigit` is a list of strokes (pen down ... pen up), each a list of (x, y) points on a
drawing surface `width` x `height` units big, x to the right and y **down** (screen
convention; the pen tablet's y-up coordinates are flipped on reading). Points are floats in the
surface's units: canvas pixels for drawings from the page or the app, tablet units for pen data.
"""

from __future__ import annotations

import dataclasses

Point = tuple[float, float]
Stroke = tuple[Point, ...]


class StrokeError(ValueError):
    """A stroke file or record is malformed; the message is one line and names the file."""


@dataclasses.dataclass(frozen=True)
class DrawnDigit:
    """One digit as drawn: strokes in a width x height surface (x right, y down)."""

    strokes: tuple[Stroke, ...]  # each stroke: the points from pen down to pen up, >= 1 point
    label: int | None = None  # the digit meant, 0..9; None when nobody said
    writer: str | None = None  # who drew it, e.g. "pendigits-12"; None when unknown
    width: float = 1.0  # the drawing surface the points are in
    height: float = 1.0
    drawn_at: str | None = None  # ISO 8601 time stamp, for people's own drawings

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of all points."""
        xs = [x for stroke in self.strokes for x, _ in stroke]
        ys = [y for stroke in self.strokes for _, y in stroke]
        return min(xs), min(ys), max(xs), max(ys)

    def point_count(self) -> int:
        return sum(len(stroke) for stroke in self.strokes)


def make_digit(strokes, *, label: int | None = None, writer: str | None = None, width: float = 1.0, height: float = 1.0, drawn_at: str | None = None) -> DrawnDigit:
    """Lists of [x, y] pairs -> a checked DrawnDigit; StrokeError (one line) for anything malformed."""
    if not strokes:
        raise StrokeError("a digit needs at least one stroke")
    checked = []
    for index, stroke in enumerate(strokes):
        if not stroke:
            raise StrokeError(f"stroke {index} has no points")
        points = []
        for point in stroke:
            if len(point) != 2:
                raise StrokeError(f"stroke {index}: a point must be [x, y], got {point!r}")
            x, y = float(point[0]), float(point[1])
            if x != x or y != y or abs(x) == float("inf") or abs(y) == float("inf"):
                raise StrokeError(f"stroke {index}: a point is not a finite number")
            points.append((x, y))
        checked.append(tuple(points))
    if label is not None and label not in range(10):
        raise StrokeError(f"label must be a digit 0-9, got {label!r}")
    if not (width > 0 and height > 0):
        raise StrokeError(f"the drawing surface must have a positive size, got {width} x {height}")
    return DrawnDigit(strokes=tuple(checked), label=label, writer=writer, width=float(width), height=float(height), drawn_at=drawn_at)
