"""Real pen trajectories: the UCI "Pen-Based Recognition of Handwritten Digits" training writers.

E. Alpaydin and F. Alimoglu, Bogazici University, 1998; UCI Machine Learning Repository, data
set 81, CC BY 4.0. 7,494 digits by 30 writers, written on a tablet inside a 500 x 500 box, (x, y)
sampled every 100 ms while the pen is down; the tablet's y axis points up.

The file is UNIPEN text: `.SEGMENT DIGIT <n> ? "<label>"` starts a digit, `.COMMENT <label>
<writer> <n>` names its writer, each `.PEN_DOWN` ... `.PEN_UP` block is one stroke of "x y"
lines. Every digit comes out as a mnist_draw.strokes.DrawnDigit with y flipped to point down.

Where it comes from, like MNIST (digit_data/mnist.py), in order:
1. `data_dir` (the CLIs' `--pen-data DIR`), else $PENDIGITS_DATA_DIR: a folder holding
   `pendigits-orig.tra.gz` or `pendigits-orig.tra`;
2. else the cache (default ~/.cache/mnist-draw/pendigits/pendigits-orig.tra.gz), filled on first
   use by `fetch_pendigits`, which downloads the UCI zip, unpacks `pendigits-orig.tra.Z` (unix
   `compress`, LZW; `unlzw` below) and keeps only that training file, gzipped. The zip also
   holds the data set's test-writer files; they are never unpacked or kept.
Whatever the source, the file's text must have the published SHA-256 (TRAINING_TEXT_SHA256, the
same for the plain file, any gzip of it and the .Z in the zip). Every failure is one line of
PenDataError that names the file or the address.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import os
import urllib.request
import zipfile
import zlib
from pathlib import Path

from mnist_draw.atomic import write_bytes_atomically
from mnist_draw.strokes import DrawnDigit, make_digit

PEN_DATA_ENV = "PENDIGITS_DATA_DIR"
TRAINING_FILE = "pendigits-orig.tra"
# SHA-256 of the decompressed pendigits-orig.tra; the .gz in the shared folder is ff267ab2... .
TRAINING_TEXT_SHA256 = "a66225d68d7d68591e62944df1ad33b3f5aa608e2df2505844b41f5568a80da4"
UCI_URL = "https://archive.ics.uci.edu/static/public/81/pen+based+recognition+of+handwritten+digits.zip"
UCI_MEMBER = f"{TRAINING_FILE}.Z"  # the training writers' file inside the UCI zip
DOWNLOAD_TIMEOUT_S = 60
TABLET_SIZE = 500.0  # each digit was written inside a 500 x 500 unit box
WRITERS = 30
DIGIT_COUNT = 7494
# Writers kept out of training: every fifth one, so the held-out set spans the collection.
VALIDATION_WRITERS = (5, 10, 15, 20, 25, 30)
PROVIDE_FOLDER = f"pass --pen-data DIR (or set {PEN_DATA_ENV}) to a folder with {TRAINING_FILE}.gz or {TRAINING_FILE}"
HOW_TO_PROVIDE = f"{PROVIDE_FOLDER}, or let it download from UCI (needs internet)"


class PenDataError(Exception):
    """The pen data could not be read; the message is one line, fit to print as it is."""


def writer_name(number: int) -> str:
    return f"pendigits-{number}"


def is_validation_writer(writer: str | None) -> bool:
    return writer in {writer_name(number) for number in VALIDATION_WRITERS}


# --- UNIPEN text -> digits ------------------------------------------------------------------


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

    line_number = 0
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
    finish(line_number + 1)
    if not digits:
        raise PenDataError(f"{source}: no digits found")
    return digits


# --- Files: read, check, fetch --------------------------------------------------------------


def check_text_sha256(raw: bytes, source: str, expected_sha256: str) -> None:
    actual = hashlib.sha256(raw).hexdigest()
    if actual != expected_sha256:
        raise PenDataError(
            f"{source}: content SHA-256 is {actual[:16]}..., expected {expected_sha256[:16]}...; the file is corrupt, truncated or not the UCI {TRAINING_FILE}"
        )


def read_pen_file(path: Path | str, expected_sha256: str | None = None) -> list[DrawnDigit]:
    """A UNIPEN file (plain or .gz) -> its digits; PenDataError naming the file if it is not whole.

    With `expected_sha256`, the decompressed text must have that SHA-256 (load_pendigits passes
    TRAINING_TEXT_SHA256); without it any well-formed UNIPEN file is read, e.g. a test's own.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PenDataError(f"{path}: file not found; {HOW_TO_PROVIDE}") from None
    except OSError as error:
        raise PenDataError(f"{path}: cannot read ({error.strerror or type(error).__name__})") from None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise PenDataError(f"{path}: not a complete gzip file ({error})") from None
    if expected_sha256 is not None:
        check_text_sha256(raw, str(path), expected_sha256)
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as error:
        raise PenDataError(f"{path}: not UNIPEN text (byte {error.start} is not ASCII)") from None
    return parse_unipen(text, str(path))


def resolve_pen_dir(data_dir: Path | str | None = None) -> Path | None:
    """The folder to read: the argument, else $PENDIGITS_DATA_DIR, else None (the cache)."""
    chosen = data_dir or os.environ.get(PEN_DATA_ENV)
    return Path(chosen) if chosen else None


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/mnist-draw/pendigits, else ~/.cache/mnist-draw/pendigits."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mnist-draw" / "pendigits"


