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

from mnist_draw import mnist
from mnist_draw.config import METRICS_FILENAME, MODEL_FILENAME
from mnist_draw.files import temporary_sibling, write_json_atomically
from train import data, report
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


def run(config: TrainConfig, out_dir: Path, data_dir: Path | None = None) -> dict:
    """Train, evaluate on the test set, and write into `out_dir`: mnist.keras, metrics.json,
    history.csv, plots/*.png (plus checkpoints/ and tensorboard/). Returns the metrics dict.
    """
    out_dir = Path(out_dir)
    started = time.perf_counter()
    keras.utils.set_random_seed(config.seed)
    (train_images, train_labels), (test_images, test_labels) = mnist.load_mnist(data_dir)
    (fit_images, fit_labels), (val_images, val_labels) = data.split_validation(train_images, train_labels, config.validation_size, config.seed)
    if config.limit is not None:
        fit_images, fit_labels = fit_images[: config.limit], fit_labels[: config.limit]
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
    metrics = {
        **report.evaluation_metrics(test_labels, probabilities),
        "test_loss": float(test_loss),
        "parameters": int(model.count_params()),
        "weight_bytes": weight_bytes(model),
        "epochs_run": len(history.history["loss"]),
        "train_seconds": round(train_seconds, 1),
        "train_images": len(fit_images),
        "validation_images": len(val_images),
        "versions": library_versions(),
        "data": mnist.describe_source(data_dir),
        "config": config.to_dict(),
        "history": {key: [float(value) for value in values] for key, values in history.history.items()},
    }
    plots = out_dir / "plots"
    report.plot_training_curves(metrics["history"], plots / "training_curves.png")
    report.plot_confusion_matrix(metrics["confusion_matrix"], plots / "confusion_matrix.png")
    report.plot_misclassified(test_images, test_labels, probabilities, plots / "misclassified.png")
    # The model goes in last among the big pieces and metrics right after, so a crash before
    # this point leaves the previous model and its matching metrics in place.
    save_model_atomically(model, out_dir / MODEL_FILENAME, config)
    write_json_atomically(out_dir / METRICS_FILENAME, metrics)
    print(f"saved {out_dir / MODEL_FILENAME} (test acc {metrics['test_accuracy']:.4f}, {metrics['test_errors']} errors, {format_duration(train_seconds)})")
    return metrics
