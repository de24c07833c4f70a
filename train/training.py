"""One training run: data -> fit with callbacks -> test evaluation -> model, metrics and plots on disk.

The 10k test set is touched once, at the end; early stopping and checkpoint selection use the
validation split carved out of the 60k training images.
"""

from __future__ import annotations

import math
import os
import platform
import time
from pathlib import Path

import keras
import numpy as np
import sklearn
import tensorflow as tf

from mnist_draw import drawn, mnist, pendigits
from mnist_draw.config import METRICS_FILENAME, MODEL_FILENAME
from mnist_draw.files import sha256_of, temporary_sibling, write_json_atomically
from train import data, pen, report
from train.config import TrainConfig
from train.model import build_model, weight_bytes


def cosine_learning_rate(config: TrainConfig):
    """epoch -> learning rate, a cosine from learning_rate down to min_learning_rate over config.epochs."""

    def schedule(epoch: int, _current: float) -> float:
        progress = epoch / max(1, config.epochs - 1)
        return config.min_learning_rate + 0.5 * (config.learning_rate - config.min_learning_rate) * (1 + math.cos(math.pi * progress))

    return schedule


def make_callbacks(config: TrainConfig, out_dir: Path) -> list[keras.callbacks.Callback]:
    """Early stopping (best weights back), cosine LR, best checkpoint, TensorBoard, CSV history."""
    return [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience, restore_best_weights=True, verbose=1),
        keras.callbacks.LearningRateScheduler(cosine_learning_rate(config)),
        keras.callbacks.ModelCheckpoint(out_dir / "checkpoints" / "best.keras", monitor="val_loss", save_best_only=True),
        keras.callbacks.TensorBoard(log_dir=str(out_dir / "tensorboard"), histogram_freq=0),
        keras.callbacks.CSVLogger(str(out_dir / "history.csv")),
    ]


def save_model_atomically(model: keras.Model, path: Path, config: TrainConfig) -> None:
    """Save the inference model to `path` (.keras): written aside, loaded back to prove it is whole, renamed in.

    A fresh uncompiled copy carries the weights but not AdamW's two moment tensors per weight,
    which would triple the file for nothing the app, the export or the page uses.
    """
    inference_model = build_model(config)
    inference_model.set_weights(model.get_weights())
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_sibling(path)
    try:
        inference_model.save(temporary)
        keras.saving.load_model(temporary, compile=False)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def library_versions() -> dict:
    return {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__}


def format_duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s"


def load_pen_digits(config: TrainConfig, pen_dir: Path | None) -> list | None:
    """All 30 writers' pen digits (with --limit N: N of the training and N of the held-out writers'), or None when the mix is off."""
    if config.pen_share == 0:
        return None
    digits = pendigits.load_pendigits(pen_dir)
    if config.limit is None:
        return digits
    # A smoke run renders a few training and held-out digits, not all 7,494 (minutes).
    return drawn.training_writers(digits)[: config.limit] + drawn.held_out(digits)[: config.limit]


def training_set(config: TrainConfig, fit_images: np.ndarray, fit_labels: np.ndarray, pen_digits: list | None) -> tuple[np.ndarray, np.ndarray, dict]:
    """MNIST's training split, mixed with the training writers' rendered pen digits -> (images, labels, record)."""
    if pen_digits is None:
        return fit_images, fit_labels, {"share": 0.0}
    writers = drawn.training_writers(pen_digits)
    pen_images, pen_labels = pen.render_training_images(writers, config.pen_renders, config.seed)
    images, labels = pen.mix(fit_images, fit_labels, pen_images, pen_labels, config.pen_share, config.seed)
    record = {
        "share": config.pen_share,
        "training_writers": sorted({digit.writer for digit in writers}),
        "training_digits": len(writers),
        "renders_per_digit": config.pen_renders,
        "images_per_epoch": len(images) - len(fit_images),
    }
    print(f"pen digits: {len(writers)} from {len(record['training_writers'])} writers, {record['images_per_epoch']} of {len(images)} training images per epoch")
    return images, labels, record


def held_out_report(model, held_out: tuple | None) -> tuple[dict | None, np.ndarray | None]:
    """Drawn-digit accuracy on the held-out writers (never trained on) -> (report, probabilities)."""
    if held_out is None:
        return None, None
    images, labels, writers, placements = held_out
    probabilities = model.predict(mnist.to_model_input(images), batch_size=512, verbose=0)
    return drawn.drawn_accuracy(labels, probabilities, writers, placements), probabilities


def baseline_report(baseline_path: Path, test_images: np.ndarray, test_labels: np.ndarray, held_out: tuple | None) -> dict:
    """Another model (say, the MNIST-only one) measured on the same MNIST test digits and held-out writers."""
    from mnist_draw.inference import load_model

    baseline = load_model(baseline_path)
    probabilities = baseline.predict(mnist.to_model_input(test_images), batch_size=512, verbose=0)
    return {
        "model": Path(baseline_path).name,
        "model_sha256": sha256_of(baseline_path),
        "test_accuracy": float((probabilities.argmax(axis=1) == test_labels).mean()),
        "held_out_writers": held_out_report(baseline, held_out)[0],
    }


