"""The committed stroke model in TF.js is the Keras stroke model: real TF.js in Node and in Chromium
against Keras, on the held-out pen writers' paths, and the page's fusion against Python's.

File 3/3 of the parity pipeline for the stroke model, like tests/test_export_parity.py for the
image model: export/check.py and export/predict.mjs (Node), the page's own
mnistDemo.classifyStrokesBatch (Chromium). Tolerances: the shipped weights' top digit agrees
with Keras on every path, each probability within QUANTIZED_TOLERANCE of Keras's (the weights
are quantized); TF.js in Node and in Chromium within 1e-4 of TensorFlow running the same
converted files.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from browser import static_page
from browser.handwriting import read_page_answer
from export.check import TfjsGraph, predict_in_node
from export.stroke import STROKE_MIN_AGREEMENT
from mnist_draw import fusion, held_out_writers, pen_path
from mnist_draw.checksums import sha256_of
from mnist_draw.config import DEFAULT_MODEL_PATH, WEB_MODEL_DIR
from mnist_draw.stroke_inference import load_stroke_reader, stroke_model_path

pytestmark = pytest.mark.slow
TFJS_TOLERANCE = 1e-4  # TF.js vs TensorFlow on the same converted graph, per probability
PAGE_DIGITS = 200  # paths through the page's own code in Chromium
QUANTIZED_TOLERANCE = 0.1  # quantized weights vs Keras, per probability (the committed set: under 0.05)


@pytest.fixture(scope="module")
def metadata() -> dict:
    return json.loads((WEB_MODEL_DIR / "metadata.json").read_text())


@pytest.fixture(scope="module")
def held_out_digits(pen_digits):
    return held_out_writers.held_out(pen_digits)


@pytest.fixture(scope="module")
def keras_and_converted(metadata, held_out_digits):
    """(paths, Keras probabilities, probabilities of the committed converted graph run by TensorFlow)."""
    reader = load_stroke_reader(DEFAULT_MODEL_PATH)
    assert reader is not None, f"no stroke model at {stroke_model_path(DEFAULT_MODEL_PATH)}: run python -m train"
    paths = pen_path.batch_features(held_out_digits, metadata["stroke"]["input"]["shape"][0])
    expected = reader.model.predict(paths, batch_size=1024, verbose=0)
    converted = TfjsGraph(WEB_MODEL_DIR / "stroke").predict(paths)
    return paths, expected, converted


def test_the_export_holds_the_committed_stroke_model_and_its_weight(metadata):
    stroke = metadata["stroke"]
    assert stroke is not None, "web/model has no stroke model: run python -m export"
    reader = load_stroke_reader(DEFAULT_MODEL_PATH)
    assert stroke["fusion"]["stroke_weight"] == reader.stroke_weight
    assert reader.not_a_digit_threshold is not None  # the shipped model knows "not a digit"
    assert stroke["fusion"]["not_a_digit_threshold"] == reader.not_a_digit_threshold
    assert stroke["pen_path"] == pen_path.path_parameters(stroke["input"]["shape"][0])
    for shard, digest in metadata["weights_sha256"].items():
        if shard.startswith("stroke/"):
            assert sha256_of(WEB_MODEL_DIR / shard) == digest
    model_json = json.loads((WEB_MODEL_DIR / stroke["path"]).read_text())
    assert len([shard for shard in metadata["weights_sha256"] if shard.startswith("stroke/")]) == len(
        model_json["weightsManifest"][0]["paths"]
    )


def test_committed_stroke_graph_reads_every_path_as_keras(metadata, keras_and_converted):
    _, expected, converted = keras_and_converted
    agreement = float((converted.argmax(1) == expected.argmax(1)).mean())
    assert agreement >= STROKE_MIN_AGREEMENT == 1.0, f"top digit as Keras on {agreement:.2%} of {len(expected)} paths"
    assert float(np.abs(converted - expected).max()) <= QUANTIZED_TOLERANCE


def test_the_committed_weights_are_quantized_as_their_name_says(metadata):
    model_json = json.loads((WEB_MODEL_DIR / metadata["stroke"]["path"]).read_text())
    stored = {
        weight["name"]: weight.get("quantization", {}).get("dtype", weight["dtype"])
        for group in model_json["weightsManifest"]
        for weight in group["weights"]
        if weight["dtype"] == "float32"
    }
    output = {name: dtype for name, dtype in stored.items() if "/probabilities" in name}
    assert output and len(output) < len(stored)
    rest, last = {
        "uint8": ("uint8", "uint8"),
        "uint8, float16 output": ("uint8", "float16"),
        "float16": ("float16", "float16"),
        "float32": ("float32", "float32"),
    }[metadata["stroke"]["weights"]]
    assert {dtype for name, dtype in stored.items() if name not in output} == {rest}
    assert set(output.values()) == {last}


def test_committed_stroke_graph_in_node_matches_tensorflow(keras_and_converted, node_binary):
    paths, _, converted = keras_and_converted
    in_node, _ = predict_in_node(WEB_MODEL_DIR / "stroke", paths)
    np.testing.assert_allclose(in_node, converted, atol=TFJS_TOLERANCE)
    assert np.array_equal(in_node.argmax(1), converted.argmax(1))


def test_the_page_reads_paths_and_fuses_as_python(browser, server_url, metadata, held_out_digits, keras_and_converted):
    """The page's own pen-path code and stroke model in Chromium (wasm) on the writers' real strokes."""
    _, _, converted = keras_and_converted
    step = len(held_out_digits) // PAGE_DIGITS
    chosen = list(range(0, step * PAGE_DIGITS, step))
    strokes = [
        [[list(map(float, point)) for point in stroke] for stroke in held_out_digits[index].strokes] for index in chosen
    ]
    page = browser.new_page()
    page.goto(server_url)
    page.wait_for_selector(static_page.READY, timeout=60_000)
    values = page.evaluate("async (digits) => Array.from(await mnistDemo.classifyStrokesBatch(digits))", strokes)
    in_page = np.array(values, dtype=np.float32).reshape(len(chosen), -1)
    np.testing.assert_allclose(in_page, converted[chosen], atol=TFJS_TOLERANCE)
    image = np.random.default_rng(0).dirichlet(np.ones(10), size=3).astype(np.float32)
    digits, _ = fusion.split_not_a_digit(in_page[:3])  # the stroke model's ten digits, as the page fuses them
    fused = page.evaluate(
        "([stroke, image]) => stroke.map((row, index) => Array.from(mnistDemo.fuse(row, image[index])))",
        [digits.tolist(), image.tolist()],
    )
    weight = metadata["stroke"]["fusion"]["stroke_weight"]
    np.testing.assert_allclose(fused, fusion.fuse(digits, image, weight), atol=1e-6)
    # The whole reading, against an image model with and without "not a digit" (10 or 11 wide).
    for width in (10, 11):
        image = np.random.default_rng(width).dirichlet(np.ones(width), size=3).astype(np.float32)
        read = page.evaluate(
            """([stroke, image]) => stroke.map((row, index) => {
                const { digits, notADigit } = mnistDemo.fuseReading(row, image[index]);
                return [...Array.from(digits), notADigit];
            })""",
            [in_page[:3].tolist(), image.tolist()],
        )
        digits, not_a_digit = fusion.fuse_reading(in_page[:3], image, weight)
        np.testing.assert_allclose(np.array(read), np.column_stack([digits, not_a_digit]), atol=1e-6)
    page.close()


def test_a_drawn_digit_shows_what_each_model_thought(browser, server_url, held_out_digits):
    """Drawn with the mouse, a held-out writer's 7: the answer, the picture's reading and the pen path's."""
    from mnist_draw.held_out_writers import PLACEMENTS

    seven = next(digit for digit in held_out_digits if digit.label == 7)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto(server_url)
    page.wait_for_selector(static_page.READY, timeout=60_000)
    assert read_page_answer(page, seven, PLACEMENTS["centred"]) == "7"
    parts = page.locator('[data-testid="model-parts"]')
    assert parts.get_attribute("data-image-digit") == "7" and parts.get_attribute("data-stroke-digit") == "7"
    assert "the pen path 7" in parts.text_content()
    page.keyboard.press("Escape")
    page.wait_for_function("e => e.hidden", arg=parts.element_handle())
    page.close()
