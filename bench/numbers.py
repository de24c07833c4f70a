"""Number mode and "not a digit", end to end: Python, the real page and the Streamlit app, in one run.

    uv run python -m bench.numbers                 # 1,000 numbers in Python; 100 + 30 in the page, 10 in the app (~15 min)
    uv run python -m bench.numbers --quick         # a smoke run of every part, tiny counts; prints, writes only with --out

Written numbers of 2-8 digits are composed from the 6 held-out pen writers' own digits (never
trained on; digit_data/numbers.py compose_numbers, mnist_draw/held_out_writers.py), and read by
three readers, each reported on its own and side by side:
  1. Python: mnist_draw/number_reading.py read_number on every composed number, and
     mnist_draw/stroke_inference.read_digit on single drawings (digit mode);
  2. the real page in headless Chromium (index.html?mode=number, its 840 x 280 canvas), every
     stroke drawn with the mouse; the latency from the last stroke's pointerup to the page
     showing the number is measured inside the page (an init script: the pointerup's
     performance.now(), a MutationObserver on [data-testid="number"]), no fixed sleeps;
  3. the Streamlit app in number mode, a few numbers: its "Number" metric against Python's reading.
Measured: numbers read exactly and digits read (in order, an extra or a missing group counting
as wrong), by length and overall; held-out digits wrongly called "not a digit" ("?") when drawn
alone as digit mode reads them; and "unseen" made-up non-digits (digit_data/non_digits.py, the
crammed ones from the held-out writers' digits) caught, overall and per family. The page and the
app read the first numbers of the Python set, so their agreement with Python is on the same drawings.
Targets: numbers exact >= 97%, digits >= 99.3%, digits refused <= 0.5%, non-digits caught >= 95%,
a 4-digit number shown within 20 ms of pen-up (median). Prints the table and writes
bench/results/numbers.json (commit, date, machine).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.machine import machine_record
from bench.stats import percentile
from browser.handwriting import set_page_pen, settled_page_answer
from browser.mouse import draw_canvas_strokes, draw_digit
from browser.static_page import CANVAS, PREDICTION, READY, static_server
from digit_data import non_digits
from digit_data.numbers import ComposeConfig, ComposedNumber, compose_numbers
from digit_data.pendigits import PenDataError, load_pendigits
from mnist_draw.atomic import write_json_atomically
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import CANVAS_SIZE, NOT_A_DIGIT_TEXT, PROJECT_ROOT, STROKE_WIDTH, WEB_MODEL_DIR
from mnist_draw.held_out_writers import PLACEMENTS, held_out
from mnist_draw.render import to_canvas

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "numbers.json"
TARGETS = {
    "numbers_exact": 0.97,  # at least
    "digits_read": 0.993,  # at least
    "digits_refused": 0.005,  # at most
    "non_digits_caught": 0.95,  # at least
    "four_digit_median_ms": 20.0,  # at most, in the page
    "first_visit_kb": 550,  # bench/web.py measures it; this benchmark adds nothing to the page
}
NUMBERS_SEED, FOUR_DIGIT_SEED, NON_DIGITS_SEED = 21, 22, 23
FULL = {  # the counts of a full run: Python reads all; the page and the app take the first of each set
    "numbers": 1000,
    "four_digit": 200,
    "non_digits": 1500,
    "digits": 1500,  # held-out digits read alone (the 6 writers have 1,499: all of them)
    "page_numbers": 100,
    "page_four_digit": 30,
    "page_digits": 50,
    "page_non_digits": 100,  # drawn alone in digit mode
    "page_non_digits_number": 20,  # drawn in number mode too: 2-3 s each (up to 800 mouse moves)
    "app_numbers": 10,
}
QUICK = {
    "numbers": 40,
    "four_digit": 10,
    "non_digits": 30,
    "digits": 60,
    "page_numbers": 4,
    "page_four_digit": 3,
    "page_digits": 4,
    "page_non_digits": 6,
    "page_non_digits_number": 3,
    "app_numbers": 2,
}
NUMBER = '[data-testid="number"]'
NUMBER_CANVAS = (3 * CANVAS_SIZE, CANVAS_SIZE)  # the page's number canvas, canvas pixels
# In the page before its own scripts: when the last pointerup came (capture phase on the window, so
# before the canvas's own handler asks for a reading) and every change of the number and of the
# digit-mode prediction after it, each with performance.now() and the text then shown.
TIMING_SCRIPT = """(() => {
  const times = { up: null, number: [], prediction: [] };
  window.benchTimes = times;
  addEventListener('pointerup', () => { times.up = performance.now(); times.number = []; times.prediction = []; }, true);
  const watch = () => {
    for (const [name, id] of [['number', 'number'], ['prediction', 'prediction']]) {
      const target = document.querySelector(`[data-testid="${id}"]`);
      if (target) new MutationObserver(() => times[name].push([performance.now(), target.textContent.trim()]))
        .observe(target, { childList: true, characterData: true, subtree: true });
    }
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watch); else watch();
})()"""
NUMBER_SETTLED = "selector => document.querySelector(selector).textContent !== '' && !window.mnistDemo.predicting()"
NON_DIGIT_SET = (
    "digit_data/non_digits.py make_non_digits(split='unseen'): templates of kinds never in the training split "
    "(other letters, shapes, scribbles, dots, lines), drawn by another hand (UNSEEN_HAND: wider pen-sample "
    "spacing, shake, wobble, slant, turn and another speed profile), and 'crammed' items of 2-3 digits of one "
    "held-out writer squeezed into one digit's box; canvas pixels of the 280 x 280 digit canvas"
)


# ---------------------------------------------------------------- scoring


def digits_matched(truth: str, read: str) -> int:
    """How many of `truth`'s digits `read` holds in order (longest common subsequence)."""
    row = [0] * (len(read) + 1)
    for char in truth:
        diagonal = 0
        for index, other in enumerate(read, start=1):
            diagonal, row[index] = row[index], diagonal + 1 if char == other else max(row[index], row[index - 1])
    return row[-1]


