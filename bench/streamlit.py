"""Benchmark the Streamlit app against a previous version of it: server-side prediction, browser latency, concurrent sessions.

    uv run python -m bench.streamlit                       # this checkout vs the app before its own canvas
    uv run python -m bench.streamlit --drawings 30 --sessions 10 --baseline-ref HEAD~5
    uv run python -m bench.streamlit --no-baseline --runs 500

Two apps, each a real `streamlit run` serving the same model (--model): this working tree, and
the app at --baseline-ref (default: the commit before the app had its own canvas component),
checked out with `git worktree add` into a temporary folder (bench/baseline.py) and run from there
with its own runtime package and settings.
1. In-process (this checkout): the strokes of browser/digits.py's "7" where the browser draws
   it (canvas pixels, what the app's canvas sends) -> render_canvas_strokes -> preprocess_ink ->
   predict_probabilities, timed over --runs runs after a warm-up (what each rerun of the app
   spends on a drawing).
2. Browser: headless Chromium, one page per app; a digit is drawn with the mouse, timed from
   mouse-up to the "Prediction" metric appearing, then cleared; the apps take turns drawing by
   drawing (--drawings each, after one untimed drawing that warms the server up), each drawing
   made once the app is idle. Timed on the page's own clock (LATENCY_PROBE), which also stamps
   the first WebSocket message the page sends after the mouse-up (the canvas's drawing, asking
   for a rerun) and the first one it receives that carries the metric, so the latency splits
   into steps: mouse-up -> request (the app's own canvas sends on pointer-up; apps from before
   it used streamlit-drawable-canvas 0.13, which waited 200 ms after a mouse-up before it sent:
   its own debounce, out of the app's reach), request -> the metric's message (the server's
   rerun), message -> metric in the document (Streamlit's renderer). The same interval seen from
   this script (Playwright's round trips added) is harness_mouse_up_to_metric. The browser
   driver (browser/app_driver.py) finds and clears either canvas, so any revision compares.
   Also the server's CPU time from each mouse-up until the app is idle again (Linux /proc): what a
   drawing costs the server, which a busy machine stretches out but barely inflates.
3. Concurrency: --sessions browser sessions (separate contexts, one server) draw at the same
   moment, on each app in turn; each must show the right prediction with no exception element.
Target: mouse-up -> metric <= 300 ms median. Prints the numbers and the ratio this checkout /
baseline (below 1: faster now), and writes bench/results/streamlit.json: browser.current and
browser.baseline (mouse_up_to_metric, steps, harness_mouse_up_to_metric,
server_cpu_ms_per_drawing, wrong), browser.ratio,
concurrent.current and concurrent.baseline, labels (which commit is which).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from pathlib import Path

import numpy as np

from bench import baseline
from bench.machine import machine_record
from bench.stats import summarise
from browser import app_driver as driver
from browser import chromium
from browser.digits import APP_CENTRED, APP_DIGITS
from browser.mouse import draw_digit, draw_digit_async
from mnist_draw import inference
from mnist_draw.atomic import write_json_atomically
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import PROJECT_ROOT
from mnist_draw.preprocess import preprocess_ink
from mnist_draw.render import render_canvas_strokes, to_canvas

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "streamlit.json"
DIGITS = ("1", "7", "0")
TARGET_MEDIAN_MS = 300.0  # mouse-up -> "Prediction" metric
CURRENT = "current"
BASELINE = "baseline"
# Stamps, on the page's own clock: the last mouse-up, the WebSocket messages the page sends after
# it, the first message received that carries the "Prediction" label (the metric's delta), and
# when a "Prediction" metric label first appears in the document. The mouse-up is the pointerup
# event, the first thing either canvas hears (a canvas that cancels pointerdown gets no mouseup).
LATENCY_PROBE = """(() => {
    const marks = {mouseUp: null, sent: [], metricReceived: null, shown: null};
    window.appLatency = marks;
    const decoder = new TextDecoder("utf-8", {fatal: false});
    const hasPrediction = () => Array.from(document.querySelectorAll('[data-testid="stMetricLabel"]'))
        .some((label) => label.textContent.trim() === "Prediction");
    document.addEventListener("pointerup", () => {
        Object.assign(marks, {mouseUp: performance.now(), sent: [], metricReceived: null, shown: null});
    }, true);
    const NativeWebSocket = window.WebSocket;
    window.WebSocket = class extends NativeWebSocket {
        constructor(...args) {
            super(...args);
            this.addEventListener("message", (event) => {
                const now = performance.now();
                if (marks.mouseUp === null || marks.metricReceived !== null || !(event.data instanceof ArrayBuffer)) return;
                if (decoder.decode(event.data).includes("Prediction")) marks.metricReceived = now;
            });
        }
        send(data) {
            marks.sent.push(performance.now());
            return super.send(data);
        }
    };
    new MutationObserver(() => {
        if (marks.mouseUp !== null && marks.shown === null && hasPrediction()) marks.shown = performance.now();
    }).observe(document, {childList: true, subtree: true, characterData: true});
})()"""
READ_PROBE = "() => window.appLatency"


def drawn_strokes(digit: str) -> list[np.ndarray]:
    """APP_DIGITS[digit]'s strokes where the browser draws them: (n, 2) canvas pixels each, like the canvas sends."""
    return to_canvas(APP_DIGITS[digit], APP_CENTRED[digit])


