"""Learns at once, in the app: a visitor's kept drawing changes their next answers, and nobody else's.

The real `streamlit run` (a fresh drawings folder) in real headless Chromium, a 7 drawn with the
mouse (browser.mouse.draw_digit), corrected to 1 and kept; the same 7 drawn again reads 1 "From
your drawings"; the toggle brings back the plain models' 7; another browser (another visitor)
drawing the same 7 reads 7. Every wait is on the page (the answer shown, the app idle).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import app_driver as driver
from browser.digits import APP_DIGITS
from browser.mouse import draw_digit, surface_placement
from mnist_draw.inference import MODEL_PATH_ENV, model_path_from_env
from mnist_draw.kept_drawings import DRAWINGS_DIR_ENV

FROM_YOUR_DRAWINGS = "From your drawings"
SEVEN = APP_DIGITS["7"]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("adapt-app") / "drawings"
    env = {MODEL_PATH_ENV: str(model_path_from_env()), DRAWINGS_DIR_ENV: str(folder)}
    with driver.streamlit_server(env=env) as url:
        yield url


def draw_seven(page) -> str:
    """Draw the 7 (always the same strokes) -> the app's answer once its run is over."""
    draw_digit(page, driver.CANVAS, SEVEN, surface_placement(SEVEN, 0.6))
    driver.wait_for_prediction(page)
    driver.wait_until_idle(page)
    return driver.metric_value(driver.prediction_metric(page)).inner_text().strip()


def test_a_kept_correction_reads_the_same_shape_right_for_that_visitor_only(browser, app_url):
    visitor = driver.open_app(browser, app_url)
    assert draw_seven(visitor) == "7"
    visitor.get_by_role("radio", name="1", exact=True).click()
    visitor.get_by_role("button", name="Keep this drawing as a 1").click()
    visitor.get_by_text("Kept as a").wait_for(timeout=30_000)

    driver.clear(visitor)
    assert draw_seven(visitor) == "1"
    expect(visitor.get_by_text(FROM_YOUR_DRAWINGS)).to_be_visible()

    visitor.get_by_text("Learn from my drawings").click()  # the toggle: the plain models again
    expect(driver.metric_value(driver.prediction_metric(visitor))).to_have_text("7", timeout=30_000)
    expect(visitor.get_by_text(FROM_YOUR_DRAWINGS)).to_have_count(0)

    stranger = driver.open_app(browser, app_url)
    assert draw_seven(stranger) == "7"
    expect(stranger.get_by_text(FROM_YOUR_DRAWINGS)).to_have_count(0)
    assert visitor.locator(driver.EXCEPTION).count() == stranger.locator(driver.EXCEPTION).count() == 0
    visitor.context.close()
    stranger.context.close()
