"""Learns at once, on the static page: a kept drawing changes the next answers at once, visibly, and reversibly.

The real page in real headless Chromium (tests/conftest.py `visit`: a fresh context, so an empty
IndexedDB), digits drawn with the real mouse (browser.mouse.draw_digit). The person draws a 1,
says they meant 7 and keeps it; the same shape drawn again is read as their 7, marked "from your
drawings"; with the switch off it is the plain model's 1 again; after a reload it is still their
7; after Delete all it is a 1. Every wait is on a page signal (the answer settled, the number of
kept drawings the page learns from), never a fixed sleep.
"""

from __future__ import annotations

from browser.digits import PAGE_CENTRED, PAGE_DIGITS
from browser.mouse import draw_digit
from browser.static_page import CANVAS, CLEAR_BUTTON, PREDICTION
from tests.web_page import KEEP, draw, meant, settled_prediction, wait_for_count

SWITCH = '[data-testid="adapt-switch"]'
ADAPTED = '[data-testid="adapted"]'


def wait_until_learned(tab, count: int) -> None:
    """Wait until the page's answers learn from `count` kept drawings (web/js/main.js createLearner)."""
    tab.wait_for_function("count => globalThis.mnistDemo?.keptLearned() === count", arg=count, timeout=5000)


def draw_one(tab) -> str:
    """Draw the page's 1 again, centred -> the page's settled answer."""
    tab.locator(CLEAR_BUTTON).click()
    tab.locator(CANVAS).scroll_into_view_if_needed()  # Delete all is further down the page
    draw_digit(tab, CANVAS, PAGE_DIGITS["1"], PAGE_CENTRED["1"])
    return settled_prediction(tab)


def adapted(tab) -> bool:
    marked = tab.locator(PREDICTION).get_attribute("data-adapted") == "true"
    assert marked == tab.locator(ADAPTED).is_visible(), "the line and the attribute must agree"
    return marked


def test_a_kept_correction_reads_the_same_shape_right_until_switched_off_or_deleted(visit):
    tab = visit.tab
    draw(tab, "1")
    assert not adapted(tab)
    meant(tab, "7").click()
    tab.locator(KEEP).click()
    wait_for_count(tab, 1)
    wait_until_learned(tab, 1)

    assert draw_one(tab) == "7" and adapted(tab)

    # The switch reads the drawing on the canvas again, with the plain model.
    tab.locator(SWITCH).uncheck()
    tab.wait_for_function("() => document.querySelector('[data-testid=prediction]').dataset.adapted === 'false'")
    assert settled_prediction(tab) == "1" and not adapted(tab)
    tab.locator(SWITCH).check()
    tab.wait_for_function("() => document.querySelector('[data-testid=prediction]').dataset.adapted === 'true'")
    assert settled_prediction(tab) == "7"

    # Kept in IndexedDB: learned again after a reload, before anything is drawn.
    visit.reload()
    wait_until_learned(tab, 1)
    assert draw_one(tab) == "7" and adapted(tab)

    tab.locator('[data-testid="delete-all-drawings"]').click()
    tab.locator('[data-testid="confirm-delete-all"]').click()
    wait_for_count(tab, 0)
    wait_until_learned(tab, 0)
    assert draw_one(tab) == "1" and not adapted(tab)
