"""Benchmark the static page in headless Chromium against the previous page, in the same run.

    uv run python -m bench.web                          # the lean build vs the page before it
    uv run python -m bench.web --baseline-ref HEAD~3 --loads 7 --predictions 500
    uv run python -m bench.web --no-baseline --backends wasm,cpu --screenshot docs/screenshot.png

Two pages, each served by its own `node web/serve.mjs` with the same exported model: this
checkout's build (web/build.mjs into a temporary folder, browser/static_page.py) and the page
at --baseline-ref (default: the commit before the lean build), taken with `git archive` and
built the same way if it has a build, else served as it was (web/ plus node_modules).
Per page and backend (the pages take turns, visit by visit and prediction round by round):
- first visit: a fresh context (no HTTP cache, no service worker) loads the page; ready time is
  the page's `mnist-ready` mark (navigation start -> data-state="ready"); transfer is the
  encoded bodies plus headers of every response, by kind (page, JS, wasm, model), plus what the
  service worker fetched to precache (Playwright's service-worker network events, switched on here);
- repeat visit: a new tab in that context once the service worker is ready (the old page: its
  HTTP cache), ready time and transfer again;
- predictions: one drawn "7" (browser/digits.py, the real mouse), then N timed predictions in-page:
  the whole path (read canvas, preprocess, classify, show) and classify alone.
Targets: first visit <= 550 KB, JS <= 120 KB (gzip, on the wire); ready <= 0.5 s cold and
<= 0.25 s on a repeat visit; median prediction <= 3 ms (wasm).
Prints a table and writes bench/results/web.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

from bench import baseline
from bench.machine import machine_record
from bench.stats import percentile
from browser import chromium, processes
from browser.digits import PAGE_DIGITS
from browser.mouse import draw_digit, surface_placement
from browser.static_page import CANVAS, PREDICTION, READY, STATUS, ServerError, build_page, static_server, wait_for_url
from mnist_draw.atomic import write_json_atomically
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import PROJECT_ROOT, WEB_MODEL_DIR

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "web.json"
TARGETS = {
    "first_visit_bytes": 550 * 1024,
    "first_visit_js_bytes": 120 * 1024,
    "cold_ready_seconds": 0.5,
    "repeat_ready_seconds": 0.25,
    "median_prediction_ms": 3.0,
}
KINDS = ("page", "js", "wasm", "model")
PREDICTION_ROUNDS = 4  # the timed predictions come in this many rounds, the pages taking turns
# predictCanvas() returns at once, doing nothing, while an earlier prediction is still running
# (it only flags a re-run). On a slow backend the stroke's own predictions were still running
# when timing began, so every timed call was such a no-op and the median read 0.00 ms. So: first
# wait until the page is idle, then check that each timed call really made tensors (tensor ids
# only grow; a probe tensor before and after shows whether any were made in between).
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
SERVICE_WORKER_READY = "async () => { await navigator.serviceWorker.ready; }"  # active = precached

SEVEN = PAGE_DIGITS["7"]
SEVEN_PLACEMENT = surface_placement(SEVEN, 1.0)  # the unit square fills the canvas: a large, clear 7


def kind_of(url: str) -> str:
    path = urlparse(url).path
    if "/model/" in path:
        return "model"
    if path.endswith(".wasm"):
        return "wasm"
    if path.endswith((".js", ".mjs")):
        return "js"
    return "page"


class Transfer:
    """Bytes on the wire (encoded body + headers) of the finished requests of one browser context, by kind."""

    def __init__(self, context):
        self.requests = []
        context.on("requestfinished", lambda request: self.requests.append(request))

    def mark(self) -> int:
        return len(self.requests)

    def since(self, mark: int, service_worker: bool | None = None) -> dict:
        """{kind: bytes, "requests": n} of the requests finished after `mark` (only the worker's, or only the page's)."""
        totals = dict.fromkeys(KINDS, 0)
        count = 0
        for request in self.requests[mark:]:
            if service_worker is not None and (request.service_worker is not None) != service_worker:
                continue
            sizes = request.sizes()
            totals[kind_of(request.url)] += sizes["responseBodySize"] + sizes["responseHeadersSize"]
            count += 1
        return {**totals, "total": sum(totals.values()), "requests": count}


def ready_seconds(page) -> float:
    page.wait_for_selector(f'{STATUS}:not([data-state="loading"])', timeout=60_000)
    if page.get_attribute(STATUS, "data-state") != "ready":
        raise SystemExit(f"error: page did not load: {page.inner_text(STATUS)}")
    return page.evaluate("() => performance.getEntriesByName('mnist-ready')[0].startTime") / 1000


def visit(browser, url: str, service_worker: bool) -> dict:
    """A first visit in a fresh context, then a repeat visit in a new tab of it -> times, transfers, the last tab.

    service_worker: the page registers one; the repeat visit waits until it is ready (precached).
    """
    context = browser.new_context()
    transfer = Transfer(context)
    page = context.new_page()
    page.goto(url)
    cold = ready_seconds(page)
    first = transfer.since(0, service_worker=False)
    if service_worker:
        page.evaluate(SERVICE_WORKER_READY)
    page.wait_for_timeout(300)  # let late requestfinished events arrive
    precache = transfer.since(0, service_worker=True)
    mark = transfer.mark()
    page.close()
    page = context.new_page()
    page.goto(url)
    warm = ready_seconds(page)
    page.wait_for_timeout(300)
    repeat = transfer.since(mark)
    backend = page.evaluate("() => window.mnistDemo.backend")
    return {
        "context": context,
        "page": page,
        "cold": cold,
        "warm": warm,
        "first": first,
        "precache": precache,
        "repeat": repeat,
        "backend": backend,
    }


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


def bench_pages(browser, pages: dict, backend: str, loads: int, predictions: int) -> dict:
    """For each page: `loads` first and repeat visits of url?backend=..., then timed predictions in its last one.

    The pages take turns, visit by visit and prediction round by round, so a busy spell on the
    machine hits them alike.
    pages: {name: (url, whether it registers a service worker)}. Returns {name: result}.
    """
    runs = {name: [] for name in pages}
    for load in range(loads):
        # Each page first in turn. In a fixed order the second page's cold visits read up to
        # 110 ms slower than with turns (what the first visit leaves running, such as its
        # service worker's precaching, lands on the next one).
        for name in list(pages) if load % 2 == 0 else list(reversed(pages)):
            url, service_worker = pages[name]
            run = visit(browser, f"{url}?backend={backend}", service_worker)
            if load < loads - 1:
                run["context"].close()
            runs[name].append(run)
    timings = {name: {"whole": [], "model": []} for name in pages}
    for name in pages:
        draw_seven(runs[name][-1]["page"])
    # Predictions too, in rounds, each page first in turn.
    for round_index in range(PREDICTION_ROUNDS):
        names = list(pages) if round_index % 2 == 0 else list(reversed(pages))
        for name in names:
            count = predictions // PREDICTION_ROUNDS + (round_index < predictions % PREDICTION_ROUNDS)
            if count:
                measured = runs[name][-1]["page"].evaluate(TIMING_SCRIPT, count)
                for key in ("whole", "model"):
                    timings[name][key] += measured[key]
    results = {}
    for name, (_, service_worker) in pages.items():
        runs[name][-1]["context"].close()
        results[name] = summarise(runs[name], timings[name], service_worker, backend, predictions)
    return results


def summarise(runs: list[dict], timings: dict, service_worker: bool, backend: str, predictions: int) -> dict:
    """One page's visits and prediction timings -> its result record (medians; transfer of the last visit)."""
    last = runs[-1]
    first = last["first"]
    return {
        "requested_backend": backend,
        "backend": last["backend"],
        "service_worker": service_worker,
        "cold_ready_seconds": percentile((run["cold"] for run in runs), 0.5),
        "cold_ready_seconds_all": [round(run["cold"], 3) for run in runs],
        "repeat_ready_seconds": percentile((run["warm"] for run in runs), 0.5),
        "repeat_ready_seconds_all": [round(run["warm"], 3) for run in runs],
        # Until ready, plus what the service worker then fetched to precache.
        "first_visit_bytes": first["total"] + last["precache"]["total"],
        "first_visit_bytes_by_kind": {kind: first[kind] + last["precache"][kind] for kind in KINDS},
        "page_load_bytes": first["total"],
        "page_load_requests": first["requests"],
        "precache_bytes": last["precache"]["total"],
        "precache_requests": last["precache"]["requests"],
        "repeat_visit_bytes": last["repeat"]["total"],
        "repeat_visit_requests": last["repeat"]["requests"],
        "predictions": predictions,
        "median_prediction_ms": percentile(timings["whole"], 0.5),
        "p95_prediction_ms": percentile(timings["whole"], 0.95),
        "median_model_ms": percentile(timings["model"], 0.5),
        "p95_model_ms": percentile(timings["model"], 0.95),
    }


