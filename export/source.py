"""What an export starts from: the trained model, checked to be one finished run, and the digits to check against."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from export import ExportError
from mnist_draw.checksums import sha256_of
from mnist_draw.config import METRICS_FILENAME
from train.artifacts import JOURNAL_NAME as TRAIN_SWAP_JOURNAL  # pure Python: names the swap's commit point


def check_finished_run(model_path: Path) -> None:
    """ExportError (one line) unless `model_path` and the metrics.json beside it are one finished training run.

    `python -m train` swaps its artifacts set in member by member (train/artifacts.py); a kill
    mid-swap leaves its journal and the new model beside the old metrics.json until the next run
    finishes the swap. Such a model would ship with another run's accuracy in metadata.json.
    Where metrics.json records the model's SHA-256, the model must be that file.
    """
    folder = model_path.parent
    if (folder / TRAIN_SWAP_JOURNAL).exists():
        raise ExportError(
            f"{folder} holds a half-swapped artifacts set (an interrupted `python -m train`): "
            "run python -m train again to finish the swap, then export"
        )
    metrics_path = folder / METRICS_FILENAME
    try:
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):  # no metrics: a model from elsewhere; bad ones: the app says so
        return
    recorded = metrics.get("model_sha256") if isinstance(metrics, dict) else None
    if isinstance(recorded, str) and model_path.is_file() and sha256_of(model_path) != recorded:
        raise ExportError(
            f"{model_path} is not the model {metrics_path} describes (its SHA-256 differs): the set mixes two runs; "
            "run python -m train again to finish the swap, then export"
        )


def load_source_model(model_path: Path):
    """The .keras file -> keras.Model, or ExportError naming `python -m train` if missing, corrupt or not giving probabilities."""
    from mnist_draw.inference import ModelError, load_model

    try:
        return load_model(model_path)
    except ModelError as error:
        raise ExportError(str(error)) from None


def load_check_digits(data_dir: Path | None) -> tuple[np.ndarray | None, str | None]:
    """The 10k MNIST test images as (10000, 28, 28, 1) float32 in [0, 1], or (None, why not)."""
    from digit_data.mnist import DataError, load_mnist, to_model_input

    try:
        _, (test_images, _) = load_mnist(data_dir)
    except DataError as error:
        return None, str(error)
    return to_model_input(test_images), None
