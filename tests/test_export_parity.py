"""The exported model is the Keras model: real TF.js in Node vs Keras on real MNIST test digits.

File 3/3 of the parity pipeline (export/check.py writes the inputs and reads the outputs,
export/predict.mjs runs @tensorflow/tfjs from npm). Two subjects:
  - a fresh export of a small seeded model, so the conversion itself is tested on every run;
  - the committed web/model against the committed artifacts/mnist.keras, so a stale export fails CI.
Tolerances: float32 probabilities within 1e-4 with identical argmax; a quantized
variant's argmax agrees with Keras on >= 99.9% of the digits.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from export.check import WASM_BACKEND_DIR, TfjsGraph, compare, predict_in_node, read_model_json, weight_files
from export.convert import FLOAT32_TOLERANCE, METADATA_FILENAME, MIN_QUANTIZED_AGREEMENT, convert_variant
from mnist_draw.config import DEFAULT_MODEL_PATH, WEB_MODEL_DIR
from tests.conftest import missing

pytestmark = pytest.mark.slow
NODE_DIGITS = 1000  # enough real test digits through TF.js that a 0.1% disagreement shows


@pytest.fixture(scope="session")
def test_digits(mnist_dir) -> np.ndarray:
    """All 10k MNIST test images, (10000, 28, 28, 1) float32 in [0, 1]."""
    from digit_data.mnist import load_mnist, to_model_input

    _, (images, _) = load_mnist(mnist_dir)
    return to_model_input(images)


def calibrate_batch_norm(model, images: np.ndarray, seed: int) -> None:
    """Give every BatchNorm layer the statistics of its real inputs, and a random scale and shift.

    An untrained model's BatchNorm is the identity (mean 0, variance 1, scale 1, shift 0), which
    the converter folds away entirely; realistic values make it fold non-trivial constants into
    the convolutions, as it does for the trained model.
    """
    import keras

    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            features = keras.Model(model.input, layer.input).predict(images, verbose=0)
            axes = tuple(range(features.ndim - 1))
            channels = features.shape[-1]
            scale, shift = rng.uniform(0.5, 1.5, channels), rng.normal(0.0, 0.2, channels)
            layer.set_weights([scale, shift, features.mean(axis=axes), features.var(axis=axes)])


@pytest.fixture(scope="session")
def fresh_export(tmp_path_factory, test_digits, mnist_dir, exporter):
    """(keras model, export folder): a seeded build_model() exported by convert() into tmp."""
    import keras

    from train.model import build_model

    keras.utils.set_random_seed(3)
    model = build_model()
    calibrate_batch_norm(model, test_digits[-512:], seed=3)
    out = tmp_path_factory.mktemp("fresh-export")
    model.save(out / "seeded.keras")
    exporter.convert(
        out / "seeded.keras",
        out / "web",
        out / "saved_model",
        data_dir=mnist_dir,
        quantize="none",
        log=lambda line: None,
    )
    return model, out


def test_fresh_float32_export_in_node_matches_keras(fresh_export, test_digits, node_binary):
    model, out = fresh_export
    digits = test_digits[:NODE_DIGITS]
    node_probabilities, report = predict_in_node(out / "web" / "float32", digits)
    agreement = compare(node_probabilities, model.predict(digits, verbose=0))
    print(f"fresh float32: {agreement}, TF.js {report['tfjsVersion']} on {report['backend']}")
    assert report["outputShape"] == [NODE_DIGITS, 10]
    assert agreement.max_abs_diff <= FLOAT32_TOLERANCE, agreement
    assert agreement.argmax_agreement == 1.0, agreement
    assert report["numTensors"]["afterPredict"] == report["numTensors"]["afterLoad"]  # predicting leaks nothing


def test_fresh_float32_export_on_the_pages_wasm_backend_matches_keras(fresh_export, test_digits, node_binary):
    """The page runs @tensorflow/tfjs-backend-wasm, whose kernels differ from the JS ones."""
    if not WASM_BACKEND_DIR.is_dir():
        missing("@tensorflow/tfjs-backend-wasm is not installed: run `npm ci`")
    model, out = fresh_export
    digits = test_digits[:NODE_DIGITS]
    node_probabilities, report = predict_in_node(out / "web" / "float32", digits, backend="wasm")
    agreement = compare(node_probabilities, model.predict(digits, verbose=0))
    assert report["backend"] == "wasm"
    assert agreement.max_abs_diff <= FLOAT32_TOLERANCE and agreement.argmax_agreement == 1.0, agreement


def test_fresh_uint8_weights_load_in_node_as_python_dequantizes_them(fresh_export, test_digits, node_binary):
    """The Python run that measures quantized agreement for the export is what TF.js computes."""
    _, out = fresh_export
    convert_variant(out / "saved_model", out / "uint8", "uint8")
    digits = test_digits[:256]
    node_probabilities, _ = predict_in_node(out / "uint8", digits)
    agreement = compare(node_probabilities, TfjsGraph(out / "uint8").predict(digits))
    assert agreement.max_abs_diff <= FLOAT32_TOLERANCE and agreement.argmax_agreement == 1.0, agreement


def test_saved_model_serving_signature_matches_keras(fresh_export, test_digits):
    import tensorflow as tf

    model, out = fresh_export
    serving = tf.saved_model.load(str(out / "saved_model")).signatures["serving_default"]
    (outputs,) = serving(tf.constant(test_digits[:256])).values()
    agreement = compare(outputs.numpy(), model.predict(test_digits[:256], verbose=0))
    assert agreement.max_abs_diff <= FLOAT32_TOLERANCE and agreement.argmax_agreement == 1.0, agreement


# --- The committed export ---------------------------------------------------------------


@pytest.fixture(scope="session")
def committed_export() -> tuple[dict, Path, Path]:
    """(metadata, web/model, artifacts/mnist.keras) as committed; missing fails in CI."""
    metadata_path = WEB_MODEL_DIR / METADATA_FILENAME
    if not DEFAULT_MODEL_PATH.is_file() or not metadata_path.is_file():
        missing(
            f"no committed model and export: run `python -m train` then `python -m export` ({metadata_path} missing)"
        )
    return json.loads(metadata_path.read_text()), WEB_MODEL_DIR, DEFAULT_MODEL_PATH


@pytest.fixture(scope="session")
def committed_keras_probabilities(committed_export, test_digits) -> np.ndarray:
    """The committed Keras model's (10000, 10) probabilities on the MNIST test digits."""
    from mnist_draw.inference import load_model

    return load_model(committed_export[2]).predict(test_digits, batch_size=500, verbose=0)


