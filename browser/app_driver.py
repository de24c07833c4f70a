"""Drive a real `streamlit run streamlit_app.py` from Playwright, as a person with a mouse would.

Used by the app's browser tests, tests/test_app_config.py and bench/streamlit.py. The canvas is
the app's own component (app/drawing_canvas.py): web/js/canvas.js draws on a `<canvas>` in the
main document (inside the component's open shadow root, which Playwright's selectors pierce),
the strokes go to the server at once on every pointer-up, and a "Clear" button sits below it;
the test ids below are written in its HTML. Revisions from before that component (a benchmark's
baseline) had streamlit-drawable-canvas 0.13, whose fabric.js canvas and toolbar bin button the
selectors and clear() also find, so bench/streamlit.py can drive both. The app's contract with
outside tools is the st.metric labelled exactly "Prediction" (streamlit_app.py), and in number
mode the one labelled exactly "Number"; change the two together.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from browser import processes
from mnist_draw.config import CANVAS_SIZE, PROJECT_ROOT

# The app's canvas, or in an older revision streamlit-drawable-canvas's drawing layer: never both.
CANVAS = '[data-testid="drawing-canvas"], canvas.upper-canvas'
CLEAR_BUTTON = '[data-testid="drawing-canvas-clear"]'
DRAWABLE_CANVAS_CLEAR_BUTTON = 'button[aria-label="Reset canvas & history"]'  # shown on hovering that canvas
EXCEPTION = '[data-testid="stException"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'  # no run of the script or a fragment going on
PROMPT = "Draw a digit (0-9)"
ANSWER_CONTROLS = '[class*="st-key-meant-"]'  # the "Which digit did you mean?" of an answer (answer_control)
MODE_SWITCH = ".st-key-mode"  # the "Mode" switch: "Digit" or "Number" (choose_mode)
NUMBER_CANVAS = (3 * CANVAS_SIZE, CANVAS_SIZE)  # number mode's canvas pixels (streamlit_app.py NUMBER_CANVAS_ASPECT)
VIEWPORT = {"width": 1280, "height": 1000}  # wide enough for the canvas and the result side by side


class ServerError(RuntimeError):
    """`streamlit run` died or never became healthy; the message ends with its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(env: dict[str, str | None] | None = None, timeout: float = 120, **options) -> Iterator[str]:
    """streamlit_process(env, timeout, **options) -> only the URL: what most callers need."""
    with streamlit_process(env, timeout, **options) as (url, _):
        yield url


@contextlib.contextmanager
def streamlit_process(
    env: dict[str, str | None] | None = None,
    timeout: float = 120,
    *,
    app_dir: Path = PROJECT_ROOT,
    log: IO[str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start `streamlit run streamlit_app.py` in `app_dir` on a free port -> (its URL, the server process) once healthy.

    `env` entries are added to this process's environment (e.g. MNIST_MODEL_PATH); a None value
    removes that variable. The server's output goes to `log` (a text file open for reading and
    writing; default: a temporary one). `app_dir` is the folder whose app, runtime package and
    .streamlit/ settings are served (another checkout, for a benchmark baseline). Healthy means
    /_stcore/health says ok. The server is stopped on exit; if it dies or never gets healthy,
    ServerError carries the end of its log.
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
    ]
    environment = {key: value for key, value in {**os.environ, **(env or {})}.items() if value is not None}
    with contextlib.ExitStack() as stack:
        if log is None:
            log = stack.enter_context(tempfile.TemporaryFile("w+"))
        server = subprocess.Popen(command, cwd=app_dir, env=environment, stdout=log, stderr=subprocess.STDOUT)
        stack.callback(processes.stop, server)
        url = f"http://127.0.0.1:{port}"
        wait_until_healthy(server, url, timeout, log)
        yield url, server


def wait_until_healthy(server: subprocess.Popen, url: str, timeout: float, log) -> None:
    """Poll /_stcore/health every 0.5 s until it answers "ok"; ServerError if the server exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        time.sleep(0.5)
    log.seek(0)
    tail = log.read()[-2000:]
    raise ServerError(f"streamlit did not become healthy at {url} (exit code {server.poll()}):\n{tail}")


def open_app(browser, url: str, init_script: str | None = None, timeout_ms: float = 240_000, **page_options):
    """A new page on the app with the canvas ready to draw on; `init_script` runs in it before the app's own.

    page_options go to browser.new_page (a phone: viewport, has_touch, is_mobile); the default
    viewport is VIEWPORT. A server's first page waits for TensorFlow to load: tens of seconds on
    a laptop, minutes on a machine that is busy training.
    """
    page = browser.new_page(**{"viewport": VIEWPORT, **page_options})
    if init_script:
        page.add_init_script(init_script)
    page.goto(url)
    page.locator(CANVAS).wait_for(timeout=timeout_ms)
    return page


def prediction_metric(page):
    """Locator of the st.metric labelled exactly "Prediction"; works with the sync and the async Playwright page."""
    label = page.locator('[data-testid="stMetricLabel"]').get_by_text("Prediction", exact=True)
    return page.locator('[data-testid="stMetric"]').filter(has=label)


def metric_value(metric):
    """Locator of a st.metric's value text."""
    return metric.locator('[data-testid="stMetricValue"]')


