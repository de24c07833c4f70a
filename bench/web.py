"""Benchmark the static page in headless Chromium: cold load, per-prediction latency, bytes.

    uv run python -m bench.web                    # web/model, every TF.js backend
    uv run python -m bench.web --backends wasm --predictions 500
    uv run python -m bench.web --backends wasm --screenshot docs/screenshot.png

For each backend (?backend=... on the page): a fresh browser context (empty cache) loads the page
from `node web/serve.mjs`; the cold-load time is the page's own `mnist-ready` performance mark
(navigation start -> data-state="ready"); bytes are the encoded response bodies plus headers of
every request in that load. Then one digit is drawn and the page predicts it N times, timed
in-page: the whole path (read canvas, preprocess, classify, update the page) and classify alone.
The digit is browser/digits.py's "7", drawn with the real mouse by browser.draw.draw_digit.
Budgets: ready <= 1.5 s, median prediction <= 10 ms, transfer <= 2 MB.
Prints a table and writes bench/results/web.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bench.machine import machine_record
from bench.stats import percentile
from browser import chromium
from browser.digits import PAGE_DIGITS
from browser.draw import draw_digit, surface_placement
from browser.static_page import CANVAS, PREDICTION, READY, STATUS, ServerError, static_server
from mnist_draw.config import PROJECT_ROOT, WEB_MODEL_DIR
from mnist_draw.files import write_json_atomically

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "web.json"
BUDGETS = {"ready_seconds": 1.5, "median_prediction_ms": 10.0, "transfer_bytes": 2_000_000}
# predictCanvas() returns at once, doing nothing, while an earlier prediction is still running
# (it only flags a re-run). On a slow backend (webgl in software, ~80 ms a call) the stroke's own
# predictions were still running when timing began, so every timed call was such a no-op and the
# median read 0.00 ms. So: first wait until the page is idle, then check that each timed call
# really made tensors (tensor ids only grow; a probe tensor before and after shows whether any
# were made in between), and fail loudly otherwise.
TIMING_SCRIPT = """async (count) => {
    const demo = window.mnistDemo;
    const tf = demo.tf;
    const probeId = () => { const probe = tf.scalar(0); const id = probe.id; probe.dispose(); return id; };
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    for (let last = probeId(), settled = false; !settled; ) {
        await sleep(300);
        const now = probeId();
        settled = now === last + 1;  // no tensor made in the last 300 ms but the probe
        last = now;
    }
    const image = new Float32Array(demo.metadata.preprocess.image_size ** 2).fill(0.5);
    const whole = [], model = [];
    for (let i = 0; i < count; i++) {
        const before = probeId();
        let start = performance.now();
        await demo.predictCanvas();
        whole.push(performance.now() - start);
        if (probeId() === before + 1) throw new Error(`predictCanvas call ${i} classified nothing (a prediction was still running)`);
        start = performance.now();
        await demo.classifyBatch(image);
        model.push(performance.now() - start);
    }
    return {whole, model};
}"""


SEVEN = PAGE_DIGITS["7"]
SEVEN_PLACEMENT = surface_placement(SEVEN, 1.0)  # the unit square fills the canvas: a large, clear 7


def cold_load(browser, url: str) -> dict:
    """One load in a fresh context: seconds to ready and bytes over the wire."""
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("requestfinished", lambda request: requests.append(request))
    page.goto(url)
    page.wait_for_selector(f'{STATUS}:not([data-state="loading"])', timeout=60_000)
    state = page.get_attribute(STATUS, "data-state")
    if state != "ready":
        raise SystemExit(f"error: page did not load: {page.inner_text(STATUS)}")
    ready_ms = page.evaluate("() => performance.getEntriesByName('mnist-ready')[0].startTime")
    page.wait_for_timeout(200)  # let late requestfinished events arrive
    by_kind: dict[str, int] = {}
    for request in requests:
        sizes = request.sizes()
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        path = request.url.split("?")[0]
        kind = "model" if "/model/" in path else "tfjs" if "/vendor/" in path else "page"
        by_kind[kind] = by_kind.get(kind, 0) + size
    backend = page.evaluate("() => window.mnistDemo.backend")
    return {"page": page, "context": context, "ready_ms": ready_ms, "bytes": by_kind, "backend": backend, "requests": len(requests)}


def draw_seven(page) -> None:
    """Draw SEVEN and wait until the page shows a prediction."""
    draw_digit(page, CANVAS, SEVEN, SEVEN_PLACEMENT)
    page.wait_for_function("selector => document.querySelector(selector).textContent !== ''", arg=PREDICTION)


def save_screenshot(browser, url: str, path: Path) -> None:
    """The page at laptop size with a drawn "7" and its prediction, for the README."""
    context = browser.new_context(viewport={"width": 1040, "height": 800}, device_scale_factor=1)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(READY, timeout=60_000)
    draw_seven(page)
    page.wait_for_timeout(300)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    context.close()
    print(f"wrote {path}")


def bench_backend(browser, url: str, backend: str, loads: int, predictions: int) -> dict:
    runs = [cold_load(browser, f"{url}?backend={backend}") for _ in range(loads)]
    for run in runs[:-1]:
        run["context"].close()
    last = runs[-1]
    draw_seven(last["page"])
    timings = last["page"].evaluate(TIMING_SCRIPT, predictions)
    last["context"].close()
    return {
        "requested_backend": backend,
        "backend": last["backend"],
        "ready_seconds": percentile((run["ready_ms"] for run in runs), 0.5) / 1000,
        "ready_seconds_all": [round(run["ready_ms"] / 1000, 3) for run in runs],
        "transfer_bytes": sum(last["bytes"].values()),
        "transfer_bytes_by_kind": last["bytes"],
        "requests": last["requests"],
        "predictions": predictions,
        "median_prediction_ms": percentile(timings["whole"], 0.5),
        "p95_prediction_ms": percentile(timings["whole"], 0.95),
        "median_model_ms": percentile(timings["model"], 0.5),
        "p95_model_ms": percentile(timings["model"], 0.95),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.web",
        description="Measure the static page in headless Chromium: cold load to ready, prediction latency, bytes transferred, per TF.js backend.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--model-dir", type=Path, default=WEB_MODEL_DIR, help="exported model folder to serve")
    parser.add_argument("--backends", default="wasm,cpu,webgl", help="comma-separated TF.js backends to measure")
    parser.add_argument("--loads", type=int, default=3, help="cold loads per backend (median reported)")
    parser.add_argument("--predictions", type=int, default=300, help="timed predictions per backend (>= 200)")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, help="JSON results file")
    parser.add_argument("--screenshot", type=Path, help="also save a screenshot of the page with a drawn digit (docs/screenshot.png)")
    args = parser.parse_args(argv)
    if not (args.model_dir / "metadata.json").is_file():
        parser.error(f"no model in {args.model_dir}: run `python -m export`")
    if chromium.chromium_path() is None:
        parser.error(f"Chromium not found: {chromium.INSTALL_HINT}")
    from playwright.sync_api import sync_playwright

    try:
        with static_server(args.model_dir) as url, sync_playwright() as playwright:
            browser = chromium.launch(playwright)
            version = browser.version
            results = [bench_backend(browser, url, backend, args.loads, args.predictions) for backend in args.backends.split(",")]
            if args.screenshot:
                save_screenshot(browser, url, args.screenshot)
            browser.close()
    except ServerError as error:
        print(f"error: {str(error).splitlines()[0]} (run `npm ci` first)", file=sys.stderr)
        return 1
    print(f"{'backend':<16}{'ready s':>9}{'pred ms p50':>13}{'p95':>7}{'model ms':>10}{'transfer KB':>13}")
    for result in results:
        name = result["backend"] if result["backend"] == result["requested_backend"] else f"{result['requested_backend']}->{result['backend']}"
        print(
            f"{name:<16}{result['ready_seconds']:>9.3f}{result['median_prediction_ms']:>13.2f}{result['p95_prediction_ms']:>7.2f}"
            f"{result['median_model_ms']:>10.2f}{result['transfer_bytes'] / 1024:>13.0f}"
        )
    metadata = json.loads((args.model_dir / "metadata.json").read_text())
    document = {
        "budgets": BUDGETS,
        "machine": machine_record(chromium=version),
        "chromium_args": chromium.CHROMIUM_ARGS,
        "model_variant": metadata["default_variant"],
        "source_model_sha256": metadata.get("source_model_sha256"),
        "results": results,
    }
    write_json_atomically(args.out, document)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
