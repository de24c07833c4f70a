"""Choose the number reader's split constants on the TRAINING writers: how much surer the readers must be.

    python -m bench.number_split                 # 800 numbers, 300 non-digits, about 2 minutes
    python -m bench.number_split --numbers 200   # a smoke run

mnist_draw/number_reading.py reads the geometric grouping and a few alternatives
(mnist_draw/number.py alternative_groupings) and keeps an alternative only when its product of
probabilities beats the geometric grouping's by choice_margin (choose_grouping), a group read as
"not a digit" counting refused_probability. Every candidate group is read once here; the two
constants are then swept over a grid without reading again. Numbers come from the 24 training
writers (digit_data/numbers.py compose_numbers), non-digits from the training split
(digit_data/non_digits.py) drawn on the number canvas, so the held-out writers stay unseen by the
choice (the shipped models did see all 30 writers; docs/numbers.md says so). Prints one line per
grid point: numbers read exactly, and non-digits that still show a "?".
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import sys
from pathlib import Path

import numpy as np

from bench.machine import commit, machine_record
from digit_data.non_digits import make_non_digits
from digit_data.numbers import compose_numbers
from digit_data.pendigits import load_pendigits
from mnist_draw.atomic import write_json_atomically
from mnist_draw.held_out_writers import training_writers
from mnist_draw.number import GroupingParams, number_text

TRAINING_SEED = 31  # numbers other than the grouping's own tuning sets (seed 1)
NON_DIGIT_SEED = 32
MARGINS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 1e9)  # 1e9: never overrule geometry (the old reader)
REFUSED = (0.001, 0.01, 0.05, 0.1)


def read_all(numbers, non_digits):
    """Every composed number's and non-digit's candidates, read once -> two lists of number_reading.Candidates."""
    from mnist_draw.inference import load_model, model_path_from_env
    from mnist_draw.number_reading import read_candidates
    from mnist_draw.stroke_inference import load_stroke_reader

    path = model_path_from_env()
    model, reader = load_model(path), load_stroke_reader(path)
    return (
        [read_candidates(model, reader, number.strokes) for number in numbers],
        [read_candidates(model, reader, item.strokes) for item in non_digits],
    )


def text_of(candidates, params: GroupingParams) -> str:
    """The number shown under `params`' scoring constants."""
    chosen = candidates.groupings[candidates.choice(params)]
    return number_text([candidates.readings[index].digit for index in chosen])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.number_split",
        description="Sweep the number reader's choice_margin and refused_probability on the training writers.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--numbers", type=int, default=800, help="composed numbers from the training writers")
    parser.add_argument("--non-digits", type=int, default=300, help="training-split non-digits on the number canvas")
    parser.add_argument("--pen-data", type=Path, default=None, help="pen digits folder (default: PENDIGITS_DATA_DIR)")
    parser.add_argument("--out", type=Path, default=None, help="also write the grid as JSON here")
    args = parser.parse_args(argv)
    digits = training_writers(load_pendigits(args.pen_data))
    numbers = compose_numbers(digits, args.numbers, TRAINING_SEED)
    non_digits = make_non_digits(args.non_digits, np.random.default_rng(NON_DIGIT_SEED), "training", digits)
    read_numbers, read_non_digits = read_all(numbers, non_digits)
    truths = ["".join(map(str, number.digits)) for number in numbers]
    grid = []
    for refused in REFUSED:
        for margin in MARGINS:
            params = dataclasses.replace(GroupingParams(), refused_probability=refused, choice_margin=margin)
            exact = np.mean([text_of(c, params) == t for c, t in zip(read_numbers, truths, strict=True)])
            shows_refusal = np.mean(["?" in text_of(c, params) for c in read_non_digits])
            grid.append(
                {"refused": refused, "margin": margin, "exact": float(exact), "non_digit_shows_?": float(shows_refusal)}
            )
            print(
                f"refused {refused:<6} margin {margin:<8g} numbers exact {exact:.2%}  non-digits show ? {shows_refusal:.2%}"
            )
    if args.out:
        record = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "commit": commit(),
            "machine": machine_record(),
        }
        write_json_atomically(
            args.out, {**record, "numbers": args.numbers, "non_digits": args.non_digits, "grid": grid}
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
