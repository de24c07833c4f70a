"""Curved single-stroke digits (6, 8, 9) as a person draws them, shared by the browser tests.

Each digit is one polyline (one mouse-down ... mouse-up) in the unit square (x right, y down,
0..1), sampled from a smooth curve, spanning about 0.12..0.88 like the other shapes in
tests/test_web.py. Used by tests/test_web.py (static page) and tests/streamlit_driver.py
(Streamlit canvas).
"""

from __future__ import annotations

import math

Polyline = list[tuple[float, float]]


def _bezier(start, control, end, samples: int) -> Polyline:
    """Quadratic Bezier from start to end (both included) -> samples + 1 points."""
    points = []
    for step in range(samples + 1):
        t = step / samples
        points.append(tuple((1 - t) ** 2 * s + 2 * (1 - t) * t * c + t**2 * e for s, c, e in zip(start, control, end)))
    return points


def six(samples: int = 24) -> Polyline:
    """A 6: from the top right, a curved stem sweeps down the left into a round bottom loop."""
    centre_x, centre_y, radius_x, radius_y = 0.5, 0.67, 0.19, 0.2
    stem = _bezier((0.66, 0.12), (0.33, 0.22), (centre_x - radius_x, centre_y), 10)
    # The loop starts at its left edge and goes down, right, up and back left (anticlockwise on screen).
    loop = [
        (centre_x - radius_x * math.cos(2 * math.pi * step / samples), centre_y + radius_y * math.sin(2 * math.pi * step / samples))
        for step in range(1, samples + 1)
    ]
    return stem + loop


def eight(samples: int = 40) -> Polyline:
    """An 8 as one figure-eight path: start at the top, down through the middle, round the bottom, back up.

    x = sin(2 theta), y = -cos(theta): the two loops meet in a cross at the centre.
    """
    return [
        (0.5 + 0.22 * math.sin(2 * theta), 0.5 - 0.38 * math.cos(theta))
        for theta in (2 * math.pi * step / samples for step in range(samples + 2))  # a little overlap closes the top
    ]


def nine(samples: int = 24) -> Polyline:
    """A 9: a round loop at the top, drawn from its right edge, then a stem descending from there."""
    centre_x, centre_y, radius_x, radius_y = 0.48, 0.32, 0.19, 0.2
    # From the right edge: up, over the top to the left, down and back right (anticlockwise on screen).
    loop = [
        (centre_x + radius_x * math.cos(2 * math.pi * step / samples), centre_y - radius_y * math.sin(2 * math.pi * step / samples))
        for step in range(samples + 1)
    ]
    stem = _bezier(loop[-1], (0.67, 0.6), (0.6, 0.88), 8)[1:]
    return loop + stem


CURVED_DIGITS: dict[str, Polyline] = {"6": six(), "8": eight(), "9": nine()}