def default_baseline_ref() -> str:
    """The commit before the one that added web/kernels.mjs (the lean build): the last unbundled page."""
    return baseline.commit_before("web/kernels.mjs (the lean build)", "--diff-filter=A", "--", "web/kernels.mjs")


@contextlib.contextmanager
def baseline_page(ref: str, model_dir: Path, node: str = "node"):
    """The page at git `ref`, served with model_dir -> (its URL, the commit, whether it has a service worker).

    Built first when that page has a build (web/kernels.mjs), else served as it was.
    """
    commit = baseline.short_commit(ref)
    with baseline.worktree(ref) as root:
        (root / "node_modules").symlink_to(PROJECT_ROOT / "node_modules")  # the same pinned packages
        shutil.rmtree(root / "web" / "model", ignore_errors=True)
        if (root / "web" / "kernels.mjs").is_file():
            subprocess.run(
                [node, "web/build.mjs", "--out", str(root / "dist"), "--model-dir", str(model_dir)],
                cwd=root,
                check=True,
                capture_output=True,
            )
            command = [
                node,
                "web/serve.mjs",
                "--port",
                "0",
                "--model-dir",
                str(model_dir),
                "--dist",
                str(root / "dist"),
            ]
        else:
            command = [node, "web/serve.mjs", "--port", "0", "--model-dir", str(model_dir)]
        process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            yield wait_for_url(process), commit, (root / "web" / "sw.js").is_file()
        finally:
            processes.stop(process)
            process.stdout.close()


