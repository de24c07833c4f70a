"""Real pen trajectories: the UCI "Pen-Based Recognition of Handwritten Digits" training writers.

E. Alpaydin and F. Alimoglu, Bogazici University, 1998; UCI Machine Learning Repository, data
set 81, CC BY 4.0. 7,494 digits by 30 writers, written on a tablet inside a 500 x 500 box, (x, y)
sampled every 100 ms while the pen is down; the tablet's y axis points up.

The file is UNIPEN text: `.SEGMENT DIGIT <n> ? "<label>"` starts a digit, `.COMMENT <label>
<writer> <n>` names its writer, each `.PEN_DOWN` ... `.PEN_UP` block is one stroke of "x y"
lines. Every digit comes out as a mnist_draw.strokes.DrawnDigit with y flipped to point down.

Where it comes from, like MNIST: `--pen-data DIR` (or $PENDIGITS_DATA_DIR) holding
`pendigits-orig.tra.gz` or `pendigits-orig.tra`; every failure is a one-line PenDataError.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from mnist_draw.strokes import DrawnDigit, make_digit

PEN_DATA_ENV = "PENDIGITS_DATA_DIR"
TRAINING_FILE = "pendigits-orig.tra"
TABLET_SIZE = 500.0  # each digit was written inside a 500 x 500 unit box
WRITERS = 30
# Writers kept out of training: every fifth one, so the held-out set spans the collection.
VALIDATION_WRITERS = (5, 10, 15, 20, 25, 30)


class PenDataError(Exception):
    """The pen data could not be read; the message is one line, fit to print as it is."""


def writer_name(number: int) -> str:
    return f"pendigits-{number}"


def is_validation_writer(writer: str | None) -> bool:
    return writer in {writer_name(number) for number in VALIDATION_WRITERS}


def parse_unipen(text: str, source: str = "pen file") -> list[DrawnDigit]:
    """UNIPEN text -> digits in file order; PenDataError (naming `source` and the line) if malformed."""
    digits: list[DrawnDigit] = []
    label = writer = None
    strokes: list[list[tuple[float, float]]] = []
    stroke: list[tuple[float, float]] | None = None

    def finish(line_number: int) -> None:
        if label is None:
            return
        if stroke is not None:
            raise PenDataError(f"{source}: line {line_number}: a .PEN_DOWN block has no .PEN_UP")
        if not strokes:
            raise PenDataError(f"{source}: line {line_number}: digit {len(digits)} has no strokes")
        flipped = [[(x, TABLET_SIZE - y) for x, y in points] for points in strokes]
        digits.append(make_digit(flipped, label=label, writer=writer, width=TABLET_SIZE, height=TABLET_SIZE))

    for line_number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        keyword = fields[0]
        if keyword == ".SEGMENT":
            finish(line_number)
            try:
                label = int(fields[-1].strip('"'))
            except ValueError:
                raise PenDataError(f"{source}: line {line_number}: bad digit label {fields[-1]!r}") from None
            if label not in range(10):
                raise PenDataError(f"{source}: line {line_number}: label {label} is not a digit")
            writer, strokes, stroke = None, [], None
        elif keyword == ".COMMENT" and label is not None and len(fields) >= 3:
            writer = writer_name(int(fields[2])) if fields[2].isdigit() else None
        elif keyword == ".PEN_DOWN":
            if label is None or stroke is not None:
                raise PenDataError(f"{source}: line {line_number}: .PEN_DOWN outside a digit or inside a stroke")
            stroke = []
        elif keyword == ".PEN_UP":
            if stroke is None or not stroke:
                raise PenDataError(f"{source}: line {line_number}: .PEN_UP without points")
            strokes.append(stroke)
            stroke = None
        elif keyword.startswith("."):
            continue
        elif stroke is not None and len(fields) == 2:
            try:
                stroke.append((float(fields[0]), float(fields[1])))
            except ValueError:
                raise PenDataError(f"{source}: line {line_number}: not an 'x y' point: {line.strip()!r}") from None
        else:
            raise PenDataError(f"{source}: line {line_number}: unexpected {line.strip()[:40]!r}")
    finish(line_number + 1 if text else 1)
    if not digits:
        raise PenDataError(f"{source}: no digits found")
    return digits


def read_pen_file(path: Path) -> list[DrawnDigit]:
    """A UNIPEN file (plain or .gz) -> its digits; PenDataError naming the file if it is not whole."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        text = raw.decode("ascii")
    except FileNotFoundError:
        raise PenDataError(f"{path}: file not found") from None
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise PenDataError(f"{path.name}: cannot read ({error})") from None
    return parse_unipen(text, path.name)


def resolve_pen_dir(data_dir: Path | str | None = None) -> Path | None:
    chosen = data_dir or os.environ.get(PEN_DATA_ENV)
    return Path(chosen) if chosen else None


def load_pendigits(data_dir: Path | str | None = None) -> list[DrawnDigit]:
    """The 7,494 training-writer digits from `data_dir` (or $PENDIGITS_DATA_DIR)."""
    directory = resolve_pen_dir(data_dir)
    if directory is None:
        raise PenDataError(f"no pen data: pass --pen-data DIR (or set {PEN_DATA_ENV}) to a folder with {TRAINING_FILE}.gz")
    for name in (f"{TRAINING_FILE}.gz", TRAINING_FILE):
        if (directory / name).is_file():
            return read_pen_file(directory / name)
    raise PenDataError(f"{directory}: no {TRAINING_FILE}.gz or {TRAINING_FILE}; pass --pen-data DIR (or set {PEN_DATA_ENV})")
