"""What the app's "Model" tab shows: the numbers and plots `python -m train` wrote beside the model.

Training (train/publish.py) writes metrics.json and plots/*.png next to the .keras file; this
module only reads them, so the tab always describes the model that is actually loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

from mnist_draw.config import METRICS_FILENAME

PLOTS_DIRNAME = "plots"
# File name -> caption, in the order the tab shows them.
PLOTS = {
    "training_curves.png": "Loss and accuracy per epoch, training vs validation",
    "confusion_matrix.png": "Confusion matrix on the 10,000 test digits (rows: true, columns: predicted)",
    "misclassified.png": "Test digits the model gets wrong (true -> predicted)",
    "drawn_confusion_matrix.png": "Confusion matrix on the held-out writers' pen digits, drawn as on the page (rows: true, columns: predicted)",
    "drawn_misclassified.png": "Held-out writers' drawn digits the model gets wrong (true -> predicted)",
}


class ReportError(ValueError):
    """metrics.json exists but cannot be read; one line."""


def load_metrics(artifacts_dir: Path) -> dict | None:
    """artifacts_dir/metrics.json as a dict, None if it does not exist; ReportError if unreadable."""
    path = Path(artifacts_dir) / METRICS_FILENAME
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ReportError(f"cannot read {path}: {error}") from None


def summary(metrics: dict) -> dict[str, str]:
    """metrics.json -> short label -> display value, for the headline numbers; absent keys are skipped."""
    formats = {
        "MNIST test accuracy": ("test_accuracy", lambda value: f"{value:.2%}"),
        "Test loss": ("test_loss", lambda value: f"{value:.4f}"),
        "Parameters": ("parameters", lambda value: f"{value:,}"),
        "Weights": ("weight_bytes", lambda value: f"{value / 1e6:.2f} MB"),
        "Epochs": ("epochs_run", str),
        "Training time": ("train_seconds", lambda value: f"{value / 60:.1f} min"),
    }
    shown = {label: show(metrics[key]) for label, (key, show) in formats.items() if metrics.get(key) is not None}
    held_out = metrics.get("held_out_writers")
    if held_out:
        shown["Drawn digits, held-out writers"] = f"{held_out['accuracy']:.2%}"
        shown["Worst held-out writer"] = f"{held_out['worst_writer']['accuracy']:.2%}"
    return shown


def lineage(metrics: dict) -> str | None:
    """metrics.json -> what a model started from and learnt from, when not just labels, or None.

    A fine-tune's `epochs_run` and `train_seconds` count its own short run only; this says so.
    """
    start, teacher = metrics.get("fine_tuned_from"), metrics.get("mnist_teacher")
    sentences = []
    if start:
        sentences.append(
            f"Fine-tuned for {metrics.get('epochs_run', '?')} epochs from {start['model']}"
            f" (SHA-256 {(start.get('model_sha256') or '?')[:12]}); the epochs and time above are the fine-tune's."
        )
    if teacher:
        sentences.append(f"Its MNIST targets came from {teacher['model']}, a model trained on MNIST alone.")
    return " ".join(sentences) or None


def drawn_comparison(metrics: dict) -> list[dict] | None:
    """Held-out writers, this model vs the baseline (when training measured one) -> table rows, or None.

    Rows: {"measure", "this model", "baseline"} for overall, worst writer, MNIST test and each digit.
    """
    held_out, baseline = metrics.get("held_out_writers"), (metrics.get("baseline") or {})
    if not held_out:
        return None
    other = baseline.get("held_out_writers") or {}

    def percent(value):
        return None if value is None else f"{value:.2%}"

    rows = [
        {
            "measure": "Drawn digits, held-out writers",
            "this model": percent(held_out["accuracy"]),
            "baseline": percent(other.get("accuracy")),
        },
        {
            "measure": "Worst held-out writer",
            "this model": percent(held_out["worst_writer"]["accuracy"]),
            "baseline": percent((other.get("worst_writer") or {}).get("accuracy")),
        },
        {
            "measure": "MNIST test",
            "this model": percent(metrics.get("test_accuracy")),
            "baseline": percent(baseline.get("test_accuracy")),
        },
    ]
    for digit, accuracy in enumerate(held_out["per_class_accuracy"]):
        theirs = (other.get("per_class_accuracy") or [None] * 10)[digit]
        rows.append({"measure": f"Drawn {digit}s", "this model": percent(accuracy), "baseline": percent(theirs)})
    return rows


def plot_paths(artifacts_dir: Path) -> dict[str, Path | None]:
    """Each PLOTS file name -> its path under artifacts_dir/plots, or None where it is missing."""
    plots_dir = Path(artifacts_dir) / PLOTS_DIRNAME
    return {name: (plots_dir / name if (plots_dir / name).is_file() else None) for name in PLOTS}
