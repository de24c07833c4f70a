"""Hand-made digits in the stroke format: the shapes the browser tests and the benchmarks draw.

Each is a mnist_draw.strokes.DrawnDigit on the unit square (width = height = 1, x right, y down),
drawn the way people write them; place one with browser.mouse.surface_placement so that the unit
square, not the ink, spans the chosen share of the canvas (PAGE_CENTRED and APP_CENTRED hold
each set's usual placement). Polylines are resampled to a point
every SPACING of the square: draw_digit sends one mouse move per point, and a person's mouse
reports about that often, so the canvas strokes smooth lines rather than a few long chords.

PAGE_DIGITS (0-9) are drawn on the static page (tests/test_web.py, bench/web.py); APP_DIGITS on
the Streamlit app (tests/test_streamlit_e2e.py, bench/streamlit.py), all single strokes there
because its canvas sends its pixels, and the app predicts, on every mouse-up.
"""

from __future__ import annotations

import math

from browser.mouse import surface_placement
from mnist_draw.render import Placement
from mnist_draw.strokes import DrawnDigit, make_digit

Polyline = list[tuple[float, float]]
SPACING = 0.02  # unit-square distance between resampled points; ~5 canvas pixels at size 0.9


def resample(polyline: Polyline, spacing: float = SPACING) -> Polyline:
    """The same polyline with points added along each segment, at most `spacing` apart (corners kept)."""
    points = [polyline[0]]
    for (x0, y0), (x1, y1) in zip(polyline, polyline[1:]):
        pieces = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / spacing))
        points.extend((x0 + (x1 - x0) * step / pieces, y0 + (y1 - y0) * step / pieces) for step in range(1, pieces + 1))
    return points


def hand_drawn(label: str, *strokes: Polyline) -> DrawnDigit:
    """Unit-square polylines (one per stroke) -> a resampled DrawnDigit labelled `label`."""
    return make_digit([resample(stroke) for stroke in strokes], label=int(label), writer="hand-made")


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
        (
            centre_x - radius_x * math.cos(2 * math.pi * step / samples),
            centre_y + radius_y * math.sin(2 * math.pi * step / samples),
        )
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
        (
            centre_x + radius_x * math.cos(2 * math.pi * step / samples),
            centre_y - radius_y * math.sin(2 * math.pi * step / samples),
        )
        for step in range(samples + 1)
    ]
    stem = _bezier(loop[-1], (0.67, 0.6), (0.6, 0.88), 8)[1:]
    return loop + stem


def ellipse(centre: tuple[float, float], radius_x: float, radius_y: float, samples: int, extra: int) -> Polyline:
    """Clockwise on screen from the top, samples per turn, `extra` points past the start to close it."""
    return [
        (
            centre[0] + radius_x * math.sin(2 * math.pi * step / samples),
            centre[1] - radius_y * math.cos(2 * math.pi * step / samples),
        )
        for step in range(samples + extra)
    ]


# 6, 8 and 9 span about 0.12..0.88 of the square, like the page's other digits.
CURVED = {"6": six(), "8": eight(), "9": nine()}

PAGE_DIGITS: dict[str, DrawnDigit] = {
    "0": hand_drawn("0", ellipse((0.5, 0.5), 0.27, 0.37, samples=28, extra=2)),
    "1": hand_drawn("1", [(0.52, 0.12), (0.48, 0.88)]),
    "2": hand_drawn(
        "2", [(0.28, 0.3), (0.36, 0.17), (0.5, 0.12), (0.64, 0.17), (0.7, 0.3), (0.64, 0.45), (0.3, 0.86), (0.76, 0.86)]
    ),
    "3": hand_drawn(
        "3",
        [
            (0.3, 0.18),
            (0.5, 0.11),
            (0.68, 0.2),
            (0.68, 0.35),
            (0.48, 0.47),
            (0.7, 0.58),
            (0.71, 0.75),
            (0.5, 0.88),
            (0.28, 0.8),
        ],
    ),
    "4": hand_drawn("4", [(0.32, 0.12), (0.27, 0.58), (0.76, 0.58)], [(0.64, 0.14), (0.64, 0.9)]),
    "5": hand_drawn(
        "5",
        [(0.7, 0.14), (0.36, 0.14), (0.33, 0.46), (0.55, 0.41), (0.7, 0.55), (0.69, 0.76), (0.5, 0.87), (0.28, 0.8)],
    ),
    "7": hand_drawn("7", [(0.24, 0.17), (0.76, 0.17), (0.42, 0.88)]),
    **{label: hand_drawn(label, polyline) for label, polyline in CURVED.items()},
}

# The app's 0, 1 and 7 fill the whole square (its tests draw them at 0.6 of the canvas); its
# 6, 8 and 9 are the page's, drawn a bit larger there (0.8).
APP_DIGITS: dict[str, DrawnDigit] = {
    "0": hand_drawn("0", ellipse((0.5, 0.5), 0.32, 0.5, samples=24, extra=2)),
    "1": hand_drawn("1", [(0.55, 0.0), (0.45, 1.0)]),
    "7": hand_drawn("7", [(0.1, 0.05), (0.9, 0.05), (0.45, 1.0)]),
    **{label: PAGE_DIGITS[label] for label in CURVED},
}

# Where each set is drawn unless a test or benchmark says otherwise: the unit square spans this
# share of the canvas, centred, with the default pen.
PAGE_CENTRED: dict[str, Placement] = {label: surface_placement(digit, 0.7) for label, digit in PAGE_DIGITS.items()}
APP_CENTRED: dict[str, Placement] = {label: surface_placement(digit, 0.6) for label, digit in APP_DIGITS.items()}
