"""Load the trained model and classify one preprocessed digit: what streamlit_app.py runs.

The app's pipeline is canvas RGBA -> mnist_draw.preprocess.preprocess_canvas -> (28, 28, 1) ->
predict_probabilities -> top_prediction. Uploaded photos enter the same pipeline through
mnist_draw/upload.py. Importing this module does not import TensorFlow; load_model does.
"""

from __future__ import annotations

import dataclasses
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from mnist_draw.config import CLASS_LABELS, DEFAULT_MODEL_PATH, INPUT_SHAPE, NUM_CLASSES, UNSURE_BELOW
from mnist_draw.errors import one_line
from mnist_draw.fusion import split_not_a_digit

# Points the app (and its tests) at another .keras file; unset means DEFAULT_MODEL_PATH.
MODEL_PATH_ENV = "MNIST_MODEL_PATH"
TRAIN_COMMAND = "python -m train"
# A float32 softmax row sums to 1 within about 1e-6; a row further off than this is not probabilities.
PROBABILITY_SUM_TOLERANCE = 1e-3
KERAS_CONFIG_ENTRY = "config.json"  # every .keras zip holds its architecture under this name
OUTPUT_SHAPES = {(NUM_CLASSES,), (NUM_CLASSES + 1,)}  # the digits, and "not a digit" after them in newer models


class ModelError(RuntimeError):
    """The model file is missing or unreadable; the message is one line and names the fix."""


class ModelNotFoundError(ModelError, FileNotFoundError):
    """No file at the model path."""


def model_path_from_env() -> Path:
    """$MNIST_MODEL_PATH if set, else artifacts/mnist.keras."""
    return Path(os.environ.get(MODEL_PATH_ENV) or DEFAULT_MODEL_PATH)


def load_model(path: str | Path):
    """Read a .keras file saved by `python -m train` -> keras.Model mapping (n, 28, 28, 1) -> (n, 10 or 11).

    The 11th output, where there is one, is "not a digit" (mnist_draw/fusion.py split_not_a_digit).

    Raises ModelNotFoundError (missing) or ModelError (not a .keras zip, unreadable, the wrong
    shape, or outputs that are not probabilities, e.g. NaN after training diverged).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelNotFoundError(f"No model at {path}: train one with `{TRAIN_COMMAND}`.")
    check_keras_archive(path)
    import keras  # deferred: importing TensorFlow takes seconds, and the errors above should not wait

    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as error:  # Keras raises many types for a corrupt zip/config; all mean the same here
        raise ModelError(
            f"Cannot read the model {path} ({one_line(error)}): retrain with `{TRAIN_COMMAND}`."
        ) from error
    if tuple(model.input_shape[1:]) != INPUT_SHAPE or tuple(model.output_shape[1:]) not in OUTPUT_SHAPES:
        raise ModelError(
            f"The model {path} maps {model.input_shape} -> {model.output_shape}, expected "
            f"(None, {', '.join(map(str, INPUT_SHAPE))}) -> (None, {NUM_CLASSES} or {NUM_CLASSES + 1}): "
            f"retrain with `{TRAIN_COMMAND}`."
        )
    check_outputs_are_probabilities(model, path)
    return model


def check_keras_archive(path: Path) -> None:
    """ModelError unless `path` is a readable zip holding config.json with intact contents.

    Keras reports every unreadable archive as "File not found"; this names the real cause.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            damaged = archive.testzip()  # reads every entry and checks its CRC
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise ModelError(
            f"The model {path} is not a valid .keras file (bad zip: {one_line(error)}): retrain with `{TRAIN_COMMAND}`."
        ) from None
    except OSError as error:
        raise ModelError(f"Cannot read the model {path} ({one_line(error)}).") from None
    if damaged is not None:
        raise ModelError(
            f"The model {path} is not a valid .keras file (bad zip: {damaged} fails its checksum): retrain with `{TRAIN_COMMAND}`."
        )
    if KERAS_CONFIG_ENTRY not in names:
        raise ModelError(
            f"The model {path} is not a valid .keras file (no {KERAS_CONFIG_ENTRY} in the zip): retrain with `{TRAIN_COMMAND}`."
        )


