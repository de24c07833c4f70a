"""`python -m mnist_draw.predict FILE...`: classify every digit of stroke files and photos as the app does.

A stroke file (the format of mnist_draw/strokes.py: what the page downloads and the app keeps)
holds one or more digits; each is drawn as the canvas draws it (mnist_draw/render.py),
preprocessed (mnist_draw/preprocess.py) and read by the image model, and its pen path by the
stroke model when there is one beside it (mnist_draw/stroke_inference.py): the answer is their
fusion. A PNG or JPEG holds one digit and goes the way of the app's photo upload
(mnist_draw/upload.py): the image model alone. One line per digit:

    drawings.json:0  7  98%
    drawings.json:1  1  54%  not sure
    seven.png:0      7  99%
    drawings.json:2  ?  93%  not a digit

With --number, every drawing of a stroke file is read as a number written left to right, as the
page's and the app's number mode read it (mnist_draw/number_reading.py): its strokes grouped into
digits (mnist_draw/number.py), each group inked alone with the default pen on the number canvas
(the drawing's surface height scaled to its 280 px) and read as one digit. One line per drawing:
the number ("?" for a group that is not a digit) and each digit's confidence, left to right:

    numbers.json:0  4071  99% 97% 98% 99%
    numbers.json:1  3?8   96% 88% 99%

With --json, one JSON object per line instead: {"file", "index", "digit", "confidence", "unsure",
"not_a_digit", "probabilities", "image_digit", "stroke_digit"}: "digit" is null for a drawing the two
models, fused, call not a digit ("not_a_digit" is that probability, 0 without a pen path;
"confidence" then says how sure it is of that) and for a blank one; "probabilities" are always
the ten digits'; stroke_digit is null where no pen path was read. A file that
cannot be read gets one line on stderr naming it, the other files are still read, and the exit
code is 1 (0 when every file was read, 2 for bad arguments). With --number --json, one object per
drawing: {"file", "index", "number", "digits"}: "number" as the page shows it, "digits" left to
right, each {"digit" (null: not a digit), "confidence", "box" ([x0, y0, x1, y1] of its strokes'
points, in the file's units), "strokes" (their indices in pen order)}. A photo has no strokes to
group, so --number refuses it in one line.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import numpy as np

from mnist_draw import upload
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import CANVAS_SIZE, DEFAULT_MODEL_PATH, INPUT_SHAPE, NOT_A_DIGIT_TEXT
from mnist_draw.inference import MODEL_PATH_ENV, ModelError, predict_outputs, top_prediction
from mnist_draw.number_reading import read_number
from mnist_draw.preprocess import is_blank, preprocess_canvas, preprocess_ink
from mnist_draw.render import render_ink
from mnist_draw.stroke_inference import load_stroke_reader, read_digit
from mnist_draw.strokes import DrawnDigit, StrokeError, read_stroke_file

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
MAX_IMAGE_BYTES = upload.MAX_UPLOAD_MB * 2**20  # what the app's uploader takes


class InputError(ValueError):
    """A file this command cannot classify; the message is one line and names the file."""


def read_image(path: Path) -> bytes:
    """A regular image file's bytes, refused from its metadata when it is anything else or too big."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or type(error).__name__})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file (a folder, device, pipe or socket), not read")
    if info.st_size > MAX_IMAGE_BYTES:
        raise InputError(f"{path}: {info.st_size:,} bytes, more than the {upload.MAX_UPLOAD_MB} MB a photo may have")
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or type(error).__name__})") from None


def model_inputs(path: Path) -> list[tuple[np.ndarray, tuple | None]]:
    """A stroke file or a photo -> per digit, in file order, its (28, 28, 1) float32 image in [0, 1]
    and its strokes (None for a photo).

    Raises InputError (one line naming the file) for a file that cannot be read or holds no digit.
    """
    if path.suffix.lower() in IMAGE_SUFFIXES:
        try:
            inputs = [(preprocess_canvas(upload.decode_upload(read_image(path))), None)]
        except upload.UploadError as error:
            raise InputError(f"{path}: {error}") from None
    else:
        try:
            digits = read_stroke_file(path)
        except StrokeError as error:
            raise InputError(str(error)) from None
        inputs = [(preprocess_ink(render_ink(digit)), digit.strokes) for digit in digits]
    if any(image.shape != INPUT_SHAPE for image, _ in inputs):
        raise InputError(f"{path}: preprocessing gave an image of the wrong shape")
    return inputs


def file_records(paths: list[Path], errors, read_file, record) -> Iterator[dict]:
    """One record per item of every readable file, in file order; for a file that is not, a line on
    `errors` and an {"file", "error"} record, and the next file is read.

    read_file: a path -> its items (digits or drawings), InputError (one line naming the file) when
    it cannot; record: (path, index in the file, item) -> the item's record.
    """
    for path in paths:
        try:
            items = read_file(path)
        except InputError as error:
            print(f"error: {error}", file=errors, flush=True)
            yield {"file": str(path), "error": str(error)}
            continue
        for index, item in enumerate(items):
            yield record(path, index, item)


