"""How good a trained model is: the MNIST test set and the held-out writers' drawn digits.

The same measure serves the new model, the model it would replace (the gate, train/gate.py)
and a --baseline model, on the same digits.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from digit_data import mnist
from mnist_draw import held_out_writers
from mnist_draw.checksums import sha256_of
from mnist_draw.config import MODEL_FILENAME
from mnist_draw.errors import one_line
from mnist_draw.fusion import split_not_a_digit
from mnist_draw.inference import ModelError, load_model
from train import pen, report
from train.mix import Data


def digit_readings(model, images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) images -> (N, 10) float32: which digit the model reads in each.

    A model with "not a digit" has it split off and its ten digits renormalised, as a picture is
    read alone in every front end (mnist_draw/fusion.py): whether a drawing is a digit at all is
    measured with the stroke model beside it (train/not_a_digit.py), not here.
    """
    return split_not_a_digit(model.predict(mnist.to_model_input(images), batch_size=512, verbose=0))[0]


def held_out_report(model, held_out: tuple | None) -> tuple[dict | None, np.ndarray | None]:
    """Drawn-digit accuracy on the held-out writers (never trained on) -> (report, probabilities)."""
    if held_out is None:
        return None, None
    images, labels, writers, placements = held_out
    probabilities = digit_readings(model, images)
    return held_out_writers.drawn_accuracy(labels, probabilities, writers, placements), probabilities


def baseline_report(
    baseline_path: Path, test_images: np.ndarray, test_labels: np.ndarray, held_out: tuple | None
) -> dict:
    """Another model (say, the MNIST-only one) measured on the same MNIST test digits and held-out writers."""
    baseline = load_model(baseline_path)
    probabilities = digit_readings(baseline, test_images)
    return {
        "model": Path(baseline_path).name,
        "model_sha256": sha256_of(baseline_path),
        "test_accuracy": float((probabilities.argmax(axis=1) == test_labels).mean()),
        "held_out_writers": held_out_report(baseline, held_out)[0],
    }


def cross_entropy(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean sparse categorical cross-entropy, clipped as Keras clips it."""
    picked = probabilities[np.arange(len(labels)), labels]
    return float(-np.log(np.clip(picked, 1e-7, 1.0)).mean())


def evaluate(model: keras.Model, training_data: Data) -> tuple[dict, dict]:
    """MNIST test set and held-out writers -> (metrics without the run's record, arrays for the plots)."""
    test_images, test_labels = training_data.test
    probabilities = digit_readings(model, test_images)
    held_out_set = None if training_data.pen_digits is None else pen.render_held_out(training_data.pen_digits)
    held_out, held_out_probabilities = held_out_report(model, held_out_set)
    metrics = {
        **report.evaluation_metrics(test_labels, probabilities),
        "test_loss": cross_entropy(test_labels, probabilities),
        "held_out_writers": held_out,
    }
    arrays = {"test": (test_images, test_labels, probabilities), "held_out_set": held_out_set}
    arrays["drawn"] = None if held_out_set is None else (held_out_set[0], held_out_set[1], held_out_probabilities)
    return metrics, arrays


def measure_incumbent(out: Path, training_data: Data, held_out_set: tuple | None) -> dict | None:
    """The model this run would replace, measured on the same digits; None if there is none (or it is unreadable)."""
    path = out / MODEL_FILENAME
    if not path.is_file():
        return None
    try:
        return baseline_report(path, *training_data.test, held_out_set)
    except ModelError as error:
        print(f"note: the model in place cannot be read, so nothing is compared ({one_line(error)})")
        return None