def bench_server_side(model_path: Path, runs: int) -> dict:
    model = inference.load_model(model_path)
    strokes, pen_width = drawn_strokes("7"), APP_CENTRED["7"].pen_width

    def model_input() -> np.ndarray:
        return preprocess_ink(render_canvas_strokes(strokes, pen_width))

    for _ in range(10):  # warm-up: the first calls trace and allocate
        inference.predict_probabilities(model, model_input())
    whole, preprocess_only, predict_only = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        image = model_input()
        middle = time.perf_counter()
        probabilities = inference.predict_probabilities(model, image)
        end = time.perf_counter()
        whole.append((end - start) * 1000)
        preprocess_only.append((middle - start) * 1000)
        predict_only.append((end - middle) * 1000)
    return {
        "predicted": inference.top_prediction(probabilities).label,
        "render_preprocess_and_predict": summarise(whole),
        "render_and_preprocess": summarise(preprocess_only),
        "predict": summarise(predict_only),
    }


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds process `pid` has used so far (Linux /proc); None where there is no /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def draw_once(page, digit: str) -> dict:
    """Draw `digit` on a page opened with LATENCY_PROBE and wait for its prediction -> what was shown and the times (ms)."""
    mouse_up = draw_digit(page, driver.CANVAS, APP_DIGITS[digit], APP_CENTRED[digit])
    shown = driver.wait_for_prediction(page)
    latency = (time.perf_counter() - mouse_up) * 1000
    marks = page.evaluate(READ_PROBE)
    # The first message the page sends after the mouse-up is the canvas's drawing (a rerun request).
    stamps = {
        "mouse_up": marks["mouseUp"],
        "request": marks["sent"][0] if marks["sent"] else None,
        "metric_received": marks["metricReceived"],
        "shown": marks["shown"],
    }

    def between(start: str, end: str) -> float | None:
        return None if stamps[start] is None or stamps[end] is None else stamps[end] - stamps[start]

    return {
        "shown": shown,
        "latency": latency,
        "in_page": between("mouse_up", "shown"),
        "mouse_up_to_request": between("mouse_up", "request"),
        "request_to_metric_received": between("request", "metric_received"),
        "metric_received_to_shown": between("metric_received", "shown"),
    }