def run(config: TrainConfig, out_dir: Path, data_dir: Path | None = None, pen_dir: Path | None = None, baseline: Path | None = None) -> dict:
    """Train, evaluate on the MNIST test set and the held-out pen writers, and write into `out_dir`:
    mnist.keras, metrics.json, history.csv, plots/*.png (plus checkpoints/ and tensorboard/).
    `baseline`: another .keras model measured on the same digits, for comparison. Returns the metrics.
    """
    out_dir = Path(out_dir)
    started = time.perf_counter()
    keras.utils.set_random_seed(config.seed)
    (train_images, train_labels), (test_images, test_labels) = mnist.load_mnist(data_dir)
    pen_digits = load_pen_digits(config, pen_dir)
    (fit_images, fit_labels), (val_images, val_labels) = data.split_validation(train_images, train_labels, config.validation_size, config.seed)
    if config.limit is not None:
        fit_images, fit_labels = fit_images[: config.limit], fit_labels[: config.limit]
    mnist_count = len(fit_images)
    fit_images, fit_labels, pen_record = training_set(config, fit_images, fit_labels, pen_digits)
    print(f"data: {len(fit_images)} training, {len(val_images)} validation, {len(test_images)} test images of {fit_images.shape[1:]}")

    model = build_model(config)
    model.compile(optimizer=keras.optimizers.AdamW(config.learning_rate, weight_decay=config.weight_decay), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    print(f"model: {model.count_params():,} parameters, {weight_bytes(model) / 1e6:.2f} MB of float32 weights")
    (out_dir / "checkpoints").mkdir(parents=True, exist_ok=True)
    history = model.fit(
        data.make_dataset(fit_images, fit_labels, config, training=True),
        validation_data=data.make_dataset(val_images, val_labels, config, training=False),
        epochs=config.epochs,
        callbacks=make_callbacks(config, out_dir),
        verbose=2,
    )
    train_seconds = time.perf_counter() - started

    test_loss, _ = model.evaluate(data.make_dataset(test_images, test_labels, config, training=False), verbose=0)
    probabilities = model.predict(mnist.to_model_input(test_images), batch_size=512, verbose=0)
    held_out_set = None if pen_digits is None else pen.render_held_out(pen_digits)
    held_out, held_out_probabilities = held_out_report(model, held_out_set)
    metrics = {
        **report.evaluation_metrics(test_labels, probabilities),
        "test_loss": float(test_loss),
        "held_out_writers": held_out,
        "parameters": int(model.count_params()),
        "weight_bytes": weight_bytes(model),
        "epochs_run": len(history.history["loss"]),
        "train_seconds": round(train_seconds, 1),
        "train_images": len(fit_images),
        "mnist_train_images": mnist_count,
        "validation_images": len(val_images),
        "pen_digits": pen_record,
        "versions": library_versions(),
        "data": mnist.describe_source(data_dir),
        "config": config.to_dict(),
        "history": {key: [float(value) for value in values] for key, values in history.history.items()},
    }
    if baseline is not None:
        metrics["baseline"] = baseline_report(baseline, test_images, test_labels, held_out_set)
    drawn_arrays = None if held_out_set is None else (held_out_set[0], held_out_set[1], held_out_probabilities)
    write_report(out_dir / "plots", metrics, (test_images, test_labels, probabilities), drawn_arrays)
    # The model goes in last among the big pieces and metrics right after, so a crash before
    # this point leaves the previous model and its matching metrics in place.
    save_model_atomically(model, out_dir / MODEL_FILENAME, config)
    write_json_atomically(out_dir / METRICS_FILENAME, metrics)
    drawn_summary = f", held-out writers {held_out['accuracy']:.4f}, worst {held_out['worst_writer']['accuracy']:.4f}" if held_out else ""
    print(f"saved {out_dir / MODEL_FILENAME} (test acc {metrics['test_accuracy']:.4f}, {metrics['test_errors']} errors{drawn_summary}, {format_duration(train_seconds)})")
    return metrics


def write_report(plots: Path, metrics: dict, test: tuple, held_out: tuple | None) -> None:
    """The plots the README and the app's Model tab show (names: mnist_draw.report.PLOTS)."""
    test_images, test_labels, probabilities = test
    report.plot_training_curves(metrics["history"], plots / "training_curves.png")
    report.plot_confusion_matrix(metrics["confusion_matrix"], plots / "confusion_matrix.png", "MNIST test set")
    report.plot_misclassified(test_images, test_labels, probabilities, plots / "misclassified.png", "Misclassified MNIST test digits")
    if held_out is not None:
        images, labels, drawn_probabilities = held_out
        report.plot_confusion_matrix(metrics["held_out_writers"]["confusion_matrix"], plots / "drawn_confusion_matrix.png", "Held-out writers, drawn")
        report.plot_misclassified(images, labels, drawn_probabilities, plots / "drawn_misclassified.png", "Misclassified drawn digits of the held-out writers")
