"""The one percentile (and latency summary) every benchmark script reports with.

Method: linear interpolation between closest ranks (Hyndman and Fan type 7, numpy's default
"linear"): position fraction * (n - 1) in the sorted values, interpolated between its two
neighbours. So percentile(values, 0.5) is the usual median, and p95 of few samples does not
jump from one sample to the next.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], fraction: float) -> float:
    """The `fraction` (0..1) percentile of `values` (at least one), by linear interpolation (type 7)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be in [0, 1], got {fraction}")
    position = fraction * (len(ordered) - 1)
    below, above = math.floor(position), math.ceil(position)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def summarise(milliseconds: list[float]) -> dict:
    """Latencies in ms -> {"count", "median_ms", "p95_ms", "max_ms"}, rounded to 0.01 ms."""
    return {
        "count": len(milliseconds),
        "median_ms": round(percentile(milliseconds, 0.5), 2),
        "p95_ms": round(percentile(milliseconds, 0.95), 2),
        "max_ms": round(max(milliseconds), 2),
    }
