"""Benchmark the teach-it loop: does fine-tuning on a person's own drawings help that person?

    python -m bench.fine_tune                              # the 3 worst held-out writers, 50 digits each, artifacts/mnist.keras
    python -m bench.fine_tune --writer pendigits-15        # a chosen held-out writer (repeat --writer for more)
    python -m bench.fine_tune --digits 10 --per-writer 20 -- --epochs 1 --limit 300   # smoke run, flags after -- go to train

The held-out pen writers (digit_data.pendigits.VALIDATION_WRITERS) stand in for people who
use the app. Steps:
1. The shipped model reads every held-out writer's digits, drawn at the three placements of
   mnist_draw.held_out_writers.PLACEMENTS; the --people writers it gets most wrong are the people (or
   --writer). Each person is taught separately, from the shipped model: steps 2 and 3 per person.
   One writer has a handful of errors, so one person's result is mostly their few odd digits;
   the verdicts pool the people.
2. --digits of the person's digits (--choice: by default the app's loop, where the person draws
   the first half of their digits, corrects every misread one and confirms right guesses, see
   `lesson_for`) are written as one stroke file, in canvas pixels and stamped as the app stamps
   its drawings, and the real command `python -m train --fine-tune --model <model> --drawings <file> --out <dir>`
   runs as a subprocess, timed. --out starts with a copy of the model, so the never-worse gate
   (train/gate.py) judges the new model as it does for users; if it refuses, the set it puts
   aside (what --force would swap in) is measured and the output says so.
3. Before and after are measured on the same rendered images: the person's OTHER digits (never
   the ones trained on: with --choice session, the second half of their digits, drawn after the
   session), each other held-out writer and all of them together, and the MNIST test
   set. For each: errors before and after, digits fixed and digits broken, and a two-sided sign
   test on the changed digits, so noise is shown as counts, not hidden in a percentage.
   The fine-tune teaches the stroke model too (its stage in train/recipes/fine-tune.toml), so
   the held-out sets are also measured as the pen path alone and fused (what the page and the
   app show): the stroke model reads each digit's own strokes, the same at every placement.
   The shipped stroke model learnt all 30 pen writers, so the people would not be strangers to
   it: the run first trains one of the same recipe on the training writers alone (the one that
   chose the shipped fusion weight, `stranger_set`), starts every fine-tune from it and keeps
   the held-out writers out of the stroke fine-tune too (`--set stroke.learn_held_out=false`).
Nothing is written outside a temporary folder (removed at the end unless --keep) and --out's
JSON (bench/results/fine_tune.json). Train's own held-out report includes the digits trained on,
so the numbers here are measured by this script, on digits the fine-tune never saw.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.machine import machine_record
from digit_data.pendigits import (
    VALIDATION_WRITERS,
    PenDataError,
    is_validation_writer,
    load_pendigits,
    writer_name,
)
from mnist_draw import held_out_writers
from mnist_draw.atomic import write_json_atomically
from mnist_draw.checksums import sha256_of
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import (
    ARTIFACTS_DIR,
    CANVAS_SIZE,
    DEFAULT_MODEL_PATH,
    METRICS_FILENAME,
    MODEL_FILENAME,
    PROJECT_ROOT,
)
from mnist_draw.kept_drawings import APP_WRITER
from mnist_draw.stroke_inference import stroke_model_path
from mnist_draw.strokes import DrawnDigit, make_digit, write_stroke_file

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "fine_tune.json"
TARGETS = {
    "writer_errors_removed_fraction": 0.5,  # at least half of the person's errors on their other digits gone
    "mnist_test_accuracy": 0.996,
    "fine_tune_seconds": 300,  # on 2 CPU cores
    "fine_tune_cores": 2,
}
NOISE_P = 0.05  # a set is worse beyond noise when more digits broke than were fixed and the sign test says p < this
BENCH_OWNS = ("--fine-tune", "--model", "--drawings", "--out")  # train flags this script sets itself
STRANGERS_ONLY = ["--set", "stroke.learn_held_out=false"]  # the stroke fine-tune never sees the held-out writers
# The shipped stroke run's settings that shape a stroke model trained again on the training writers.
STROKE_SHAPE = ("n_points", "num_filters", "dropout_rate", "epochs", "batch_size", "learning_rate", "seed")
TRAIN_OUTPUT_TAIL = 40  # lines of train's output kept for an error message
DEFAULT_PEOPLE = 3  # held-out writers taught, one fine-tune each: the least accurate
READINGS = ("image", "stroke", "fused")  # the image CNN alone, the pen path alone, both as the page shows them


# --- Which writer, which digits ---------------------------------------------------------------


def pick_writers(per_writer: dict[str, float], requested: list[str] | None, count: int) -> list[str]:
    """{writer: accuracy} -> the requested writers, else the `count` least accurate (ties in natural order)."""
    if requested:
        unknown = [writer for writer in requested if writer not in per_writer]
        if unknown:
            raise ValueError(f"--writer {unknown[0]} is not a measured held-out writer ({', '.join(per_writer)})")
        return list(dict.fromkeys(requested))
    return sorted(per_writer, key=per_writer.get)[:count]


def choose_digits(labels: list[int], count: int, seed: int) -> list[int]:
    """Labels of one writer's digits -> `count` positions among them, sorted: a seeded choice as even over labels as they allow.

    Each label's digits are shuffled, then taken one per label per round (labels in a seeded
    order), so 50 of a writer's 250 digits are 5 of each label and a label short of digits
    leaves its share to the others.
    """
    if not 0 < count <= len(labels):
        raise ValueError(f"cannot choose {count} of {len(labels)} digits")
    rng = np.random.default_rng(seed)
    queues = {
        label: list(rng.permutation(np.flatnonzero(np.asarray(labels) == label))) for label in sorted(set(labels))
    }
    order = [int(label) for label in rng.permutation(sorted(queues))]
    chosen: list[int] = []
    while len(chosen) < count:
        for label in order:
            if queues[label] and len(chosen) < count:
                chosen.append(int(queues[label].pop(0)))
    return sorted(chosen)


def as_app_drawing(digit: DrawnDigit) -> DrawnDigit:
    """A pen digit as the app saves a drawing: points scaled onto the canvas, writer 'app', no held-out name.

    Train refuses digits that carry a held-out writer's name (they are the measure); here the
    person's chosen digits are meant to be taught, and the rest of theirs stay the measure.
    """
    scale = CANVAS_SIZE / max(digit.width, digit.height)
    strokes = [[(x * scale, y * scale) for x, y in stroke] for stroke in digit.strokes]
    return make_digit(strokes, label=digit.label, writer=APP_WRITER, width=CANVAS_SIZE, height=CANVAS_SIZE)


# --- Measuring ----------------------------------------------------------------------------------


def held_out_digits(pen_data: str | None, per_writer: int | None) -> list[DrawnDigit]:
    """The held-out writers' digits in file order; with `per_writer`, only each writer's first N."""
    digits = held_out_writers.held_out(load_pendigits(pen_data))
    if per_writer is None:
        return digits
    seen: dict[str, int] = {}
    kept = []
    for digit in digits:
        seen[digit.writer] = seen.get(digit.writer, 0) + 1
        if seen[digit.writer] <= per_writer:
            kept.append(digit)
    return kept


def render_grid(digits: list[DrawnDigit]) -> dict:
    """Every digit at every placement -> {"images" (N, 28, 28) uint8, "labels", "writers", "placements", "digit" (N,)}.

    "digit" is each image's position in `digits`. The cache (train/pen.py) is the one training
    uses for the held-out writers, so a full run renders nothing it has rendered before.
    """
    from train import pen

    jobs, labels, writers, placements = held_out_writers.placement_grid(digits)
    images = pen.render_cached(jobs, "pen-held-out")
    positions = np.tile(np.arange(len(digits)), len(held_out_writers.PLACEMENTS))
    return {
        "images": images,
        "labels": labels,
        "writers": np.asarray(writers),
        "placements": placements,
        "digit": positions,
    }


def predict(model_path: Path, *image_sets: np.ndarray) -> list[np.ndarray]:
    """A .keras model and (N, 28, 28) uint8 image sets -> its ten digits' probabilities (N, 10) float32
    for each set ("not a digit" split off where the model has it: which digit is this bench's question)."""
    from digit_data.mnist import to_model_input
    from mnist_draw.fusion import split_not_a_digit
    from mnist_draw.inference import load_model

    model = load_model(model_path)
    return [
        split_not_a_digit(model.predict(to_model_input(images), batch_size=512, verbose=0))[0] for images in image_sets
    ]


def read_grid(model_path: Path, grid: dict, digits: list[DrawnDigit], test_images: np.ndarray) -> dict:
    """A model set (mnist.keras and, beside it, stroke/) -> predicted labels {"image", "stroke", "fused"} (N,) on the grid, and "mnist".

    "stroke" and "fused" are None when the set has no stroke model. The stroke model reads each
    digit's strokes once; its reading is the same at every placement (the path is normalised).
    """
    from mnist_draw import fusion, pen_path
    from mnist_draw.stroke_inference import load_stroke_reader

    image, mnist = predict(model_path, grid["images"], test_images)
    reader = load_stroke_reader(model_path)
    readings = {"image": image.argmax(axis=1), "stroke": None, "fused": None, "mnist": mnist.argmax(axis=1)}
    if reader is not None:
        paths = pen_path.batch_features(digits, reader.n_points)
        stroke = reader.model.predict(paths, batch_size=1024, verbose=0)[grid["digit"]]
        stroke = fusion.split_not_a_digit(stroke)[0]  # which digit; whether it is one is bench.numbers' question
        readings["stroke"] = stroke.argmax(axis=1)
        readings["fused"] = fusion.fuse(stroke, image, reader.stroke_weight).argmax(axis=1)
    return readings


def sign_test(fixed: int, broken: int) -> float:
    """Two-sided exact sign test: how likely a split this uneven of the changed digits is if a change is a coin flip."""
    changed = fixed + broken
    if changed == 0:
        return 1.0
    tail = sum(math.comb(changed, k) for k in range(min(fixed, broken) + 1)) / 2**changed
    return min(1.0, 2 * tail)


def confusions(labels: np.ndarray, predicted: np.ndarray) -> dict[str, int]:
    """True labels and wrong predictions (N,) -> {"7 as 2": count}, most frequent first (ties by label)."""
    counts: dict[str, int] = {}
    for label, guess in sorted(zip(labels.tolist(), predicted.tolist())):
        key = f"{label} as {guess}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def compare(labels: np.ndarray, before: np.ndarray, after: np.ndarray, mask: np.ndarray) -> dict:
    """Predictions before and after on the images `mask` selects -> counts, accuracies, the sign test.

    "broken_as" says what the broken digits became, "fixed_from" what the fixed ones had been
    read as: which digits a fine-tune trades, not only how many.
    """
    labels, before, after = labels[mask], before[mask], after[mask]
    right_before, right_after = before == labels, after == labels
    was_fixed, was_broken = ~right_before & right_after, right_before & ~right_after
    fixed, broken = int(was_fixed.sum()), int(was_broken.sum())
    images = len(labels)
    return {
        "images": images,
        "errors_before": int((~right_before).sum()),
        "errors_after": int((~right_after).sum()),
        "accuracy_before": float(right_before.mean()) if images else None,
        "accuracy_after": float(right_after.mean()) if images else None,
        "fixed": fixed,
        "broken": broken,
        "predictions_changed": int((before != after).sum()),
        "sign_test_p": round(sign_test(fixed, broken), 4),
        "broken_as": confusions(labels[was_broken], after[was_broken]),
        "fixed_from": confusions(labels[was_fixed], before[was_fixed]),
    }


def worse_beyond_noise(row: dict) -> bool:
    return row["broken"] > row["fixed"] and row["sign_test_p"] < NOISE_P


def all_comparisons(grid: dict, writer: str, lesson: dict, before: dict, after: dict, mnist_labels) -> dict:
    """Every set the benchmark reports -> {name: compare(...)}, the person's other digits first.

    `lesson`: {"taught", "measured"}, positions in the held-out digits of the person's digits
    taught and of those measured as their other digits (see `lesson_for`).
    """
    rows = held_out_comparisons(grid, writer, lesson, before["image"], after["image"])
    writers = set(grid["writers"][grid["writers"] != writer])
    for name in (writer_name(number) for number in VALIDATION_WRITERS if writer_name(number) in writers):
        rows[name] = compare(grid["labels"], before["image"], after["image"], grid["writers"] == name)
    everything = np.ones(len(mnist_labels), dtype=bool)
    rows["mnist_test"] = compare(mnist_labels, before["mnist"], after["mnist"], everything)
    return rows


def held_out_comparisons(grid: dict, writer: str, lesson: dict, before: np.ndarray, after: np.ndarray) -> dict:
    """One reading's labels before and after on the grid -> the person's other digits, those taught, the other writers."""
    of_writer = grid["writers"] == writer
    taught = np.isin(grid["digit"], sorted(lesson["taught"]))
    measured = np.isin(grid["digit"], sorted(lesson["measured"]))
    return {
        "writer_other_digits": compare(grid["labels"], before, after, measured),
        "writer_trained_digits": compare(grid["labels"], before, after, of_writer & taught),
        "other_writers": compare(grid["labels"], before, after, ~of_writer),
    }


def reading_comparisons(grid: dict, writer: str, lesson: dict, before: dict, after: dict) -> dict:
    """The pen path alone and fused -> {reading: held_out_comparisons(...)}, None for a set without a stroke model."""
    return {
        reading: held_out_comparisons(grid, writer, lesson, before[reading], after[reading])
        if before[reading] is not None and after[reading] is not None
        else None
        for reading in READINGS[1:]
    }


# --- The fine-tune, as users run it -------------------------------------------------------------


def train_command(model: Path, stroke_file: Path, out: Path, args: argparse.Namespace, extra: list[str]) -> list[str]:
    """The `python -m train --fine-tune ...` command line, with this interpreter."""
    command = [sys.executable, "-m", "train", "--fine-tune", "--model", str(model)]
    command += ["--drawings", str(stroke_file), "--out", str(out)]
    command += ["--data", args.data] * bool(args.data) + ["--pen-data", args.pen_data] * bool(args.pen_data)
    return command + STRANGERS_ONLY * stroke_model_path(model).is_file() + extra


def stranger_set(model: Path, folder: Path, pen_data: str | None, stroke_epochs: int | None) -> Path:
    """`model` and, beside it, a stroke model of the shipped one's shape that never saw the held-out writers -> folder/mnist.keras.

    That stroke model is the one the shipped run trained on the training writers to choose its
    fusion weight (same settings, same seed), trained again; the shipped weight is kept with it.
    `stroke_epochs` shortens its training for smoke runs. Without a stroke model beside `model`
    the set is `model` alone.
    """
    from train import stroke_training

    folder.mkdir(parents=True)
    shutil.copy2(model, folder / MODEL_FILENAME)
    shipped = stroke_model_path(model)
    if not shipped.is_file():
        return folder / MODEL_FILENAME
    record = json.loads((shipped.parent / METRICS_FILENAME).read_text(encoding="utf-8"))
    settings = {key: record["config"][key] for key in STROKE_SHAPE if key in record["config"]}
    settings.update({"learn_held_out": False} | ({"epochs": stroke_epochs} if stroke_epochs else {}))
    config = stroke_training.config_from(settings)
    training, _ = stroke_training.pen_split(config, Path(pen_data) if pen_data else None)
    print(f"training a stroke model like {shipped} on the {len(training)} training writers' digits alone", flush=True)
    stroke, history = stroke_training.fit_stroke_model(config, training, config.seed, log=lambda line: None)
    metrics = {
        **record,
        **stroke_training.stroke_record(stroke, config, history, train_seconds=0.0),
        "training_digits": len(training),
        "fine_tuned_from": None,
        "drawings": None,
    }
    stroke_training.write_set(folder / shipped.parent.name, stroke, metrics)
    return folder / MODEL_FILENAME


def run_fine_tune(command: list[str], log_path: Path) -> tuple[int, float, list[str]]:
    """Run train as a subprocess in the project root, echoing and logging its output -> (exit code, seconds, lines)."""
    started = time.perf_counter()
    lines = []
    with (
        open(log_path, "w") as log,
        subprocess.Popen(
            command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        ) as process,
    ):
        for line in process.stdout:
            log.write(line)
            lines.append(line.rstrip("\n"))
            print(f"  train | {line}", end="", flush=True)
    return process.returncode, time.perf_counter() - started, lines


def fine_tuned_model(out: Path, code: int, lines: list[str]) -> tuple[Path, str | None]:
    """Where the run left its model -> (path, why the gate refused it or None); RuntimeError when it failed."""
    if code == 0:
        return out / MODEL_FILENAME, None
    refusals = [line for line in lines if "the new model is clearly worse" in line]
    rejected = sorted(out.glob("rejected-*/" + MODEL_FILENAME))
    if code == 1 and refusals and len(rejected) == 1:
        reason = re.search(r"clearly worse \((.*)\); its set", refusals[-1])
        return rejected[0], reason.group(1) if reason else refusals[-1]
    tail = "\n".join(lines[-TRAIN_OUTPUT_TAIL:])
    raise RuntimeError(f"the fine-tune failed with exit code {code}; its last lines:\n{tail}")


# --- Report -------------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def table(rows: dict, writer: str, trained_count: int) -> list[str]:
    """The comparison rows -> the printed table, one line per set."""
    titles = {
        "writer_other_digits": f"{writer}, other digits",
        "writer_trained_digits": f"{writer}, the {trained_count} trained on",
        "other_writers": "other held-out writers",
        "mnist_test": "MNIST test",
    }
    lines = [f"{'':<30}{'images':>7}{'errors before':>15}{'after':>7}{'fixed':>7}{'broken':>8}{'p':>7}   accuracy"]
    for name, row in rows.items():
        title = titles.get(name, f"  {name}")
        lines.append(
            f"{title:<30}{row['images']:>7}{row['errors_before']:>15}{row['errors_after']:>7}{row['fixed']:>7}"
            f"{row['broken']:>8}{row['sign_test_p']:>7.2f}   {percent(row['accuracy_before'])} -> {percent(row['accuracy_after'])}"
        )
    return lines


def trades(row: dict) -> str:
    """One row's fixed and broken digits by what they were read as, e.g. "fixed 7 as 2 (3); broke 4 as 9 (1)"."""

    def listed(counts: dict[str, int]) -> str:
        return ", ".join(f"{pair} ({count})" for pair, count in counts.items()) or "none"

    return f"fixed {listed(row['fixed_from'])}; broke {listed(row['broken_as'])}"


def changes(row: dict) -> str:
    return f"{row['fixed']} fixed / {row['broken']} broken (p {row['sign_test_p']:.2f})"


def worse_sets(rows: dict) -> list[str]:
    """One person's comparison rows -> the names of the sets besides theirs that got worse beyond noise."""
    others = [name for name in rows if name not in ("writer_other_digits", "writer_trained_digits")]
    return [name for name in others if worse_beyond_noise(rows[name])]


def errors_removed(people: list[dict], sets: list[dict], reading: str) -> dict:
    """Each person's comparison rows for one reading -> the pooled verdict on their other digits' errors."""
    own = [rows["writer_other_digits"] for rows in sets]
    before, after = sum(row["errors_before"] for row in own), sum(row["errors_after"] for row in own)
    share = (before - after) / before if before else None
    each = ", ".join(
        f"{person['writer']} {row['errors_before']} -> {row['errors_after']}" for person, row in zip(people, own)
    )
    return {
        "met": None if share is None else share >= TARGETS["writer_errors_removed_fraction"],
        "says": f"{reading}: {before - after} of the people's {before} errors on their other digits removed"
        + ("" if share is None else f" ({share:.0%}; target: half)")
        + f": {each}, {sum(row['fixed'] for row in own)} fixed and {sum(row['broken'] for row in own)} broken",
    }


def nothing_worse(people: list[dict], sets: list[dict], reading: str) -> dict:
    """Each person's comparison rows for one reading -> whether a set besides theirs got worse beyond noise."""
    worse = [f"{name} (teaching {person['writer']})" for person, rows in zip(people, sets) for name in worse_sets(rows)]
    return {
        "met": not worse,
        "says": f"{reading}: worse beyond noise (more broken than fixed, sign test p < {NOISE_P}): {', '.join(worse) or 'nothing'}",
    }


def verdicts(people: list[dict], cores: int | None) -> dict:
    """Every person's run ({"writer", "sets", "readings", "seconds"}) -> each target: {"met": bool | None, "says": one line}.

    The person's errors are pooled over the people (a writer with 8 errors decides little alone);
    MNIST, time and the other sets must hold in every person's run. The image model's verdicts
    come first; the pen path's and the fused answer's follow where the sets have a stroke model.
    """
    image_sets = [person["sets"] for person in people]
    mnist_after = min(person["sets"]["mnist_test"]["accuracy_after"] for person in people)
    seconds = max(person["seconds"] for person in people)
    others = "; ".join(
        f"teaching {person['writer']}: other held-out writers {changes(person['sets']['other_writers'])},"
        f" MNIST test {changes(person['sets']['mnist_test'])}"
        for person in people
    )
    image_worse = nothing_worse(people, image_sets, "image")
    checks = {
        "writer_errors_removed": errors_removed(people, image_sets, "image"),
        "mnist_test_accuracy": {
            "met": mnist_after >= TARGETS["mnist_test_accuracy"],
            "says": f"MNIST test {mnist_after:.2%} after, the lowest of the runs (target >= {TARGETS['mnist_test_accuracy']:.1%})",
        },
        "fine_tune_seconds": {
            "met": seconds < TARGETS["fine_tune_seconds"] if cores == TARGETS["fine_tune_cores"] else None,
            "says": f"fine-tune {seconds:.0f}s wall clock at most on {cores} cores (target under {TARGETS['fine_tune_seconds']}s on 2 cores)",
        },
        "nothing_else_worse": {"met": image_worse["met"], "says": f"{image_worse['says']}; {others}"},
    }
    for reading in READINGS[1:]:
        if all(person.get("readings", {}).get(reading) for person in people):
            sets = [person["readings"][reading] for person in people]
            checks[f"{reading}_errors_removed"] = errors_removed(people, sets, reading)
            checks[f"{reading}_nothing_else_worse"] = nothing_worse(people, sets, reading)
    return checks


# --- Command line -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fine_tune",
        usage="python -m bench.fine_tune [options] [-- python -m train flags]",
        description=__doc__.split("\n\n")[2],
        epilog="flags after -- are passed to `python -m train` (say --epochs 1 --limit 300 for a smoke run);\n"
        f"{', '.join(BENCH_OWNS)} are set by this script",
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL_PATH, help="the shipped model, fine-tuned from (read only)"
    )
    parser.add_argument(
        "--people",
        type=int,
        default=DEFAULT_PEOPLE,
        metavar="N",
        help="how many held-out writers play people, the N the model gets most wrong, each taught separately",
    )
    parser.add_argument(
        "--writer",
        action="append",
        default=None,
        help=f"a held-out writer who plays a person, e.g. {writer_name(VALIDATION_WRITERS[2])}; repeat for more (instead of --people)",
    )
    parser.add_argument("--digits", type=int, default=50, metavar="N", help="how many of the person's digits to teach")
    parser.add_argument(
        "--choice",
        choices=("session", "balanced"),
        default="session",
        help="which digits a person teaches: session, the first half of theirs drawn in the app, the misread ones corrected and the rest confirmed, the second half measured; balanced, any of theirs, even over the labels, the rest measured",
    )
    parser.add_argument("--seed", type=int, default=42, metavar="N", help="seed of the choice of digits")
    parser.add_argument(
        "--stroke-epochs",
        type=int,
        default=None,
        metavar="N",
        help="epochs of the stroke model trained on the training writers alone (default: the shipped run's; fewer for smoke runs)",
    )
    parser.add_argument(
        "--per-writer",
        type=int,
        default=None,
        metavar="N",
        help="measure only each held-out writer's first N digits, for smoke runs (default: all)",
    )
    parser.add_argument(
        "--data", metavar="DIR", default=None, help="MNIST IDX folder, also for train (also $MNIST_DATA_DIR)"
    )
    parser.add_argument(
        "--pen-data", metavar="DIR", default=None, help="pen digits folder, also for train (also $PENDIGITS_DATA_DIR)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        metavar="DIR",
        help="work in DIR (new or empty) and keep it: a folder per person with the stroke file, train's set and log",
    )
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, metavar="PATH", help="JSON results file")
    return parser


def parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """argv -> (this script's arguments, the flags for train after --); parser.error for bad ones."""
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    parser = build_parser()
    args, extra = parser.parse_args(argv[:split]), argv[split + 1 :]
    owned = [flag for flag in extra if flag.split("=")[0] in BENCH_OWNS]
    if owned:
        parser.error(f"{', '.join(owned)}: set by this script, not after --")
    if args.digits < 1 or (args.per_writer is not None and args.per_writer <= args.digits):
        parser.error(f"--digits must be at least 1 and below --per-writer, got {args.digits} and {args.per_writer}")
    not_held_out = [writer for writer in args.writer or () if not is_validation_writer(writer)]
    if not_held_out:
        held_out = ", ".join(writer_name(number) for number in VALIDATION_WRITERS)
        parser.error(f"--writer {not_held_out[0]} is not a held-out writer ({held_out})")
    if not 1 <= args.people <= len(VALIDATION_WRITERS):
        parser.error(f"--people must be from 1 to {len(VALIDATION_WRITERS)}, got {args.people}")
    if not args.model.is_file():
        parser.error(f"no model at {args.model}: train one with `python -m train`, or name one with --model")
    if args.keep is not None and (
        args.keep.resolve().is_relative_to(ARTIFACTS_DIR.resolve()) or (args.keep.exists() and any(args.keep.iterdir()))
    ):
        parser.error(f"--keep {args.keep}: must be a new or empty folder outside {ARTIFACTS_DIR}")
    return args, extra