def predictions(model, reader, paths: list[Path], errors) -> Iterator[dict]:
    """One record per digit of every readable file; a line on `errors` for each file that is not.

    reader: the stroke model (mnist_draw/stroke_inference.py), or None to read pictures alone.
    """
    return file_records(paths, errors, model_inputs, partial(digit_record, model, reader))


def digit_record(model, reader, path: Path, index: int, digit_input: tuple[np.ndarray, tuple | None]) -> dict:
    """One digit's (image, strokes) from model_inputs -> its record (see the module docstring)."""
    image, strokes = digit_input
    if is_blank(image):
        return {"file": str(path), "index": index, "digit": None, "confidence": 0.0, "unsure": True}
    reading = read_digit(predict_outputs(model, image), reader, strokes)
    top = top_prediction(reading.probabilities)
    return {
        "file": str(path),
        "index": index,
        "digit": reading.digit,  # None: not a digit
        "confidence": round(reading.confidence, 4),
        "unsure": top.unsure if reading.is_digit else False,
        "not_a_digit": round(reading.not_a_digit, 4),
        "probabilities": [round(float(value), 4) for value in reading.probabilities],
        "image_digit": int(np.argmax(reading.image)),
        "stroke_digit": None if reading.stroke is None else int(np.argmax(reading.stroke)),
    }


def number_drawings(path: Path) -> list[DrawnDigit]:
    """A stroke file -> its drawings, to read as numbers; InputError (one line naming the file) for a
    photo, which has no strokes to group, or a file that cannot be read."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        raise InputError(f"{path}: a photo has no strokes to group into digits; --number reads stroke files (.json)")
    try:
        return read_stroke_file(path)
    except StrokeError as error:
        raise InputError(str(error)) from None


def number_predictions(model, reader, paths: list[Path], errors) -> Iterator[dict]:
    """One record per drawing of every readable stroke file, read as a number; a line on `errors` for each file that is not."""
    return file_records(paths, errors, number_drawings, partial(number_record, model, reader))


def number_record(model, reader, path: Path, index: int, drawing: DrawnDigit) -> dict:
    """One drawing, read as a number -> its record (see the module docstring).

    Its strokes are scaled by the number canvas's height over its surface's (1 for the page's and
    the app's own canvas-pixel drawings), so the default pen inks them as on the page.
    """
    scale = CANVAS_SIZE / drawing.height
    strokes = [[(x * scale, y * scale) for x, y in stroke] for stroke in drawing.strokes]
    read = read_number(model, reader, strokes)
    return {
        "file": str(path),
        "index": index,
        "number": read.text,
        "digits": [
            {
                "digit": reading.digit,  # None: not a digit
                "confidence": round(reading.confidence, 4),
                "box": [round(value / scale, 2) for value in group.box],
                "strokes": list(group.stroke_indices),
            }
            for group, reading in zip(read.groups, read.readings, strict=True)
        ],
    }


def number_line(record: dict, width: int) -> str:
    where = f"{record['file']}:{record['index']}"
    confidences = " ".join(f"{digit['confidence']:.0%}" for digit in record["digits"])
    return f"{where:<{width}}  {record['number']:<{len(record['digits']) + 2}}{confidences}"


def text_line(record: dict, width: int) -> str:
    where = f"{record['file']}:{record['index']}"
    if record["digit"] is None and "not_a_digit" not in record:
        return f"{where:<{width}}  -  blank: no ink to read"
    if record["digit"] is None:
        return f"{where:<{width}}  {NOT_A_DIGIT_TEXT}  {record['confidence']:.0%}  not a digit"
    line = f"{where:<{width}}  {record['digit']}  {record['confidence']:.0%}"
    return line + "  not sure" * record["unsure"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mnist_draw.predict",
        formatter_class=HelpFormatter,
        description=__doc__.split("\n\n", 1)[1].rsplit("\n\n", 1)[0],
    )
    parser.add_argument(
        "files", metavar="FILE", nargs="+", type=Path, help="stroke files (.json) and photos (.png, .jpg)"
    )
    parser.add_argument(
        "--number",
        action="store_true",
        help="read every drawing of a stroke file as a number written left to right (one line per drawing)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="one JSON object per digit (with --number: per drawing) instead of a text line",
    )
    parser.add_argument(
        "--model",
        metavar="PATH",
        type=Path,
        help=f"the .keras model (default: ${MODEL_PATH_ENV} or {DEFAULT_MODEL_PATH})",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from mnist_draw.inference import load_model, model_path_from_env  # TensorFlow loads here

    model_path = args.model or model_path_from_env()
    try:
        model = load_model(model_path)
        reader = load_stroke_reader(model_path)
    except ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    width = max(len(str(path)) for path in args.files) + 4
    failed = False
    records = (number_predictions if args.number else predictions)(model, reader, args.files, sys.stderr)
    for record in records:
        if "error" in record:
            failed = True
        elif args.json:
            print(json.dumps(record), flush=True)
        else:
            print((number_line if args.number else text_line)(record, width), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
