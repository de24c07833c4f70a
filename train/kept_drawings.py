"""`--drawings`: people's own labelled drawings in the training mix.

Each PATH is a stroke file (mnist_draw/strokes.py's format, canvas-pixel coordinates, as the app
saves them: mnist_draw/kept_drawings.py) or a folder whose *.json files are read, in its subfolders
too (the app keeps each visitor's drawings in a subfolder of its own). A file is used whole or
skipped whole: a malformed, empty, truncated, foreign or oversized file, anything that is not a
regular file (a device, a pipe), one with a digit that has no label, or one with a digit by a
held-out pen writer (those are the measure, never the lesson) is skipped with one warning line
naming it. No usable drawing at all is an error.

Each drawing is rendered `drawing_renders` times at a random size, place and pen width
(train/pen.py, as the pen digits are) and the renders are cycled so that they make up
`drawing_share` of every epoch's images: forty drawings then weigh as much as thousands of
images would, however big the rest of the mix is. In a fine-tune, the renders its start model
misreads count `correction_weight` times (`weight_corrections`): they are what the person
corrected, and one corrected digit among fifty confirmed ones would otherwise hardly be learnt.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from digit_data.pendigits import is_validation_writer
from mnist_draw.strokes import DrawnDigit, StrokeError, read_stroke_file
from train import pen


class DrawingsError(Exception):
    """No usable drawing was found; the message is one line."""


def stroke_files(paths) -> list[Path]:
    """Files as given, folders as the *.json files in them and their subfolders (sorted).

    A missing path is listed and fails on reading. Hidden names (an atomic write's `.tmp-*`) are
    passed over, and linked folders are not followed (a link back up would never end).
    """
    files = []
    for path in map(Path, paths):
        if not path.is_dir():
            files.append(path)
            continue
        for folder, subfolders, names in os.walk(path):
            subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
            found = [Path(folder) / name for name in names if name.endswith(".json") and not name.startswith(".")]
            files.extend(sorted(found))
    return files


def check_trainable(path: Path, digits: list[DrawnDigit]) -> None:
    """StrokeError (one line naming the file) unless every digit has a label and no held-out writer drew it."""
    for index, digit in enumerate(digits):
        if digit.label is None:
            raise StrokeError(f"{path}: digit {index} has no label")
        if digit.writer and is_validation_writer(digit.writer):
            raise StrokeError(
                f"{path}: digit {index} is by held-out writer {digit.writer}, kept for measuring and never trained on"
            )


def warn_on_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_drawings(paths, *, warn=warn_on_stderr) -> tuple[list[DrawnDigit], dict]:
    """Stroke files and folders -> (their labelled digits, record for metrics.json); DrawingsError if none is usable.

    `warn` gets one line per skipped file.
    """
    digits, used, skipped = [], [], []
    for path in stroke_files(paths):
        try:
            found = read_stroke_file(path)
            check_trainable(path, found)
        except StrokeError as error:
            warn(f"warning: skipped {error}")
            skipped.append(str(path))
            continue
        digits.extend(found)
        used.append(str(path))
    if not digits:
        where = ", ".join(map(str, paths))
        raise DrawingsError(
            f"no usable drawings in {where}: --drawings takes stroke files (mnist_draw/strokes.py) or folders of *.json stroke files"
        )
    record = {
        "files": used,
        "skipped": skipped,
        "digits": len(digits),
        "per_class": np.bincount([digit.label for digit in digits], minlength=10).tolist(),
    }
    return digits, record


def weight_corrections(
    images: np.ndarray, labels: np.ndarray, guesses: np.ndarray, weight: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Renders (N, 28, 28), labels (N,) and the start model's guesses (N,) -> (images, labels, misread count).

    Each misread render (guess != label) appears `weight` times in the result, the rest once.
    """
    misread = np.flatnonzero(guesses != labels)
    repeats = np.repeat(misread, weight - 1)
    return np.concatenate([images, images[repeats]]), np.concatenate([labels, labels[repeats]]), len(misread)


def render_drawings(digits: list[DrawnDigit], renders: int, seed: int, *, log=print) -> tuple[np.ndarray, np.ndarray]:
    """Drawings -> (images (N * renders, 28, 28) uint8, labels (N * renders,) uint8), each drawn at random placements."""
    rng = np.random.default_rng(seed + 7919)  # its own stream: adding drawings never moves the pen digits' placements
    jobs = [(digit, pen.random_placement(rng)) for _ in range(renders) for digit in digits]
    labels = np.array([digit.label for digit, _ in jobs], dtype=np.uint8)
    return pen.render_cached(jobs, "drawings", log=log), labels
