"""What metrics.json says about the run itself: sizes, data, settings, library versions, history."""

from __future__ import annotations

import platform
from pathlib import Path

import keras
import numpy as np
import sklearn
import tensorflow as tf

from digit_data import mnist
from mnist_draw.checksums import sha256_of
from mnist_draw.config import project_relative
from train.config import RunOptions, TrainConfig
from train.mix import Data
from train.model import weight_bytes


def library_versions() -> dict:
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
    }


def fingerprint(config: TrainConfig, options: RunOptions) -> dict:
    """What a resume backup must match: the hyperparameters and, for a fine-tune, the models it learns from."""
    start = sha256_of(options.start_model) if config.fine_tune and Path(options.start_model).is_file() else None
    return {**config.to_dict(), "start_model_sha256": start}


def history_columns(epochs_logged: list[dict]) -> dict[str, list[float]]:
    """[{metric: value} per epoch] -> {metric: [value per epoch]}, as Keras's History.history."""
    keys = sorted({key for logs in epochs_logged for key in logs})
    return {key: [float(logs.get(key, float("nan"))) for logs in epochs_logged] for key in keys}


def run_record(
    config: TrainConfig,
    options: RunOptions,
    model: keras.Model,
    training_data: Data,
    history: dict,
    train_seconds: float,
) -> dict:
    """What metrics.json says about the run itself: sizes, data, settings, versions, history."""
    models = fingerprint(config, options)  # hashes the start model once
    return {
        "parameters": int(model.count_params()),
        "weight_bytes": weight_bytes(model),
        "epochs_run": len(history.get("loss", [])),
        "train_seconds": round(train_seconds, 1),
        **training_data.record,
        "strategy": options.strategy,
        "fine_tuned_from": {
            "model": project_relative(options.start_model),
            "model_sha256": models["start_model_sha256"],
        }
        if config.fine_tune
        else None,
        "versions": library_versions(),
        "data": mnist.describe_source(options.data),
        "config": config.to_dict(),
        "history": history,
    }
