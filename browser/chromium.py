"""Find and launch the headless Chromium that the browser tests and the benchmarks drive.

The system Chromium when there is one (CI installs Debian's), else the one
`playwright install chromium` downloads (what `make test` does on a laptop without one).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Headless in containers and CI: no sandbox (no user namespaces there), no GPU, and nothing that
# phones home while a benchmark is timing.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = "apt-get install chromium, set CHROMIUM_PATH, or run `uv run playwright install chromium`"


def chromium_path() -> str | None:
    """$CHROMIUM_PATH, else Debian's /usr/bin/chromium, else whatever `chromium` is on PATH, else None."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def launch(playwright):
    """playwright.chromium.launch(...) headless with CHROMIUM_ARGS, on chromium_path() (None: Playwright's own).

    Works with both Playwright APIs: with the sync one it returns the Browser, with the async one
    a coroutine to await. Raises playwright's Error when Chromium is missing or does not start.
    """
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
