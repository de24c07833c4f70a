"""Drive a real `streamlit run streamlit_app.py` from Playwright, as a person with a mouse would.

Shared by tests/test_streamlit_e2e.py and bench/streamlit.py. The canvas is
streamlit-drawable-canvas 0.13: fabric.js draws into `canvas.upper-canvas` in the main document
(no iframe), sends its pixels on mouse-up, and its toolbar (shown on hover) has the
"Reset canvas & history" bin button.
"""

from __future__ import annotations

import contextlib
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator

from tests.digit_strokes import CURVED_DIGITS
from mnist_draw.config import PROJECT_ROOT

CANVAS = "canvas.upper-canvas"
CLEAR_BUTTON = 'button[aria-label="Reset canvas & history"]'
PROMPT = "Draw a digit (0-9)"

# Single-stroke digits in a unit box (x right, y down, 0..1): one mouse-up, so one prediction.
DIGIT_STROKES = {
    "1": [(0.55, 0.0), (0.45, 1.0)],
    "7": [(0.1, 0.05), (0.9, 0.05), (0.45, 1.0)],
    "0": [(0.5 + 0.32 * math.sin(step / 24 * 2 * math.pi), 0.5 - 0.5 * math.cos(step / 24 * 2 * math.pi)) for step in range(26)],
    **CURVED_DIGITS,  # 6, 8, 9: they span about 0.12..0.88 of this box, so draw them a bit larger
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(env: dict[str, str] | None = None, timeout: float = 120) -> Iterator[str]:
    """Start `streamlit run streamlit_app.py` on a free port -> its URL once /_stcore/health says ok.

    `env` entries are added to this process's environment (e.g. MNIST_MODEL_PATH). The server is
    stopped on exit; if it dies or never gets healthy, RuntimeError carries the end of its log.
    """
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port", str(port), "--server.headless", "true"]
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(server, url, timeout, log)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_healthy(server: subprocess.Popen, url: str, timeout: float, log) -> None:
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
    raise RuntimeError(f"streamlit did not become healthy at {url} (exit code {server.poll()}):\n{tail}")


def open_app(browser, url: str):
    """A new page on the app with the canvas ready to draw on."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(url)
    page.locator(CANVAS).wait_for(timeout=90_000)
    return page


def draw(page, strokes: list[tuple[float, float]], *, centre=(0.5, 0.5), size: float = 0.6, steps: int = 6) -> float:
    """Draw one stroke: unit-box points scaled to `size` of the canvas around `centre` (fractions).

    Returns time.perf_counter() at mouse-up, when the canvas sends its pixels.
    """
    box = page.locator(CANVAS).bounding_box()
    points = [
        (box["x"] + box["width"] * (centre[0] + (x - 0.5) * size), box["y"] + box["height"] * (centre[1] + (y - 0.5) * size))
        for x, y in strokes
    ]
    page.mouse.move(*points[0])
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*point, steps=steps)
    page.mouse.up()
    return time.perf_counter()


def prediction_metric(page):
    """Locator of the st.metric labelled exactly "Prediction" (the app's contract with outside tools)."""
    label = page.locator('[data-testid="stMetricLabel"]').get_by_text("Prediction", exact=True)
    return page.locator('[data-testid="stMetric"]').filter(has=label)


def wait_for_prediction(page, timeout_ms: float = 30_000) -> str:
    """The "Prediction" metric's value once it is shown (after a clear it is absent)."""
    metric = prediction_metric(page)
    metric.wait_for(timeout=timeout_ms)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def clear(page, timeout_ms: float = 30_000) -> None:
    """Press the toolbar's bin button and wait until the app is back to its prompt."""
    page.locator(CANVAS).hover()
    page.locator(CLEAR_BUTTON).click()
    prediction_metric(page).wait_for(state="detached", timeout=timeout_ms)
