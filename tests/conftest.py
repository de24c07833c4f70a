"""Shared fixtures: real MNIST files, and the real Node and Chromium the cross-runtime tests need.

Locally a missing Node or Chromium skips those tests with the reason; in CI (CI=true) it fails
them, so a broken install step can never turn into a green run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from mnist_draw.config import DATA_DIR_ENV, PROJECT_ROOT

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing(reason: str):
    """Fail in CI, skip elsewhere: the one place that decides what a missing tool means."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)", pytrace=False)
    pytest.skip(reason)


def find_mnist_dir() -> Path | None:
    """The IDX folder from $MNIST_DATA_DIR, else ../shared/mnist beside the project, else None."""
    candidates = [os.environ.get(DATA_DIR_ENV), PROJECT_ROOT.parent / "shared" / "mnist"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "t10k-images-idx3-ubyte.gz").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """Folder holding the four canonical MNIST IDX .gz files."""
    found = find_mnist_dir()
    if found is None:
        missing(f"real MNIST files not found: set {DATA_DIR_ENV} or place them in ../shared/mnist")
    return found


@pytest.fixture(scope="session")
def node_binary() -> str:
    """Path of `node`, with the project's npm packages installed (`npm ci`)."""
    node = shutil.which("node")
    if node is None:
        missing("node is not installed")
    if not (PROJECT_ROOT / "node_modules" / "@tensorflow" / "tfjs").is_dir():
        missing("npm packages are not installed: run `npm ci`")
    return node


def chromium_path() -> str | None:
    """$CHROMIUM_PATH, else Debian's /usr/bin/chromium, else whatever `chromium` is on PATH."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium driven by Playwright, shared by the whole session.

    The system Chromium when there is one (CI installs Debian's), else the one
    `playwright install chromium` downloads (what `make test` does on a laptop without one).
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            missing(f"Chromium not found or does not start ({str(error).splitlines()[0]}): apt-get install chromium, set CHROMIUM_PATH, or run `uv run playwright install chromium`")
        yield browser
        browser.close()
