"""Held-out pen writers, cross-validated, in Python and drawn into the real page, in one run.

    uv run python -m bench.stroke_cv_page                                          # 5 folds, ~25 min on 2 cores
    uv run python -m bench.stroke_cv_page --epochs 1 --page-digits-per-writer 2    # a quick trial

bench/stroke_cv.py's writer-disjoint cross-validation (5 folds of 6 writers, each fold's stroke model
trained on the other 24, w chosen on a validation fold among them) at the shipped recipe's stroke
settings (train/recipes/shipped.toml's stroke stage). After each fold its stroke model and w are
exported beside the MNIST-only image CNN, which never saw a pen writer, with export's own functions
(export/convert.py once for the image model, export/stroke.py per fold), and --page-digits-per-writer
digits of each of the fold's writers are drawn with the mouse into the real page serving that export
(bench/handwriting.py), reading back the page's answer and what each model thought. A digit is drawn
at the placement Python rendered it with (mnist_draw.held_out_writers.PLACEMENTS, in turn over all
digits), so the page and Python read the same drawing.

Reports the image CNN alone, the stroke model alone and fused: in Python on all digits and on the
drawn ones, in the page on the drawn ones; pooled, per fold (mean and std), per writer, worst writer;
and how often the page's answer is Python's for the same digit. Prints them and writes
bench/results/stroke_cv_page.json (commit, date, machine).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import stroke_cv
from bench.handwriting import as_digit, page_readings
from bench.machine import machine_record
from browser.chromium import launch
from mnist_draw.atomic import write_json_atomically
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import METRICS_FILENAME, MODEL_FILENAME, PROJECT_ROOT, STROKE_DIR_NAME, STROKE_MODEL_FILENAME
from mnist_draw.held_out_writers import PLACEMENTS

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "stroke_cv_page.json"
VARIANT = "n32_aug"  # bench/stroke_cv.py's variant with the shipped features and augmentation
PARTS = ("image", "stroke", "fused")
SOURCES = {"python_all": "Python, all digits", "python_drawn": "Python, drawn digits", "page": "page, drawn digits"}
SHORT = {"python_all": "Py all", "python_drawn": "Py drawn", "page": "page"}  # the per-fold table's columns
DIGITS_PER_WRITER = 25  # 750 drawings: the page part took 15 minutes on 2 shared cores (2026-12-05)


def recipe_stroke_config(epochs: int | None = None):
    """The shipped recipe's stroke model settings (train/recipes/shipped.toml), epochs replaced if given."""
    from train import recipe

    stage = next(stage for stage in recipe.load(recipe.SHIPPED) if stage.model == recipe.STROKE)
    config = stage.config.model
    return config if epochs is None else dataclasses.replace(config, epochs=epochs)


def drawn_sample(writers: np.ndarray, fold: int, per_writer: int) -> list[int]:
    """Indices of `per_writer` digits of each of the fold's writers, spread evenly over that writer's digits."""
    chosen = []
    for writer in sorted({w for w in writers if stroke_cv.fold_of(w) == fold}, key=stroke_cv.writer_number):
        own = np.flatnonzero(writers == writer)
        if not 0 < per_writer <= len(own):
            raise ValueError(f"{writer} has {len(own)} digits: cannot draw {per_writer} of them")
        chosen += [int(own[int(step * len(own) / per_writer)]) for step in range(per_writer)]
    return chosen


def placement_of(index: int) -> str:
    """The PLACEMENTS name digit `index` was rendered with in Python (stroke_cv.image_probabilities: in turn)."""
    names = list(PLACEMENTS)
    return names[index % len(names)]


