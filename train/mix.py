"""The training mix: MNIST's training split, the pen writers' digits and people's drawings -> Data.

MNIST is split into fit/validation/test (the test set is touched once, at the end); the training
writers' pen digits are rendered as people draw them (train/pen.py) and mixed in at pen_share;
people's kept drawings (train/kept_drawings.py) are rendered and cycled to drawing_share. Each
row of the mix remembers where it came from (train/data.py's MNIST, PEN, PEOPLE).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import keras
import numpy as np

from digit_data import mnist, pendigits
from mnist_draw import held_out_writers
from mnist_draw.config import NOT_A_DIGIT
from train import data, kept_drawings, not_a_digit, pen
from train.config import RunOptions, TrainConfig


@dataclasses.dataclass
class Data:
    """Every array a run uses: uint8 images (N, 28, 28) and integer labels (N,)."""

    fit: tuple[np.ndarray, np.ndarray]  # the training mix: MNIST, pen digits, people's drawings
    sources: np.ndarray  # (N,) int, where each row of `fit` comes from: data.MNIST, data.PEN or data.PEOPLE
    validation: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    pen_digits: list | None  # all pen digits read (training and held-out writers), None without the pen mix
    record: dict  # what went into the mix, for metrics.json


def load_pen_digits(config: TrainConfig, pen_dir: Path | None) -> list | None:
    """All 30 writers' pen digits (with --limit N: N of the training and N of the held-out writers'), or None when
    neither the pen digits nor the non-digits made from them are in the mix."""
    if config.pen_share == 0 and config.non_digit_share == 0:
        return None
    digits = pendigits.load_pendigits(pen_dir)
    if config.limit is None:
        return digits
    # A smoke run renders a few training and held-out digits, not all 7,494 (minutes).
    return held_out_writers.training_writers(digits)[: config.limit] + held_out_writers.held_out(digits)[: config.limit]


def training_set(
    config: TrainConfig, fit_images: np.ndarray, fit_labels: np.ndarray, pen_digits: list | None
) -> tuple[np.ndarray, np.ndarray, dict]:
    """MNIST's training split, mixed with the training writers' rendered pen digits -> (images, labels, record)."""
    if pen_digits is None or config.pen_share == 0:
        return fit_images, fit_labels, {"share": 0.0}
    writers = held_out_writers.training_writers(pen_digits)
    pen_images, pen_labels = pen.render_training_images(writers, config.pen_renders, config.seed)
    images, labels = pen.mix(fit_images, fit_labels, pen_images, pen_labels, config.pen_share, config.seed)
    record = {
        "share": config.pen_share,
        "training_writers": sorted({digit.writer for digit in writers}),
        "training_digits": len(writers),
        "renders_per_digit": config.pen_renders,
        "images_per_epoch": len(images) - len(fit_images),
    }
    print(
        f"pen digits: {len(writers)} from {len(record['training_writers'])} writers, {record['images_per_epoch']} of {len(images)} training images per epoch"
    )
    return images, labels, record


def add_non_digits(
    config: TrainConfig, images: np.ndarray, labels: np.ndarray, pen_digits: list | None
) -> tuple[np.ndarray, np.ndarray, dict | None]:
    """The mix so far + drawings of no digit, non_digit_share of the result, labelled NOT_A_DIGIT -> (images, labels, record).

    Made from the training writers' pen digits alone (turned, crammed) and drawn as they are
    (train/not_a_digit.py render_training_images); None as the record when the share is 0.
    """
    if not config.non_digit_share or pen_digits is None:
        return images, labels, None
    writers = held_out_writers.training_writers(pen_digits)
    count = round(config.non_digit_share / (1 - config.non_digit_share) * len(images))
    drawings = not_a_digit.render_training_images(writers, count, config.seed)
    record = {"share": config.non_digit_share, "images_per_epoch": count, "label": NOT_A_DIGIT}
    print(f"not a digit: {count} of {len(images) + count} training images per epoch")
    return (
        np.concatenate([images, drawings]),
        np.concatenate([labels, np.full(count, NOT_A_DIGIT, labels.dtype)]),
        record,
    )


def add_drawings(
    config: TrainConfig,
    images: np.ndarray,
    labels: np.ndarray,
    people: tuple[list, dict] | None,
    start: keras.Model | None,
) -> tuple[np.ndarray, np.ndarray, dict | None]:
    """The mix so far + people's drawings, rendered and cycled to drawing_share of the images -> (images, labels, record).

    In a fine-tune (`start`: its start model) the renders the start model misreads count
    config.correction_weight times (train/kept_drawings.py).
    """
    if people is None:
        return images, labels, None
    digits, record = people
    drawing_images, drawing_labels = kept_drawings.render_drawings(digits, config.drawing_renders, config.seed)
    misread = None
    if start is not None and config.correction_weight > 1:
        guesses = start.predict(mnist.to_model_input(drawing_images), batch_size=512, verbose=0)
        drawing_images, drawing_labels, misread = kept_drawings.weight_corrections(
            drawing_images, drawing_labels, guesses.argmax(axis=1), config.correction_weight
        )
    mixed, mixed_labels = pen.mix(images, labels, drawing_images, drawing_labels, config.drawing_share, config.seed + 1)
    record = {
        **record,
        "share": config.drawing_share,
        "renders_per_drawing": config.drawing_renders,
        "renders_misread_by_start_model": misread,
        "correction_weight": config.correction_weight if misread is not None else None,
        "images_per_epoch": len(mixed) - len(images),
    }
    corrections = (
        ""
        if misread is None
        else f"; {misread} renders the start model misreads, each {config.correction_weight} times"
    )
    print(
        f"drawings: {record['digits']} from {len(record['files'])} files, {record['images_per_epoch']} of {len(mixed)} training images per epoch{corrections}"
    )
    return mixed, mixed_labels, record


def load_data(
    config: TrainConfig, options: RunOptions, people: tuple[list, dict] | None, start: keras.Model | None
) -> Data:
    """MNIST split into fit/validation/test, with the pen digits and people's drawings mixed into fit.

    `start`: a fine-tune's start model, which judges which drawings are corrections (else None).
    """
    (train_images, train_labels), test = mnist.load_mnist(options.data)
    pen_digits = load_pen_digits(config, options.pen_data)
    (fit_images, fit_labels), validation = data.split_validation(
        train_images, train_labels, config.validation_size, config.seed
    )
    if config.limit is not None:
        fit_images, fit_labels = fit_images[: config.limit], fit_labels[: config.limit]
    elif config.fine_tune and config.fine_tune_images < len(fit_images):
        keep = np.sort(
            np.random.default_rng(config.seed).choice(len(fit_images), config.fine_tune_images, replace=False)
        )
        fit_images, fit_labels = fit_images[keep], fit_labels[keep]
    mnist_count = len(fit_images)
    fit_images, fit_labels, pen_record = training_set(config, fit_images, fit_labels, pen_digits)
    fit_images, fit_labels, non_digit_record = add_non_digits(config, fit_images, fit_labels, pen_digits)
    before_drawings = len(fit_images)
    fit_images, fit_labels, drawings_record = add_drawings(config, fit_images, fit_labels, people, start)
    # pen.mix appends the pen renders to MNIST, add_non_digits the non-digits (which learn their
    # label, as pen digits do) and add_drawings the drawings to all of them.
    sources = np.full(len(fit_images), data.PEOPLE, np.int8)
    sources[:before_drawings] = data.PEN
    sources[:mnist_count] = data.MNIST
    print(
        f"data: {len(fit_images)} training, {len(validation[0])} validation, {len(test[0])} test images of {fit_images.shape[1:]}"
    )
    record = {
        "train_images": len(fit_images),
        "mnist_train_images": mnist_count,
        "validation_images": len(validation[0]),
        "pen_digits": pen_record,
        "non_digits": non_digit_record,
        "drawings": drawings_record,
    }
    return Data(
        fit=(fit_images, fit_labels),
        sources=sources,
        validation=validation,
        test=test,
        pen_digits=pen_digits,
        record=record,
    )
