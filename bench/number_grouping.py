"""Benchmark the number grouping: how often a written number's strokes come out as its digits, exactly.

    uv run python -m bench.number_grouping                 # 4,000 numbers per side, the shipped constants
    uv run python -m bench.number_grouping --numbers 500   # a quick look

Numbers of 2-8 digits are composed from one pen writer's own digits each
(digit_data/numbers.py: line height 180-240 px on the 840 x 280 canvas, gaps wide, tight or
touching, a 4's, 5's or 7's last stroke sometimes drawn after the following digits), from the 24
training writers (where mnist_draw/number.py's constants were tuned) and from the 6 held-out
writers (never looked at while tuning them). A number counts as right only when every group holds
exactly its digit's strokes, in order. Reported overall, by length, by the subsets with a tight
gap, a touching gap or a late stroke, and per held-out writer. Target: >= 99% of held-out numbers.
Prints the numbers and writes bench/results/number_grouping.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict

import numpy as np

from bench.machine import machine_record
from digit_data.numbers import ComposeConfig, ComposedNumber, compose_numbers
from digit_data.pendigits import PenDataError, load_pendigits
from mnist_draw.atomic import write_json_atomically
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import PROJECT_ROOT
from mnist_draw.held_out_writers import held_out, training_writers
from mnist_draw.number import GroupingParams, group_strokes

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "number_grouping.json"
TARGET = 0.99
TRAINING_SEED, HELD_OUT_SEED = 1, 2


def grouped_right(number: ComposedNumber, params: GroupingParams) -> bool:
    return [group.stroke_indices for group in group_strokes(number.strokes, params)] == list(number.groups)


def share(flags: Sequence[bool]) -> dict:
    """{"numbers", "exact"}: how many, and the share right (None of none)."""
    return {"numbers": len(flags), "exact": float(np.mean(flags)) if len(flags) else None}


def report(numbers: Sequence[ComposedNumber], params: GroupingParams) -> dict:
    """Numbers -> {"overall", "by_length" {n: ...}, "tight", "touching", "late", "plain", "per_writer"}."""
    right = [grouped_right(number, params) for number in numbers]
    pick = lambda keep: [flag for flag, number in zip(right, numbers) if keep(number)]  # noqa: E731
    return {
        "overall": share(right),
        "by_length": {
            str(length): share(pick(lambda number, length=length: len(number.digits) == length))
            for length in sorted({len(number.digits) for number in numbers})
        },
        "tight": share(pick(lambda number: "tight" in number.gap_kinds)),
        "touching": share(pick(lambda number: "touching" in number.gap_kinds)),
        "late": share(pick(lambda number: number.late)),
        "plain": share(pick(lambda number: not number.late and set(number.gap_kinds) <= {"normal"})),
        "per_writer": {
            writer: share(pick(lambda number, writer=writer: number.writer == writer))
            for writer in sorted({number.writer for number in numbers}, key=lambda name: int(name.rpartition("-")[2]))
        },
    }


def line(name: str, result: dict) -> str:
    lengths = " ".join(f"{length}:{value['exact']:.3f}" for length, value in result["by_length"].items())
    subsets = " ".join(f"{subset} {result[subset]['exact']:.3f}" for subset in ("tight", "touching", "late", "plain"))
    return f"{name}: {result['overall']['exact']:.4f} of {result['overall']['numbers']} exact | by length {lengths} | {subsets}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.number_grouping", formatter_class=HelpFormatter, description=__doc__.split("\n\n")[1]
    )
    parser.add_argument("--numbers", type=int, default=4000, metavar="N", help="numbers composed per side")
    parser.add_argument(
        "--pen-data", metavar="DIR", default=None, help="folder with the UCI pen digits (also $PENDIGITS_DATA_DIR)"
    )
    args = parser.parse_args(argv)
    try:
        digits = load_pendigits(args.pen_data)
    except PenDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    params, config = GroupingParams(), ComposeConfig()
    started = time.perf_counter()
    training = report(compose_numbers(training_writers(digits), args.numbers, TRAINING_SEED, config=config), params)
    held = report(compose_numbers(held_out(digits), args.numbers, HELD_OUT_SEED, config=config), params)
    seconds = time.perf_counter() - started
    print(line("training writers", training))
    print(line("held-out writers", held))
    print(
        "held-out per writer: "
        + " ".join(f"{writer}:{value['exact']:.3f}" for writer, value in held["per_writer"].items())
    )
    met = held["overall"]["exact"] >= TARGET
    print(f"target >= {TARGET:.0%} of held-out numbers exact: {'met' if met else 'NOT met'} ({seconds:.1f} s)")
    write_json_atomically(
        RESULTS_PATH,
        {
            "params": asdict(params),
            "compose": asdict(config),
            "lengths": [2, 8],
            "numbers_per_side": args.numbers,
            "seeds": {"training": TRAINING_SEED, "held_out": HELD_OUT_SEED},
            "training_writers": training,
            "held_out_writers": held,
            "target_held_out_exact": TARGET,
            "target_met": met,
            "seconds": round(seconds, 1),
            "machine": machine_record(),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
