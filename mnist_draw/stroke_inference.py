"""Read a digit's pen path with the stroke model kept beside the image model, and fuse the two readings.

What the app and `python -m mnist_draw.predict` run where strokes exist (the canvas, stroke files);
a photo has no pen path and is read by the image model alone. The stroke set is the folder
`stroke/` beside the image model (STROKE_DIR_NAME): stroke.keras and the metrics.json whose
stroke weight mnist_draw/fusion.py mixes with. Importing this module does not import TensorFlow.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mnist_draw import adapt, fusion, pen_path
from mnist_draw.config import METRICS_FILENAME, NUM_CLASSES, STROKE_DIR_NAME, STROKE_MODEL_FILENAME
from mnist_draw.errors import one_line
from mnist_draw.inference import ModelError, check_keras_archive


@dataclasses.dataclass(frozen=True)
class StrokeReader:
    """The stroke model and how much its reading weighs in the fused answer."""

    model: object  # keras.Model: (n, n_points, 5) path features -> (n, 10 or 11) probabilities
    stroke_weight: float  # w in [0, 1] of mnist_draw/fusion.py
    not_a_digit_threshold: float | None  # p(not a digit) from which the answer is "not a digit"; None: never
    n_points: int  # resampled path points the model reads
    path: Path


@dataclasses.dataclass(frozen=True)
class Reading:
    """One digit's answer: the fused probabilities and, where a pen path was read, each model's."""

    probabilities: np.ndarray  # (10,) float32, what to show
    image: np.ndarray  # (10,) the image model's digits (renormalised without "not a digit")
    stroke: np.ndarray | None  # (10,) the stroke model's digits, None without strokes or a stroke model
    not_a_digit: float = 0.0  # the fused p(not a digit) (fusion.fuse_reading), 0 without a pen path
    not_a_digit_threshold: float | None = None  # the stroke set's; None: never "not a digit"

    @property
    def is_digit(self) -> bool:
        """False when p(not a digit) reached the threshold: show NOT_A_DIGIT_TEXT instead of a digit."""
        return not bool(fusion.is_not_a_digit(self.not_a_digit, self.not_a_digit_threshold))

    @property
    def digit(self) -> int | None:
        """The digit read, None for "not a digit"."""
        return int(np.argmax(self.probabilities)) if self.is_digit else None

    @property
    def confidence(self) -> float:
        """How sure the shown answer is: the top digit's probability, or p(not a digit)."""
        return float(np.max(self.probabilities)) if self.is_digit else float(self.not_a_digit)


def stroke_model_path(image_model_path: Path) -> Path:
    """Where `python -m train` keeps the stroke model that goes with `image_model_path`."""
    return Path(image_model_path).parent / STROKE_DIR_NAME / STROKE_MODEL_FILENAME


def load_stroke_reader(image_model_path: Path) -> StrokeReader | None:
    """The stroke set beside `image_model_path` -> a StrokeReader, None if there is none.

    Raises ModelError (one line) when there is a stroke model that cannot be used: a damaged file,
    the wrong shape, or a metrics.json without a stroke weight in [0, 1].
    """
    path = stroke_model_path(image_model_path)
    if not path.is_file():
        return None
    check_keras_archive(path)
    metrics_path = path.parent / METRICS_FILENAME
    try:
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as error:
        raise ModelError(f"Cannot read {metrics_path} ({one_line(error)}): retrain with `python -m train`.") from None
    weight = metrics.get(fusion.STROKE_WEIGHT_KEY) if isinstance(metrics, dict) else None
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
        raise ModelError(f"{metrics_path} holds no stroke weight in [0, 1]: retrain with `python -m train`.")
    # Applies to the fused p(not a digit), whichever of the two models has the 11th class.
    threshold = metrics.get(fusion.NOT_A_DIGIT_THRESHOLD_KEY)
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))):
        raise ModelError(f"{metrics_path} holds a {fusion.NOT_A_DIGIT_THRESHOLD_KEY} that is not a number.")
    model = load_stroke_model(path)
    return StrokeReader(
        model=model,
        stroke_weight=float(weight),
        not_a_digit_threshold=None if threshold is None else float(threshold),
        n_points=int(model.input_shape[1]),
        path=path,
    )


