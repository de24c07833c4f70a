"""The static page in real headless Chromium: built by web/build.mjs, served by the real web/serve.mjs, running real TF.js.

What runs is what `npm start` ships: the esbuild bundle with the lean TF.js (web/js/tf.js), built
once per session from MODEL_DIR (browser/static_page.py). The built files themselves, the server
and the page offline are checked in tests/test_web_offline.py.

Selectors are the page's test contract (web/js/ui.js): draw-canvas, clear, prediction, status
(data-state loading/ready/error), stroke-width; browser/static_page.py holds them and serves the page.
Digits (browser/digits.py) are drawn with the real mouse by browser.mouse.draw_digit.
The model is the exported one in web/model (`python -m export`); set WEB_TEST_MODEL_DIR to
test another export folder, and WEB_TEST_KERAS_MODEL for the Keras file it came from.
"""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import urlparse

import numpy as np
import pytest

from browser.digits import PAGE_CENTRED, PAGE_DIGITS
from browser.mouse import draw_digit
from browser.static_page import CANVAS, READY
from tests.conftest import MODEL_DIR, missing
from tests.make_golden import GOLDEN_PATH, decode_canvas, decode_expected
from tests.web_page import (
    KERAS_MODEL,
    LOAD_TIMEOUT_MS,
    prediction,
    settled_prediction,
    touch_draw,
    wait_for_prediction,
)

# Every digit at every placement is drawn once, in tests/test_web_offline.py: in a tab of the same
# build and model, visited once and then offline, so one drawing shows that the page reads it and
# that it does so without the network.


def test_blank_canvas_predicts_nothing(page):
    assert prediction(page) == ""
    assert page.locator('[data-testid="unsure"]').is_hidden()


def test_prediction_shows_confidence_and_ten_bars(page):
    draw_digit(page, CANVAS, PAGE_DIGITS["7"], PAGE_CENTRED["7"])
    wait_for_prediction(page, "7")
    assert re.search(r"\d+(\.\d)?% sure it is a 7", page.locator('[data-testid="confidence"]').inner_text())
    assert page.locator('[data-testid="probabilities"] li').count() == 10


def test_clear_button_empties_canvas_and_prediction(page):
    draw_digit(page, CANVAS, PAGE_DIGITS["1"], PAGE_CENTRED["1"])
    wait_for_prediction(page, "1")
    page.locator('[data-testid="clear"]').click()
    assert prediction(page) == ""
    blank = page.evaluate(
        "() => { const c = document.querySelector('[data-testid=draw-canvas]');"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " return d.every((v, i) => i % 4 === 3 || v === 0); }"
    )
    assert blank


def test_escape_key_clears(page):
    draw_digit(page, CANVAS, PAGE_DIGITS["1"], PAGE_CENTRED["1"])
    wait_for_prediction(page, "1")
    page.keyboard.press("Escape")
    assert prediction(page) == ""


def test_clear_button_is_reachable_by_keyboard(page):
    draw_digit(page, CANVAS, PAGE_DIGITS["1"], PAGE_CENTRED["1"])
    wait_for_prediction(page, "1")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.dataset.testid") == "clear":
            break
    assert page.evaluate("() => document.activeElement?.dataset.testid") == "clear"
    page.keyboard.press("Enter")
    assert prediction(page) == ""


def test_stroke_width_slider_follows_metadata(page):
    metadata = json.loads((MODEL_DIR / "metadata.json").read_text())["page"]
    slider = page.locator('[data-testid="stroke-width"]')
    assert [int(slider.get_attribute(name)) for name in ("min", "max")] == metadata["stroke_width_range"]
    assert int(slider.input_value()) == metadata["stroke_width"]
    assert page.locator("label[for=stroke-width]").count() == 1


@pytest.mark.parametrize(
    ("broken", "route_pattern", "fulfil"),
    [
        # Model files are fetched as ...?v=<export version> (web/js/model.js).
        (
            "corrupt_weights",
            re.compile(r"\.bin(\?|$)"),
            {"status": 200, "body": b"\x00" * 1024, "content_type": "application/octet-stream"},
        ),
        ("missing_model", "**/model/metadata.json", {"status": 404, "body": "not found"}),
    ],
)
def test_model_load_failure_shows_visible_error(browser, server_url, broken, route_pattern, fulfil):
    context = browser.new_context()
    tab = context.new_page()
    tab.route(route_pattern, lambda route: route.fulfill(**fulfil))
    tab.goto(server_url)
    status = tab.wait_for_selector('[data-testid="status"][data-state="error"]', timeout=LOAD_TIMEOUT_MS)
    assert status.is_visible()
    text = status.inner_text()
    assert "python -m export" in text, text
    if broken == "corrupt_weights":
        assert "SHA-256" in text, text
    context.close()