def measure_before(args: argparse.Namespace) -> tuple[list[DrawnDigit], dict, tuple, dict]:
    """Load and render everything, predict with the start set (args.model) -> (digits, grid, MNIST test, predictions)."""
    from digit_data.mnist import load_mnist

    digits = held_out_digits(args.pen_data, args.per_writer)
    grid = render_grid(digits)
    _, (test_images, test_labels) = load_mnist(args.data)
    print(
        f"measuring {args.model} on {len(grid['labels'])} drawn held-out digits and {len(test_labels)} MNIST test digits"
    )
    return digits, grid, (test_images, test_labels), read_grid(args.model, grid, digits, test_images)


def shown(readings: dict) -> np.ndarray:
    """What the app shows a person: the fused reading, or the image model's where there is no stroke model."""
    return readings["image"] if readings["fused"] is None else readings["fused"]


def accuracy_per_writer(grid: dict, before: dict) -> dict[str, float]:
    """The shipped models' shown answers on the grid -> {writer: accuracy over their digits and placements}."""
    one_hot = np.eye(10)[shown(before)]
    return held_out_writers.drawn_accuracy(grid["labels"], one_hot, grid["writers"], grid["placements"])["per_writer"]


def misread_digits(grid: dict, before: dict) -> set[int]:
    """-> positions in the held-out digits of those the app misreads (shown) at one placement or more."""
    return {int(digit) for digit in grid["digit"][shown(before) != grid["labels"]]}


