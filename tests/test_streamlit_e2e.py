"""End to end: a real `streamlit run streamlit_app.py`, real Chromium, digits drawn with the mouse or a finger.

The server runs the shipped artifacts/mnist.keras, exactly as the README's run command does
(or the model named by $MNIST_MODEL_PATH, to try another one).
The server, selectors and waits live in browser/app_driver.py and the digits in
browser/digits.py, shared with bench/streamlit.py; browser.mouse.draw_digit draws with the mouse
and browser.mouse.touch_digit with a finger on a touchscreen.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import app_driver as driver
from browser.digits import APP_CENTRED, APP_DIGITS
from browser.mouse import draw_digit, surface_placement, touch_digit
from mnist_draw.config import CANVAS_SIZE, STROKE_WIDTH_RANGE
from mnist_draw.inference import MODEL_PATH_ENV, model_path_from_env


@pytest.fixture(scope="module")
def app_url():
    model_path = model_path_from_env()
    if not model_path.is_file():
        pytest.fail(f"{model_path} is missing: the trained model is committed; make it with `python -m train`")
    with driver.streamlit_server(env={MODEL_PATH_ENV: str(model_path)}) as url:
        yield url


PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 3}
# Every pointer-down's kind ("mouse", "touch", "pen"), seen by the document before the canvas sees it.
RECORD_POINTER_TYPES = """
window.pointerTypes = [];
document.addEventListener('pointerdown', (event) => window.pointerTypes.push(event.pointerType), true);
"""
# The canvas's own pixels: the largest grey level of any pixel (0 = all black).
BRIGHTEST_PIXEL = """canvas => {
  const {data} = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let brightest = 0;
  for (let index = 0; index < data.length; index += 4) brightest = Math.max(brightest, data[index]);
  return brightest;
}"""


@pytest.fixture
def page(browser, app_url):
    page = driver.open_app(browser, app_url, RECORD_POINTER_TYPES)
    yield page
    page.close()


@pytest.fixture
def phone(browser, app_url):
    """The app in a phone-sized touchscreen context (its own session)."""
    page = driver.open_app(browser, app_url, RECORD_POINTER_TYPES, **PHONE)
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
    # The answer to the whole digit, not to its first strokes: every pointer-up reruns the app.
    assert driver.wait_for_answer(page, strokes=len(drawn.strokes)) == digit


def test_canvas_is_a_square_of_the_canvas_size_in_css_pixels(page):
    box = page.locator(driver.CANVAS).bounding_box()
    assert (box["width"], box["height"]) == (CANVAS_SIZE, CANVAS_SIZE)
    assert page.locator(driver.CANVAS).evaluate("canvas => [canvas.width, canvas.height]") == [CANVAS_SIZE] * 2


def test_digit_drawn_with_the_mouse_is_predicted(page):
    draw_digit(page, driver.CANVAS, APP_DIGITS["7"], APP_CENTRED["7"])
    assert driver.wait_for_prediction(page) == "7"
    assert set(page.evaluate("window.pointerTypes")) == {"mouse"}


def test_digit_drawn_by_touch_on_a_phone_is_predicted(phone):
    seven = APP_DIGITS["7"]
    touch_digit(phone, driver.CANVAS, seven, APP_CENTRED["7"])
    assert driver.wait_for_prediction(phone) == "7"
    assert set(phone.evaluate("window.pointerTypes")) == {"touch"}
    # touch-action: none, so the finger drew instead of scrolling the page away under it.
    assert phone.locator(driver.CANVAS).evaluate("canvas => getComputedStyle(canvas).touchAction") == "none"


def test_clear_removes_the_prediction(page):
    draw_digit(page, driver.CANVAS, APP_DIGITS["1"], APP_CENTRED["1"])
    driver.wait_for_prediction(page)
    driver.clear(page)
    page.get_by_text(driver.PROMPT).wait_for(timeout=30_000)
    assert page.locator(driver.CANVAS).evaluate(BRIGHTEST_PIXEL) == 0


def test_clear_is_reached_with_the_keyboard_and_the_next_digit_starts_afresh(page):
    draw_digit(page, driver.CANVAS, APP_DIGITS["7"], APP_CENTRED["7"])
    assert driver.wait_for_prediction(page) == "7"
    page.get_by_role("slider").focus()
    clear_button = page.locator(driver.CLEAR_BUTTON)
    canvas = page.locator(driver.CANVAS)
    focused = "element => element.getRootNode().activeElement === element"
    # From the pen width, Tab passes the controls between it and the canvas (the "Learn from my
    # drawings" switch), never stops on the canvas, and reaches its Clear button.
    for _ in range(4):
        page.keyboard.press("Tab")
        assert not canvas.evaluate(focused)
        if clear_button.evaluate(focused):
            break
    assert clear_button.evaluate(focused)
    expect(clear_button).to_be_visible()
    page.keyboard.press("Enter")
    driver.prediction_metric(page).wait_for(state="detached", timeout=30_000)
    page.get_by_text(driver.PROMPT).wait_for(timeout=30_000)
    assert page.locator(driver.CANVAS).evaluate(BRIGHTEST_PIXEL) == 0
    # The server forgot the 7 too: a 1 drawn now is read as a 1 alone.
    draw_digit(page, driver.CANVAS, APP_DIGITS["1"], APP_CENTRED["1"])
    assert driver.wait_for_prediction(page) == "1"


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
    driver.wait_for_pen(page, width)  # the slider's rerun hands the canvas its new pen
    draw_digit(page, driver.CANVAS, APP_DIGITS[digit], APP_CENTRED[digit])
    assert driver.wait_for_answer(page, strokes=len(APP_DIGITS[digit].strokes)) == digit


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
    # What each model thought: the picture and, with the stroke model beside the image model, the pen path.
    expect(expander).to_contain_text("The picture reads 7")
    expect(expander).to_contain_text("the pen path 7")
    assert page.locator('[data-testid="stException"]').count() == 0