def bench_browser(browser, servers: dict[str, tuple[str, int]], drawings: int) -> dict:
    """Each app in its own page; the apps take turns, drawing by drawing, so a busy spell hits both alike.

    servers: {name: (app URL, server pid)}. Returns {name: result}. Besides the times, the server's
    CPU time from each mouse-up until the app is idle again: the work a drawing costs, which a
    busy machine slows down but does not add to.
    """
    pages = {
        name: driver.open_app(browser, url, LATENCY_PROBE, timeout_ms=600_000) for name, (url, _) in servers.items()
    }
    for page in pages.values():  # untimed: a server's first prediction builds and traces its models
        draw_once(page, DIGITS[0])
    runs = {name: [] for name in servers}
    wrong = {name: [] for name in servers}
    for index in range(drawings):
        digit = DIGITS[index % len(DIGITS)]
        for name in list(pages) if index % 2 == 0 else list(reversed(pages)):
            page, pid = pages[name], servers[name][1]
            driver.clear(page)
            driver.wait_until_idle(page)
            cpu_before = cpu_seconds(pid)
            run = draw_once(page, digit)
            driver.wait_until_idle(page)
            cpu_after = cpu_seconds(pid)
            run["server_cpu"] = None if cpu_before is None else (cpu_after - cpu_before) * 1000
            runs[name].append(run)
            if run["shown"] != digit:
                wrong[name].append({"drawn": digit, "shown": run["shown"]})
    for page in pages.values():
        page.close()
    return {name: browser_result(runs[name], wrong[name]) for name in servers}


def browser_result(runs: list[dict], wrong: list[dict]) -> dict:
    def timed(key: str) -> dict | None:
        values = [run[key] for run in runs if run[key] is not None]
        return summarise(values) if values else None

    cpu = [run["server_cpu"] for run in runs]
    cpu = None if None in cpu else cpu
    return {
        "mouse_up_to_metric": timed("in_page"),
        "steps": {
            "mouse_up_to_request": timed("mouse_up_to_request"),
            "request_to_metric_received": timed("request_to_metric_received"),
            "metric_received_to_shown": timed("metric_received_to_shown"),
        },
        "harness_mouse_up_to_metric": timed("latency"),
        # /proc counts CPU in clock ticks (10 ms), so the mean over all drawings, not a median.
        "server_cpu_ms_per_drawing": None if cpu is None else round(sum(cpu) / len(cpu), 1),
        "wrong": wrong,
    }


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


def default_baseline_ref() -> str:
    """The commit before the one that added the app's own canvas (streamlit-drawable-canvas, debounced 200 ms, before)."""
    return baseline.commit_before("app/drawing_canvas.py", "--diff-filter=A", "--", "app/drawing_canvas.py")


def ratios(results: dict) -> dict | None:
    """This checkout over the baseline: mouse-up -> metric (median, p95) and server CPU a drawing (below 1: less now)."""
    if BASELINE not in results:
        return None
    current, before = results[CURRENT], results[BASELINE]

    def over(now: float | None, then: float | None) -> float | None:
        return round(now / then, 3) if now is not None and then else None

    timed = current["mouse_up_to_metric"] or {}, before["mouse_up_to_metric"] or {}
    ratio = {key: over(timed[0].get(key), timed[1].get(key)) for key in ("median_ms", "p95_ms")}
    ratio["server_cpu_ms_per_drawing"] = over(current["server_cpu_ms_per_drawing"], before["server_cpu_ms_per_drawing"])
    return ratio


