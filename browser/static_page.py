"""Build the static page with the real `node web/build.mjs`, serve it with the real `node web/serve.mjs`, and the page's selectors.

What the tests and benchmarks load is what `npm start` serves: the bundle web/build.mjs writes,
built here into a temporary folder (so parallel runs never share one) from the same model folder
the server then serves. The selectors are the page's test contract (web/index.html and the
web/js/ module that writes each part, listed in web/js/main.js); change them there and here together. Used by tests/test_web*.py and bench/web.py.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from browser import processes
from mnist_draw.config import PROJECT_ROOT

CANVAS = '[data-testid="draw-canvas"]'
CLEAR_BUTTON = '[data-testid="clear"]'
PREDICTION = '[data-testid="prediction"]'
PROBABILITIES = '[data-testid="probabilities"]'
STROKE_WIDTH_SLIDER = '[data-testid="stroke-width"]'
STATUS = '[data-testid="status"]'  # data-state: loading, ready or error
READY = '[data-testid="status"][data-state="ready"]'


class ServerError(RuntimeError):
    """web/build.mjs or web/serve.mjs failed; the message is one line followed by what it printed."""


def build_page(out_dir: Path, model_dir: Path, node: str = "node") -> dict:
    """`node web/build.mjs --out out_dir --model-dir model_dir` -> its build.json (kernels, files and their sizes)."""
    result = subprocess.run(
        [node, "web/build.mjs", "--out", str(out_dir), "--model-dir", str(model_dir)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise ServerError(f"web/build.mjs failed (exit code {result.returncode}):\n{result.stdout}{result.stderr}")
    return json.loads((out_dir / "build.json").read_text())


@contextlib.contextmanager
def built_page(model_dir: Path, node: str = "node") -> Iterator[Path]:
    """The page built from model_dir into a temporary folder -> that folder, removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="mnist-draw-dist-"))
    try:
        build_page(folder / "dist", model_dir, node)
        yield folder / "dist"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class PageServer:
    """`node web/serve.mjs` serving a built page (dist_dir) and a model folder; stop and start it again at will.

    The first start takes any free port; later starts reuse it, so the page keeps its origin (and
    with it its service worker and caches) across a stopped server.
    """

    def __init__(self, model_dir: Path, dist_dir: Path, node: str = "node"):
        self.model_dir, self.dist_dir, self.node = model_dir, dist_dir, node
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> str:
        """Start the server -> its base URL ("http://127.0.0.1:N/"). ServerError when it exits first."""
        command = [
            self.node,
            "web/serve.mjs",
            "--port",
            str(self.port),
            "--model-dir",
            str(self.model_dir),
            "--dist",
            str(self.dist_dir),
        ]
        self.process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        url = wait_for_url(self.process)
        self.port = int(url.rstrip("/").rsplit(":", 1)[1])
        return url

    def stop(self) -> None:
        """Stop the server (no-op when it is not running)."""
        if self.process is None:
            return
        processes.stop(self.process)
        self.process.stdout.close()
        self.process = None


@contextlib.contextmanager
def static_server(model_dir: Path, node: str = "node", dist_dir: Path | None = None) -> Iterator[str]:
    """Serve model_dir and the page built from it (or the given dist_dir) -> base URL ("http://127.0.0.1:N/").

    The server is stopped (and a page built here removed) on exit. ServerError when the build or
    the server fails (e.g. npm packages missing: it says to run `npm ci`).
    """
    with contextlib.ExitStack() as stack:
        if dist_dir is None:
            dist_dir = stack.enter_context(built_page(model_dir, node))
        server = PageServer(model_dir, dist_dir, node)
        stack.callback(server.stop)
        yield server.start()


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