def test_no_request_leaves_the_origin(browser, server_url):
    context = browser.new_context()
    tab = context.new_page()
    requests = []
    tab.on("request", lambda request: requests.append(request.url))
    response = tab.goto(server_url)
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    draw_digit(tab, CANVAS, PAGE_DIGITS["7"], PAGE_CENTRED["7"])
    wait_for_prediction(tab, "7")
    context.close()
    origin = urlparse(server_url).netloc
    assert any(urlparse(url).path.endswith(".bin") for url in requests), requests  # the model really came over HTTP
    outside = [
        url for url in requests if urlparse(url).scheme not in {"data", "blob"} and urlparse(url).netloc != origin
    ]
    assert not outside, outside
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "http" not in policy


def open_page(browser, url, init_script=None, route=None):
    """A fresh context and tab at url, ready -> (context, tab, requested URLs, page errors)."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    tab = context.new_page()
    requests, errors = [], []
    tab.on("request", lambda request: requests.append(request.url))
    tab.on("pageerror", lambda error: errors.append(str(error)))
    if init_script:
        tab.add_init_script(init_script)
    if route:
        tab.route(*route)
    tab.goto(url)
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    return context, tab, requests, errors


@pytest.mark.parametrize(
    ("query", "why"),
    [("?backend=cpu", "asked for"), ("?backend=webgl", "not in the build: falls back to cpu")],
)
def test_cpu_backend_predicts(browser, server_url, query, why):
    context, tab, requests, errors = open_page(browser, server_url + query)
    assert tab.evaluate("() => window.mnistDemo.backend") == "cpu", why
    draw_digit(tab, CANVAS, PAGE_DIGITS["7"], PAGE_CENTRED["7"])
    wait_for_prediction(tab, "7")
    context.close()
    assert not [url for url in requests if urlparse(url).path.endswith(".wasm")], "cpu needs no wasm binary"
    assert not errors, errors


def test_without_wasm_simd_the_page_falls_back_to_cpu(browser, server_url):
    # The build ships only the SIMD binary; a browser that cannot run it must not ask for another.
    context, tab, requests, errors = open_page(browser, server_url, init_script="WebAssembly.validate = () => false;")
    assert tab.evaluate("() => window.mnistDemo.backend") == "cpu"
    draw_digit(tab, CANVAS, PAGE_DIGITS["4"], PAGE_CENTRED["4"])
    wait_for_prediction(tab, "4")
    context.close()
    assert not [url for url in requests if urlparse(url).path.endswith(".wasm")]
    assert not errors, errors


def test_when_wasm_cannot_start_the_page_falls_back_to_cpu(browser, server_url):
    context, tab, _, errors = open_page(
        browser, server_url, route=("**/*.wasm", lambda route: route.fulfill(status=404, body="gone"))
    )
    assert tab.evaluate("() => window.mnistDemo.backend") == "cpu"
    draw_digit(tab, CANVAS, PAGE_DIGITS["1"], PAGE_CENTRED["1"])
    wait_for_prediction(tab, "1")
    context.close()
    assert not errors, errors


def test_only_the_simd_wasm_binary_is_fetched(browser, server_url):
    context, tab, requests, _ = open_page(browser, server_url)
    assert tab.evaluate("() => window.mnistDemo.backend") == "wasm"
    context.close()
    assert [urlparse(url).path for url in requests if urlparse(url).path.endswith(".wasm")] == [
        "/wasm/tfjs-backend-wasm-simd.wasm"
    ]


def test_model_option_loads_the_model_from_another_folder(browser, server_url):
    def from_model_dir(route):
        relative = urlparse(route.request.url).path.split("/elsewhere/", 1)[1]
        route.fulfill(path=MODEL_DIR / relative)

    route = ("**/elsewhere/**", from_model_dir)
    context, tab, requests, errors = open_page(browser, f"{server_url}?model=elsewhere/&variant=float32", route=route)
    assert tab.evaluate("() => window.mnistDemo.variant") == "float32"
    draw_digit(tab, CANVAS, PAGE_DIGITS["7"], PAGE_CENTRED["7"])
    wait_for_prediction(tab, "7")
    context.close()
    paths = [urlparse(url).path for url in requests]
    assert {
        "/elsewhere/metadata.json",
        "/elsewhere/float32/model.json",
        "/elsewhere/float32/group1-shard1of1.bin",
    } <= set(paths)
    assert not [
        path for path in paths if path.startswith("/model/") and path != "/model/metadata.json"
    ]  # (its preload)
    assert not errors, errors


def test_page_fits_a_phone_screen_and_draws_by_touch(browser, server_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.goto(server_url)
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    assert tab.evaluate("() => document.documentElement.scrollWidth") <= 360
    canvas = tab.locator('[data-testid="draw-canvas"]')
    assert canvas.bounding_box()["width"] >= 280
    assert canvas.evaluate("element => getComputedStyle(element).touchAction") == "none"
    scroll_before = tab.evaluate("() => window.scrollY")
    touch_draw(tab, [(0.24, 0.17), (0.76, 0.17), (0.42, 0.88)])
    wait_for_prediction(tab, "7")
    assert tab.evaluate("() => window.scrollY") == scroll_before  # the finger drew, it did not scroll
    context.close()


def test_preprocessing_in_browser_matches_python_golden(page):
    golden = json.loads(GOLDEN_PATH.read_text())
    for case in golden["cases"]:
        got = page.evaluate(
            """([rgbaBase64, width, height]) => {
                const bytes = Uint8ClampedArray.from(atob(rgbaBase64), (char) => char.charCodeAt(0));
                return Array.from(window.mnistDemo.preprocess(bytes, width, height));
            }""",
            [
                base64.b64encode(decode_canvas(case["canvas"]).tobytes()).decode("ascii"),
                case["canvas"]["width"],
                case["canvas"]["height"],
            ],
        )
        expected = decode_expected(case).reshape(-1)
        np.testing.assert_allclose(np.asarray(got, dtype=np.float32), expected, atol=1e-6, err_msg=case["name"])


def test_tensor_count_stays_flat(page):
    draw_digit(page, CANVAS, PAGE_DIGITS["3"], PAGE_CENTRED["3"])
    assert settled_prediction(page) == "3"  # no prediction of the drawing still holds tensors
    counts = page.evaluate(
        """async () => {
            const before = window.mnistDemo.tf.memory().numTensors;
            for (let i = 0; i < 20; i++) await window.mnistDemo.predictCanvas();
            return [before, window.mnistDemo.tf.memory().numTensors];
        }"""
    )
    assert counts[0] == counts[1]


@pytest.mark.slow
def test_browser_float32_model_matches_keras_on_mnist(browser, server_url, mnist_dir):
    """Browser half of the export parity check: the page's own loading code, real test digits."""
    if not KERAS_MODEL.is_file():
        missing(f"no Keras model at {KERAS_MODEL}: run `python -m train`")
    import keras

    from digit_data.mnist import load_mnist, to_model_input

    _, (test_images, _) = load_mnist(mnist_dir)
    images = to_model_input(test_images[:200])
    expected = keras.models.load_model(KERAS_MODEL).predict(images, verbose=0)
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{server_url}?variant=float32")
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    assert tab.evaluate("() => window.mnistDemo.variant") == "float32"
    payload = base64.b64encode(images.astype("<f4").tobytes()).decode("ascii")
    got = tab.evaluate(
        """async (payload) => {
            const bytes = Uint8Array.from(atob(payload), (char) => char.charCodeAt(0));
            return Array.from(await window.mnistDemo.classifyBatch(new Float32Array(bytes.buffer)));
        }""",
        payload,
    )
    context.close()
    got = np.asarray(got, dtype=np.float32).reshape(expected.shape)
    np.testing.assert_allclose(got, expected, atol=1e-4, err_msg="browser float32 vs Keras")
    np.testing.assert_array_equal(got.argmax(axis=1), expected.argmax(axis=1))
