"""Real people's pen digits drawn into the page or the app with the mouse, and the answers read back.

What the drawn-digit e2e tests (tests/test_handwriting_e2e.py) and the benchmark
(bench/handwriting.py) share. The digits are the held-out writers' (mnist_draw.held_out_writers.held_out):
never trained on, so the answers measure what a new person drawing would see.
"""

from __future__ import annotations

from collections.abc import Sequence

from browser import app_driver, static_page
from browser.mouse import draw_digit
from mnist_draw.held_out_writers import PLACEMENTS
from mnist_draw.render import Placement
from mnist_draw.strokes import DrawnDigit

# The page's answer to the whole drawing: shown, and no prediction running or waiting. The last
# stroke's end asks for a prediction as the mouse goes up (web/js/main.js, mnistDemo.predicting),
# so a live one still running then is always followed by the stroke-end one.
PAGE_SETTLED = """selector => document.querySelector(selector).textContent.trim() !== ''
    && !window.mnistDemo.predicting()"""


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
    return settled_page_answer(page)


def settled_page_answer(page, timeout_ms: float = 30_000) -> str:
    """The page's answer to everything drawn so far, once it shows one and no prediction is running or queued."""
    page.wait_for_function(PAGE_SETTLED, arg=static_page.PREDICTION, timeout=timeout_ms)
    return page.locator(static_page.PREDICTION).inner_text().strip()


def read_app_answer(page, digit: DrawnDigit, placement: Placement) -> str:
    """Draw `digit` on the Streamlit canvas (at the app's default pen) -> the Prediction metric; then clear.

    Every mouse-up reruns the app, so a many-stroke digit is read from the run that got all its strokes.
    """
    draw_digit(page, app_driver.CANVAS, digit, placement)
    answer = app_driver.wait_for_answer(page, strokes=len(digit.strokes))
    app_driver.clear(page)
    return answer
