"""End to end: a real `streamlit run streamlit_app.py`, real Chromium, digits drawn with the mouse.

The server runs the shipped artifacts/mnist.keras, exactly as the README's run command does
(or the model named by $MNIST_MODEL_PATH, to try another one).
The server, selectors and waits live in browser/streamlit_app.py and the digits in
browser/digits.py, shared with bench/streamlit.py; browser.draw.draw_digit draws with the mouse.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import streamlit_app as driver
from browser.digits import APP_CENTRED, APP_DIGITS
from browser.draw import draw_digit, surface_placement
from mnist_draw.config import STROKE_WIDTH_RANGE
from mnist_draw.inference import MODEL_PATH_ENV, model_path_from_env


@pytest.fixture(scope="module")
def app_url():
    model_path = model_path_from_env()
    if not model_path.is_file():
        pytest.fail(f"{model_path} is missing: the trained model is committed; make it with `python -m train`")
    with driver.streamlit_server(env={MODEL_PATH_ENV: str(model_path)}) as url:
        yield url


@pytest.fixture
def page(browser, app_url):
    page = driver.open_app(browser, app_url)
    yield page
    page.close()


def test_blank_canvas_shows_the_prompt_and_no_prediction(page):
    page.get_by_text(driver.PROMPT).wait_for(timeout=30_000)
    assert driver.prediction_metric(page).count() == 0


@pytest.mark.parametrize(
    ("digit", "centre", "size"),
    [
        ("1", (0.5, 0.5), 0.6),
        ("7", (0.5, 0.5), 0.6),
        ("0", (0.5, 0.5), 0.6),
        ("7", (0.3, 0.35), 0.35),
        ("6", (0.5, 0.5), 0.8),
        ("8", (0.5, 0.5), 0.8),
        ("9", (0.5, 0.5), 0.8),
    ],
    ids=["one", "seven", "zero", "small-off-centre-seven", "six", "eight", "nine"],
)
def test_drawn_digit_is_predicted(page, digit, centre, size):
    drawn = APP_DIGITS[digit]
    draw_digit(page, driver.CANVAS, drawn, surface_placement(drawn, size, *centre))
    assert driver.wait_for_prediction(page) == digit


def test_clear_removes_the_prediction(page):
    draw_digit(page, driver.CANVAS, APP_DIGITS["1"], APP_CENTRED["1"])
    driver.wait_for_prediction(page)
    driver.clear(page)
    page.get_by_text(driver.PROMPT).wait_for(timeout=30_000)


def test_bad_upload_shows_the_message(page):
    page.get_by_role("tab", name="Upload a photo").click()
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploader.set_input_files(files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture\n"}])
    page.get_by_text("This file is not an image").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize(
    ("key", "width", "digit"),
    [("Home", STROKE_WIDTH_RANGE[0], "7"), ("End", STROKE_WIDTH_RANGE[1], "0")],
    ids=["thinnest-pen", "thickest-pen"],
)
def test_digit_drawn_with_another_pen_width_is_predicted(page, key, width, digit):
    slider = page.get_by_role("slider")
    slider.focus()
    slider.press(key)
    expect(page.locator('[data-testid="stSliderThumbValue"]')).to_have_text(str(width))
    page.wait_for_timeout(1500)  # the slider's rerun hands the canvas its new pen; no DOM sign marks its end
    draw_digit(page, driver.CANVAS, APP_DIGITS[digit], APP_CENTRED[digit])
    assert driver.wait_for_prediction(page) == digit


def test_look_inside_renders_for_the_drawn_digit(page):
    draw_digit(page, driver.CANVAS, APP_DIGITS["7"], APP_CENTRED["7"])
    assert driver.wait_for_prediction(page) == "7"
    page.get_by_text("Look inside the model").click()
    expander = page.locator('[data-testid="stExpander"]')
    images = expander.locator("img")
    expect(images).to_have_count(3, timeout=30_000)
    for index in range(3):
        # decode() resolves once the picture is loaded and decodable, and rejects if it is broken.
        assert images.nth(index).evaluate("image => image.decode().then(() => image.naturalWidth)") > 0
    assert page.locator('[data-testid="stException"]').count() == 0
