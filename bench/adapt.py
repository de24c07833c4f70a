"""Benchmark learning at once in the real page: does a person's own kept drawings help that person, at once?

    python -m bench.adapt                                  # the 3 worst held-out writers; about 13 minutes on 2 cores
    python -m bench.adapt --writer pendigits-20 --session 20 --measure 20 --others 10 --latency 0 50   # smoke run

The page `npm start` ships (built and served by browser/static_page.py) in headless Chromium; the
held-out pen writers (never trained on) stand in for people, their digits drawn with the real
mouse (browser/mouse.py), centred at the default pen. Per person, in a fresh browser (empty
IndexedDB):
1. Session: they draw the first half of their digits in order. A digit the page misreads (as it
   reads then, with what was kept so far) is corrected and kept, with the digit's key, as a
   person would; a right one is confirmed while fewer than 5 of its digit are kept, up to 50
   kept in all (bench/fine_tune.py's session, taken as it comes). After each Keep: the time until
   the page's answers learn from it (mnistDemo.keptLearned, polled from here, so an upper bound).
2. Measured: the second half of their digits, each drawn once and read twice, with the switch on
   (learning) and off (the plain models): errors before and after, fixed, broken.
3. Another writer's digits in this browser (--others of each other held-out writer's), the same way.
Then the latency: a fresh browser with 0, 50 and 500 kept drawings written into its IndexedDB
(held-out writers' digits), reloaded; one digit drawn, then mnistDemo.predictCanvas timed in the
page, and that digit kept: the time until the page learns from one more.
Writes bench/results/adapt.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.machine import machine_record
from browser import chromium
from browser.handwriting import read_page_answer, settled_page_answer
from browser.static_page import READY, static_server
from digit_data.pendigits import load_pendigits
from mnist_draw.atomic import write_json_atomically
from mnist_draw.config import CANVAS_SIZE, PROJECT_ROOT, WEB_MODEL_DIR
from mnist_draw.held_out_writers import PLACEMENTS, held_out
from mnist_draw.render import to_canvas

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "adapt.json"
SIMULATION_PATH = PROJECT_ROOT / "bench" / "results" / "adapt_simulation.json"
SWITCH = '[data-testid="adapt-switch"]'
CENTRED = PLACEMENTS["centred"]
PER_LABEL = 5  # confirmed right guesses per digit, as bench/fine_tune.py's even choice


def worst_writers(count: int) -> list[str]:
    """The held-out writers the shipped models read worst (bench/adapt_simulation.py measured them)."""
    errors = json.loads(SIMULATION_PATH.read_text())["held_out_shipped_fused"]["errors_on_all_their_digits"]
    return sorted(errors, key=lambda name: -errors[name])[:count]


def read_answer(page, digit) -> int:
    """Draw `digit` centred -> the page's answer (-1: none). The page scrolls as it grows (the
    kept drawings' list, the switch): the canvas is brought back to the top first."""
    page.evaluate("window.scrollTo(0, 0)")
    return as_digit(read_page_answer(page, digit, CENTRED))


def as_digit(text: str) -> int:
    return int(text) if text.isdigit() else -1


def new_page(browser, url):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    return context, page


def learned(page, count: int) -> None:
    page.wait_for_function("count => window.mnistDemo.keptLearned() === count", arg=count, timeout=30_000)


def session(page, digits, kept_limit: int) -> dict:
    """Steps 1: draw, correct or confirm, keep -> what was kept and how long each Keep took to count."""
    kept, corrected, seconds = [], 0, []
    per_label: dict[int, int] = {}
    for digit in digits:
        answer = read_answer(page, digit)
        wrong = answer != digit.label
        if len(kept) >= kept_limit or not (wrong or per_label.get(digit.label, 0) < PER_LABEL):
            continue
        started = time.perf_counter()
        page.keyboard.press(str(digit.label))  # keeps the drawing as that digit (web/js/teach.js)
        learned(page, len(kept) + 1)
        seconds.append(time.perf_counter() - started)
        kept.append(digit.label)
        per_label[digit.label] = per_label.get(digit.label, 0) + 1
        corrected += wrong
    return {
        "kept": len(kept),
        "corrected": corrected,
        "keep_to_adapted_seconds_median": round(statistics.median(seconds), 3) if seconds else None,
        "keep_to_adapted_seconds_max": round(max(seconds), 3) if seconds else None,
    }


def read_both(page, digit) -> tuple[int, int, bool]:
    """Draw once -> (the plain models' answer, the learning page's answer, whether it said "from your drawings")."""
    after = read_answer(page, digit)
    marked = page.locator('[data-testid="prediction"]').get_attribute("data-adapted") == "true"
    page.locator(SWITCH).uncheck()
    before = as_digit(settled_page_answer(page))
    page.locator(SWITCH).check()
    settled_page_answer(page)
    return before, after, marked