def kb(value: float) -> str:
    return f"{value / 1024:.0f}"


def print_table(results: dict) -> None:
    """One column per page, one row per measure, with the target beside it."""
    names = list(results)
    rows = [
        ("first visit KB", lambda r: kb(r["first_visit_bytes"]), f"<= {kb(TARGETS['first_visit_bytes'])}"),
        *(
            (
                f"  {kind} KB",
                (lambda kind: lambda r: kb(r["first_visit_bytes_by_kind"][kind]))(kind),
                f"<= {kb(TARGETS['first_visit_js_bytes'])}" if kind == "js" else "",
            )
            for kind in KINDS
        ),
        ("  of it precache KB", lambda r: kb(r["precache_bytes"]), ""),
        ("repeat visit KB", lambda r: kb(r["repeat_visit_bytes"]), ""),
        ("cold ready s", lambda r: f"{r['cold_ready_seconds']:.3f}", f"<= {TARGETS['cold_ready_seconds']}"),
        ("repeat ready s", lambda r: f"{r['repeat_ready_seconds']:.3f}", f"<= {TARGETS['repeat_ready_seconds']}"),
        ("prediction ms p50", lambda r: f"{r['median_prediction_ms']:.2f}", f"<= {TARGETS['median_prediction_ms']}"),
        ("prediction ms p95", lambda r: f"{r['p95_prediction_ms']:.2f}", ""),
        ("model ms p50", lambda r: f"{r['median_model_ms']:.2f}", ""),
    ]
    print(f"{'':<22}" + "".join(f"{name:>24}" for name in names) + f"{'target':>10}")
    for label, value, target in rows:
        print(f"{label:<22}" + "".join(f"{value(results[name]):>24}" for name in names) + f"{target:>10}")