def export_image_model(folder: Path, log) -> Path:
    """The MNIST-only CNN exported as `python -m export` does it, alone (no stroke set beside it) -> its folder."""
    from export.convert import convert

    source = folder / "image"
    source.mkdir(parents=True)
    for name in (MODEL_FILENAME, METRICS_FILENAME):
        if (stroke_cv.MNIST_ONLY_MODEL.parent / name).is_file():
            shutil.copy2(stroke_cv.MNIST_ONLY_MODEL.parent / name, source / name)
    convert(source / MODEL_FILENAME, folder / "image-web", folder / "saved_model", log=log)
    return folder / "image-web"


def export_fold(image_web: Path, model, weight: float, folder: Path, log) -> tuple[Path, dict]:
    """The image export plus this fold's stroke model and w, as `python -m export` writes them -> (folder, its "stroke" entry)."""
    from export.check import read_model_json, weight_files
    from export.convert import METADATA_FILENAME
    from export.stroke import export_stroke_model
    from mnist_draw.checksums import sha256_of

    stroke_set = folder / "stroke-set"
    stroke_set.mkdir(parents=True)
    model.save(stroke_set / STROKE_MODEL_FILENAME)
    (stroke_set / METRICS_FILENAME).write_text(json.dumps({"stroke_weight": weight}))
    web = folder / "web"
    shutil.copytree(image_web, web)
    entry = export_stroke_model(stroke_set / STROKE_MODEL_FILENAME, web, log)
    metadata = json.loads((web / METADATA_FILENAME).read_text())
    metadata["stroke"] = entry
    for shard in weight_files(read_model_json(web / STROKE_DIR_NAME)):  # the page checks every weight file
        metadata["weights_sha256"][f"{STROKE_DIR_NAME}/{shard}"] = sha256_of(web / STROKE_DIR_NAME / shard)
    (web / METADATA_FILENAME).write_text(json.dumps(metadata, indent=2) + "\n")
    return web, entry


def answers_report(predicted: np.ndarray, labels: np.ndarray, writers: np.ndarray, folds: np.ndarray) -> dict:
    """Answers (-1: none) -> accuracy, errors, per fold (and mean, std), per writer and the worst writer."""
    correct = np.asarray(predicted) == labels
    per_fold = {int(fold): round(float(correct[folds == fold].mean()), 5) for fold in sorted(set(folds.tolist()))}
    per_writer = {
        str(writer): round(float(correct[writers == writer].mean()), 5)
        for writer in sorted(set(writers.tolist()), key=stroke_cv.writer_number)
    }
    worst = min(per_writer, key=per_writer.get)
    return {
        "accuracy": round(float(correct.mean()), 5),
        "errors": int((~correct).sum()),
        "digits": int(len(correct)),
        "per_fold": per_fold,
        "fold_mean": round(float(np.mean(list(per_fold.values()))), 5),
        "fold_std": round(float(np.std(list(per_fold.values()))), 5),
        "per_writer": per_writer,
        "worst_writer": {"writer": worst, "accuracy": per_writer[worst]},
    }


def agreement(first: np.ndarray, second: np.ndarray, folds: np.ndarray) -> dict:
    """How often two readings of the same digits give the same answer, pooled and per fold."""
    same = np.asarray(first) == np.asarray(second)
    per_fold = {int(fold): round(float(same[folds == fold].mean()), 5) for fold in sorted(set(folds.tolist()))}
    return {"share": round(float(same.mean()), 5), "differ": int((~same).sum()), "per_fold": per_fold}


def python_answers(images: np.ndarray, stroke: np.ndarray, folds: np.ndarray, weights: dict[int, float]) -> dict:
    """Each digit's answer (N,) per part: the image CNN, the stroke model of its fold, fused with that fold's w."""
    fused = np.zeros_like(stroke)
    for fold, weight in weights.items():
        fused[folds == fold] = stroke_cv.fuse(stroke[folds == fold], images[folds == fold], weight)
    return {"image": images.argmax(1), "stroke": stroke.argmax(1), "fused": fused.argmax(1)}