def download(url: str) -> bytes:
    """The bytes at `url`; PenDataError (one line) when there is no network or the server says no."""
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            return response.read()
    # URLError, HTTPError, timeouts and refused connections are OSErrors; a cut-off body is not.
    except (OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or error or type(error).__name__
        raise PenDataError(f"could not download {url} ({reason}); {PROVIDE_FOLDER}") from None


def training_text_from_zip(archive: bytes, source: str) -> bytes:
    """The UCI zip's bytes -> the checked text of its pendigits-orig.tra.Z; nothing else is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as bundle:
            members = [name for name in bundle.namelist() if name.rsplit("/", 1)[-1] == UCI_MEMBER]
            if not members:
                raise PenDataError(f"{source}: the zip has no {UCI_MEMBER}")
            compressed = bundle.read(members[0])
    except (zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise PenDataError(f"{source}: not a complete zip file ({error})") from None
    try:
        text = unlzw(compressed)
    except ValueError as error:
        raise PenDataError(f"{source}: {UCI_MEMBER}: {error}") from None
    check_text_sha256(text, f"{source}: {UCI_MEMBER}", TRAINING_TEXT_SHA256)
    return text


def fetch_pendigits(cache_dir: Path | str | None = None, url: str = UCI_URL) -> Path:
    """Download the UCI zip, check its training file, keep it as `cache_dir`/pendigits-orig.tra.gz -> that path.

    Written atomically (mnist_draw/atomic.py), so an interrupted fetch never leaves a partial cache.
    """
    text = training_text_from_zip(download(url), url)
    target = Path(cache_dir or default_cache_dir()) / f"{TRAINING_FILE}.gz"
    try:
        write_bytes_atomically(target, gzip.compress(text, compresslevel=6, mtime=0))
    except OSError as error:
        raise PenDataError(
            f"{target}: cannot write the pen-data cache ({error.strerror or type(error).__name__})"
        ) from None
    return target


def find_pen_file(directory: Path) -> Path:
    if not directory.is_dir():
        raise PenDataError(f"pen data folder {directory} does not exist; {HOW_TO_PROVIDE}")
    for name in (f"{TRAINING_FILE}.gz", TRAINING_FILE):
        if (directory / name).is_file():
            return directory / name
    raise PenDataError(f"{directory}: no {TRAINING_FILE}.gz or {TRAINING_FILE}; {HOW_TO_PROVIDE}")


def load_pendigits(data_dir: Path | str | None = None, *, cache_dir: Path | str | None = None) -> list[DrawnDigit]:
    """The 7,494 training-writer digits, in file order, from the first source that applies (see above).

    A corrupt cache is reported (naming the file to delete), not silently downloaded again.
    """
    directory = resolve_pen_dir(data_dir)
    if directory is not None:
        return read_pen_file(find_pen_file(directory), TRAINING_TEXT_SHA256)
    cached = Path(cache_dir or default_cache_dir()) / f"{TRAINING_FILE}.gz"
    if not cached.is_file():
        fetch_pendigits(cached.parent)
    try:
        return read_pen_file(cached, TRAINING_TEXT_SHA256)
    except PenDataError as error:
        raise PenDataError(f"{error} (a damaged download cache: delete it to fetch again)") from None


# --- unix `compress` (.Z) --------------------------------------------------------------------

LZW_MAGIC = b"\x1f\x9d"
LZW_CLEAR = 256  # in block mode, this code empties the table


def unlzw(data: bytes) -> bytes:
    """A .Z file's bytes -> the original bytes; ValueError (one line) if it is not a whole .Z stream.

    The format of ncompress/gzip's unlzw: a 3-byte header (magic, then max code width 9..16 and
    the block-mode flag), then LZW codes packed least-significant bit first, starting 9 bits wide
    and widening by one when the table outgrows the width. Codes travel in groups of eight
    (`n_bits` bytes); a widening or a CLEAR skips the rest of the current group, a quirk of the
    original encoder that every decoder must copy.
    """
    if len(data) < 3 or data[:2] != LZW_MAGIC:
        raise ValueError("not a .Z (unix compress) file: wrong magic number")
    max_bits, block_mode = data[2] & 0x1F, bool(data[2] & 0x80)
    if not 9 <= max_bits <= 16 or data[2] & 0x60:
        raise ValueError(f"unsupported .Z header byte {data[2]:#04x}")
    table_limit = 1 << max_bits
    table = [bytes([byte]) for byte in range(256)]  # code -> bytes; len(table) is the next free code
    if block_mode:
        table.append(b"")  # CLEAR's slot, never looked up
    n_bits, max_code = 9, (1 << 9) - 1
    previous: bytes | None = None
    out = bytearray()
    position = 3
    while position < len(data):
        if len(table) > max_code:
            n_bits += 1
            max_code = table_limit if n_bits == max_bits else (1 << n_bits) - 1
        group = data[position : position + n_bits]
        position += n_bits
        packed, mask = int.from_bytes(group, "little"), (1 << n_bits) - 1
        for index in range(len(group) * 8 // n_bits):
            if index and len(table) > max_code:
                break  # the encoder widened here: the rest of this group is padding
            code = (packed >> (index * n_bits)) & mask
            if previous is None:
                if code >= 256:
                    raise ValueError("corrupt .Z data: the first code is not a byte")
                previous = table[code]
                out += previous
                continue
            if code == LZW_CLEAR and block_mode:
                del table[256:]  # the next code refills slot 256 with junk, as the original does
                n_bits, max_code = 9, (1 << 9) - 1
                break  # the rest of this group is padding
            if code < len(table):
                entry = table[code]
            elif code == len(table):  # the code being defined right now: previous + its first byte
                entry = previous + previous[:1]
            else:
                raise ValueError(f"corrupt .Z data: code {code} is not defined yet")
            out += entry
            if len(table) < table_limit:
                table.append(previous + entry[:1])
            previous = entry
    return bytes(out)
