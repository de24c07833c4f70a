"""The stroke format: a drawn digit as the pen moved, not as pixels, and the file that holds it.

One format serves every place strokes appear: the pen-digit reader (mnist_draw/pendigits.py),
the renderer (mnist_draw/render.py), the browser drawing helpers (browser/draw.py) and people's
own labelled drawings from the page and the app. The page writes the same files in JavaScript
(web/js/strokes.js, its twin: a change to the format changes both).

A `DrawnDigit` is a list of strokes (pen down ... pen up), each a list of (x, y) points on a
drawing surface `width` x `height` units big, x to the right and y **down** (screen
convention; the pen tablet's y-up coordinates are flipped on reading). Points are floats in the
surface's units: canvas pixels for drawings from the page or the app, tablet units for pen data.

A stroke file is UTF-8 JSON, one object:

    {"format": "mnist-draw-strokes", "version": 1, "digits": [
    {"label": 3, "writer": "anna", "canvas": {"width": 280, "height": 280},
     "drawn_at": "2024-05-01T12:00:00Z", "strokes": [[[x, y], [x, y], ...], ...]},
    ...
    ]}

- "format" must be exactly "mnist-draw-strokes" and "version" exactly 1; anything else is
  someone else's file.
- "digits" is a non-empty list. In each digit, "strokes" is a non-empty list of strokes, each a
  non-empty list of [x, y] number pairs (finite, in the canvas's units, x right, y down).
  "canvas" is the drawing surface the points are in (positive width and height).
- "label" (0-9), "writer" (text) and "drawn_at" (ISO 8601 text) may be null or left out.
  Other keys are ignored, so later writers can add fields without breaking version-1 readers.

Reading is all or nothing: a malformed, empty, truncated or foreign file raises one
`StrokeError` line that names the file (and the digit), and no digit of it is returned.
Writing is atomic (mnist_draw/files.py): a failed write never leaves half a file behind.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

from mnist_draw.files import write_bytes_atomically

Point = tuple[float, float]
Stroke = tuple[Point, ...]

FILE_FORMAT = "mnist-draw-strokes"  # the tag that tells a stroke file from any other JSON
FILE_VERSION = 1


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


def make_digit(
    strokes,
    *,
    label: int | None = None,
    writer: str | None = None,
    width: float = 1.0,
    height: float = 1.0,
    drawn_at: str | None = None,
) -> DrawnDigit:
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
            if not (math.isfinite(x) and math.isfinite(y)):
                raise StrokeError(f"stroke {index}: a point is not a finite number")
            points.append((x, y))
        checked.append(tuple(points))
    if label is not None and (isinstance(label, bool) or label not in range(10)):
        raise StrokeError(f"label must be a digit 0-9, got {label!r}")
    if not (width > 0 and height > 0 and math.isfinite(width) and math.isfinite(height)):
        raise StrokeError(f"the drawing surface must have a positive size, got {width} x {height}")
    return DrawnDigit(
        strokes=tuple(checked), label=label, writer=writer, width=float(width), height=float(height), drawn_at=drawn_at
    )


def to_json(digit: DrawnDigit) -> dict:
    """A digit -> its stroke-file record (a dict ready for json.dumps), as described above."""
    return {
        "label": digit.label,
        "writer": digit.writer,
        "canvas": {"width": digit.width, "height": digit.height},
        "drawn_at": digit.drawn_at,
        "strokes": [[[x, y] for x, y in stroke] for stroke in digit.strokes],
    }


def is_number(value) -> bool:
    # JSON true/false arrive as bool, which Python counts as int; a coordinate is never a bool.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def optional_text(record: dict, key: str) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise StrokeError(f'"{key}" must be text or null, got {type(value).__name__}')
    return value


def from_json(record) -> DrawnDigit:
    """A stroke-file record (parsed JSON) -> a checked DrawnDigit; StrokeError (one line) if malformed."""
    if not isinstance(record, dict):
        raise StrokeError(f"a digit must be a JSON object, got {type(record).__name__}")
    canvas = record.get("canvas")
    if not isinstance(canvas, dict) or not all(is_number(canvas.get(side)) for side in ("width", "height")):
        raise StrokeError('"canvas" must be {"width": number, "height": number}')
    strokes = record.get("strokes")
    if not isinstance(strokes, list):
        raise StrokeError('"strokes" must be a list of strokes')
    for index, stroke in enumerate(strokes):
        if not isinstance(stroke, list) or not all(
            isinstance(point, list) and len(point) == 2 and all(map(is_number, point)) for point in stroke
        ):
            raise StrokeError(f"stroke {index}: must be a list of [x, y] number pairs")
    label = record.get("label")
    if label is not None and not (isinstance(label, int) and not isinstance(label, bool)):
        raise StrokeError(f'"label" must be a digit 0-9 or null, got {label!r}')
    return make_digit(
        strokes,
        label=label,
        writer=optional_text(record, "writer"),
        width=canvas["width"],
        height=canvas["height"],
        drawn_at=optional_text(record, "drawn_at"),
    )


def stroke_file_bytes(digits, name: str = "stroke file") -> bytes:
    """Digits -> the UTF-8 bytes of a version-1 stroke file, one digit per line; `name` goes in errors."""
    digits = list(digits)
    if not digits:
        raise StrokeError(f"{name}: a stroke file needs at least one digit")
    header = json.dumps({"format": FILE_FORMAT, "version": FILE_VERSION})[:-1]
    lines = []
    for index, digit in enumerate(digits):
        try:
            lines.append(json.dumps(to_json(digit), allow_nan=False))
        except ValueError:  # NaN or infinity slipped past make_digit: JSON has no spelling for them
            raise StrokeError(f"{name}: digit {index}: a point is not a finite number") from None
    records = ",\n".join(lines)
    return f'{header}, "digits": [\n{records}\n]}}\n'.encode()


def write_stroke_file(path: Path | str, digits) -> None:
    """Digits -> a version-1 stroke file at `path`, written atomically, one digit per line."""
    write_bytes_atomically(Path(path), stroke_file_bytes(digits, str(path)))


def refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def read_stroke_file(path: Path | str) -> list[DrawnDigit]:
    """A stroke file -> its digits in file order, or StrokeError (one line naming the file), never part of it."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise StrokeError(f"{path}: file not found") from None
    except OSError as error:
        raise StrokeError(f"{path}: cannot read ({error.strerror or type(error).__name__})") from None
    if not raw.strip():
        raise StrokeError(f"{path}: empty file, not a stroke file")
    try:
        payload = json.loads(raw.decode("utf-8"), parse_constant=refuse_constant)
    except UnicodeDecodeError:
        raise StrokeError(f"{path}: not a stroke file (not UTF-8 text)") from None
    except json.JSONDecodeError as error:
        raise StrokeError(
            f"{path}: not a stroke file, or truncated (bad JSON at line {error.lineno} column {error.colno}: {error.msg})"
        ) from None
    except ValueError as error:
        raise StrokeError(f"{path}: not a stroke file ({error})") from None
    if not isinstance(payload, dict) or payload.get("format") != FILE_FORMAT:
        raise StrokeError(f'{path}: not a stroke file (no "format": "{FILE_FORMAT}")')
    if payload.get("version") != FILE_VERSION:
        raise StrokeError(
            f"{path}: stroke file version {payload.get('version')!r} is not supported (this reader knows version {FILE_VERSION})"
        )
    records = payload.get("digits")
    if not isinstance(records, list) or not records:
        raise StrokeError(f'{path}: "digits" must be a non-empty list')
    digits = []
    for index, record in enumerate(records):
        try:
            digits.append(from_json(record))
        except StrokeError as error:
            raise StrokeError(f"{path}: digit {index}: {error}") from None
    return digits
