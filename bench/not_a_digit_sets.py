"""The made-up "not a digit" drawings at a glance: how many of each family and kind, how fast, what they look like.

    uv run python -m bench.not_a_digit_sets                  # 3,000 a split (~10 s)
    uv run python -m bench.not_a_digit_sets --count 500

Makes one set of each split with digit_data/non_digits.py, cramming the training pen writers'
digits into the "training" set and the held-out writers' (digit_data/pendigits.py
VALIDATION_WRITERS) into the "unseen" one, as training and evaluation do. Counts the items per
family and kind, times the generator (items a second, one core) and mnist_draw/pen_path.py's
features on every item, and draws a contact sheet, docs/images/non_digits.png: one row per split
and family, the first --examples items of it, each rendered as the page's canvas would draw it
(mnist_draw/render.py) with a thin pen so small ones stay readable. Prints the numbers and
writes bench/results/not_a_digit_sets.json.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys
import time

import numpy as np

from bench.machine import machine_record
from digit_data.non_digits import FAMILIES, SPLITS, NonDigit, make_non_digits
from digit_data.pendigits import PEN_DATA_ENV, PenDataError, is_validation_writer, load_pendigits
from mnist_draw.atomic import write_json_atomically
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import CANVAS_SIZE, PROJECT_ROOT
from mnist_draw.pen_path import path_features
from mnist_draw.render import render_canvas_strokes

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "not_a_digit_sets.json"
IMAGE_PATH = PROJECT_ROOT / "docs" / "images" / "non_digits.png"
SHEET_PEN_WIDTH = 8.0  # canvas pixels: thinner than the page's pen, so a small letter is not a blob
TILE_SHRINK = 2  # each 280-pixel canvas is shown at 140 pixels
LABEL_WIDTH = 130  # pixels left of each row for its "split / family" label


def describe(items: list[NonDigit], seconds: float, feature_seconds: float) -> dict:
    points = [sum(len(stroke) for stroke in item.strokes) for item in items]
    kinds: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for item in items:
        kinds[item.family][item.kind] += 1
    return {
        "families": dict(collections.Counter(item.family for item in items)),
        "kinds": {family: dict(sorted(kinds[family].items())) for family in FAMILIES},
        "items_per_second": round(len(items) / seconds),
        "features_per_second": round(len(items) / feature_seconds),
        "points_per_item": {"median": statistics.median(points), "max": max(points)},
        "strokes_per_item_max": max(len(item.strokes) for item in items),
    }


def tile(item: NonDigit) -> np.ndarray:
    ink = render_canvas_strokes(item.strokes, SHEET_PEN_WIDTH, CANVAS_SIZE)
    side = CANVAS_SIZE // TILE_SHRINK
    return ink.reshape(side, TILE_SHRINK, side, TILE_SHRINK).mean(axis=(1, 3))


def contact_sheet(sets: dict[str, list[NonDigit]], examples: int):
    """One row per split and family: a label, then `examples` tiles framed in grey -> a PIL image."""
    from PIL import Image, ImageDraw

    side = CANVAS_SIZE // TILE_SHRINK + 2
    rows = [(split, family) for split in SPLITS for family in FAMILIES]
    sheet = np.zeros((side * len(rows), LABEL_WIDTH + side * examples), dtype=np.float64)
    for row, (split, family) in enumerate(rows):
        chosen = [item for item in sets[split] if item.family == family][:examples]
        for column, item in enumerate(chosen):
            framed = np.pad(tile(item), 1, constant_values=0.3)
            sheet[row * side : (row + 1) * side, LABEL_WIDTH + column * side : LABEL_WIDTH + (column + 1) * side] = (
                framed
            )
    image = Image.fromarray(np.round(sheet * 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for row, (split, family) in enumerate(rows):
        draw.text((8, row * side + side // 2 - 12), f"{split}\n{family}", fill=255)
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.not_a_digit_sets", formatter_class=HelpFormatter, description=__doc__.split("\n\n")[2]
    )
    parser.add_argument("--count", type=int, default=3000, metavar="N", help="drawings made for each split")
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of both sets (the unseen one gets seed + 1)"
    )
    parser.add_argument("--examples", type=int, default=10, metavar="N", help="drawings shown per split and family")
    parser.add_argument(
        "--pen-data", metavar="DIR", help=f"folder with the UCI pen digits (also ${PEN_DATA_ENV}); default: download"
    )
    args = parser.parse_args(argv)
    if args.count < len(FAMILIES):
        parser.error(f"--count must be at least {len(FAMILIES)}, one of each family")
    try:
        digits = load_pendigits(args.pen_data)
    except PenDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    writers = {
        "training": [digit for digit in digits if not is_validation_writer(digit.writer)],
        "unseen": [digit for digit in digits if is_validation_writer(digit.writer)],
    }
    sets, results = {}, {}
    for offset, split in enumerate(SPLITS):
        started = time.perf_counter()
        sets[split] = make_non_digits(args.count, np.random.default_rng(args.seed + offset), split, writers[split])
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        for item in sets[split]:
            path_features(item.strokes)
        results[split] = describe(sets[split], seconds, time.perf_counter() - started)
        print(
            f"{split}: {args.count} drawings, {results[split]['items_per_second']}/s, "
            f"median {results[split]['points_per_item']['median']:.0f} points; {results[split]['families']}"
        )
    IMAGE_PATH.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet(sets, args.examples).save(IMAGE_PATH, optimize=True)
    print(f"wrote {IMAGE_PATH.relative_to(PROJECT_ROOT)} and {RESULTS_PATH.relative_to(PROJECT_ROOT)}")
    write_json_atomically(
        RESULTS_PATH,
        {
            "count_per_split": args.count,
            "seed": args.seed,
            "crammed_writers": {split: len({digit.writer for digit in writers[split]}) for split in SPLITS},
            "splits": results,
            "image": str(IMAGE_PATH.relative_to(PROJECT_ROOT)),
            "machine": machine_record(),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
