"""The model the repo ships (artifacts/mnist.keras) on the 10,000 real MNIST test digits."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from bench import readme
from digit_data.mnist import load_mnist, to_model_input
from mnist_draw.config import ARTIFACTS_DIR, DEFAULT_MODEL_PATH, METRICS_FILENAME, MNIST_ONLY_MODEL_PATH
from mnist_draw.fusion import split_not_a_digit

SHIPPED_ACCURACY_FLOOR = 0.995  # MNIST: the shipped model, trained on MNIST and pen digits, reads 99.63%
DRAWN_ACCURACY_FLOOR = 0.99  # the held-out writers' drawn digits: 99.40% recorded


@pytest.mark.slow
def test_shipped_model_reaches_its_stated_accuracy(mnist_dir):
    assert DEFAULT_MODEL_PATH.is_file(), "the repo must ship artifacts/mnist.keras (make it with `python -m train`)"
    model = keras.saving.load_model(DEFAULT_MODEL_PATH, compile=False)
    _, (test_images, test_labels) = load_mnist(mnist_dir)
    outputs = model.predict(to_model_input(test_images), batch_size=1000, verbose=0)
    predicted = split_not_a_digit(outputs)[0].argmax(axis=1)  # the digit read, "not a digit" split off
    accuracy = float((predicted == test_labels).mean())
    recorded = json.loads((ARTIFACTS_DIR / METRICS_FILENAME).read_text())
    assert accuracy >= SHIPPED_ACCURACY_FLOOR
    # metrics.json, the README and the page's footer all quote this number: it must be this model's.
    assert recorded["test_accuracy"] == pytest.approx(accuracy, abs=1e-4)
    assert np.array(recorded["confusion_matrix"]).trace() == int((predicted == test_labels).sum())


def test_readme_quotes_this_models_numbers():
    # The README's result tables are written by bench.readme from metrics.json: retraining without
    # `python -m bench.readme --write` would leave the old model's numbers beside the new model.
    assert readme.main(["--check"]) == 0


def test_readme_check_catches_a_stale_number(tmp_path, monkeypatch):
    stale = readme.README_PATH.read_text().replace("| macro avg | ", "| macro avg | 0.1234 | ", 1)
    monkeypatch.setattr(readme, "README_PATH", tmp_path / "README.md")
    readme.README_PATH.write_text(stale)
    assert readme.main(["--check"]) == 1


def test_classification_report_agrees_with_the_confusion_matrix():
    metrics = json.loads((ARTIFACTS_DIR / METRICS_FILENAME).read_text())
    matrix = np.array(metrics["confusion_matrix"])
    report = metrics["classification_report"]
    for digit in range(matrix.shape[0]):
        row = report[str(digit)]
        assert row["support"] == matrix[digit].sum()
        assert row["recall"] == pytest.approx(matrix[digit, digit] / matrix[digit].sum(), abs=1e-9)
        assert row["precision"] == pytest.approx(matrix[digit, digit] / matrix[:, digit].sum(), abs=1e-9)
        assert metrics["per_class_accuracy"][digit] == pytest.approx(row["recall"], abs=1e-6)
    assert report["accuracy"] == pytest.approx(matrix.trace() / matrix.sum(), abs=1e-9)
    assert metrics["test_accuracy"] == pytest.approx(report["accuracy"], abs=1e-9)


@pytest.mark.slow
def test_shipped_model_reads_the_held_out_writers_as_recorded(pen_digits):
    from mnist_draw import held_out_writers
    from mnist_draw.inference import load_model

    metrics = json.loads((ARTIFACTS_DIR / METRICS_FILENAME).read_text())
    jobs, labels, writers, placements = held_out_writers.placement_grid(held_out_writers.held_out(pen_digits))
    images = held_out_writers.render_model_inputs(jobs)

    def drawn(path):
        probabilities = load_model(path).predict(to_model_input(images), batch_size=512, verbose=0)
        return held_out_writers.drawn_accuracy(labels, probabilities, writers, placements)

    report = drawn(DEFAULT_MODEL_PATH)
    assert report["accuracy"] >= DRAWN_ACCURACY_FLOOR
    assert report["accuracy"] > drawn(MNIST_ONLY_MODEL_PATH)["accuracy"]  # better than MNIST alone
    # Same renderer, same digits, same model: the recorded figure, up to float noise on a digit or two.
    assert abs(report["accuracy"] - metrics["held_out_writers"]["accuracy"]) <= 2 / len(labels)