def test_committed_export_comes_from_the_committed_model(committed_export):
    metadata, _, model_path = committed_export
    digest = hashlib.sha256(model_path.read_bytes()).hexdigest()
    assert metadata["source_model_sha256"] == digest, "web/model is stale: run `python -m export`"


def test_committed_weight_files_match_their_recorded_hashes(committed_export):
    metadata, web_dir, _ = committed_export
    folders = [
        *metadata["variants"],
        *([metadata["activations"]["path"].split("/")[0]] if metadata["activations"] else []),
        *([metadata["stroke"]["path"].split("/")[0]] if metadata.get("stroke") else []),
    ]
    listed = {f"{folder}/{shard}" for folder in folders for shard in weight_files(read_model_json(web_dir / folder))}
    assert set(metadata["weights_sha256"]) == listed
    for shard, digest in metadata["weights_sha256"].items():
        assert hashlib.sha256((web_dir / shard).read_bytes()).hexdigest() == digest, shard


def test_committed_float32_export_in_node_matches_keras(
    committed_export, committed_keras_probabilities, test_digits, node_binary
):
    _, web_dir, _ = committed_export
    node_probabilities, _ = predict_in_node(web_dir / "float32", test_digits[:NODE_DIGITS])
    agreement = compare(node_probabilities, committed_keras_probabilities[:NODE_DIGITS])
    print(f"committed float32 in Node: {agreement}")
    assert agreement.max_abs_diff <= FLOAT32_TOLERANCE, agreement
    assert agreement.argmax_agreement == 1.0, agreement


def test_committed_default_variant_keeps_argmax_agreement(
    committed_export, committed_keras_probabilities, test_digits, node_binary
):
    """The variant the page loads agrees on >= 99.9% of all 10k digits, and Node computes the same."""
    metadata, web_dir, _ = committed_export
    variant = metadata["default_variant"]
    graph_probabilities = TfjsGraph(web_dir / variant).predict(test_digits)
    full = compare(graph_probabilities, committed_keras_probabilities)
    print(f"committed {variant} on all {full.digits} digits: {full}")
    assert full.argmax_agreement >= MIN_QUANTIZED_AGREEMENT, full
    # Two digits of slack: a near-tie may flip with TensorFlow's thread scheduling on another machine.
    assert full.argmax_agreement == pytest.approx(metadata["variants"][variant]["argmax_agreement"], abs=2e-4), (
        "metadata records another agreement"
    )

    node_probabilities, _ = predict_in_node(web_dir / variant, test_digits[:NODE_DIGITS])
    in_node = compare(node_probabilities, graph_probabilities[:NODE_DIGITS])
    assert in_node.max_abs_diff <= FLOAT32_TOLERANCE and in_node.argmax_agreement == 1.0, in_node