def load_stroke_model(path: Path):
    """A stroke.keras file -> keras.Model (n, n_points, 5) -> (n, 10 or 11); ModelError (one line) if unusable."""
    import keras  # deferred: importing TensorFlow takes seconds

    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as error:  # Keras raises many types for a corrupt file; all mean the same here
        raise ModelError(
            f"Cannot read the stroke model {path} ({one_line(error)}): retrain with `python -m train`."
        ) from None
    shape, width = tuple(model.input_shape[1:]), len(pen_path.FEATURE_NAMES)
    if (
        len(shape) != 2
        or shape[1] != width
        or tuple(model.output_shape[1:]) not in {(NUM_CLASSES,), (NUM_CLASSES + 1,)}
    ):
        raise ModelError(
            f"The stroke model {path} maps {model.input_shape} -> {model.output_shape}, expected "
            f"(None, N, {width}) -> (None, {NUM_CLASSES} or {NUM_CLASSES + 1}): retrain with `python -m train`."
        )
    return model


def read_path(reader: StrokeReader, strokes: Sequence) -> np.ndarray:
    """Strokes (each a sequence of [x, y] points, any units) -> the stroke model's (10 or 11,) float32 probabilities."""
    features = pen_path.path_features(strokes, reader.n_points)[np.newaxis]
    return np.asarray(reader.model.predict_on_batch(features))[0].astype(np.float32)


def has_ink(strokes: Sequence | None) -> bool:
    return bool(strokes) and any(len(stroke) for stroke in strokes)


def read_digit(image_outputs: np.ndarray, reader: StrokeReader | None, strokes: Sequence | None) -> Reading:
    """The image model's (10 or 11,) outputs (inference.predict_outputs), and the strokes when
    there are any -> the Reading to show. Without a pen path the picture's ten digits are the
    answer and it is never "not a digit" (fusion.fuse_reading)."""
    image_outputs = np.asarray(image_outputs, dtype=np.float32)
    if reader is None or not has_ink(strokes):
        digits, _ = fusion.fuse_reading(None, image_outputs, 0.0)
        return Reading(probabilities=digits, image=digits, stroke=None)
    return fused_readings(reader, image_outputs[np.newaxis], read_path(reader, strokes)[np.newaxis])[0]


def fused_readings(reader: StrokeReader, image: np.ndarray, stroke: np.ndarray) -> list[Reading]:
    """The rule for a digit's answer, for n digits at once: (n, 10 or 11) image and (n, 10 or 11)
    stroke outputs -> n Readings (fusion.fuse_reading: the digits fused, p(not a digit) fused
    when both models have the class; digit mode reads one drawing, number mode one per group,
    mnist_draw/number_reading.py)."""
    fused, not_a_digit = fusion.fuse_reading(stroke, image, reader.stroke_weight)
    image_digits, stroke_digits = fusion.split_not_a_digit(image)[0], fusion.split_not_a_digit(stroke)[0]
    return [
        Reading(
            probabilities=fused[index],
            image=image_digits[index],
            stroke=stroke_digits[index],
            not_a_digit=float(not_a_digit[index]),
            not_a_digit_threshold=reader.not_a_digit_threshold,
        )
        for index in range(len(image))
    ]


def adapt_reading(reading: Reading, strokes: Sequence, memory: dict | None) -> tuple[Reading, bool]:
    """A Reading and the person's kept drawings (mnist_draw/adapt.py kept_memory) -> (adapted Reading, changed).

    The kept drawings near this one vote for digits, so they also lower p(not a digit) by their
    share: a shape a person taught as a 4 stops being refused. `changed`: the answer shown differs.
    """
    if memory is None or not has_ink(strokes):
        return reading, False
    probabilities, share, _ = adapt.adapt(reading.probabilities, pen_path.path_features(strokes), memory)
    adapted = dataclasses.replace(reading, probabilities=probabilities, not_a_digit=(1 - share) * reading.not_a_digit)
    return adapted, adapted.digit != reading.digit