def wait_for_prediction(page, timeout_ms: float = 30_000) -> str:
    """The "Prediction" metric's value once it is shown (after a clear it is absent)."""
    metric = prediction_metric(page)
    metric.wait_for(timeout=timeout_ms)
    return metric_value(metric).inner_text().strip()


def answer_control(page, strokes: int):
    """Locator of the "Which digit did you mean?" control of the answer to a drawing of `strokes` strokes.

    streamlit_app.py keys it "meant-<strokes>-<drawing hash>", and Streamlit gives its element the
    class st-key-<key>: it appears once the run that got the whole drawing has shown its answer.
    """
    return page.locator(f'[class*="st-key-meant-{strokes}-"]')


def wait_for_answer(page, strokes: int, timeout_ms: float = 60_000) -> str:
    """The "Prediction" metric's value for the whole drawing of `strokes` strokes.

    Every pointer-up sends the strokes so far and reruns the app, so the answer to a many-stroke
    digit's first strokes shows first; this waits for the run that got all of them to finish.
    """
    answer_control(page, strokes).first.wait_for(state="attached", timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)
    return wait_for_prediction(page, timeout_ms)


def clear(page, timeout_ms: float = 30_000) -> None:
    """Press the canvas's Clear button (an older revision's toolbar bin) and wait until the app is back to its prompt."""
    if page.locator(CLEAR_BUTTON).count():
        page.locator(CLEAR_BUTTON).click()
    else:
        page.locator(CANVAS).hover()
        page.locator(DRAWABLE_CANVAS_CLEAR_BUTTON).click()
    prediction_metric(page).wait_for(state="detached", timeout=timeout_ms)
    # The answer's "Which digit did you mean?" goes when that run ends: until then a next drawing
    # with as many strokes would find it (answer_control).
    page.locator(ANSWER_CONTROLS).first.wait_for(state="detached", timeout=timeout_ms)


def wait_for_pen(page, width: float, timeout_ms: float = 30_000) -> None:
    """Wait until the canvas draws with a pen `width` canvas pixels wide.

    A new pen width reaches the canvas with the data of the rerun the slider started
    (app/drawing_canvas.js setPenWidth), which sets the canvas context's lineWidth.
    """
    canvas = page.locator(CANVAS).element_handle(timeout=timeout_ms)
    page.wait_for_function(
        "([canvas, width]) => canvas.getContext('2d').lineWidth === width", arg=[canvas, width], timeout=timeout_ms
    )


def wait_until_idle(page, timeout_ms: float = 60_000) -> None:
    """Wait until no run of the script (or of a fragment) is going on or asked for."""
    page.locator(IDLE).wait_for(timeout=timeout_ms)


def choose_mode(page, mode: str, timeout_ms: float = 60_000) -> None:
    """Press the "Mode" switch's `mode` ("Digit" or "Number") and wait for that mode's canvas.

    Number mode's canvas is NUMBER_CANVAS_ASPECT times as wide as it is high, in canvas pixels.
    """
    page.locator(MODE_SWITCH).get_by_role("radio", name=mode, exact=True).click()  # a segmented control
    width = NUMBER_CANVAS[0] if mode == "Number" else CANVAS_SIZE
    # canvas.js sets the canvas's width in canvas pixels, which is its width attribute.
    page.locator(f'[data-testid="drawing-canvas"][width="{width}"]').wait_for(timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)


def number_metric(page):
    """Locator of the st.metric labelled exactly "Number" (number mode)."""
    label = page.locator('[data-testid="stMetricLabel"]').get_by_text("Number", exact=True)
    return page.locator('[data-testid="stMetric"]').filter(has=label)


def wait_for_number(page, strokes: int, timeout_ms: float = 60_000) -> str:
    """The "Number" metric's value for the whole drawing of `strokes` strokes.

    streamlit_app.py keys number mode's "choose a digit to correct" control "group-<strokes>-<drawing
    hash>": it appears once the run that got every stroke has shown its number.
    """
    page.locator(f'[class*="st-key-group-{strokes}-"]').first.wait_for(state="attached", timeout=timeout_ms)
    wait_until_idle(page, timeout_ms)
    return metric_value(number_metric(page)).inner_text().strip()
