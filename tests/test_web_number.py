"""Number mode on the static page: a whole number written on a wide canvas, read digit by digit as it is written.

The real page in real headless Chromium (tests/conftest.py: built by web/build.mjs, served by
web/serve.mjs, the exported models), each test in a fresh context (an empty IndexedDB). Numbers
are real pen digits of a held-out writer (never trained on), placed side by side and drawn with
the real mouse (tests/web_page.py draw_number), once with a made-up scrawl among them
(digit_data/non_digits.py) that the stroke model's 11th class reads as no digit; every wait is
on a page signal (the number shown and mnistDemo.predicting() false), never a fixed sleep.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlparse

import numpy as np
import pytest

from browser.digits import PAGE_CENTRED, PAGE_DIGITS
from browser.mouse import draw_canvas_strokes, draw_digit
from browser.static_page import CANVAS, CLEAR_BUTTON
from digit_data.non_digits import make_non_digits
from mnist_draw.config import CANVAS_SIZE
from mnist_draw.held_out_writers import held_out
from mnist_draw.render import Placement, kept_points, to_canvas
from mnist_draw.strokes import make_digit, read_stroke_file
from tests.web_page import (
    DOWNLOAD,
    KEEP,
    NUMBER,
    NUMBER_DIGITS,
    Visit,
    canvas_size,
    draw_number,
    kept_labels,
    meant,
    number_strokes,
    settled_number,
    settled_prediction,
    touch_draw,
    wait_for_count,
)

MODE_DIGIT = '[data-testid="mode-digit"]'
MODE_NUMBER = '[data-testid="mode-number"]'
WRITER = "pendigits-5"  # the first held-out writer
NUMBER_WRITTEN = "4071"  # a two-stroke 4 and a narrow 1 among single-stroke digits


@pytest.fixture(scope="module")
def writer_digits(pen_digits):
    """The held-out writer's first digit of each label."""
    first = defaultdict(list)
    for digit in held_out(pen_digits):
        if digit.writer == WRITER:
            first[digit.label].append(digit)
    return {str(label): digits[0] for label, digits in first.items()}


@pytest.fixture
def number_visit(browser, server_url):
    """A fresh context with the page opened at ?mode=number; fails the test on any page or console error."""
    visit = Visit(browser, f"{server_url}?mode=number")
    yield visit
    visit.context.close()
    assert not visit.errors, f"errors in the page: {visit.errors}"


def digits_shown(tab) -> list[tuple[str, float]]:
    """Each group's [data-testid=number-digit] as (data-digit, data-confidence), left to right."""
    pairs = tab.locator(NUMBER_DIGITS).evaluate_all(
        "buttons => buttons.map((button) => [button.dataset.digit, button.dataset.confidence])"
    )
    return [(digit, float(confidence)) for digit, confidence in pairs]


def mode_of(tab) -> str:
    pressed = [
        tab.locator(MODE_DIGIT).get_attribute("aria-pressed"),
        tab.locator(MODE_NUMBER).get_attribute("aria-pressed"),
    ]
    assert pressed in (["true", "false"], ["false", "true"]), pressed
    return "number" if pressed[1] == "true" else "digit"


def test_the_address_opens_number_mode_on_a_wide_canvas(number_visit):
    tab = number_visit.tab
    assert mode_of(tab) == "number"
    assert canvas_size(tab) == (3 * CANVAS_SIZE, CANVAS_SIZE)
    box = tab.locator(CANVAS).bounding_box()
    assert box["width"] == pytest.approx(3 * box["height"], rel=0.02)  # CSS keeps the drawing's shape
    assert box["width"] > 900  # across the page (viewport 1000)
    assert tab.locator(NUMBER).inner_text() == "" and tab.locator(NUMBER_DIGITS).count() == 0


