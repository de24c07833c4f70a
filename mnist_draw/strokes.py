"""The stroke format: a drawn digit as the pen moved, not as pixels, and the file that holds it.

One format serves every place strokes appear: the pen-digit reader (digit_data/pendigits.py),
the renderer (mnist_draw/render.py), the browser drawing helpers (browser/mouse.py) and people's
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

Every digit and file is bounded (mnist_draw/config.py: points and strokes per digit, digits
and bytes per file; web/js/limits.js mirrors them). Reading is all or nothing: a malformed,
empty, truncated, foreign or oversized file, or anything that is not a regular file, raises one
`StrokeError` line that names the file (and the digit), and no digit of it is returned.
Writing is atomic (mnist_draw/atomic.py): a failed write never leaves half a file behind.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import stat
from pathlib import Path

from mnist_draw.atomic import write_bytes_atomically
from mnist_draw.config import (
    MAX_DIGITS_PER_FILE,
    MAX_POINTS_PER_DIGIT,
    MAX_STROKE_FILE_BYTES,
    MAX_STROKES_PER_DIGIT,
    MIN_POINT_DISTANCE,
    PROJECT_ROOT,
)
from mnist_draw.js_constants import constants_js, write_js

Point = tuple[float, float]
Stroke = tuple[Point, ...]

FILE_FORMAT = "mnist-draw-strokes"  # the tag that tells a stroke file from any other JSON
FILE_VERSION = 1
LIMITS_JS_PATH = PROJECT_ROOT / "web" / "js" / "limits.js"  # the bound's JavaScript twin, generated below


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


def check_bounds(strokes) -> None:
    """StrokeError (one line) if `strokes` is not a non-empty list of non-empty strokes within the drawing bound.

    Counts only, no point is looked at: cheap enough to run before anything else touches them.
    """
    if not isinstance(strokes, (list, tuple)) or not strokes:
        raise StrokeError("a digit needs at least one stroke")
    if len(strokes) > MAX_STROKES_PER_DIGIT:
        raise StrokeError(f"{len(strokes)} strokes, more than the {MAX_STROKES_PER_DIGIT} a digit may have")
    total = 0
    for index, stroke in enumerate(strokes):
        if isinstance(stroke, (str, bytes, dict)) or not hasattr(stroke, "__len__"):
            raise StrokeError(f"stroke {index}: must be a list of [x, y] number pairs")
        if not len(stroke):
            raise StrokeError(f"stroke {index} has no points")
        total += len(stroke)
        if total > MAX_POINTS_PER_DIGIT:
            raise StrokeError(f"more than the {MAX_POINTS_PER_DIGIT} points a digit may have")


def coordinate(value) -> float:
    """One x or y -> a finite float; ValueError for text, bools, containers and non-finite numbers."""
    if isinstance(value, (str, bytes, bool)):
        raise ValueError("not a number")
    number = float(value)  # TypeError for a container, OverflowError for an integer past float's range
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


def make_digit(
    strokes,
    *,
    label: int | None = None,
    writer: str | None = None,
    width: float = 1.0,
    height: float = 1.0,
    drawn_at: str | None = None,
) -> DrawnDigit:
    """Lists of [x, y] pairs -> a checked DrawnDigit; StrokeError (one line) for anything malformed or past the bound."""
    check_bounds(strokes)
    checked = []
    for index, stroke in enumerate(strokes):
        try:
            checked.append(tuple((coordinate(x), coordinate(y)) for x, y in stroke))
        except (TypeError, ValueError, OverflowError):  # not a pair, or not two finite numbers
            raise StrokeError(f"stroke {index}: a point must be [x, y] with finite numbers") from None
    if label is not None and (isinstance(label, bool) or label not in range(10)):
        raise StrokeError(f"label must be a digit 0-9, got {label!r}")
    try:
        width, height = coordinate(width), coordinate(height)
    except (TypeError, ValueError, OverflowError):
        raise StrokeError("the drawing surface must have a positive, finite size") from None
    if not (width > 0 and height > 0):
        raise StrokeError(f"the drawing surface must have a positive size, got {width} x {height}")
    return DrawnDigit(strokes=tuple(checked), label=label, writer=writer, width=width, height=height, drawn_at=drawn_at)


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
    check_bounds(strokes)
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
    if len(digits) > MAX_DIGITS_PER_FILE:
        raise StrokeError(f"{name}: {len(digits)} digits, more than the {MAX_DIGITS_PER_FILE} a stroke file may hold")
    header = json.dumps({"format": FILE_FORMAT, "version": FILE_VERSION})[:-1]
    lines = []
    for index, digit in enumerate(digits):
        try:
            lines.append(json.dumps(to_json(digit), allow_nan=False))
        except ValueError:  # NaN or infinity slipped past make_digit: JSON has no spelling for them
            raise StrokeError(f"{name}: digit {index}: a point is not a finite number") from None
    records = ",\n".join(lines)
    data = f'{header}, "digits": [\n{records}\n]}}\n'.encode()
    if len(data) > MAX_STROKE_FILE_BYTES:
        raise StrokeError(
            f"{name}: {len(data):,} bytes, more than the {MAX_STROKE_FILE_BYTES:,} a stroke file may hold"
        )
    return data


def write_stroke_file(path: Path | str, digits) -> None:
    """Digits -> a version-1 stroke file at `path`, written atomically, one digit per line."""
    write_bytes_atomically(Path(path), stroke_file_bytes(digits, str(path)))


def refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def read_bounded(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_STROKE_FILE_BYTES; StrokeError (one line) for anything else.

    Devices, pipes, sockets and folders are refused from their metadata, never opened for
    reading: /dev/zero would never end and a FIFO would wait for a writer forever.
    """
    try:
        # O_NONBLOCK: a FIFO swapped in after a check would still not block the open.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise StrokeError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise StrokeError(f"{path}: a folder, not a stroke file") from None
    except OSError as error:
        raise StrokeError(f"{path}: cannot read ({error.strerror or type(error).__name__})") from None
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise StrokeError(f"{path}: a folder, not a stroke file")
        if not stat.S_ISREG(info.st_mode):
            raise StrokeError(f"{path}: not a regular file (a device, pipe or socket), not read")
        if info.st_size > MAX_STROKE_FILE_BYTES:
            raise StrokeError(
                f"{path}: {info.st_size:,} bytes, more than the {MAX_STROKE_FILE_BYTES:,} a stroke file may hold"
            )
        chunks, left = [], MAX_STROKE_FILE_BYTES + 1  # a file still growing stops at the bound
        while left > 0 and (chunk := os.read(descriptor, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
    except OSError as error:
        raise StrokeError(f"{path}: cannot read ({error.strerror or type(error).__name__})") from None
    finally:
        os.close(descriptor)
    if len(raw) > MAX_STROKE_FILE_BYTES:
        raise StrokeError(f"{path}: more than the {MAX_STROKE_FILE_BYTES:,} bytes a stroke file may hold")
    return raw


def read_stroke_file(path: Path | str) -> list[DrawnDigit]:
    """A stroke file -> its digits in file order, or StrokeError (one line naming the file), never part of it.

    Whatever the bytes are (any JSON shape, any depth, any size, any kind of file), the answer is
    the digits or one StrokeError line.
    """
    path = Path(path)
    raw = read_bounded(path)
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
    except RecursionError:
        raise StrokeError(f"{path}: not a stroke file (JSON nested too deeply to read)") from None
    except ValueError as error:
        raise StrokeError(f"{path}: not a stroke file ({error})") from None
    if not isinstance(payload, dict) or payload.get("format") != FILE_FORMAT:
        raise StrokeError(f'{path}: not a stroke file (no "format": "{FILE_FORMAT}")')
    if payload.get("version") != FILE_VERSION:
        raise StrokeError(
            f"{path}: stroke file version {one_line_repr(payload.get('version'))} is not supported (this reader knows version {FILE_VERSION})"
        )
    records = payload.get("digits")
    if not isinstance(records, list) or not records:
        raise StrokeError(f'{path}: "digits" must be a non-empty list')
    if len(records) > MAX_DIGITS_PER_FILE:
        raise StrokeError(f"{path}: {len(records)} digits, more than the {MAX_DIGITS_PER_FILE} a stroke file may hold")
    digits = []
    for index, record in enumerate(records):
        try:
            digits.append(from_json(record))
        except StrokeError as error:
            raise StrokeError(f"{path}: digit {index}: {error}") from None
        except (TypeError, ValueError, OverflowError, RecursionError) as error:  # a shape no check above foresaw
            raise StrokeError(f"{path}: digit {index}: malformed ({type(error).__name__})") from None
    return digits


def one_line_repr(value, limit: int = 40) -> str:
    """repr() of a value read from a file, cut short: a message stays one short line whatever the file held."""
    try:
        text = repr(value)
    except RecursionError:
        return type(value).__name__
    return text if len(text) <= limit else text[:limit] + "..."


def limits_js() -> str:
    """The text of web/js/limits.js: the drawing bound above, for the page and the app's canvas."""
    limits = {
        "minPointDistance": MIN_POINT_DISTANCE,
        "maxPointsPerDigit": MAX_POINTS_PER_DIGIT,
        "maxStrokesPerDigit": MAX_STROKES_PER_DIGIT,
        "maxDigitsPerFile": MAX_DIGITS_PER_FILE,
        "maxStrokeFileBytes": MAX_STROKE_FILE_BYTES,
    }
    return constants_js(
        "mnist_draw.strokes",
        "mnist_draw/config.py",
        "The bound on one drawing and one stroke file (tests/test_drawing_limits.py checks it is current).",
        DRAWING_LIMITS=limits,
    )


if __name__ == "__main__":
    write_js(LIMITS_JS_PATH, limits_js())
