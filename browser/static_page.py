"""Serve the static page with the real `node web/serve.mjs`, and the page's selectors.

The selectors are the page's test contract (web/index.html, web/js/ui.js); change them there and
here together. Used by tests/test_web.py, tests/test_web_activations.py and bench/web.py.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

from mnist_draw.config import PROJECT_ROOT

CANVAS = '[data-testid="draw-canvas"]'
CLEAR_BUTTON = '[data-testid="clear"]'
PREDICTION = '[data-testid="prediction"]'
PROBABILITIES = '[data-testid="probabilities"]'
STROKE_WIDTH_SLIDER = '[data-testid="stroke-width"]'
STATUS = '[data-testid="status"]'  # data-state: loading, ready or error
READY = '[data-testid="status"][data-state="ready"]'


class ServerError(RuntimeError):
    """web/serve.mjs did not start; the message is one line followed by what it printed."""


@contextlib.contextmanager
def static_server(model_dir: Path, node: str = "node") -> Iterator[str]:
    """Start `node web/serve.mjs --port 0 --model-dir model_dir` -> its base URL ("http://127.0.0.1:N/").

    The server is stopped on exit. ServerError when it exits before printing its URL (e.g. npm
    packages missing: it says to run `npm ci`).
    """
    process = subprocess.Popen(
        [node, "web/serve.mjs", "--port", "0", "--model-dir", str(model_dir)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield wait_for_url(process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_url(process: subprocess.Popen) -> str:
    """Read the server's output until its "Serving ... at http://..." line -> that URL."""
    seen = []
    # A warning (e.g. no model in the folder) may come before the URL line.
    for line in process.stdout:
        match = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if match:
            return match.group(0)
        seen.append(line)
    process.wait()
    raise ServerError(f"web/serve.mjs did not start (exit code {process.returncode}):\n{''.join(seen)}")