def numbers_report(truths: Sequence[str], reads: Sequence[str], grouped: Sequence[bool] | None = None) -> dict:
    """True numbers and what a reader showed (both strings, "?" for not a digit) -> the scores.

    exact: the share read exactly. digits_read: digits matched in order over the longer of truth and
    read per number, summed, so a digit split in two or two merged into one count against it.
    refused: "?" shown among the digits. grouped_right: the share whose groups were exactly the
    digits' strokes (where the reader says). by_length: the same per number length.
    """
    if len(truths) != len(reads):
        raise ValueError(f"{len(truths)} numbers but {len(reads)} readings")

    def scores(pairs: list[tuple[str, str, bool | None]]) -> dict:
        if not pairs:
            return {"numbers": 0, "exact": None, "digits": 0, "digits_read": None}
        matched = sum(digits_matched(truth, read) for truth, read, _ in pairs)
        slots = sum(max(len(truth), len(read)) for truth, read, _ in pairs)
        result = {
            "numbers": len(pairs),
            "exact": round(float(np.mean([truth == read for truth, read, _ in pairs])), 5),
            "digits": sum(len(truth) for truth, _, _ in pairs),
            "digits_read": round(matched / slots, 5),
            "refused": sum(read.count(NOT_A_DIGIT_TEXT) for _, read, _ in pairs),
            "wrong_length": sum(len(truth) != len(read) for truth, read, _ in pairs),
        }
        if all(flag is not None for _, _, flag in pairs):
            result["grouped_right"] = round(float(np.mean([flag for _, _, flag in pairs])), 5)
        return result

    pairs = list(zip(truths, reads, grouped if grouped is not None else [None] * len(truths), strict=True))
    return {
        **scores(pairs),
        "by_length": {
            str(length): scores([pair for pair in pairs if len(pair[0]) == length])
            for length in sorted({len(truth) for truth in truths})
        },
    }


def share_report(
    flags: Sequence[bool], families: Sequence[str] | None = None, kinds: Sequence[str] | None = None
) -> dict:
    """Booleans (a non-digit caught, a digit refused) -> {"items", "share", "count"}, per family and kind if given."""
    flags = np.asarray(flags, dtype=bool)
    result = {
        "items": int(len(flags)),
        "count": int(flags.sum()),
        "share": round(float(flags.mean()), 5) if len(flags) else None,
    }
    for name, labels in (("per_family", families), ("per_kind", kinds)):
        if labels is not None:
            labels = np.asarray(labels)
            result[name] = {
                label: {"items": int((labels == label).sum()), "share": round(float(flags[labels == label].mean()), 4)}
                for label in sorted(set(labels.tolist()))
            }
    return result


def latency_report(milliseconds: Sequence[float]) -> dict | None:
    """Latencies in ms -> {"count", "median_ms", "p95_ms", "max_ms"}; None for none."""
    if not milliseconds:
        return None
    return {
        "count": len(milliseconds),
        "median_ms": round(percentile(milliseconds, 0.5), 2),
        "p95_ms": round(percentile(milliseconds, 0.95), 2),
        "max_ms": round(max(milliseconds), 2),
    }


def agreement(first: Sequence[str], second: Sequence[str]) -> dict:
    """Two readers' answers to the same drawings -> {"items", "same", "share", "differ": [[i, a, b], ...]}."""
    differ = [[index, a, b] for index, (a, b) in enumerate(zip(first, second, strict=True)) if a != b]
    return {
        "items": len(first),
        "same": len(first) - len(differ),
        "share": round(1 - len(differ) / len(first), 5) if first else None,
        "differ": differ,
    }


