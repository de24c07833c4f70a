"""Real people's pen digits drawn into the page or the app with the mouse, and the answers read back.

What the drawn-digit e2e tests (tests/test_handwriting_e2e.py) and the benchmark
(bench/handwriting.py) share. The digits are the held-out writers' (mnist_draw.held_out_writers.held_out):
never trained on, so the answers measure what a new person drawing would see.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from browser import app_driver, static_page
from browser.mouse import draw_digit
from mnist_draw.held_out_writers import PLACEMENTS
from mnist_draw.render import Placement
from mnist_draw.strokes import DrawnDigit

# After the last stroke's prediction appears, time for a still-running live prediction to be replaced.
SETTLE_MS = 150
APP_SEND_DELAY_MS = 300  # the canvas sends on pointer-up; this covers the trip until the rerun has started
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'  # no rerun in progress
QUIET_MS = 1500  # an answer that holds this long after the app went idle is the whole digit's


def spread_sample(digits: Sequence[DrawnDigit], count: int) -> list[tuple[DrawnDigit, str]]:
    """`count` digits taken evenly across the sequence (so across writers), each with a PLACEMENTS name in turn."""
    if not 0 < count <= len(digits):
        raise ValueError(f"count must be between 1 and {len(digits)}, got {count}")
    names = list(PLACEMENTS)
    step = len(digits) / count
    return [(digits[int(index * step)], names[index % len(names)]) for index in range(count)]


def set_page_pen(page, width: float) -> None:
    page.locator(static_page.STROKE_WIDTH_SLIDER).fill(str(round(width)))


def read_page_answer(page, digit: DrawnDigit, placement: Placement) -> str:
    """Clear the page, set the pen, draw `digit` with the mouse -> the digit the page shows ("" if none)."""
    page.keyboard.press("Escape")
    page.wait_for_function(
        "selector => document.querySelector(selector).textContent.trim() === ''", arg=static_page.PREDICTION
    )
    set_page_pen(page, placement.pen_width)
    draw_digit(page, static_page.CANVAS, digit, placement)
    page.wait_for_function(
        "selector => document.querySelector(selector).textContent.trim() !== ''", arg=static_page.PREDICTION
    )
    page.wait_for_timeout(SETTLE_MS)
    return page.locator(static_page.PREDICTION).inner_text().strip()


def settled_app_answer(page, timeout_ms: float = 60_000) -> str:
    """The Prediction metric once the app has stopped rerunning and the answer has held for QUIET_MS.

    Every mouse-up sends the strokes so far and reruns the app, so the answer to the first strokes
    of a many-stroke digit shows before the answer to the whole digit.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    page.wait_for_timeout(APP_SEND_DELAY_MS)
    answer, held_since = None, time.monotonic()
    while time.monotonic() < deadline:
        page.locator(APP_IDLE).wait_for(timeout=timeout_ms)
        current = app_driver.wait_for_prediction(page, timeout_ms)
        if current != answer:
            answer, held_since = current, time.monotonic()
        elif (time.monotonic() - held_since) * 1000 >= QUIET_MS:
            return answer
        page.wait_for_timeout(250)
    raise TimeoutError(f"the app's answer did not settle within {timeout_ms / 1000:.0f} s")


def read_app_answer(page, digit: DrawnDigit, placement: Placement) -> str:
    """Draw `digit` on the Streamlit canvas (at the app's default pen) -> the Prediction metric; then clear.

    Every mouse-up reruns the app, so a many-stroke digit is read once the last rerun is done.
    """
    draw_digit(page, app_driver.CANVAS, digit, placement)
    answer = settled_app_answer(page)
    app_driver.clear(page)
    return answer
