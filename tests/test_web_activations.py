"""The page's "Look inside" view: block1/block2 activations from the exported activation graph.

web/model/activations/ (export/convert.py export_activations) is a float32 TF.js graph model
with the outputs of train/model.py's BLOCK_OUTPUT_NAMES; metadata.json "activations" describes
it. Checked here: the metadata entry and its SHA-256s, browser TF.js vs Keras
(mnist_draw.activations.block_activations) on a real MNIST test digit within 1e-4, no tensor leak, and
the view in real Chromium: loaded only when opened, grids drawn, data-state="ready", no errors.
Fixtures server_url and page come from tests/conftest.py; drawing from browser/.
"""

from __future__ import annotations

import base64
import hashlib
import json

import numpy as np
import pytest

from browser.digits import PAGE_CENTRED, PAGE_DIGITS
from browser.mouse import draw_digit
from browser.static_page import CANVAS, READY
from mnist_draw.config import BLOCK_OUTPUT_NAMES
from tests.conftest import MODEL_DIR, missing
from tests.web_page import KERAS_MODEL, LOAD_TIMEOUT_MS, wait_for_prediction

ACTIVATIONS = '[data-testid="activations"]'
EXPECTED_SHAPES = {"block1": [12, 12, 32], "block2": [4, 4, 64]}
TOLERANCE = 1e-4  # the model parity tests' float32 tolerance: float32 kernels differ by rounding only


@pytest.fixture(scope="module")
def metadata():
    path = MODEL_DIR / "metadata.json"
    if not path.is_file():
        missing(f"no exported model in {MODEL_DIR}: run `python -m export`")
    return json.loads(path.read_text())


def test_metadata_describes_the_activation_model(metadata):
    entry = metadata["activations"]
    assert entry["path"] == "activations/model.json"
    assert list(entry["outputs"]) == list(BLOCK_OUTPUT_NAMES)
    assert {name: output["shape"] for name, output in entry["outputs"].items()} == EXPECTED_SHAPES
    model_json = json.loads((MODEL_DIR / entry["path"]).read_text())
    signature = model_json["signature"]["outputs"]
    for name, output in entry["outputs"].items():
        dims = [int(dim["size"]) for dim in signature[output["name"]]["tensorShape"]["dim"]]
        assert dims[1:] == output["shape"], name
    folder = (MODEL_DIR / entry["path"]).parent
    assert entry["bytes"] == sum(path.stat().st_size for path in folder.iterdir() if path.is_file())
    assert entry["max_abs_diff"] <= TOLERANCE
    # The prediction variants stay single-output: the page's default path is untouched.
    for variant in metadata["variants"].values():
        assert list(json.loads((MODEL_DIR / variant["path"]).read_text())["signature"]["outputs"]) == [
            metadata["output"]["name"]
        ]


def test_activation_weights_are_hashed(metadata):
    model_json = json.loads((MODEL_DIR / metadata["activations"]["path"]).read_text())
    shards = [f"activations/{shard}" for group in model_json["weightsManifest"] for shard in group["paths"]]
    assert shards
    for shard in shards:
        assert metadata["weights_sha256"][shard] == hashlib.sha256((MODEL_DIR / shard).read_bytes()).hexdigest(), shard


@pytest.mark.slow
def test_browser_activations_match_keras_on_a_mnist_digit(page, mnist_dir):  # noqa: F811
    """TF.js in Chromium, through the page's own code, vs mnist_draw.activations on one real test digit."""
    if not KERAS_MODEL.is_file():
        missing(f"no Keras model at {KERAS_MODEL}: run `python -m train`")
    import keras

    from digit_data.mnist import load_mnist, to_model_input
    from mnist_draw.activations import activation_model, block_activations

    _, (test_images, _) = load_mnist(mnist_dir)
    image = to_model_input(test_images[:1])[0]
    expected = block_activations(activation_model(keras.models.load_model(KERAS_MODEL)), image)
    payload = base64.b64encode(image.astype("<f4").tobytes()).decode("ascii")
    got = page.evaluate(
        """async (payload) => {
            const bytes = Uint8Array.from(atob(payload), (char) => char.charCodeAt(0));
            const image = new Float32Array(bytes.buffer);
            await window.mnistDemo.blockActivations(image);  // loads the model once
            const before = window.mnistDemo.tf.memory().numTensors;
            const blocks = await window.mnistDemo.blockActivations(image);
            const after = window.mnistDemo.tf.memory().numTensors;
            const out = {before, after};
            for (const [name, block] of Object.entries(blocks)) out[name] = {shape: block.shape, raw: Array.from(block.raw), maps: Array.from(block.maps)};
            return out;
        }""",
        payload,
    )
    assert got["before"] == got["after"], "blockActivations leaked tensors"
    for name in BLOCK_OUTPUT_NAMES:
        want = expected[name]
        assert got[name]["shape"] == list(want.shape) == EXPECTED_SHAPES[name]
        raw = np.asarray(got[name]["raw"], dtype=np.float32).reshape(want.shape)
        np.testing.assert_allclose(raw, want, atol=TOLERANCE, err_msg=f"browser {name} vs Keras")
        maps = np.asarray(got[name]["maps"], dtype=np.float32)
        assert maps.min() >= 0 and maps.max() <= 1 + 1e-6


def test_look_inside_draws_grids_lazily(browser, server_url):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    tab = context.new_page()
    errors, requests = [], []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(server_url)
    tab.wait_for_selector(READY, timeout=LOAD_TIMEOUT_MS)
    draw_digit(tab, CANVAS, PAGE_DIGITS["7"], PAGE_CENTRED["7"])
    wait_for_prediction(tab, "7")
    assert not [url for url in requests if "/activations/" in url], (
        "activation model fetched before Look inside was opened"
    )

    tab.locator(f"{ACTIVATIONS} summary").click()
    tab.wait_for_selector(f'{ACTIVATIONS}[data-state="ready"]', timeout=LOAD_TIMEOUT_MS)
    grids = tab.locator(f"{ACTIVATIONS} canvas.activation-grid")
    assert grids.count() == 2
    for block, (_height, width, channels) in EXPECTED_SHAPES.items():
        canvas = tab.locator(f'{ACTIVATIONS} canvas[data-block="{block}"]')
        assert canvas.is_visible()
        assert canvas.evaluate("c => c.width") > width * 5 and channels > 0
        assert (
            f"{channels} maps"
            in tab.locator(f'{ACTIVATIONS} figure:has(canvas[data-block="{block}"]) figcaption').inner_text()
        )

    tab.locator('[data-testid="clear"]').click()
    tab.wait_for_selector(f'{ACTIVATIONS}[data-state="idle"]', timeout=5000)
    assert tab.locator(f"{ACTIVATIONS} canvas").count() == 0
    draw_digit(tab, CANVAS, PAGE_DIGITS["1"], PAGE_CENTRED["1"])
    tab.wait_for_selector(f'{ACTIVATIONS}[data-state="ready"]', timeout=LOAD_TIMEOUT_MS)
    context.close()
    assert not errors, f"errors in the page: {errors}"
