"""Child servers the tests and benchmarks start (streamlit run, node web/serve.mjs): stopping them.

Used by browser/app_driver.py, browser/static_page.py and bench/web.py.
"""

from __future__ import annotations

import subprocess

STOP_TIMEOUT = 15  # seconds a server gets to shut down cleanly after SIGTERM


def stop(process: subprocess.Popen, timeout: float = STOP_TIMEOUT) -> None:
    """Terminate `process`, wait up to `timeout` seconds, then kill it: it never outlives the caller."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