def lesson_for(args: argparse.Namespace, digits: list[DrawnDigit], writer: str, misread: set[int]) -> dict:
    """What the person teaches and what measures them -> {"taught", "measured"}: positions in `digits`.

    "balanced": a seeded choice of --digits of all their digits, even over the labels; every
    other digit of theirs is measured. "session": the person draws the first half of their
    digits (in the file's order) and keeps --digits of them: every one the model misread,
    corrected, then confirmed right guesses, a seeded choice even over the labels; the second
    half, drawn later, is measured. Balanced asks whether any 50 of a hand teach the rest;
    session asks what the app's loop gives, where people correct the wrong guesses.
    """
    positions = [index for index, digit in enumerate(digits) if digit.writer == writer]
    if args.choice == "balanced":
        if args.digits >= len(positions):
            raise ValueError(
                f"{writer} has {len(positions)} digits: --digits {args.digits} would leave none to measure"
            )
        chosen = choose_digits([digits[index].label for index in positions], args.digits, args.seed)
        taught = [positions[index] for index in chosen]
        return {"taught": taught, "measured": sorted(set(positions) - set(taught))}
    session, later = positions[: len(positions) // 2], positions[len(positions) // 2 :]
    if args.digits > len(session):
        raise ValueError(f"{writer} drew {len(session)} digits in the session: cannot keep --digits {args.digits}")
    corrected = [index for index in session if index in misread][: args.digits]
    confirmed = [index for index in session if index not in misread]
    fill = args.digits - len(corrected)
    chosen = choose_digits([digits[index].label for index in confirmed], fill, args.seed) if fill else []
    return {"taught": sorted(corrected + [confirmed[index] for index in chosen]), "measured": later}


def fine_tune(args: argparse.Namespace, extra: list[str], work: Path, taught: list[DrawnDigit], writer: str) -> dict:
    """Write the stroke file, run the real fine-tune with a copy of the model as --out's incumbent -> what happened.

    `work` is this person's own folder (new), so each person's run starts from the shipped model.
    """
    work.mkdir(parents=True)
    stroke_file = work / f"{writer}-{len(taught)}-digits.json"
    write_stroke_file(stroke_file, [as_app_drawing(digit) for digit in taught])
    out = work / "out"
    out.mkdir()
    shutil.copy2(args.model, out / MODEL_FILENAME)  # the gate compares with it, as with artifacts/ for users
    stroke_set = stroke_model_path(args.model).parent
    if stroke_set.is_dir():  # the stroke fine-tune starts from --out's stroke model, as from artifacts/stroke/
        shutil.copytree(stroke_set, out / stroke_set.name)
    command = train_command(args.model, stroke_file, out, args, extra)
    print(f"fine-tuning: {shlex.join(command)}", flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    code, seconds, lines = run_fine_tune(command, work / "train.log")
    model_path, refusal = fine_tuned_model(out, code, lines)
    if refusal:
        print(
            f"note: the never-worse gate refused the fine-tuned model ({refusal}); measured the set it put aside, which --force would have swapped in"
        )
    return {
        "command": shlex.join(command),
        "seconds": round(seconds, 1),
        "exit_code": code,
        "gate_refused": refusal,
        "load_average_at_start": load,
        "render_log": [line for line in lines if re.match(r"(pen-training|pen-held-out|drawings): ", line)],
        "model": model_path,
    }


def person_record(
    args: argparse.Namespace, digits: list[DrawnDigit], writer: str, lesson: dict, run: dict, rows: dict, readings: dict
) -> dict:
    """Print one person's table -> their part of the JSON document."""
    writer_positions = [index for index, digit in enumerate(digits) if digit.writer == writer]
    used = [{"index": writer_positions.index(index), "label": digits[index].label} for index in lesson["taught"]]
    per_label = np.bincount([item["label"] for item in used], minlength=10).tolist()
    print()
    print(
        f"{writer}: fine-tuned on {len(used)} of their {len(writer_positions)} digits (per label 0-9: {per_label}) in {run['seconds']:.0f}s;"
        f" {len(lesson['measured'])} measured"
    )
    print("\n".join(table(rows, writer, len(used))))
    print(
        "fixed: wrong before, right after; broken: right before, wrong after; p: two-sided sign test on those changes"
    )
    for name in ("writer_other_digits", "other_writers", "mnist_test"):
        print(f"{name}: {trades(rows[name])}")
    for reading, reading_rows in readings.items():
        print(f"{reading}:" if reading_rows else f"{reading}: no stroke model in the fine-tuned set")
        if reading_rows:
            print("\n".join(table(reading_rows, writer, len(used))[1:]))
    return {
        "writer": writer,
        "writer_picked": "given" if args.writer else "least accurate",
        "digits_used": used,
        "digits_used_per_label": per_label,
        "digits_measured": len(lesson["measured"]),
        "seconds": run["seconds"],
        "fine_tune": {
            **{key: value for key, value in run.items() if key != "model"},
            "model_sha256": sha256_of(run["model"]),
        },
        "sets": rows,
        "readings": readings,
    }


def document(
    args: argparse.Namespace, argv: list[str], shipped: tuple[Path, str], per_writer: dict, people: list[dict]
) -> dict:
    """Print the verdicts over all people -> the JSON document."""
    print()
    checks = verdicts(people, os.cpu_count())
    for check in checks.values():
        mark = {True: "met", False: "NOT met", None: "n/a"}[check["met"]]
        print(f"{mark:>8}  {check['says']}")
    return {
        "what": "fine-tune the shipped model on some of each person's digits (held-out writers, one fine-tune each); measure that person's other digits, the other held-out writers and MNIST test",
        "bench_command": shlex.join(["python", "-m", "bench.fine_tune", *argv]),
        "machine": machine_record(),
        "model": str(shipped[0]),
        "model_sha256": shipped[1],
        "stroke_model": "trained on the training writers alone, as the shipped run's weight chooser (stranger_set)"
        if stroke_model_path(args.model).is_file()
        else None,
        "accuracy_before_per_writer": per_writer,
        "digits_per_writer_measured": args.per_writer,
        "placements": list(held_out_writers.PLACEMENTS),
        "digits_used_are": "index: position among the writer's digits in the UCI file's order; label: the digit",
        "choice": args.choice,
        "seed": args.seed,
        "people": people,
        "targets": TARGETS,
        "verdicts": checks,
    }


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args, extra = parse(argv)
    from digit_data.mnist import DataError
    from mnist_draw.inference import ModelError

    model_sha256 = sha256_of(args.model)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-fine-tune-"))
    shipped_model = args.model
    try:
        args.model = stranger_set(shipped_model, work / "start", args.pen_data, args.stroke_epochs)
        digits, grid, (test_images, test_labels), before = measure_before(args)
        per_writer = accuracy_per_writer(grid, before)
        writers = pick_writers(per_writer, args.writer, args.people)
        picked = "given" if args.writer else "least accurate"
        print(f"the people: {', '.join(f'{writer} ({per_writer[writer]:.2%})' for writer in writers)}, {picked}")
        people = []
        misread = misread_digits(grid, before)
        for writer in writers:
            lesson = lesson_for(args, digits, writer, misread)
            run = fine_tune(args, extra, work / writer, [digits[index] for index in lesson["taught"]], writer)
            after = read_grid(run["model"], grid, digits, test_images)
            rows = all_comparisons(grid, writer, lesson, before, after, test_labels)
            readings = reading_comparisons(grid, writer, lesson, before, after)
            people.append(person_record(args, digits, writer, lesson, run, rows, readings))
        results = document(args, argv, (shipped_model, model_sha256), per_writer, people)
    except (PenDataError, DataError, ModelError, ValueError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    write_json_atomically(args.out, results)
    print(f"wrote {args.out}" + (f"; kept {work}" if args.keep else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