def print_browser(results: dict, labels: dict[str, str]) -> None:
    for name, result in results.items():
        timed = result["mouse_up_to_metric"] or {"median_ms": float("nan"), "p95_ms": float("nan")}
        steps = result["steps"]
        medians = {step: "?" if value is None else f"{value['median_ms']:.0f}" for step, value in steps.items()}
        print(
            f"browser, {labels[name]}: mouse-up -> metric median {timed['median_ms']:.0f} ms, p95 {timed['p95_ms']:.0f} ms "
            f"(medians: {medians['mouse_up_to_request']} ms to the request, {medians['request_to_metric_received']} ms "
            f"to the metric's message, {medians['metric_received_to_shown']} ms to show it; seen by Playwright: "
            f"{result['harness_mouse_up_to_metric']['median_ms']:.0f} ms); server CPU a drawing: "
            f"{result['server_cpu_ms_per_drawing']} ms; wrong: {result['wrong']}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.streamlit",
        description=__doc__.split("\n\n")[0],
        epilog="examples:\n" + __doc__.split("\n\n")[1],
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=inference.model_path_from_env(),
        metavar="PATH",
        help="the .keras model both apps serve",
    )
    parser.add_argument(
        "--runs", type=int, default=300, metavar="N", help="in-process render+preprocess+predict runs (>= 100)"
    )
    parser.add_argument(
        "--drawings",
        type=int,
        default=20,
        metavar="N",
        help="timed mouse drawings per app, in one browser session each",
    )
    parser.add_argument("--sessions", type=int, default=10, metavar="N", help="concurrent browser sessions per app")
    baseline.add_arguments(parser, "app", "the one before the app had its own canvas component")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, metavar="PATH", help="JSON results file")
    args = parser.parse_args(argv)
    if args.runs < 100:
        parser.error("--runs must be at least 100 for a meaningful p95")
    if args.drawings < 1 or args.sessions < 1:
        parser.error("--drawings and --sessions must be at least 1")
    if chromium.chromium_path() is None:
        parser.error(f"Chromium not found: {chromium.INSTALL_HINT}")
    model = args.model.resolve()
    load_before = os.getloadavg()  # on a shared machine the absolute times scale with this; the ratio less
    try:
        server_side = bench_server_side(model, args.runs)
    except inference.ModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"server side, render+preprocess+predict: {server_side['render_preprocess_and_predict']}")
    baseline_ref = baseline.chosen_ref(args, default_baseline_ref)
    labels = {CURRENT: "this checkout"}

    from playwright.sync_api import sync_playwright

    env = {inference.MODEL_PATH_ENV: str(model)}
    with contextlib.ExitStack() as stack:
        servers = {CURRENT: stack.enter_context(driver.streamlit_process(env))}
        if baseline_ref:
            labels[BASELINE] = f"before ({baseline.short_commit(baseline_ref)})"
            app_dir = stack.enter_context(baseline.worktree(baseline_ref))
            servers[BASELINE] = stack.enter_context(driver.streamlit_process(env, app_dir=app_dir))
        urls = {name: url for name, (url, _) in servers.items()}
        with sync_playwright() as playwright:
            browser = chromium.launch(playwright)
            chromium_version = browser.version
            browser_latency = bench_browser(
                browser, {name: (url, process.pid) for name, (url, process) in servers.items()}, args.drawings
            )
            browser.close()
        print_browser(browser_latency, labels)
        ratio = ratios(browser_latency)
        if ratio:
            print(
                f"this checkout / baseline: median {ratio['median_ms']}, p95 {ratio['p95_ms']}, "
                f"server CPU a drawing {ratio['server_cpu_ms_per_drawing']}"
            )
        concurrent = {name: asyncio.run(bench_concurrent(url, args.sessions)) for name, url in urls.items()}
    for name, result in concurrent.items():
        print(
            f"{labels[name]}, {result['sessions']} concurrent sessions: {result['answered']} answered, "
            f"{result['correct']} correct, {result['with_errors']} with errors, latency {result['latency']}"
        )
    results = {
        "model": str(model),
        "machine": machine_record(chromium=chromium_version),
        "load_average_1min": {"start": round(load_before[0], 2), "end": round(os.getloadavg()[0], 2)},
        "target_median_ms": TARGET_MEDIAN_MS,
        "labels": labels,
        "baseline_ref": baseline_ref,
        "server_side": server_side,
        "browser": {"drawings": args.drawings, **browser_latency, "ratio": ratio},
        "concurrent": concurrent,
    }
    write_json_atomically(args.out, results)
    print(f"wrote {args.out}")
    current = concurrent[CURRENT]
    return 0 if current["answered"] == current["sessions"] and not current["with_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
