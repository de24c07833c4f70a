"""Benchmark the Streamlit app: server-side prediction time, browser latency, concurrent sessions.

    uv run python -m bench.streamlit                       # shipped model, default counts
    uv run python -m bench.streamlit --runs 500 --drawings 30 --sessions 10

1. In-process: canvas RGBA (browser/digits.py's "7" rendered like the canvas by
   mnist_draw.render, 280x280) -> preprocess_canvas -> predict_probabilities, timed over --runs
   runs after a warm-up (what each rerun of the app spends on a drawing).
2. Browser: a real `streamlit run` and headless Chromium; a digit is drawn with the mouse,
   timed from mouse-up to the "Prediction" metric appearing; cleared and repeated --drawings times.
3. Concurrency: --sessions browser sessions (separate contexts, one server) draw at the same
   moment; each must show the right prediction with no exception element, and we report latencies.
Prints the numbers and writes bench/results/streamlit.json.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

import numpy as np

from bench.machine import machine_record
from bench.stats import summarise
from browser import chromium
from browser import streamlit_app as driver
from browser.digits import APP_CENTRED, APP_DIGITS
from browser.draw import draw_digit, draw_digit_async
from mnist_draw import inference
from mnist_draw.config import PROJECT_ROOT
from mnist_draw.files import write_json_atomically
from mnist_draw.preprocess import preprocess_canvas
from mnist_draw.render import render_rgba

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "streamlit.json"
DIGITS = ("1", "7", "0")


def drawn_canvas(digit: str) -> np.ndarray:
    """(CANVAS_SIZE, CANVAS_SIZE, 4) uint8: APP_DIGITS[digit] where the browser draws it, white on black, like the canvas sends."""
    return render_rgba(APP_DIGITS[digit], APP_CENTRED[digit])


def bench_server_side(model_path: Path, runs: int) -> dict:
    model = inference.load_model(model_path)
    canvas = drawn_canvas("7")
    for _ in range(10):  # warm-up: the first calls trace and allocate
        inference.predict_probabilities(model, preprocess_canvas(canvas))
    whole, preprocess_only, predict_only = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        image = preprocess_canvas(canvas)
        middle = time.perf_counter()
        probabilities = inference.predict_probabilities(model, image)
        end = time.perf_counter()
        whole.append((end - start) * 1000)
        preprocess_only.append((middle - start) * 1000)
        predict_only.append((end - middle) * 1000)
    return {
        "predicted": inference.top_prediction(probabilities).label,
        "preprocess_and_predict": summarise(whole),
        "preprocess": summarise(preprocess_only),
        "predict": summarise(predict_only),
    }


def bench_browser(browser, url: str, drawings: int) -> dict:
    page = driver.open_app(browser, url)
    latencies, wrong = [], []
    for index in range(drawings):
        digit = DIGITS[index % len(DIGITS)]
        if index:
            driver.clear(page)
        mouse_up = draw_digit(page, driver.CANVAS, APP_DIGITS[digit], APP_CENTRED[digit])
        shown = driver.wait_for_prediction(page)
        latencies.append((time.perf_counter() - mouse_up) * 1000)
        if shown != digit:
            wrong.append({"drawn": digit, "shown": shown})
    page.close()
    return {"mouse_up_to_metric": summarise(latencies), "wrong": wrong}


async def open_session(browser, url: str):
    """A fresh browser context (its own Streamlit session) on the app, canvas ready."""
    context = await browser.new_context(viewport=driver.VIEWPORT)
    page = await context.new_page()
    await page.goto(url, timeout=120_000)
    await page.locator(driver.CANVAS).wait_for(timeout=120_000)
    return context, page


async def draw_and_time(page, digit: str) -> dict:
    """Draw `digit` with the mouse and time mouse-up -> the "Prediction" metric."""
    try:
        mouse_up = await draw_digit_async(page, driver.CANVAS, APP_DIGITS[digit], APP_CENTRED[digit])
        metric = driver.prediction_metric(page)
        await metric.wait_for(timeout=120_000)
        latency = (time.perf_counter() - mouse_up) * 1000
        shown = (await driver.metric_value(metric).inner_text()).strip()
        exceptions = await page.locator(driver.EXCEPTION).count()
        return {
            "drawn": digit,
            "shown": shown,
            "latency_ms": round(latency, 1),
            "exceptions": exceptions,
            "error": None,
        }
    except Exception as error:  # a failed session is a result to report, not a crash of the benchmark
        return {
            "drawn": digit,
            "shown": None,
            "latency_ms": None,
            "exceptions": None,
            "error": f"{type(error).__name__}: {error}"[:300],
        }


async def bench_concurrent(url: str, sessions: int) -> dict:
    """Open the sessions one after another (2 cores cannot load 10 pages at once), then all draw together."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await chromium.launch(playwright)
        opened = [await open_session(browser, url) for _ in range(sessions)]
        digits = [DIGITS[index % len(DIGITS)] for index in range(sessions)]
        results = await asyncio.gather(*(draw_and_time(page, digit) for (_, page), digit in zip(opened, digits)))
        for context, _ in opened:
            await context.close()
        await browser.close()
    answered = [result for result in results if result["error"] is None]
    return {
        "sessions": sessions,
        "answered": len(answered),
        "correct": sum(result["shown"] == result["drawn"] for result in answered),
        "with_errors": sum(1 for result in results if result["error"] or result["exceptions"]),
        "latency": summarise([result["latency_ms"] for result in answered]) if answered else None,
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.streamlit",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--model", type=Path, default=inference.model_path_from_env(), help="the .keras model to serve")
    parser.add_argument("--runs", type=int, default=300, help="in-process preprocess+predict runs")
    parser.add_argument("--drawings", type=int, default=20, help="mouse drawings timed in one browser session")
    parser.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, help="where to write the JSON results")
    args = parser.parse_args(argv)
    if args.runs < 200:
        parser.error("--runs must be at least 200 for a meaningful p95")
    if chromium.chromium_path() is None:
        print(f"error: Chromium not found: {chromium.INSTALL_HINT}", file=sys.stderr)
        return 1
    try:
        server_side = bench_server_side(args.model, args.runs)
    except inference.ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"server side, preprocess+predict: {server_side['preprocess_and_predict']}")

    from playwright.sync_api import sync_playwright

    with driver.streamlit_server(env={inference.MODEL_PATH_ENV: str(args.model)}) as url:
        with sync_playwright() as playwright:
            browser = chromium.launch(playwright)
            chromium_version = browser.version
            browser_latency = bench_browser(browser, url, args.drawings)
            browser.close()
        print(f"browser, mouse-up -> metric: {browser_latency['mouse_up_to_metric']} wrong: {browser_latency['wrong']}")
        concurrent = asyncio.run(bench_concurrent(url, args.sessions))
    print(
        f"{concurrent['sessions']} concurrent sessions: {concurrent['answered']} answered, {concurrent['correct']} correct, "
        f"{concurrent['with_errors']} with errors, latency {concurrent['latency']}"
    )
    results = {
        "model": str(args.model),
        "machine": machine_record(chromium=chromium_version),
        "server_side": server_side,
        "browser": browser_latency,
        "concurrent": concurrent,
    }
    write_json_atomically(args.out, results)
    print(f"wrote {args.out}")
    return 0 if concurrent["answered"] == concurrent["sessions"] and not concurrent["with_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
