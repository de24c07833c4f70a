"""What the static page's test modules share: reading the page's answer, drawing by touch, teaching it.

A plain helper module (no tests in it), so test modules never import one another; the `page` and
`visit` fixtures built from it are in tests/conftest.py. Selectors are the page's test contract
(web/js/ui.js and its parts, browser/static_page.py).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from browser.digits import PAGE_CENTRED, PAGE_DIGITS
from browser.handwriting import settled_page_answer
from browser.mouse import draw_canvas_strokes, draw_digit
from browser.static_page import CANVAS, READY
from mnist_draw.config import DEFAULT_MODEL_PATH
from mnist_draw.render import Placement, to_canvas

KERAS_MODEL = Path(os.environ.get("WEB_TEST_KERAS_MODEL", DEFAULT_MODEL_PATH))
LOAD_TIMEOUT_MS = 30_000

# (name, scale of the canvas the digit spans, centre x, centre y, pen width in canvas pixels)
PLACEMENTS = [
    ("centred", 0.7, 0.5, 0.5, None),
    ("small_top_left", 0.38, 0.3, 0.3, 14),
    ("large_thick", 0.92, 0.5, 0.5, 34),
]


def set_stroke_width(page, width):
    page.locator('[data-testid="stroke-width"]').fill(str(width))


def prediction(page):
    return page.locator('[data-testid="prediction"]').inner_text().strip()


def wait_for_prediction(page, expected):
    page.wait_for_function(
        "expected => document.querySelector('[data-testid=prediction]').textContent.trim() === expected",
        arg=expected,
        timeout=5000,
    )


def settled_prediction(page) -> str:
    """The page's answer to the whole drawing: once no prediction runs or waits (browser/handwriting.py)."""
    return settled_page_answer(page)


# Chromium's velocity tracker forgets a pointer's history after a 40 ms gap between moves; a finger
# that rests longer than that before it lifts ends with no velocity, so the stroke starts no fling.
FINGER_REST_S = 0.06
MOVE_S = 0.008  # between two touch moves: a finger drawing at about a canvas width per half second


def touch_draw(page, polyline, steps_per_segment=6):
    """One finger stroke through Chromium's touch input (CDP), in unit-square canvas coordinates.

    The finger stops at the last point before it lifts, as a person's does. A stroke that lifts at
    full speed is a fling to Chromium, and the tap that follows it only stops the fling: it sends no
    click, so a test tapping a button next would read that as a broken button. The rest is in the
    events' own timestamps (what the velocity tracker reads), not in waiting: the stroke is dated
    so that its last event is now, and the moves before it lie in the past.
    """
    box = page.locator(CANVAS).bounding_box()
    session = page.context.new_cdp_session(page)
    points = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in polyline]
    moves = [
        (x0 + (x1 - x0) * step / steps_per_segment, y0 + (y1 - y0) * step / steps_per_segment)
        for (x0, y0), (x1, y1) in zip(points, points[1:])
        for step in range(1, steps_per_segment + 1)
    ]
    start = time.time() - MOVE_S * len(moves) - 2 * FINGER_REST_S

    def touch(kind, at, point=None):
        touch_points = [{"x": point[0], "y": point[1]}] if point else []
        session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touch_points, "timestamp": at})

    touch("touchStart", start, points[0])
    for index, point in enumerate(moves, start=1):
        touch("touchMove", start + index * MOVE_S, point)
    end_of_moves = start + len(moves) * MOVE_S
    touch("touchMove", end_of_moves + FINGER_REST_S, points[-1])  # still at the end: the only move the tracker keeps
    touch("touchEnd", end_of_moves + 2 * FINGER_REST_S)
    session.detach()


def open_tab(browser, url, **context_options):
    """A new context and tab with the page loaded and the model ready -> (context, tab, its page and console errors)."""
    context = browser.new_context(**({"viewport": {"width": 1000, "height": 900}} | context_options))
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    # CSP violations and failed loads show up as console errors.
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.goto(url)
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    return context, tab, errors


# ---------------------------------------------------------------- teaching the page (tests/test_web_teach.py)

KEEP = '[data-testid="keep"]'
COUNT = '[data-testid="drawings-count"]'
ITEMS = '[data-testid="drawings-grid"] [data-testid="drawing"]'
DOWNLOAD = '[data-testid="download-drawings"]'
NOTE = '[data-testid="teach-note"]'


class Visit:
    """One browser context on the page: its tab, every URL it requested (with method), and its errors."""

    def __init__(self, browser, url, **context_options):
        self.context = browser.new_context(**({"viewport": {"width": 1000, "height": 900}} | context_options))
        self.tab = self.context.new_page()
        self.requests: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.tab.on("request", lambda request: self.requests.append((request.method, request.url)))
        self.tab.on("pageerror", lambda error: self.errors.append(str(error)))
        # CSP violations and failed loads show up as console errors.
        self.tab.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.tab.goto(url)
        self.tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)

    def reload(self):
        self.tab.reload()
        self.tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)


def draw(tab, digit: str) -> None:
    """Draw one of browser/digits.py's page digits, centred; the page's answer to all of it must be `digit`."""
    draw_digit(tab, CANVAS, PAGE_DIGITS[digit], PAGE_CENTRED[digit])
    assert settled_prediction(tab) == digit


def meant(tab, digit: str):
    """The radio button for `digit` under "Which digit did you mean?"."""
    return tab.get_by_role("group", name="Which digit did you mean?").get_by_role("radio", name=digit, exact=True)


def wait_for_count(tab, count: int) -> None:
    """Wait until the review grid shows `count` drawings."""
    tab.wait_for_function(
        "([selector, count]) => document.querySelectorAll(selector).length === count", arg=[ITEMS, count]
    )


def kept_labels(tab) -> list[str]:
    """Labels in the review grid, newest first."""
    return tab.locator(ITEMS).evaluate_all("items => items.map((item) => item.dataset.label)")


# ---------------------------------------------------------------- number mode (tests/test_web_number.py)

NUMBER = '[data-testid="number"]'
NUMBER_DIGITS = '[data-testid="number-digit"]'
# The number once shown and no reading running or waiting (as settled_page_answer for one digit).
NUMBER_SETTLED = "selector => document.querySelector(selector).textContent !== '' && !window.mnistDemo.predicting()"


def number_strokes(digits, canvas_width: float, canvas_height: float, size: float = 0.6) -> list:
    """Digits side by side on number mode's canvas, each centred in an equal share of its width and
    spanning `size` of its height -> their strokes in canvas pixels, in pen order, digit after digit."""
    slot = canvas_width / len(digits)
    strokes = []
    for index, digit in enumerate(digits):
        shift = np.array([(index + 0.5) * slot - canvas_height / 2, 0.0])
        strokes += [points + shift for points in to_canvas(digit, Placement(size=size), canvas_height)]
    return strokes


def canvas_size(tab) -> tuple[int, int]:
    """The drawing canvas's internal (width, height) in canvas pixels."""
    return tuple(tab.locator(CANVAS).evaluate("canvas => [canvas.width, canvas.height]"))


def draw_number(tab, digits) -> str:
    """Draw `digits` left to right on number mode's canvas with the mouse -> the number the page reads, settled."""
    draw_canvas_strokes(tab, CANVAS, number_strokes(digits, *canvas_size(tab)), *canvas_size(tab))
    return settled_number(tab)


def settled_number(tab) -> str:
    tab.wait_for_function(NUMBER_SETTLED, arg=NUMBER, timeout=30_000)
    return tab.locator(NUMBER).inner_text().strip()
