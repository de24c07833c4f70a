"""The Streamlit app's states through streamlit.testing.v1.AppTest: blank, missing model, uploads.

AppTest cannot draw on the canvas (a v2 component); drawing is covered by tests/test_streamlit_e2e.py
in a real browser, and classification by the pure functions in tests/test_inference.py. Real digit
predictions here use the committed artifacts/mnist.keras on real MNIST test digits.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mnist_draw.inference import MODEL_PATH_ENV
from tests.apptest import APP_FILE, PROMPT, png, predictions
from tests.made_up_images import png_claiming_size, seven


@pytest.fixture
def app(monkeypatch, untrained_model_path) -> AppTest:
    monkeypatch.setenv(MODEL_PATH_ENV, str(untrained_model_path))
    return AppTest.from_file(APP_FILE, default_timeout=60)


def test_blank_canvas_shows_the_prompt_and_no_prediction(app):
    app.run()
    assert not app.exception
    assert any(PROMPT in info.value for info in app.info)
    assert predictions(app) == []


def test_missing_model_shows_an_error_naming_the_train_command(monkeypatch, tmp_path):
    missing_path = tmp_path / "no-model-here.keras"
    monkeypatch.setenv(MODEL_PATH_ENV, str(missing_path))
    at = AppTest.from_file(APP_FILE, default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1 and "python -m train" in at.error[0].value and str(missing_path) in at.error[0].value
    assert not at.tabs and predictions(at) == []  # st.stop(): nothing else is drawn


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("notes.txt", b"not a picture\n", "not an image"),
        ("digit.png", b"", "empty"),
        ("bomb.png", png_claiming_size(100_000, 100_000), "too large"),
    ],
    ids=["text-file", "empty-file", "pixel-bomb"],
)
def test_bad_upload_shows_the_message_and_the_app_keeps_running(app, filename, content, message):
    app.run()
    app.file_uploader(key="upload").set_value((filename, content, "application/octet-stream"))
    app.run()
    assert not app.exception
    assert [error.value for error in app.error if message in error.value], [error.value for error in app.error]
    assert predictions(app) == [] and any(PROMPT in info.value for info in app.info)


@pytest.mark.slow
@pytest.mark.parametrize("polarity", ["white-on-black", "dark-on-light-scan"])
def test_uploaded_real_digit_is_predicted_as_its_label(trained_app, first_test_digits, polarity):
    trained_app.run()
    for digit, label in first_test_digits:
        scan = np.kron(digit, np.ones((8, 8), dtype=np.uint8))  # 224 x 224, like a scanned square
        if polarity == "dark-on-light-scan":
            scan = 255 - scan
        trained_app.file_uploader(key="upload").set_value((f"{label}.png", png(scan), "image/png"))
        trained_app.run()
        assert not trained_app.exception
        assert predictions(trained_app) == [label], f"{polarity} digit {label}"


def test_model_tab_shows_metrics_and_plots_written_beside_the_model(monkeypatch, tmp_path, untrained_model_path):
    (tmp_path / "mnist.keras").write_bytes(untrained_model_path.read_bytes())
    held_out = {
        "accuracy": 0.993,
        "worst_writer": {"writer": "pendigits-15", "accuracy": 0.976},
        "per_class_accuracy": [0.99] * 10,
    }
    (tmp_path / "metrics.json").write_text(
        json.dumps({"test_accuracy": 0.9965, "parameters": 327242, "held_out_writers": held_out})
    )
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "confusion_matrix.png").write_bytes(png(np.zeros((10, 10), dtype=np.uint8)))
    monkeypatch.setenv(MODEL_PATH_ENV, str(tmp_path / "mnist.keras"))
    at = AppTest.from_file(APP_FILE, default_timeout=60).run()
    model_tab = at.tabs[2]
    assert not at.exception
    assert {metric.label: metric.value for metric in model_tab.metric} == {
        "MNIST test accuracy": "99.65%",
        "Parameters": "327,242",
        "Drawn digits, held-out writers": "99.30%",
        "Worst held-out writer": "97.60%",
    }
    comparison = model_tab.dataframe[0].value
    assert comparison.iloc[0].tolist() == ["Drawn digits, held-out writers", "99.30%", None]
    assert len(model_tab.get("image")) == 1
    missing = [info.value for info in model_tab.info]
    assert any("training_curves.png is missing" in text and "python -m train" in text for text in missing)


def test_low_confidence_says_it_is_unsure(app):
    """An untrained model spreads ~10% over every class: the app must not present that as an answer."""
    app.run()
    app.file_uploader(key="upload").set_value(("seven.png", png(seven()), "image/png"))
    app.run()
    assert not app.exception
    assert len(predictions(app)) == 1
    assert any(warning.value.startswith("Not sure") for warning in app.warning)
