"""The machine a benchmark ran on: one record, the same shape in every bench/results/*.json.

    {"cpu": "AMD EPYC 9B14", "cores": 2, "memory_gb": 8.3, "os": "Linux-6.1...-x86_64-with-glibc2.36",
     "python": "3.11.7", "node": "v20.20.2" or null, "chromium": "156.0.8078.79" or null}

node and chromium are null in a file whose benchmark did not run them.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else what platform knows."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def memory_gb() -> float | None:
    """Physical memory in GB (10^9 bytes), one decimal; None where the OS does not say."""
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1)
    except (AttributeError, ValueError, OSError):
        return None


def machine_record(*, node: str | None = None, chromium: str | None = None) -> dict:
    """The record above; pass the Node and Chromium versions the benchmark really ran."""
    return {
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "memory_gb": memory_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "node": node,
        "chromium": chromium,
    }


def commit() -> str | None:
    """The short hash of the checkout's HEAD a benchmark measured; None outside a git checkout."""
    from mnist_draw.config import PROJECT_ROOT

    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    return result.stdout.strip() or None