def probability_problem(outputs: np.ndarray) -> str | None:
    """(N, 10 or 11) model outputs -> why they are not probabilities (one phrase), or None if they are."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if not np.isfinite(outputs).all():
        return "NaN or infinite outputs"
    if (outputs < 0).any():
        return f"negative outputs (down to {outputs.min():.3g})"
    sums = outputs.sum(axis=1)
    worst = float(sums[np.abs(sums - 1.0).argmax()])
    if abs(worst - 1.0) > PROBABILITY_SUM_TOLERANCE:
        return f"outputs whose rows sum to {worst:.4g}, not 1"
    return None


def probe_images() -> np.ndarray:
    """(4, 28, 28, 1) float32: blank, all ink and two seeded noise images."""
    noise = np.random.default_rng(0).random((2, *INPUT_SHAPE), dtype=np.float32)
    return np.concatenate([np.zeros((1, *INPUT_SHAPE), np.float32), np.ones((1, *INPUT_SHAPE), np.float32), noise])


def check_outputs_are_probabilities(model, path: Path) -> None:
    """ModelError naming the cause if the model's weights or its outputs on probe_images() are not sound."""
    if any(not np.isfinite(weight.numpy()).all() for weight in model.weights):
        raise ModelError(
            f"The model {path} has NaN or infinite weights (training diverged): retrain with `{TRAIN_COMMAND}`."
        )
    # One image at a time, the batch shape the app predicts with, so Keras traces its predict function once.
    outputs = np.concatenate([np.asarray(model.predict_on_batch(image[np.newaxis])) for image in probe_images()])
    problem = probability_problem(outputs)
    if problem is not None:
        raise ModelError(f"The model {path} gives {problem}, not probabilities: retrain with `{TRAIN_COMMAND}`.")


def predict_outputs(model, image: np.ndarray) -> np.ndarray:
    """One (28, 28, 1) float32 image in [0, 1] -> the model's (10 or 11,) float32 softmax outputs (sum 1).

    What stroke_inference.read_digit fuses with the pen path. `predict_on_batch` runs Keras's
    compiled (traced once) predict function: about 1 ms here for one image, where an eager
    `model(batch)` call takes about 12 ms and `model.predict` more still.
    """
    if image.shape != INPUT_SHAPE:
        raise ValueError(f"expected an image of shape {INPUT_SHAPE}, got {image.shape}")
    batch = np.asarray(image, dtype=np.float32)[np.newaxis]
    return np.asarray(model.predict_on_batch(batch))[0].astype(np.float32)


def predict_probabilities(model, image: np.ndarray) -> np.ndarray:
    """One (28, 28, 1) float32 image in [0, 1] -> (10,) float32 digit probabilities (sum 1).

    The picture alone, as a digit: a model's "not a digit" output is split off and the ten
    renormalised (fusion.split_not_a_digit); that class is only decided with the pen path.
    """
    return split_not_a_digit(predict_outputs(model, image))[0]


@dataclasses.dataclass(frozen=True)
class Prediction:
    """The top class of one image and whether it is confident enough to claim."""

    label: str  # one of CLASS_LABELS, "0".."9"
    confidence: float  # its probability, 0..1
    unsure: bool  # confidence below UNSURE_BELOW: show it as a guess, not an answer


def top_prediction(probabilities: np.ndarray) -> Prediction:
    """(10,) probabilities -> the most likely digit, with the UNSURE_BELOW rule applied."""
    if probabilities.shape != (NUM_CLASSES,):
        raise ValueError(f"expected {NUM_CLASSES} probabilities, got shape {probabilities.shape}")
    best = int(np.argmax(probabilities))
    confidence = float(probabilities[best])
    return Prediction(label=CLASS_LABELS[best], confidence=confidence, unsure=confidence < UNSURE_BELOW)