def test_a_held_out_writers_number_is_read_digit_by_digit(number_visit, writer_digits):
    tab = number_visit.tab
    digits = [writer_digits[label] for label in NUMBER_WRITTEN]
    assert draw_number(tab, digits) == NUMBER_WRITTEN
    shown = digits_shown(tab)
    assert [digit for digit, _ in shown] == list(NUMBER_WRITTEN)
    assert all(0.5 < confidence <= 1 for _, confidence in shown), shown
    assert tab.locator(NUMBER).get_attribute("aria-label") == f"Number read: {NUMBER_WRITTEN}"
    labels = tab.locator(NUMBER_DIGITS).evaluate_all("buttons => buttons.map((button) => button.ariaLabel)")
    assert labels[0].startswith("Digit 1: 4, ") and len(labels) == 4
    # One faint box per group over the canvas, outside the ink the models read.
    assert tab.locator(".group-boxes > div").count() == 4
    # Pointer positions map onto the wide canvas: the ink lies where the strokes were aimed.
    width, height = canvas_size(tab)
    points = np.concatenate(number_strokes(digits, width, height))
    ink = tab.evaluate("() => window.mnistDemo.readInk()")
    reach = 22 / 2 + 2 + 1  # the default pen's half width, the canvas's antialiasing margin, a rounding pixel
    assert abs(ink["left"] - (points[:, 0].min() - reach)) <= 2
    assert abs(ink["left"] + ink["width"] - (points[:, 0].max() + reach)) <= 2
    assert abs(ink["top"] - (points[:, 1].min() - reach)) <= 2


def test_clear_empties_the_number(number_visit, writer_digits):
    tab = number_visit.tab
    assert draw_number(tab, [writer_digits[label] for label in "25"]) == "25"
    tab.locator(CLEAR_BUTTON).click()
    assert tab.locator(NUMBER).inner_text() == ""
    assert tab.locator(NUMBER_DIGITS).count() == 0 and tab.locator(".group-boxes > div").count() == 0
    assert tab.evaluate("() => window.mnistDemo.readInk()") is None


def test_the_mode_buttons_switch_clear_and_keep_the_mode_in_the_address(number_visit, writer_digits):
    tab = number_visit.tab
    draw_number(tab, [writer_digits["7"]])
    tab.locator(MODE_DIGIT).click()
    assert mode_of(tab) == "digit" and canvas_size(tab) == (CANVAS_SIZE, CANVAS_SIZE)
    assert urlparse(tab.url).query == ""
    assert tab.evaluate("() => window.mnistDemo.readInk()") is None  # switching clears the canvas
    draw_digit(tab, CANVAS, PAGE_DIGITS["7"], PAGE_CENTRED["7"])
    assert settled_prediction(tab) == "7"  # digit mode reads as ever
    assert tab.locator(NUMBER).is_hidden()
    number_visit.reload()
    assert mode_of(tab) == "digit"
    tab.locator(MODE_NUMBER).click()
    assert mode_of(tab) == "number" and urlparse(tab.url).query == "mode=number"
    number_visit.reload()
    assert mode_of(tab) == "number" and canvas_size(tab) == (3 * CANVAS_SIZE, CANVAS_SIZE)
    assert tab.locator('[data-testid="prediction"]').is_hidden()


def test_the_keyboard_switches_modes(number_visit):
    tab = number_visit.tab
    tab.locator(MODE_DIGIT).focus()
    tab.keyboard.press("Enter")
    assert mode_of(tab) == "digit"
    tab.keyboard.press("Tab")  # to the other mode's button
    tab.keyboard.press("Space")
    assert mode_of(tab) == "number"
    assert tab.get_by_role("group", name="What to write").get_by_role("button", name="A number").count() == 1