def meets_targets(result: dict) -> dict:
    checks = {
        "first_visit_bytes": result["first_visit_bytes"],
        "first_visit_js_bytes": result["first_visit_bytes_by_kind"]["js"],
        "cold_ready_seconds": result["cold_ready_seconds"],
        "repeat_ready_seconds": result["repeat_ready_seconds"],
    }
    if result["backend"] == "wasm":
        checks["median_prediction_ms"] = result["median_prediction_ms"]
    return {name: value <= TARGETS[name] for name, value in checks.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.web",
        description=__doc__.split("\n\n")[0],
        epilog="examples:\n" + __doc__.split("\n\n")[1],
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "--model-dir", type=Path, default=WEB_MODEL_DIR, metavar="PATH", help="exported model folder both pages serve"
    )
    parser.add_argument(
        "--backends", default="wasm", metavar="LIST", help="comma-separated TF.js backends to measure (wasm, cpu)"
    )
    parser.add_argument(
        "--loads",
        type=int,
        default=5,
        metavar="N",
        help="first and repeat visits per page and backend (medians reported)",
    )
    parser.add_argument(
        "--predictions", type=int, default=300, metavar="N", help="timed predictions per page and backend (>= 200)"
    )
    baseline.add_arguments(parser, "page", "the one before the lean build")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, metavar="PATH", help="JSON results file")
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="PATH",
        help="also save a screenshot of the page with a drawn digit (docs/screenshot.png)",
    )
    args = parser.parse_args(argv)
    if not (args.model_dir / "metadata.json").is_file():
        parser.error(f"no model in {args.model_dir}: run `python -m export`")
    if args.loads < 1 or args.predictions < 1:
        parser.error("--loads and --predictions must be at least 1")
    if chromium.chromium_path() is None:
        parser.error(f"Chromium not found: {chromium.INSTALL_HINT}")
    baseline_ref = baseline.chosen_ref(args, default_baseline_ref)
    # Playwright reports the service worker's own fetches (its precache) only when asked to.
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    from playwright.sync_api import sync_playwright

    backends = args.backends.split(",")
    results: dict[str, dict] = {}
    try:
        with contextlib.ExitStack() as stack:
            pages = {"lean build": (stack.enter_context(static_server(args.model_dir)), True)}
            if baseline_ref:
                url, commit, has_worker = stack.enter_context(baseline_page(baseline_ref, args.model_dir.resolve()))
                pages = {f"before ({commit})": (url, has_worker), **pages}
            playwright = stack.enter_context(sync_playwright())
            browser = chromium.launch(playwright)
            version = browser.version
            for backend in backends:
                for name, result in bench_pages(browser, pages, backend, args.loads, args.predictions).items():
                    results[f"{name} {backend}"] = result
            if args.screenshot:
                save_screenshot(browser, pages["lean build"][0], args.screenshot)
            browser.close()
    except ServerError as error:
        print(f"error: {str(error).splitlines()[0]} (run `npm ci` first)", file=sys.stderr)
        return 1
    print_table(results)
    metadata = json.loads((args.model_dir / "metadata.json").read_text())
    node_version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() or None
    build = build_page_info(args.model_dir)
    document = {
        "targets": TARGETS,
        "machine": machine_record(node=node_version, chromium=version),
        "chromium_args": chromium.CHROMIUM_ARGS,
        "model_variant": metadata["default_variant"],
        "source_model_sha256": metadata.get("source_model_sha256"),
        "baseline_ref": baseline_ref,
        "build": build,
        "results": results,
        "meets_targets": {
            name: meets_targets(result) for name, result in results.items() if name.startswith("lean build")
        },
    }
    write_json_atomically(args.out, document)
    print(f"wrote {args.out}")
    return 0


def build_page_info(model_dir: Path) -> dict:
    """What the lean build ships (build.json): kernels and the gzip size of each file outside model/."""
    with tempfile.TemporaryDirectory(prefix="mnist-draw-dist-") as folder:
        info = build_page(Path(folder) / "dist", model_dir)
    files = {name: facts for name, facts in info["files"].items() if not name.startswith("model/")}
    return {
        "id": info["id"],
        "kernels": info["kernels"],
        "graph_ops": info["graph_ops"],
        "packages": info["packages"],
        "files": files,
    }


if __name__ == "__main__":
    sys.exit(main())
