"""Benchmark what people judge the demo by: real handwriting drawn into the page, held-out writers.

    uv run python -m bench.handwriting                              # every held-out digit, web/model
    uv run python -m bench.handwriting --all-placements             # each digit at all three placements
    uv run python -m bench.handwriting --baseline-dir /tmp/mnist-only-export   # and another export, same run

Every digit of the six held-out pen writers (never trained on) is drawn stroke by stroke with
Playwright's mouse into the real page in headless Chromium (browser/handwriting.py), at the
placements of mnist_draw.held_out_writers.PLACEMENTS in turn (or all three), and the page's answer is read
from the screen; with a stroke model in the export, also what the image model and the stroke
model each read, so the three are measured on the same drawings. With --baseline-dir a second export (say, the MNIST-only model) is measured on
the same drawings in the same run.
Prints the numbers and writes bench/results/handwriting.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from bench.machine import machine_record
from browser.chromium import launch
from browser.handwriting import read_page_answer
from browser.static_page import READY, static_server
from digit_data.pendigits import PenDataError, load_pendigits
from mnist_draw.atomic import write_json_atomically
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import PROJECT_ROOT, WEB_MODEL_DIR
from mnist_draw.held_out_writers import PLACEMENTS, drawn_accuracy, held_out

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "handwriting.json"
MODEL_PARTS = '[data-testid="model-parts"]'  # what each model thought: data-image-digit, data-stroke-digit
TARGETS = {"accuracy": 0.99, "worst_writer": 0.97}


def drawing_jobs(digits, all_placements: bool) -> list[tuple]:
    """(digit, placement name) pairs: every digit once with the placements in turn, or at each of them."""
    names = list(PLACEMENTS)
    if all_placements:
        return [(digit, name) for name in names for digit in digits]
    return [(digit, names[index % len(names)]) for index, digit in enumerate(digits)]


def as_digit(text: str | None) -> int:
    return int(text) if text and text.isdigit() else -1


def accuracy_report(jobs: list[tuple], answers: list[int]) -> dict:
    """The digits the page showed for `jobs` (-1: none) -> drawn_accuracy's report."""
    labels = np.array([digit.label for digit, _ in jobs])
    # One-hot "probabilities" of the shown answers; a blank answer counts as wrong for every class.
    shown = np.zeros((len(jobs), 10))
    for row, answer in enumerate(answers):
        if answer >= 0:
            shown[row, answer] = 1.0
    report = drawn_accuracy(labels, shown, [digit.writer for digit, _ in jobs], [name for _, name in jobs])
    report["blank_answers"] = int(sum(answer < 0 for answer in answers))
    return report


def page_readings(browser, model_dir: Path, jobs: list[tuple], progress_every: int = 250) -> tuple[list, list]:
    """Draw every job into the page serving `model_dir` -> (the digit the page showed for each, -1: none;
    and each [image, stroke] digit of its "what each model thought" line, None where the export has no
    stroke model)."""
    answers, parts = [], []
    with static_server(model_dir) as url:
        context = browser.new_context(viewport={"width": 1000, "height": 900})
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(READY, timeout=60_000)
        for count, (digit, name) in enumerate(jobs, start=1):
            answers.append(as_digit(read_page_answer(page, digit, PLACEMENTS[name])))
            parts.append(page.locator(MODEL_PARTS).evaluate("e => [e.dataset.imageDigit, e.dataset.strokeDigit]"))
            if count % progress_every == 0:
                print(
                    f"  {count}/{len(jobs)} drawn, {np.mean([a == d.label for a, (d, _) in zip(answers, jobs)]):.2%} right so far",
                    flush=True,
                )
        context.close()
    return answers, parts


def measure_page(browser, model_dir: Path, jobs: list[tuple]) -> dict:
    """Draw every job into the page serving `model_dir` -> drawn_accuracy report of the answers, timing,
    and, when the export has a stroke model, the reports of each part's own reading ("image_alone",
    "stroke_alone", from the page's "what each model thought" line) of the same drawings."""
    started = time.perf_counter()
    answers, parts = page_readings(browser, model_dir, jobs)
    report = accuracy_report(jobs, answers)
    if any(stroke is not None for _, stroke in parts):
        report["image_alone"] = accuracy_report(jobs, [as_digit(image) for image, _ in parts])
        report["stroke_alone"] = accuracy_report(jobs, [as_digit(stroke) for _, stroke in parts])
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def summary_line(name: str, report: dict) -> str:
    worst = report["worst_writer"]
    return f"{name:<10}{report['accuracy']:>9.2%}{report['errors']:>8}{worst['accuracy']:>13.2%} ({worst['writer']})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.handwriting", description=__doc__.split("\n\n")[1], formatter_class=HelpFormatter
    )
    parser.add_argument("--model-dir", type=Path, default=WEB_MODEL_DIR, help="exported model folder the page serves")
    parser.add_argument(
        "--baseline-dir", type=Path, default=None, help="a second export measured on the same drawings in the same run"
    )
    parser.add_argument(
        "--pen-data", metavar="DIR", default=None, help="folder with the UCI pen digits (also $PENDIGITS_DATA_DIR)"
    )
    parser.add_argument(
        "--all-placements", action="store_true", help="draw every digit at all three placements (3x the time)"
    )
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="only the first N drawings, for a quick look"
    )
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, help="JSON results file")
    args = parser.parse_args(argv)
    for model_dir in filter(None, [args.model_dir, args.baseline_dir]):
        if not (model_dir / "metadata.json").is_file():
            parser.error(f"no exported model in {model_dir}: run `python -m export`")
    try:
        digits = held_out(load_pendigits(args.pen_data))
    except PenDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    jobs = drawing_jobs(digits, args.all_placements)[: args.limit]
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = launch(playwright)
        chromium = browser.version
        for name, model_dir in (("model", args.model_dir), ("baseline", args.baseline_dir)):
            if model_dir is not None:
                print(f"{name}: drawing {len(jobs)} held-out digits into the page serving {model_dir}", flush=True)
                results[name] = measure_page(browser, model_dir, jobs)
                results[name]["model_sha256"] = json.loads((model_dir / "metadata.json").read_text()).get(
                    "source_model_sha256"
                )
        browser.close()
    print(f"{'':<10}{'accuracy':>9}{'errors':>8}{'worst writer':>13}")
    for name, report in results.items():
        print(summary_line(name, report))
        for part in ("image_alone", "stroke_alone"):
            if part in report:
                print(summary_line(f"  {part.split('_')[0]}", report[part]))
    document = {
        "what": "held-out pen writers' digits drawn with the mouse into the page, the page's answers",
        "drawings": len(jobs),
        "writers": sorted({digit.writer for digit, _ in jobs}),
        "all_placements": args.all_placements,
        "targets": TARGETS,
        "machine": machine_record(chromium=chromium),
        **results,
    }
    write_json_atomically(args.out, document)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
