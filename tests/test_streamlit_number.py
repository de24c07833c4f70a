"""End to end, number mode: a real `streamlit run streamlit_app.py`, real Chromium, a number written with the mouse.

A held-out writer's composed number (digit_data/numbers.py: their own digits, laid out as a person
writes a number on the 840 x 280 canvas) is drawn stroke by stroke with the mouse
(browser.mouse.draw_canvas_strokes), and the app's "Number" metric is read. The server, selectors
and waits are browser/app_driver.py's.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import app_driver as driver
from browser.mouse import draw_canvas_strokes
from digit_data.numbers import compose_numbers
from mnist_draw.held_out_writers import held_out
from mnist_draw.inference import MODEL_PATH_ENV, load_model, model_path_from_env
from mnist_draw.kept_drawings import DRAWINGS_DIR_ENV
from mnist_draw.number_reading import read_number
from mnist_draw.stroke_inference import load_stroke_reader

HELD_OUT_SEED = 61


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    model_path = model_path_from_env()
    if not model_path.is_file():
        pytest.fail(f"{model_path} is missing: the trained model is committed; make it with `python -m train`")
    env = {MODEL_PATH_ENV: str(model_path), DRAWINGS_DIR_ENV: str(tmp_path_factory.mktemp("number-app"))}
    with driver.streamlit_server(env=env) as url:
        yield url


@pytest.fixture(scope="module")
def written(pen_digits):
    """A held-out writer's number of 4-6 digits that the models, given these exact strokes, read right.

    The mouse brings the points to the canvas within a pixel's rounding, so the app must read it the same.
    """
    path = model_path_from_env()
    model, reader = load_model(path), load_stroke_reader(path)
    for composed in compose_numbers(held_out(pen_digits), 20, seed=HELD_OUT_SEED, lengths=range(4, 7)):
        digits = "".join(map(str, composed.digits))
        if read_number(model, reader, composed.strokes).text == digits:
            return composed, digits
    pytest.fail("none of 20 held-out numbers was read right from its own strokes")


@pytest.fixture
def page(browser, app_url):
    page = driver.open_app(browser, app_url)
    driver.choose_mode(page, "Number")
    yield page
    page.close()


def test_number_mode_has_a_wide_canvas_and_an_empty_number(page):
    canvas = page.locator(driver.CANVAS)
    assert canvas.evaluate("canvas => [canvas.width, canvas.height]") == list(driver.NUMBER_CANVAS)
    box = canvas.bounding_box()
    assert box["width"] / box["height"] == pytest.approx(driver.NUMBER_CANVAS[0] / driver.NUMBER_CANVAS[1], rel=0.01)
    expect(driver.metric_value(driver.number_metric(page))).to_have_text("")


def test_a_number_written_with_the_mouse_is_read(page, written):
    composed, digits = written
    draw_canvas_strokes(page, driver.CANVAS, composed.strokes, *driver.NUMBER_CANVAS)
    assert driver.wait_for_number(page, strokes=len(composed.strokes)) == digits
    # One box per digit on the drawing, and nothing went wrong on the way.
    expect(page.get_by_text("each box is one digit")).to_be_visible()
    assert page.locator(driver.EXCEPTION).count() == 0
    # Clear empties the number again.
    page.locator(driver.CLEAR_BUTTON).click()
    expect(driver.metric_value(driver.number_metric(page))).to_have_text("", timeout=30_000)