def test_a_corrected_digit_is_kept_alone_and_the_number_reads_it_as_kept(number_visit, writer_digits, tmp_path):
    tab = number_visit.tab
    digits = [writer_digits[label] for label in NUMBER_WRITTEN]
    assert draw_number(tab, digits) == NUMBER_WRITTEN
    assert tab.locator(KEEP).is_disabled()  # nothing picked, nothing to keep
    tab.locator(NUMBER_DIGITS).nth(1).click()
    assert tab.locator(NUMBER_DIGITS).nth(1).get_attribute("aria-pressed") == "true"
    assert meant(tab, "0").is_checked()  # the group's own reading, to confirm or change
    meant(tab, "6").click()
    tab.locator(KEEP).click()
    wait_for_count(tab, 1)
    assert kept_labels(tab) == ["6"]
    # Learning from it starts the number's new reading in the same turn of the page's event loop.
    tab.wait_for_function("() => window.mnistDemo.keptLearned() === 1")
    assert settled_number(tab) == "4671"  # read again at once, learning from the kept 6
    assert tab.locator(NUMBER_DIGITS).nth(1).get_attribute("data-changed") == "true"
    assert tab.locator(KEEP).is_disabled()  # kept: nothing picked any more
    with tab.expect_download() as download_info:
        tab.locator(DOWNLOAD).click()
    download_info.value.save_as(tmp_path / "drawings.json")
    [kept] = read_stroke_file(tmp_path / "drawings.json")
    # Only the 0's strokes, moved onto a digit canvas of their own, the same shape as drawn.
    drawn = kept_points(number_strokes(digits, *canvas_size(tab))[len(digits[0].strokes)])
    assert kept.label == 6 and len(kept.strokes) == len(writer_digits["0"].strokes) == 1
    assert (kept.width, kept.height) == (CANVAS_SIZE, CANVAS_SIZE)
    left, top, right, bottom = kept.bounds()
    assert 0 < left < right < CANVAS_SIZE and 0 < top < bottom < CANVAS_SIZE
    got = np.asarray(kept.strokes[0])
    assert got.shape == drawn.shape
    np.testing.assert_allclose(got - got[0], drawn - drawn[0], atol=1.0)


def test_a_number_is_written_by_touch_on_a_phone(browser, server_url):
    visit = Visit(
        browser, f"{server_url}?mode=number", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    tab = visit.tab
    touch_draw(tab, [(0.06, 0.17), (0.26, 0.17), (0.13, 0.88)])  # a 7 in the left third
    touch_draw(tab, [(0.62, 0.15), (0.62, 0.85)])  # a 1 right of it
    number = settled_number(tab)
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    visit.context.close()
    assert number == "71"
    assert width <= 360
    assert not visit.errors, visit.errors


def test_reading_a_number_leaves_no_tensors_behind(number_visit, writer_digits):
    tab = number_visit.tab
    assert draw_number(tab, [writer_digits[label] for label in NUMBER_WRITTEN]) == NUMBER_WRITTEN
    counts = tab.evaluate(
        """async () => {
            const before = window.mnistDemo.tf.memory().numTensors;
            for (let i = 0; i < 20; i++) await window.mnistDemo.predictCanvas();
            return [before, window.mnistDemo.tf.memory().numTensors];
        }"""
    )
    assert counts[0] == counts[1]


def test_a_scribble_among_digits_reads_as_not_a_digit_in_both_modes(number_visit, writer_digits):
    tab = number_visit.tab
    # A scrawl of the made-up non-digits no training saw (digit_data/non_digits.py "unseen"): one stroke.
    [scrawl] = make_non_digits(1, np.random.default_rng(0), "unseen", families=("scribble",))
    scribble = make_digit([stroke.tolist() for stroke in scrawl.strokes])
    assert draw_number(tab, [writer_digits["7"], scribble, writer_digits["1"]]) == "7?1"
    digit, confidence = digits_shown(tab)[1]
    assert digit == "?" and confidence >= tab.evaluate("() => mnistDemo.metadata.stroke.fusion.not_a_digit_threshold")
    assert tab.locator(NUMBER_DIGITS).nth(1).get_attribute("aria-label").startswith("Digit 2: not a digit, ")
    # Digit mode reads the same scrawl, alone on its square canvas, as no digit either.
    tab.locator(MODE_DIGIT).click()
    draw_canvas_strokes(tab, CANVAS, to_canvas(scribble, Placement(size=0.6), CANVAS_SIZE), CANVAS_SIZE, CANVAS_SIZE)
    assert settled_prediction(tab) == "?"
    assert tab.locator('[data-testid="prediction"]').get_attribute("data-state") == "not-a-digit"


def test_a_stray_tap_on_the_canvas_is_not_a_digit(number_visit):
    # A click that moves a pixel or two records two or three samples: its path, scaled up, is a 1,
    # its picture a dot. The page refuses it, as Python does (test_number_reading.py).
    tab = number_visit.tab
    tab.locator(MODE_DIGIT).click()
    draw_canvas_strokes(tab, CANVAS, [np.array([[150.0, 120.0], [151.0, 122.0]])], CANVAS_SIZE, CANVAS_SIZE)
    assert settled_prediction(tab) == "?"
    assert tab.locator('[data-testid="prediction"]').get_attribute("data-state") == "not-a-digit"