def digit_text(digit: int | None) -> str:
    return NOT_A_DIGIT_TEXT if digit is None else str(digit)


def truth_of(number: ComposedNumber) -> str:
    return "".join(str(digit) for digit in number.digits)


# ---------------------------------------------------------------- the drawings


@dataclasses.dataclass(frozen=True)
class Drawings:
    """Everything the readers read, made once: composed numbers, held-out digits, unseen non-digits."""

    numbers: list[ComposedNumber]  # lengths 2-8, uniform
    four_digit: list[ComposedNumber]  # 4 digits each, for the page's latency in particular
    digits: list[tuple]  # (DrawnDigit, placement name): held-out digits spread over all, the placements in turn
    non_digits: list  # digit_data.non_digits.NonDigit, the unseen split


def make_drawings(pen_digits: Sequence, counts: dict) -> Drawings:
    """The held-out writers' numbers, digits and crammed non-digits, seeded."""
    held = held_out(pen_digits)
    names = list(PLACEMENTS)
    return Drawings(
        numbers=compose_numbers(held, counts["numbers"], NUMBERS_SEED),
        four_digit=compose_numbers(held, counts["four_digit"], FOUR_DIGIT_SEED, lengths=[4]),
        digits=[
            (held[index], names[turn % len(names)])
            for turn, index in enumerate(page_sample(len(held), min(counts["digits"], len(held)), 1))
        ],
        non_digits=non_digits.make_non_digits(
            counts["non_digits"], np.random.default_rng(NON_DIGITS_SEED), "unseen", held
        ),
    )


def page_sample(total: int, count: int, turns: int) -> list[int]:
    """`count` indices spread evenly over range(total), each moved on (at most turns - 1) so that
    index % turns takes turns: the drawings keep Python's placements, all of them in turn."""
    if count > total:
        raise ValueError(f"cannot take {count} of {total}")
    chosen = []
    for step in range(count):
        index = int(step * total / count)
        index += (step - index) % turns
        chosen.append(min(index, total - 1))
    return chosen


def digit_strokes(digit, placement: str) -> list[np.ndarray]:
    """A pen digit placed on the digit canvas as the page tests draw it -> canvas-pixel strokes."""
    return to_canvas(digit, PLACEMENTS[placement])


# ---------------------------------------------------------------- 1. Python


def load_readers():
    """The image model (artifacts/mnist.keras or $MNIST_MODEL_PATH) and the stroke set beside it."""
    from mnist_draw import inference
    from mnist_draw.stroke_inference import load_stroke_reader

    path = inference.model_path_from_env()
    return inference.load_model(path), load_stroke_reader(path), path


def read_alone(model, reader, strokes, pen_width: float = STROKE_WIDTH):
    """One drawing on the digit canvas (canvas pixels), read as digit mode reads it -> stroke_inference.Reading."""
    from mnist_draw.inference import predict_outputs
    from mnist_draw.preprocess import preprocess_ink
    from mnist_draw.render import render_canvas_strokes
    from mnist_draw.stroke_inference import read_digit

    image = preprocess_ink(render_canvas_strokes(strokes, pen_width))
    return read_digit(predict_outputs(model, image), reader, strokes)


def python_numbers(model, reader, numbers: Sequence[ComposedNumber]) -> tuple[list[str], list[bool], list[float]]:
    """read_number on each composed number -> (texts, grouped exactly right, ms per number)."""
    from mnist_draw.number_reading import read_number

    texts, grouped, times = [], [], []
    # Untimed first: one number of each length, so every batch size Keras traces is traced already.
    for length in sorted({len(number.digits) for number in numbers}):
        read_number(model, reader, next(n for n in numbers if len(n.digits) == length).strokes)
    for number in numbers:
        started = time.perf_counter()
        read = read_number(model, reader, number.strokes)
        times.append((time.perf_counter() - started) * 1000)
        texts.append(read.text)
        grouped.append([group.stroke_indices for group in read.groups] == list(number.groups))
    return texts, grouped, times