def tool_version(command: list[str]) -> str | None:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip() or None
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.stroke_cv_page", description=__doc__.split("\n\n")[1], formatter_class=HelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=None, help="stroke-model epochs (default: the shipped recipe's)")
    parser.add_argument("--seed", type=int, default=1, help="seed of augmentation and weights (bench.stroke_cv's)")
    parser.add_argument(
        "--page-digits-per-writer",
        type=int,
        default=DIGITS_PER_WRITER,
        metavar="K",
        help="digits of each held-out writer drawn into the page (30 writers, about 1.2 s a digit on 2 cores)",
    )
    parser.add_argument(
        "--pen-data", metavar="DIR", default=None, help="folder with the UCI pen digits (also $PENDIGITS_DATA_DIR)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, help="JSON results file")
    args = parser.parse_args(argv)
    digits = stroke_cv.cross_validation_digits(parser, args.pen_data)
    if digits is None:
        return 1
    started, commit = time.perf_counter(), stroke_cv.commit()  # the code this run started from
    labels = np.array([digit.label for digit in digits])
    writers = np.array([digit.writer for digit in digits])
    folds = np.array([stroke_cv.fold_of(writer) for writer in writers])
    samples = {fold: drawn_sample(writers, fold, args.page_digits_per_writer) for fold in range(stroke_cv.FOLDS)}
    config = recipe_stroke_config(args.epochs)
    images = stroke_cv.image_probabilities(
        digits, {"mnist_only": stroke_cv.MNIST_ONLY_MODEL, "shipped": stroke_cv.SHIPPED_MODEL}
    )
    from playwright.sync_api import sync_playwright

    page_runs: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="stroke-cv-page-") as scratch, sync_playwright() as playwright:
        browser = launch(playwright)
        image_web = export_image_model(Path(scratch), lambda line: print(f"  export: {line}", flush=True))

        def draw_fold(fold: int, model, weight: float) -> None:
            fold_started = time.perf_counter()
            web, entry = export_fold(
                image_web, model, weight, Path(scratch) / f"fold{fold}", lambda line: print(f"  export: {line}")
            )
            jobs = [(digits[index], placement_of(index)) for index in samples[fold]]
            print(f"fold {fold}: drawing {len(jobs)} digits into the page (w={weight:.2f})", flush=True)
            drawing_started = time.perf_counter()
            answers, parts = page_readings(browser, web, jobs, progress_every=50)
            page_runs[fold] = {
                "answers": answers,
                "parts": parts,
                "stroke_export": {key: entry[key] for key in ("weights", "bytes", "parameters")},
                "export_seconds": round(drawing_started - fold_started, 1),
                "page_seconds": round(time.perf_counter() - drawing_started, 1),
            }
            shutil.rmtree(Path(scratch) / f"fold{fold}", ignore_errors=True)

        cross_validation, probabilities = stroke_cv.run_variant(
            VARIANT, digits, labels, writers, images, config, args.seed, print, after_fold=draw_fold
        )
        chromium = browser.version
        browser.close()
    weights = {entry["fold"]: entry["weight"] for entry in cross_validation["folds"]}
    python = python_answers(images["mnist_only"], probabilities["stroke"], folds, weights)
    document = {
        "what": "held-out pen writers, 5 writer-disjoint folds: image CNN (MNIST-only), stroke model and fused, "
        "in Python and drawn with the mouse into the real page",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "command": " ".join(["python -m bench.stroke_cv_page", *(sys.argv[1:] if argv is None else argv)]),
        "config": {**dataclasses.asdict(config), "seed": args.seed, "variant": VARIANT, "recipe": "shipped"},
        "page_digits_per_writer": args.page_digits_per_writer,
        **results(labels, writers, folds, weights, samples, python, page_runs),
    }
    document.update(
        {
            "seconds": round(time.perf_counter() - started),
            "machine": {
                **machine_record(node=tool_version(["node", "--version"]), chromium=chromium),
                "note": "2 shared CPU cores",
            },
            "cross_validation": cross_validation,
        }
    )
    write_json_atomically(args.out, document)
    print_summary(document)
    print(f"wrote {args.out} ({document['seconds']} s)")
    return 0


def results(labels, writers, folds, weights: dict, samples: dict, python: dict, page_runs: dict) -> dict:
    """Every digit's answers (Python's, all digits; the page's, drawn ones) -> the results file's numbers."""
    drawn = np.array([index for fold in sorted(samples) for index in samples[fold]])
    page = {part: [] for part in PARTS}
    for fold in sorted(samples):
        page["fused"] += page_runs[fold]["answers"]
        page["image"] += [as_digit(image) for image, _ in page_runs[fold]["parts"]]
        page["stroke"] += [as_digit(stroke) for _, stroke in page_runs[fold]["parts"]]
    page = {part: np.array(answers) for part, answers in page.items()}
    truth, who, where = labels[drawn], writers[drawn], folds[drawn]
    return {
        "folds": [
            {
                "fold": fold,
                "test_writers": sorted({stroke_cv.writer_number(w) for w in writers[folds == fold]}),
                "weight": weights[fold],
                "drawn": len(samples[fold]),
                "stroke_export": page_runs[fold]["stroke_export"],
                "export_seconds": page_runs[fold]["export_seconds"],
                "page_seconds": page_runs[fold]["page_seconds"],  # building and serving the page, drawing
            }
            for fold in sorted(samples)
        ],
        "python_all": {part: answers_report(python[part], labels, writers, folds) for part in PARTS},
        "python_drawn": {part: answers_report(python[part][drawn], truth, who, where) for part in PARTS},
        "page": {part: answers_report(page[part], truth, who, where) for part in PARTS},
        "page_equals_python": {part: agreement(page[part], python[part][drawn], where) for part in PARTS},
        "drawn": {
            "columns": ["index", "writer", "label", "placement"]
            + [f"{source}_{part}" for source in ("python", "page") for part in PARTS],
            "rows": [
                [int(index), str(writers[index]), int(labels[index]), placement_of(int(index))]
                + [int(python[part][index]) for part in PARTS]
                + [int(page[part][row]) for part in PARTS]
                for row, index in enumerate(drawn)
            ],
        },
    }


def print_summary(document: dict) -> None:
    """The table: each source's three readings pooled, fold mean and std, worst writer; then per fold; then agreement."""
    names = {"image": "image CNN alone", "stroke": "stroke model alone", "fused": "fused"}
    print(f"{'':<42}{'accuracy':>9}{'errors':>12}{'folds mean ± std':>20}  worst writer")
    for source, title in SOURCES.items():
        for part in PARTS:
            result = document[source][part]
            worst = result["worst_writer"]
            print(
                f"{title + ': ' + names[part]:<42}{result['accuracy']:>9.2%}{result['errors']:>6}/{result['digits']:<5}"
                f"{result['fold_mean']:>11.2%} ± {result['fold_std']:.2%}  {worst['accuracy']:.1%} ({worst['writer']})"
            )
    print(
        f"\n{'fold':<6}{'w':>5}" + "".join(f"{SHORT[source] + ' ' + part:>16}" for source in SOURCES for part in PARTS)
    )
    for entry in document["folds"]:
        fold = entry["fold"]
        cells = "".join(f"{document[source][part]['per_fold'][fold]:>16.2%}" for source in SOURCES for part in PARTS)
        print(f"{fold:<6}{entry['weight']:>5.2f}{cells}")
    print("\nthe page's answer = Python's for the same drawn digit:")
    for part in PARTS:
        same = document["page_equals_python"][part]
        folds = ", ".join(f"{share:.1%}" for share in same["per_fold"].values())
        print(f"  {names[part]:<20}{same['share']:>8.2%} ({same['differ']} differ; folds {folds})")


if __name__ == "__main__":
    sys.exit(main())
