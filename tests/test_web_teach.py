"""Teach it, on the static page: say which digit you meant, the strokes are kept in this browser, listed, deleted, downloaded.

The page is the one `npm start` ships (built by the real web/build.mjs, served by the real
web/serve.mjs, browser/static_page.py), in real headless Chromium. Digits are drawn with the
real mouse (browser.mouse.draw_digit); their strokes are recorded from the canvas's own pointer
events (web/js/canvas.js) and kept in IndexedDB (web/js/drawings.js). The downloaded file is
read back with mnist_draw.strokes.read_stroke_file, as `python -m train --drawings FILE` reads it.
Every test gets a fresh browser context, so its IndexedDB starts empty.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlparse

import numpy as np
from playwright.sync_api import expect

from browser.digits import PAGE_CENTRED, PAGE_DIGITS
from mnist_draw.config import CANVAS_SIZE, PROJECT_ROOT
from mnist_draw.render import to_canvas
from mnist_draw.strokes import read_stroke_file
from tests.web_page import (
    COUNT,
    DOWNLOAD,
    ITEMS,
    KEEP,
    NOTE,
    Visit,
    draw,
    kept_labels,
    meant,
    prediction,
    touch_draw,
    wait_for_count,
    wait_for_prediction,
)
from train.kept_drawings import load_drawings

# The page's policy as it stands: teaching it must not loosen it (no new source, no eval, no inline).
PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'"
)


def keep_with_key(tab, digit: str, kept_before: int) -> None:
    tab.keyboard.press(digit)
    wait_for_count(tab, kept_before + 1)


def expected_canvas_strokes(digit: str) -> list[np.ndarray]:
    """The canvas-pixel points draw_digit aims the mouse at for a centred page digit."""
    return to_canvas(PAGE_DIGITS[digit], PAGE_CENTRED[digit], CANVAS_SIZE)


# ---------------------------------------------------------------- saying which digit was meant


def test_the_guess_is_preselected_and_keep_keeps_it(visit):
    tab = visit.tab
    assert tab.locator(KEEP).is_disabled()  # nothing drawn, nothing to keep
    draw(tab, "7")
    assert meant(tab, "7").is_checked()
    assert tab.locator(KEEP).inner_text() == "Keep this drawing as a 7"
    tab.locator(KEEP).click()
    wait_for_count(tab, 1)
    assert kept_labels(tab) == ["7"]
    assert re.match(r"^1 drawing kept in this browser", tab.locator(COUNT).inner_text())
    assert "Kept as a 7" in tab.locator(NOTE).inner_text()
    # The canvas clears for the next drawing, and there is nothing left to keep.
    assert prediction(tab) == "" and tab.locator(KEEP).is_disabled()


def test_a_wrong_guess_is_corrected_with_a_digit_button(visit):
    tab = visit.tab
    draw(tab, "1")
    meant(tab, "4").click()
    assert tab.locator(KEEP).inner_text() == "Keep this drawing as a 4"
    tab.locator(KEEP).click()
    wait_for_count(tab, 1)
    assert kept_labels(tab) == ["4"]


def test_a_digit_key_keeps_the_drawing_as_that_digit(visit):
    tab = visit.tab
    tab.keyboard.press("5")  # nothing drawn: the key does nothing
    assert tab.locator(ITEMS).count() == 0
    draw(tab, "3")
    keep_with_key(tab, "8", 0)
    assert kept_labels(tab) == ["8"]
    tab.keyboard.press("8")  # the canvas was cleared: the same drawing is not kept twice
    # Had that second 8 kept anything, the grid would hold it before the next drawing kept now.
    draw(tab, "1")
    keep_with_key(tab, "1", 1)
    assert kept_labels(tab) == ["1", "8"]


def test_the_digit_buttons_are_one_radio_group_for_the_keyboard(visit):
    tab = visit.tab
    draw(tab, "7")
    meant(tab, "7").focus()
    tab.keyboard.press("ArrowRight")  # arrows move the choice inside the group
    assert meant(tab, "8").is_checked() and meant(tab, "8").evaluate("input => input === document.activeElement")
    tab.keyboard.press("Enter")  # Enter in the group is the Keep button
    wait_for_count(tab, 1)
    assert kept_labels(tab) == ["8"]
    assert tab.locator("legend").filter(has_text="Which digit did you mean?").count() == 1


def test_the_digit_buttons_fit_a_phone_and_work_by_touch(browser, server_url):
    visit = Visit(browser, server_url, viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    tab = visit.tab
    touch_draw(tab, [(0.24, 0.17), (0.76, 0.17), (0.42, 0.88)])
    wait_for_prediction(tab, "7")
    for digit in "0123456789":
        box = meant(tab, digit).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (digit, box)  # a finger's target
    meant(tab, "1").tap()
    expect(meant(tab, "1")).to_be_checked()
    tab.locator(KEEP).tap()
    wait_for_count(tab, 1)
    labels = kept_labels(tab)
    width = tab.evaluate("() => document.documentElement.scrollWidth")
    visit.context.close()
    assert labels == ["1"]
    assert width <= 360
    assert not visit.errors, visit.errors


# ---------------------------------------------------------------- your drawings


def test_kept_drawings_survive_a_reload_with_their_count_and_grid(visit):
    tab = visit.tab
    draw(tab, "7")
    tab.locator(KEEP).click()
    wait_for_count(tab, 1)
    draw(tab, "3")
    keep_with_key(tab, "3", 1)
    visit.reload()
    wait_for_count(tab, 2)
    assert kept_labels(tab) == ["3", "7"]  # newest first
    assert tab.locator(COUNT).inner_text().startswith("2 drawings kept in this browser")
    thumbnails = tab.locator(f"{ITEMS} canvas[role=img]")
    assert thumbnails.count() == 2
    inked = thumbnails.evaluate_all(
        """canvases => canvases.map((canvas) => {
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            return pixels.some((value, index) => index % 4 === 0 && value > 128);
        })"""
    )
    assert inked == [True, True], "each thumbnail is drawn from its strokes"


def test_delete_one_by_its_labelled_button(visit):
    tab = visit.tab
    for digit in ("1", "7"):
        draw(tab, digit)
        keep_with_key(tab, digit, tab.locator(ITEMS).count())
    tab.get_by_role("button", name=re.compile(r"^Delete this 1, drawn ")).click()
    wait_for_count(tab, 1)
    assert kept_labels(tab) == ["7"]
    assert tab.locator(COUNT).inner_text().startswith("1 drawing kept")
    visit.reload()
    wait_for_count(tab, 1)


def test_delete_all_asks_first(visit):
    tab = visit.tab
    for digit in ("4", "2"):
        draw(tab, digit)
        keep_with_key(tab, digit, tab.locator(ITEMS).count())
    confirm = tab.locator('[data-testid="delete-all-confirm"]')
    tab.locator('[data-testid="delete-all-drawings"]').click()
    assert confirm.is_visible() and "Delete all 2 drawings" in confirm.inner_text()
    tab.locator('[data-testid="cancel-delete-all"]').click()
    assert confirm.is_hidden() and tab.locator(ITEMS).count() == 2
    tab.locator('[data-testid="delete-all-drawings"]').click()
    tab.locator('[data-testid="confirm-delete-all"]').click()
    wait_for_count(tab, 0)
    assert tab.locator(COUNT).inner_text().startswith("None kept yet")
    assert tab.locator(DOWNLOAD).is_disabled()
    visit.reload()
    assert tab.locator(ITEMS).count() == 0


def test_download_is_one_stroke_file_the_trainer_reads(visit, tmp_path):
    tab = visit.tab
    kept = ["7", "3"]
    draw(tab, "7")
    tab.locator(KEEP).click()
    wait_for_count(tab, 1)
    draw(tab, "3")
    keep_with_key(tab, "3", 1)
    with tab.expect_download() as download_info:
        tab.locator(DOWNLOAD).click()
    download = download_info.value
    assert re.fullmatch(r"mnist-draw-drawings-\d{8}T\d{6}Z\.json", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    digits = read_stroke_file(path)
    assert [digit.label for digit in digits] == [int(label) for label in kept]  # oldest first, as kept
    for label, digit in zip(kept, digits):
        assert (digit.width, digit.height) == (CANVAS_SIZE, CANVAS_SIZE)
        assert digit.writer is None
        stamp = datetime.datetime.fromisoformat(digit.drawn_at.replace("Z", "+00:00"))
        assert stamp.utcoffset() == datetime.timedelta(0)
        assert abs(datetime.datetime.now(datetime.timezone.utc) - stamp) < datetime.timedelta(minutes=10)
        expected = expected_canvas_strokes(label)
        assert [len(stroke) for stroke in digit.strokes] == [len(stroke) for stroke in expected], label
        for got, want in zip(digit.strokes, expected):
            np.testing.assert_allclose(np.asarray(got), want, atol=1.0, err_msg=f"the strokes of the {label}")
    warnings = []
    trainable, record = load_drawings([path], warn=warnings.append)  # what `python -m train --drawings` reads
    assert not warnings and record["per_class"][3] == record["per_class"][7] == 1 and len(trainable) == 2


def test_drawings_are_kept_and_downloaded_offline(visit, tmp_path):
    tab = visit.tab
    tab.evaluate("async () => { await navigator.serviceWorker.ready; }")  # the page is precached
    draw(tab, "7")
    keep_with_key(tab, "7", 0)
    visit.context.set_offline(True)
    visit.reload()
    wait_for_count(tab, 1)
    draw(tab, "4")
    keep_with_key(tab, "4", 1)
    with tab.expect_download() as download_info:
        tab.locator(DOWNLOAD).click()
    download_info.value.save_as(tmp_path / "drawings.json")
    assert [digit.label for digit in read_stroke_file(tmp_path / "drawings.json")] == [7, 4]


def test_the_whole_flow_stays_in_the_browser(visit, server_url, tmp_path):
    tab = visit.tab
    draw(tab, "7")
    tab.locator(KEEP).click()
    wait_for_count(tab, 1)
    draw(tab, "1")
    keep_with_key(tab, "1", 1)
    visit.reload()
    wait_for_count(tab, 2)
    tab.get_by_role("button", name=re.compile(r"^Delete this 7, drawn ")).click()
    wait_for_count(tab, 1)
    with tab.expect_download() as download_info:
        tab.locator(DOWNLOAD).click()
    download_info.value.save_as(tmp_path / "drawings.json")
    assert [digit.label for digit in read_stroke_file(tmp_path / "drawings.json")] == [1]
    origin = urlparse(server_url).netloc
    outside = [
        url
        for _, url in visit.requests
        if urlparse(url).scheme not in {"data", "blob"} and urlparse(url).netloc != origin
    ]
    assert not outside, outside
    assert {method for method, _ in visit.requests} == {"GET"}, "the page only ever reads; it sends nothing"


def test_the_csp_meta_tag_is_unchanged(visit):
    source = (PROJECT_ROOT / "web" / "index.html").read_text()
    tag = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"', source)
    assert tag and tag.group(1) == PAGE_CSP
    served = visit.tab.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert served == PAGE_CSP
