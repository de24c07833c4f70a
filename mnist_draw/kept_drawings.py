"""People's own labelled drawings, kept on the app's server for `python -m train --drawings`.

The Streamlit app saves every drawing someone labels ("that's right" or "it was a 7") as one
stroke file (mnist_draw/strokes.py's format) in a folder: `drawings/` in the project by default
(git-ignored), or $MNIST_DRAWINGS_DIR. The strokes are the pointer positions the app's canvas
recorded (app/drawing_canvas.py), not its pixels, so a drawing can be rendered again at any size
and pen width.

Drawings belong to the browser that kept them. The app's canvas (app/drawing_canvas.js) makes a
random 128-bit visitor id once per browser, keeps it in that browser's localStorage and sends it
with its value; each visitor's files live in their own subfolder, named by a hash of that id,
so the folder never holds the id itself (a file name in a training log cannot be turned back
into anyone's key). Listing, deleting and downloading only ever see one visitor's subfolder:

    drawings/<visitor folder>/drawing-<time>-<random>.json

`python -m train --drawings drawings/` reads every subfolder (train/kept_drawings.py).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import stat
import uuid
from pathlib import Path

from mnist_draw.config import CANVAS_SIZE, MAX_DIGITS_PER_FILE, MAX_STROKE_FILE_BYTES, PROJECT_ROOT
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
VISITOR_PATTERN = re.compile(r"^[0-9a-f]{32}$")  # 128 random bits as hex, as app/drawing_canvas.js makes them
APP_WRITER = "app"  # who drew it, as far as the app knows: someone at this server


class DrawingsError(ValueError):
    """A drawing cannot be kept, found or deleted; the message is one line and names no server path."""


def drawings_dir() -> Path:
    """$MNIST_DRAWINGS_DIR if set, else drawings/ in the project."""
    return Path(os.environ.get(DRAWINGS_DIR_ENV) or DEFAULT_DRAWINGS_DIR)


def is_visitor(visitor) -> bool:
    """Whether `visitor` is an id the app's canvas could have made (anything else is never used as a key)."""
    return isinstance(visitor, str) and VISITOR_PATTERN.match(visitor) is not None


def visitor_folder(visitor: str, directory: Path | None = None) -> Path:
    """The subfolder of `directory` that holds `visitor`'s drawings; DrawingsError for a malformed id."""
    if not is_visitor(visitor):
        raise DrawingsError("this browser sent no valid visitor id, so its drawings cannot be found")
    name = "visitor-" + hashlib.sha256(visitor.encode()).hexdigest()[:32]
    return Path(directory or drawings_dir()) / name


def drawing_from_strokes(strokes, label: int, canvas_size: int = CANVAS_SIZE) -> DrawnDigit:
    """The app canvas's strokes ([[x, y], ...] canvas pixels each) and the digit meant -> a DrawnDigit stamped now.

    StrokeError if nothing is drawn, a point is not a pair of finite numbers, or the drawing is past the bound.
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


def drawing_files(folder: Path) -> list[Path]:
    """The names save_drawing gives in `folder`, sorted (oldest first); no folder: none."""
    try:
        names = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [folder / name for name in names if FILE_PATTERN.match(name)]


def save_drawing(digit: DrawnDigit, visitor: str, directory: Path | None = None) -> str:
    """Write one labelled drawing as its own stroke file in `visitor`'s folder -> its file name.

    DrawingsError once the visitor keeps MAX_DIGITS_PER_FILE drawings, or their files would no
    longer fit one download (MAX_STROKE_FILE_BYTES).
    """
    folder = visitor_folder(visitor, directory)
    existing = drawing_files(folder)
    if len(existing) >= MAX_DIGITS_PER_FILE:
        raise DrawingsError(
            f"you keep {len(existing)} drawings, the most one download may hold: download them, delete some, then keep more"
        )
    data = stroke_file_bytes([digit], "the drawing")
    if sum(file_size(path) for path in existing) + len(data) > MAX_STROKE_FILE_BYTES:
        raise DrawingsError(
            "your drawings would no longer fit one download: download them, delete some, then keep more"
        )
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S")
    name = f"drawing-{stamp}-{uuid.uuid4().hex[:8]}.json"
    write_stroke_file(folder / name, [digit])
    return name


def file_size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0


def list_drawings(visitor: str, directory: Path | None = None) -> tuple[list[tuple[str, DrawnDigit]], list[str]]:
    """`visitor`'s saved drawings, oldest first -> ([(file name, digit)], one-line problems with files skipped).

    A file that is not a regular file (a link, a device, a folder) or cannot be read is skipped,
    with a problem naming only its file name.
    """
    found, problems = [], []
    for path in drawing_files(visitor_folder(visitor, directory)):
        try:
            if not stat.S_ISREG(path.lstat().st_mode):
                raise StrokeError(f"{path}: not a regular file (the app writes only plain files), not read")
            digits = read_stroke_file(path)
        except StrokeError as error:
            problems.append(str(error).replace(str(path), path.name))
            continue
        except OSError as error:  # gone between the listing and the read, or unreadable
            problems.append(f"{path.name}: cannot read ({error.strerror or type(error).__name__})")
            continue
        found.extend((path.name, digit) for digit in digits)
    return found, problems


def delete_drawing(name: str, visitor: str, directory: Path | None = None) -> None:
    """Remove one of `visitor`'s saved drawings by file name; DrawingsError (one line) for any other name or file."""
    folder = visitor_folder(visitor, directory)
    if not isinstance(name, str) or not FILE_PATTERN.match(name):
        raise DrawingsError(f"{name!r} is not the name of a saved drawing")
    path = folder / name
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return  # already gone: deleted in another tab
    if not stat.S_ISREG(mode):
        raise DrawingsError(f"{name} is not a plain file the app wrote, so it is not deleted")
    path.unlink(missing_ok=True)


def bundle_bytes(digits: list[DrawnDigit]) -> bytes:
    """All drawings as the bytes of one stroke file: what the app's download button hands out."""
    return stroke_file_bytes(digits, "the download")
