"""People's own labelled drawings, kept on the app's server for `python -m train --drawings`.

The Streamlit app saves every drawing someone labels ("that's right" or "it was a 7") as one
stroke file (mnist_draw/strokes.py's format) in a folder: `drawings/` in the project by default
(git-ignored), or $MNIST_DRAWINGS_DIR. The strokes are the pointer positions the app's canvas
recorded (app/drawing_canvas.py), not its pixels, so a drawing can be rendered again at any size
and pen width.
"""

from __future__ import annotations

import datetime
import os
import re
import uuid
from pathlib import Path

from mnist_draw.config import CANVAS_SIZE, PROJECT_ROOT
from mnist_draw.strokes import (
    DrawnDigit,
    StrokeError,
    make_digit,
    read_stroke_file,
    stroke_file_bytes,
    write_stroke_file,
)

DRAWINGS_DIR_ENV = "MNIST_DRAWINGS_DIR"
DEFAULT_DRAWINGS_DIR = PROJECT_ROOT / "drawings"
FILE_PATTERN = re.compile(r"^drawing-[0-9TZ-]+-[0-9a-f]{8}\.json$")  # the names save_drawing gives
APP_WRITER = "app"  # who drew it, as far as the app knows: someone at this server


def drawings_dir() -> Path:
    """$MNIST_DRAWINGS_DIR if set, else drawings/ in the project."""
    return Path(os.environ.get(DRAWINGS_DIR_ENV) or DEFAULT_DRAWINGS_DIR)


def drawing_from_strokes(strokes, label: int, canvas_size: int = CANVAS_SIZE) -> DrawnDigit:
    """The app canvas's strokes ([[x, y], ...] canvas pixels each) and the digit meant -> a DrawnDigit stamped now.

    StrokeError if nothing is drawn or a point is not a pair of finite numbers.
    """
    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    return make_digit(
        strokes,
        label=label,
        writer=APP_WRITER,
        width=canvas_size,
        height=canvas_size,
        drawn_at=stamp,
    )


def save_drawing(digit: DrawnDigit, directory: Path | None = None) -> Path:
    """Write one labelled drawing as its own stroke file in `directory` -> its path."""
    directory = Path(directory or drawings_dir())
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S")
    path = directory / f"drawing-{stamp}-{uuid.uuid4().hex[:8]}.json"
    write_stroke_file(path, [digit])
    return path


def list_drawings(directory: Path | None = None) -> tuple[list[tuple[Path, DrawnDigit]], list[str]]:
    """The saved drawings, oldest first -> ([(path, digit)], one-line problems with files that could not be read)."""
    directory = Path(directory or drawings_dir())
    if not directory.is_dir():
        return [], []
    found, problems = [], []
    for path in sorted(directory.iterdir()):
        if not FILE_PATTERN.match(path.name):
            continue
        try:
            found.extend((path, digit) for digit in read_stroke_file(path))
        except StrokeError as error:
            problems.append(str(error))
    return found, problems


def delete_drawing(path: Path, directory: Path | None = None) -> None:
    """Remove one saved drawing; only files save_drawing made, only in `directory`."""
    directory = Path(directory or drawings_dir()).resolve()
    path = Path(path).resolve()
    if path.parent != directory or not FILE_PATTERN.match(path.name):
        raise ValueError(f"{path} is not a saved drawing in {directory}")
    path.unlink(missing_ok=True)


def bundle_bytes(digits: list[DrawnDigit]) -> bytes:
    """All drawings as the bytes of one stroke file: what the app's download button hands out."""
    return stroke_file_bytes(digits, "the download")