def measure(page, digits) -> dict:
    """Steps 2-3: errors before and after on `digits`, and the changed ones."""
    rows = [(digit.label, *read_both(page, digit)) for digit in digits]
    return {
        "digits": len(rows),
        "errors_before": sum(before != label for label, before, _, _ in rows),
        "errors_after": sum(after != label for label, _, after, _ in rows),
        "fixed": sum(before != label == after for label, before, after, _ in rows),
        "broken": sum(before == label != after for label, before, after, _ in rows),
        "marked_from_your_drawings": sum(marked for *_, marked in rows),
    }


def records(digits) -> list[dict]:
    """Pen digits as the page's kept-drawing records (web/js/strokes.js drawingRecord), centred."""
    return [
        {
            "label": digit.label,
            "writer": None,
            "canvas": {"width": CANVAS_SIZE, "height": CANVAS_SIZE},
            "drawn_at": "2026-12-05T00:00:00Z",
            "strokes": [stroke.round(2).tolist() for stroke in to_canvas(digit, CENTRED)],
        }
        for digit in digits
    ]


STORE_RECORDS = """async (records) => {
  const database = await new Promise((resolve, reject) => {
    const request = indexedDB.open('mnist-draw', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('drawings', { keyPath: 'id', autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const transaction = database.transaction('drawings', 'readwrite');
  for (const record of records) transaction.objectStore('drawings').add(record);
  await new Promise((resolve, reject) => { transaction.oncomplete = resolve; transaction.onerror = () => reject(transaction.error); });
  database.close();
}"""

TIME_PREDICTIONS = """async (count) => {
  const times = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await window.mnistDemo.predictCanvas();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(count / 2)], p90: times[Math.floor(count * 0.9)] };
}"""


def latency(browser, url, kept_digits, counts, predictions: int) -> dict:
    """Median time of one whole prediction (both models, the vote, the page) with each count of kept drawings."""
    result = {}
    for count in counts:
        context, page = new_page(browser, url)
        page.evaluate(STORE_RECORDS, records(kept_digits[:count]))
        page.reload()
        page.wait_for_selector(READY, timeout=60_000)
        learned(page, count)
        read_answer(page, kept_digits[0])
        timing = page.evaluate(TIME_PREDICTIONS, predictions)
        result[str(count)] = {key: round(value, 2) for key, value in timing.items()}
        started = time.perf_counter()
        page.keyboard.press(str(kept_digits[0].label))  # one more kept: how long until it counts
        learned(page, count + 1)
        result[str(count)]["keep_to_adapted_ms"] = round((time.perf_counter() - started) * 1000, 1)
        print(f"  {count} kept: {result[str(count)]}", flush=True)
        context.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.adapt", description=__doc__.split("\n\n")[0])
    parser.add_argument("--writer", action="append", help="a held-out writer to play (repeat); default: the 3 worst")
    parser.add_argument("--session", type=int, default=None, help="digits drawn in the session (default: half)")
    parser.add_argument("--measure", type=int, default=None, help="later digits measured (default: all)")
    parser.add_argument("--kept", type=int, default=50, help="most drawings kept per person")
    parser.add_argument("--others", type=int, default=10, help="digits of each other held-out writer measured")
    parser.add_argument("--latency", type=int, nargs="*", default=[0, 50, 500], help="kept drawings to time with")
    parser.add_argument("--predictions", type=int, default=50, help="predictions timed per count")
    parser.add_argument("--model-dir", type=Path, default=WEB_MODEL_DIR, help="the export the page serves")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, help="JSON results file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    digits = held_out(load_pendigits())
    writers = args.writer or worst_writers(3)
    people = {}
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, static_server(args.model_dir) as url:
        browser = chromium.launch(playwright)
        for writer in writers:
            theirs = [digit for digit in digits if digit.writer == writer]
            half = len(theirs) // 2
            others = [
                digit
                for other in sorted({digit.writer for digit in digits} - {writer})
                for digit in [digit for digit in digits if digit.writer == other][: args.others]
            ]
            context, page = new_page(browser, url)
            print(f"{writer}: session of {args.session or half} digits", flush=True)
            taught = session(page, theirs[: args.session or half], args.kept)
            later = measure(page, theirs[half:][: args.measure])
            strangers = measure(page, others)
            context.close()
            people[writer] = {"session": taught, "their_later_digits": later, "other_writers_digits": strangers}
            print(f"  {json.dumps(people[writer])}", flush=True)
        timing = latency(browser, url, digits, args.latency, args.predictions)
        chromium_version = browser.version
        browser.close()
    totals = {
        key: sum(person["their_later_digits"][key] for person in people.values())
        for key in ("errors_before", "errors_after", "fixed", "broken")
    }
    report = {
        "people": people,
        "their_later_digits_total": totals,
        "errors_gone_share": round(1 - totals["errors_after"] / totals["errors_before"], 3)
        if totals["errors_before"]
        else None,
        "prediction_ms_by_kept": timing,
        "args": {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()},
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine_record(chromium=chromium_version),
    }
    write_json_atomically(args.out, report)
    print(
        json.dumps(
            {key: report[key] for key in ("their_later_digits_total", "errors_gone_share", "prediction_ms_by_kept")}
        )
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