def run_python(model, reader, drawings: Drawings, log: Callable[[str], None]) -> dict:
    """Reader 1: every composed number, every held-out digit alone, every non-digit alone and as a number."""
    from mnist_draw.number_reading import read_number

    started = time.perf_counter()
    texts, grouped, times = python_numbers(model, reader, drawings.numbers)
    four_texts, four_grouped, four_times = python_numbers(model, reader, drawings.four_digit)
    log(f"  Python: {len(texts) + len(four_texts)} numbers read ({time.perf_counter() - started:.0f} s)")
    single = [
        read_alone(model, reader, digit_strokes(digit, name), PLACEMENTS[name].pen_width)
        for digit, name in drawings.digits
    ]
    refused = [reading.digit is None for reading in single]
    writers = [digit.writer for digit, _ in drawings.digits]
    log(f"  Python: {len(single)} held-out digits read alone ({time.perf_counter() - started:.0f} s)")
    alone = [read_alone(model, reader, item.strokes) for item in drawings.non_digits]
    as_number = [read_number(model, reader, item.strokes).text for item in drawings.non_digits]
    families = [item.family for item in drawings.non_digits]
    kinds = [f"{item.family}: {item.kind}" for item in drawings.non_digits]
    log(f"  Python: {len(alone)} non-digits read ({time.perf_counter() - started:.0f} s)")
    return {
        "numbers": numbers_report([truth_of(n) for n in drawings.numbers], texts, grouped),
        "four_digit": numbers_report([truth_of(n) for n in drawings.four_digit], four_texts, four_grouped),
        "read_ms": {"numbers": latency_report(times), "four_digit": latency_report(four_times)},
        "digits_alone": {
            "accuracy": round(float(np.mean([r.digit == d.label for r, (d, _) in zip(single, drawings.digits)])), 5),
            "refused": share_report(refused),
            "refused_per_writer": share_report(refused, writers)["per_family"],
            "p_not_a_digit_p99": round(float(np.quantile([r.not_a_digit for r in single], 0.99)), 4),
        },
        "non_digits_alone": share_report([r.digit is None for r in alone], families, kinds),
        # Drawn on the number canvas: a crammed item is rightly split into digits there, so this is
        # "shows a ?", not a target.
        "non_digits_as_number": {
            "some_group_refused": share_report([NOT_A_DIGIT_TEXT in text for text in as_number], families),
            "every_group_refused": share_report([set(text) == {NOT_A_DIGIT_TEXT} for text in as_number], families),
        },
        "answers": {
            "numbers": texts,
            "four_digit": four_texts,
            "digits_alone": [digit_text(r.digit) for r in single],
            "non_digits_alone": [digit_text(r.digit) for r in alone],
            "non_digits_as_number": as_number,
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


# ---------------------------------------------------------------- 2. the page


def open_page(browser, url: str):
    """A fresh context (nothing kept) on `url` with the timing script, the models ready -> (context, tab, errors)."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.add_init_script(TIMING_SCRIPT)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.goto(url)
    tab.wait_for_selector(READY, timeout=120_000)
    return context, tab, errors


def clear_page(tab, selector: str) -> None:
    """Escape clears the canvas (web/js/canvasControls.js); wait until `selector` is empty, then forget the timings."""
    tab.keyboard.press("Escape")
    tab.wait_for_function("selector => document.querySelector(selector).textContent.trim() === ''", arg=selector)
    tab.evaluate(
        "() => { window.benchTimes.up = null; window.benchTimes.number = []; window.benchTimes.prediction = []; }"
    )


def shown_after_pen_up(tab, name: str, settled: str) -> float | None:
    """ms from the last pointerup to the last change of the `name` element ("number", "prediction"),
    which must show `settled`; None if it did not change after the pointerup."""
    times = tab.evaluate("() => window.benchTimes")
    changes = times[name]
    if times["up"] is None or not changes:
        return None
    if changes[-1][1] != settled:  # never seen; counted with the numbers not shown after pen-up
        return None
    return changes[-1][0] - times["up"]


def page_number(tab, strokes) -> tuple[str, float | None]:
    """Draw a number on the number canvas -> (the number shown once settled, ms from pen-up to it)."""
    clear_page(tab, NUMBER)
    set_page_pen(tab, STROKE_WIDTH)
    draw_canvas_strokes(tab, CANVAS, strokes, *NUMBER_CANVAS)
    try:
        tab.wait_for_function(NUMBER_SETTLED, arg=NUMBER, timeout=30_000)
    except PlaywrightTimeout:  # nothing shown: a wrong answer, not the end of the run
        return "", None
    text = tab.locator(NUMBER).inner_text().strip()
    return text, shown_after_pen_up(tab, "number", text)


def page_alone(tab, draw: Callable[[], None]) -> tuple[str, float | None]:
    """Draw one drawing in digit mode -> (what [data-testid=prediction] shows once settled, ms from pen-up)."""
    clear_page(tab, PREDICTION)
    draw()
    try:
        text = settled_page_answer(tab)
    except PlaywrightTimeout:
        return "", None
    return text, shown_after_pen_up(tab, "prediction", text)


def run_page(browser, url: str, drawings: Drawings, counts: dict, log: Callable[[str], None]) -> dict:
    """Reader 2: numbers in number mode (latency too); held-out digits and non-digits in digit mode and
    the non-digits in number mode; every stroke drawn with the mouse."""
    started = time.perf_counter()
    numbers = drawings.numbers[: counts["page_numbers"]]
    four = drawings.four_digit[: counts["page_four_digit"]]
    items = drawings.non_digits[: counts["page_non_digits"]]
    digit_indices = page_sample(len(drawings.digits), counts["page_digits"], len(PLACEMENTS))
    digits = [drawings.digits[index] for index in digit_indices]
    context, tab, errors = open_page(browser, f"{url}?mode=number")
    backend = tab.evaluate("() => window.mnistDemo.backend")
    texts, times = [], []
    for index, number in enumerate([*numbers, *four], start=1):
        text, ms = page_number(tab, number.strokes)
        texts.append(text)
        times.append(ms)
        if index % 20 == 0:
            log(f"  page: {index}/{len(numbers) + len(four)} numbers drawn ({time.perf_counter() - started:.0f} s)")
    as_number = [page_number(tab, item.strokes)[0] for item in items[: counts["page_non_digits_number"]]]
    context.close()
    number_seconds = time.perf_counter() - started
    log(f"  page: number mode done ({number_seconds:.0f} s)")
    context, tab, digit_errors = open_page(browser, url)
    single, single_times = [], []
    for digit, name in digits:

        def draw_one(digit=digit, name=name) -> None:
            set_page_pen(tab, PLACEMENTS[name].pen_width)
            draw_digit(tab, CANVAS, digit, PLACEMENTS[name])

        text, ms = page_alone(tab, draw_one)
        single.append(text)
        single_times.append(ms)
    alone, alone_states = [], []
    for item in items:

        def draw_item(item=item) -> None:
            set_page_pen(tab, STROKE_WIDTH)
            draw_canvas_strokes(tab, CANVAS, item.strokes, CANVAS_SIZE, CANVAS_SIZE)

        alone.append(page_alone(tab, draw_item)[0])
        alone_states.append(tab.locator(PREDICTION).get_attribute("data-state"))
    context.close()
    families = [item.family for item in items]
    length_of = [len(number.digits) for number in [*numbers, *four]]
    four_times = [ms for ms, length in zip(times, length_of) if length == 4 and ms is not None]
    return {
        "backend": backend,
        "numbers": numbers_report([truth_of(n) for n in numbers], texts[: len(numbers)]),
        "four_digit": numbers_report([truth_of(n) for n in four], texts[len(numbers) :]),
        "latency": {
            "what": "ms from the last stroke's pointerup to the last change of [data-testid=number] (its settled text)",
            "all_numbers": latency_report([ms for ms in times if ms is not None]),
            "four_digit": latency_report(four_times),
            "by_length": {
                str(length): latency_report([ms for ms, n in zip(times, length_of) if n == length and ms is not None])
                for length in sorted(set(length_of))
            },
            "digit_mode": latency_report([ms for ms in single_times if ms is not None]),
            "not_shown_after_pen_up": sum(ms is None for ms in times),
        },
        "digits_alone": {
            "accuracy": round(float(np.mean([text == str(d.label) for text, (d, _) in zip(single, digits)])), 5)
            if digits
            else None,
            "refused": share_report([text == NOT_A_DIGIT_TEXT for text in single]),
            "indices": digit_indices,  # into Python's held-out digits, which it read at the same placements
        },
        "non_digits_alone": share_report([text == NOT_A_DIGIT_TEXT for text in alone], families),
        "non_digits_alone_state_not_a_digit": sum(
            (state == "not-a-digit") == (text == NOT_A_DIGIT_TEXT) for state, text in zip(alone_states, alone)
        ),
        "non_digits_as_number": {
            "some_group_refused": share_report(
                [NOT_A_DIGIT_TEXT in text for text in as_number], families[: len(as_number)]
            ),
        },
        "answers": {
            "numbers": texts[: len(numbers)],
            "four_digit": texts[len(numbers) :],
            "digits_alone": single,
            "digits_alone_drawn": [[d.writer, int(d.label), name] for d, name in digits],
            "non_digits_alone": alone,
            "non_digits_as_number": as_number,
        },
        "page_errors": errors + digit_errors,
        "seconds": {
            "number_mode": round(number_seconds, 1),
            "digit_mode": round(time.perf_counter() - started - number_seconds, 1),
        },
    }


# ---------------------------------------------------------------- 3. the app


def run_app(browser, numbers: Sequence[ComposedNumber], model_path: Path, log: Callable[[str], None]) -> dict:
    """Reader 3: `streamlit run streamlit_app.py` on the same model, its "Mode" switched to Number, each
    number drawn with the mouse on its 840 x 280 canvas and its "Number" metric read once the run that
    got every stroke is done (browser/app_driver.py); Clear between numbers."""
    import tempfile

    from playwright.sync_api import expect

    from browser import app_driver
    from mnist_draw.inference import MODEL_PATH_ENV
    from mnist_draw.kept_drawings import DRAWINGS_DIR_ENV

    started = time.perf_counter()
    texts = []
    with tempfile.TemporaryDirectory(prefix="bench-numbers-app-") as kept:
        env = {MODEL_PATH_ENV: str(model_path), DRAWINGS_DIR_ENV: kept}
        with app_driver.streamlit_server(env=env) as url:
            page = app_driver.open_app(browser, url)
            app_driver.choose_mode(page, "Number")
            for number in numbers:
                draw_canvas_strokes(page, app_driver.CANVAS, number.strokes, *app_driver.NUMBER_CANVAS)
                texts.append(app_driver.wait_for_number(page, strokes=len(number.strokes), timeout_ms=120_000))
                page.locator(app_driver.CLEAR_BUTTON).click()
                expect(app_driver.metric_value(app_driver.number_metric(page))).to_have_text("", timeout=60_000)
                # The answer's controls go when that run ends: until then a next number with as many
                # strokes would find them (app_driver.wait_for_number).
                page.locator('[class*="st-key-group-"]').first.wait_for(state="detached", timeout=60_000)
            page.close()
    log(f"  app: {len(numbers)} numbers drawn ({time.perf_counter() - started:.0f} s)")
    return {
        "numbers": numbers_report([truth_of(n) for n in numbers], texts),
        "answers": {"numbers": texts},
        "seconds": round(time.perf_counter() - started, 1),
    }


# ---------------------------------------------------------------- the run


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.strip()


def sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def models_record(image_path: Path, reader, export_at_start: str | None) -> dict:
    """Which models each reader used: the Python files' hashes and thresholds, the page export's, and
    whether the export's metadata.json changed while the run went on (`export_at_start`: its sha256 then)."""
    metadata_path = WEB_MODEL_DIR / "metadata.json"
    metadata = json.loads(metadata_path.read_text()) if metadata_path.is_file() else {}
    fusion = (metadata.get("stroke") or {}).get("fusion") or {}
    return {
        "python_image_model": {"path": str(image_path), "sha256": sha256(image_path)},
        "python_stroke_model": None
        if reader is None
        else {
            "path": str(reader.path),
            "sha256": sha256(reader.path),
            "stroke_weight": reader.stroke_weight,
            "not_a_digit_threshold": reader.not_a_digit_threshold,
            "parameters": int(reader.model.count_params()),
        },
        "page_export": {
            "folder": str(WEB_MODEL_DIR),
            "source_model_sha256": metadata.get("source_model_sha256"),
            "stroke_weight": fusion.get("stroke_weight"),
            "not_a_digit_threshold": fusion.get("not_a_digit_threshold"),
            "stroke_parameters": (metadata.get("stroke") or {}).get("parameters"),
            "stroke_model_commit": git("log", "-1", "--format=%h %cI", "--", "web/model/stroke"),
            "metadata_sha256": sha256(metadata_path),
            "changed_during_run": sha256(metadata_path) != export_at_start,
        },
    }


def targets_met(result: dict) -> dict:
    """One reader's results -> {target: met} for those it measured."""
    met = {}
    if result.get("numbers", {}).get("numbers"):
        met["numbers_exact"] = result["numbers"]["exact"] >= TARGETS["numbers_exact"]
        met["digits_read"] = result["numbers"]["digits_read"] >= TARGETS["digits_read"]
    refused = (result.get("digits_alone") or {}).get("refused") or {}
    if refused.get("items"):
        met["digits_refused"] = refused["share"] <= TARGETS["digits_refused"]
    caught = result.get("non_digits_alone") or {}
    if caught.get("items"):
        met["non_digits_caught"] = caught["share"] >= TARGETS["non_digits_caught"]
    four = (result.get("latency") or {}).get("four_digit")
    if four:
        met["four_digit_median_ms"] = four["median_ms"] <= TARGETS["four_digit_median_ms"]
    return met


def cell(value, kind: str = "share") -> str:
    if value is None:
        return "-"
    return f"{value:.2%}" if kind == "share" else f"{value:.1f}"


def print_table(document: dict) -> None:
    """Measures down, readers across, the target and Python's agreement at the end."""
    readers = [name for name in ("python", "page", "app") if name in document["readers"]]
    results = document["readers"]

    def get(result: dict, *keys):
        for key in keys:
            result = (result or {}).get(key)
        return result

    rows = [
        ("numbers read exactly", ("numbers", "exact"), "share", f">= {TARGETS['numbers_exact']:.0%}"),
        ("digits read", ("numbers", "digits_read"), "share", f">= {TARGETS['digits_read']:.1%}"),
        *(
            (f"  {length} digits exact", ("numbers", "by_length", str(length), "exact"), "share", "")
            for length in range(2, 9)
        ),
        ("numbers grouped right", ("numbers", "grouped_right"), "share", ""),
        ("4-digit set exact", ("four_digit", "exact"), "share", ""),
        ("digits alone read", ("digits_alone", "accuracy"), "share", ""),
        ("digits alone refused", ("digits_alone", "refused", "share"), "share", f"<= {TARGETS['digits_refused']:.1%}"),
        ("non-digits caught", ("non_digits_alone", "share"), "share", f">= {TARGETS['non_digits_caught']:.0%}"),
        *(
            (f"  {family}", ("non_digits_alone", "per_family", family, "share"), "share", "")
            for family in non_digits.FAMILIES
        ),
        ("non-digit as number: a ?", ("non_digits_as_number", "some_group_refused", "share"), "share", ""),
        (
            "4-digit pen-up -> shown p50 ms",
            ("latency", "four_digit", "median_ms"),
            "ms",
            f"<= {TARGETS['four_digit_median_ms']:.0f}",
        ),
        ("4-digit pen-up -> shown p95 ms", ("latency", "four_digit", "p95_ms"), "ms", ""),
        ("any number pen-up -> shown p50 ms", ("latency", "all_numbers", "median_ms"), "ms", ""),
        ("any number pen-up -> shown p95 ms", ("latency", "all_numbers", "p95_ms"), "ms", ""),
        ("digit mode pen-up -> shown p50 ms", ("latency", "digit_mode", "median_ms"), "ms", ""),
        ("Python read_number p50 ms", ("read_ms", "numbers", "median_ms"), "ms", ""),
    ]
    counts = {name: get(results[name], "numbers", "numbers") for name in readers}
    print(f"{'':<36}" + "".join(f"{name + ' (' + str(counts[name]) + ')':>16}" for name in readers) + f"{'target':>10}")
    for label, keys, kind, target in rows:
        values = [get(results[name], *keys) for name in readers]
        if all(value is None for value in values):
            continue
        print(f"{label:<36}" + "".join(f"{cell(value, kind):>16}" for value in values) + f"{target:>10}")
    stroke, export = document["models"]["python_stroke_model"] or {}, document["models"]["page_export"]
    print(
        f"models: Python's stroke set {stroke.get('parameters')} parameters, threshold "
        f"{stroke.get('not_a_digit_threshold')}; the page's export {export['stroke_parameters']} parameters, threshold "
        f"{export['not_a_digit_threshold']} ({export['stroke_model_commit']})"
        + ("; THE EXPORT CHANGED DURING THE RUN" if export["changed_during_run"] else "")
    )
    for name, same in document["agreement"].items():
        print(f"{name}: {same['same']}/{same['items']} the same ({cell(same['share'])})")
    for name, met in document["targets_met"].items():
        print(f"targets, {name}: " + ", ".join(f"{target} {'met' if ok else 'NOT met'}" for target, ok in met.items()))


def compare(results: dict) -> dict:
    """Each front end's answers against Python's on the same drawings."""
    python = results["python"]["answers"]
    pairs = {}
    for name in ("page", "app"):
        if name not in results:
            continue
        answers = results[name]["answers"]
        for key in ("numbers", "four_digit", "digits_alone", "non_digits_alone", "non_digits_as_number"):
            if answers.get(key):
                theirs = python[key][: len(answers[key])]
                if key == "digits_alone":  # the page drew a spread sample of them
                    theirs = [python[key][index] for index in results[name]["digits_alone"]["indices"]]
                pairs[f"{name} = python, {key.replace('_', ' ')}"] = agreement(answers[key], theirs)
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.numbers",
        description=__doc__.split("\n\n")[1],
        epilog="examples:\n" + __doc__.split("\n\n")[0],
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny counts in every part, a smoke run (writes only with --out)"
    )
    for key, value in FULL.items():
        parser.add_argument(
            f"--{key.replace('_', '-')}",
            type=int,
            default=None,
            metavar="N",
            help=f"{key.replace('_', ' ')} (default {value}; --quick {QUICK[key]}; 0 leaves that part out)",
        )
    parser.add_argument("--no-page", action="store_true", help="leave out the page (Chromium)")
    parser.add_argument("--no-app", action="store_true", help="leave out the Streamlit app")
    parser.add_argument(
        "--pen-data", metavar="DIR", default=None, help="folder with the UCI pen digits (also $PENDIGITS_DATA_DIR)"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help=f"JSON results file (default {RESULTS_PATH.relative_to(PROJECT_ROOT)})"
    )
    args = parser.parse_args(argv)
    counts = {
        key: getattr(args, key) if getattr(args, key) is not None else (QUICK if args.quick else FULL)[key]
        for key in FULL
    }
    if args.no_page:
        counts.update({key: 0 for key in counts if key.startswith("page")})
    if args.no_app:
        counts["app_numbers"] = 0
    if any(value < 0 for value in counts.values()):
        parser.error("counts must be at least 0")
    if counts["page_numbers"] > counts["numbers"] or counts["page_four_digit"] > counts["four_digit"]:
        parser.error(
            "the page draws the first numbers of Python's sets: --page-numbers <= --numbers, --page-four-digit <= --four-digit"
        )
    if (
        counts["page_non_digits"] > counts["non_digits"]
        or counts["app_numbers"] > counts["numbers"]
        or counts["page_digits"] > counts["digits"]
        or counts["page_non_digits_number"] > counts["page_non_digits"]
    ):
        parser.error(
            "the page and the app read Python's drawings: --page-non-digits <= --non-digits, --app-numbers <= --numbers, --page-digits <= --digits, --page-non-digits-number <= --page-non-digits"
        )
    out = args.out or (None if args.quick else RESULTS_PATH)
    try:
        pen_digits = load_pendigits(args.pen_data)
    except PenDataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    document = run(pen_digits, counts, print)
    document["command"] = " ".join(["python -m bench.numbers", *(sys.argv[1:] if argv is None else argv)])
    print_table(document)
    if out is not None:
        write_json_atomically(out, document)
        print(f"wrote {out} ({document['seconds']} s)")
    return 0


def run(pen_digits: Sequence, counts: dict, log: Callable[[str], None]) -> dict:
    """Make the drawings, run the readers `counts` asks for -> the results document."""
    started = time.perf_counter()
    commit, dirty = (
        git("rev-parse", "--short", "HEAD"),
        git(
            "status",
            "--porcelain",
            "--",
            "web",
            "mnist_draw",
            "artifacts",
            "digit_data",
            "browser",
            "app",
            "streamlit_app.py",
            "bench",
        ),
    )
    export_at_start = sha256(WEB_MODEL_DIR / "metadata.json")
    drawings = make_drawings(pen_digits, counts)
    log(
        f"drawings: {len(drawings.numbers)} + {len(drawings.four_digit)} numbers, {len(drawings.digits)} held-out digits, "
        f"{len(drawings.non_digits)} unseen non-digits"
    )
    model, reader, image_path = load_readers()
    results = {"python": run_python(model, reader, drawings, log)}
    chromium = None
    page_wanted = any(counts[key] for key in counts if key.startswith("page"))
    if page_wanted or counts["app_numbers"]:
        from playwright.sync_api import sync_playwright

        from browser.chromium import launch

        with contextlib.ExitStack() as stack:
            playwright = stack.enter_context(sync_playwright())
            browser = launch(playwright)
            chromium = browser.version
            if page_wanted:
                url = stack.enter_context(static_server(WEB_MODEL_DIR))
                results["page"] = run_page(browser, url, drawings, counts, log)
            if counts["app_numbers"]:
                try:
                    results["app"] = run_app(browser, drawings.numbers[: counts["app_numbers"]], image_path, log)
                except Exception as error:  # the app's part is a handful of numbers: keep the rest of the run
                    log(f"  app: failed: {str(error).splitlines()[0]}")
                    results["app"] = {"error": str(error).splitlines()[0], "answers": {}}
            browser.close()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() or None
    return {
        "what": "number mode and 'not a digit' end to end: held-out pen writers' composed numbers, digits and unseen "
        "non-digits read by Python, by the real page (mouse-drawn, headless Chromium) and by the Streamlit app",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "uncommitted": dirty.splitlines(),
        "settings": {
            "counts": counts,
            "seeds": {"numbers": NUMBERS_SEED, "four_digit": FOUR_DIGIT_SEED, "non_digits": NON_DIGITS_SEED},
            "compose": dataclasses.asdict(ComposeConfig()),
            "lengths": [2, 8],
            "pen_width": STROKE_WIDTH,
            "number_canvas": list(NUMBER_CANVAS),
            "digit_placements": "each held-out digit once, mnist_draw.held_out_writers.PLACEMENTS in turn",
            "non_digit_set": NON_DIGIT_SET,
            "digits_read_rule": "per number, digits matched in order (longest common subsequence) over the longer of "
            "truth and reading; summed over numbers",
        },
        "models": models_record(image_path, reader, export_at_start),
        "targets": TARGETS,
        "readers": results,
        "agreement": compare(results),
        "targets_met": {name: targets_met(result) for name, result in results.items()},
        "seconds": round(time.perf_counter() - started),
        "machine": {**machine_record(node=node, chromium=chromium), "note": "2 shared CPU cores"},
    }


if __name__ == "__main__":
    sys.exit(main())
