"""Evaluation numbers and the pictures people look at, written beside the model.

Read back by the Streamlit app's Model tab (mnist_draw/report.py) and linked from the README.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on servers and CI
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from mnist_draw.atomic import write_bytes_atomically
from mnist_draw.config import CLASS_LABELS, NUM_CLASSES

MAX_MISCLASSIFIED_SHOWN = 100


def evaluation_metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict:
    """(N,) true labels + (N, 10) probabilities -> accuracy, per-class accuracy, confusion, report."""
    predicted = probabilities.argmax(axis=1)
    matrix = confusion_matrix(labels, predicted, labels=range(NUM_CLASSES))
    return {
        "test_accuracy": float((predicted == labels).mean()),
        "test_errors": int((predicted != labels).sum()),
        "per_class_accuracy": (matrix.diagonal() / matrix.sum(axis=1)).round(6).tolist(),
        "confusion_matrix": matrix.tolist(),
        "classification_report": classification_report(
            labels,
            predicted,
            labels=range(NUM_CLASSES),
            target_names=list(CLASS_LABELS),
            digits=4,
            output_dict=True,
            zero_division=0,
        ),
    }


def save_figure(figure, path: Path) -> None:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(figure)
    write_bytes_atomically(path, buffer.getvalue())


def plot_training_curves(history: dict, path: Path) -> None:
    """Loss and error rate per epoch, training vs validation, from Keras's History.history.

    Log scales: the interesting part is the last tenths of a percent, not the first epoch's drop.
    """
    figure, (loss_axis, error_axis) = plt.subplots(1, 2, figsize=(10, 3.8))
    epochs = np.arange(1, len(history["loss"]) + 1)
    for prefix, label in (("", "training (augmented)"), ("val_", "validation")):
        loss_axis.plot(epochs, history[f"{prefix}loss"], marker="o", label=label)
        error_axis.plot(epochs, 100 * (1 - np.array(history[f"{prefix}accuracy"])), marker="o", label=label)
    loss_axis.set(title="Loss", xlabel="epoch", yscale="log")
    error_axis.set(title="Error rate (%)", xlabel="epoch", yscale="log")
    for axis in (loss_axis, error_axis):
        axis.grid(alpha=0.3, which="both")
        axis.legend()
    save_figure(figure, path)


def plot_confusion_matrix(matrix: list[list[int]], path: Path, subject: str) -> None:
    """10x10 counts, rows true and columns predicted; the diagonal is greyed so errors stand out."""
    counts = np.array(matrix)
    errors = np.where(np.eye(NUM_CLASSES, dtype=bool), 0, counts)
    figure, axis = plt.subplots(figsize=(6.2, 5.6))
    axis.imshow(errors, cmap="Reds")
    for (row, col), count in np.ndenumerate(counts):
        color = "grey" if row == col else ("white" if count > errors.max() / 2 else "black")
        axis.text(col, row, str(count), ha="center", va="center", fontsize=8, color=color)
    axis.set(
        xticks=range(NUM_CLASSES),
        yticks=range(NUM_CLASSES),
        xlabel="predicted",
        ylabel="true",
        title=f"{subject}: confusion matrix ({counts.sum() - counts.trace()} errors of {counts.sum():,})",
    )
    save_figure(figure, path)


def plot_misclassified(
    images: np.ndarray, labels: np.ndarray, probabilities: np.ndarray, path: Path, title: str
) -> None:
    """Grid of wrongly classified (N, 28, 28) uint8 digits titled 'true -> predicted (p)'."""
    predicted = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)[:MAX_MISCLASSIFIED_SHOWN]
    columns = 10
    rows = max(1, -(-len(wrong) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.3), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, index in zip(axes.flat, wrong):
        axis.imshow(images[index], cmap="gray", vmin=0, vmax=255)
        axis.set_title(f"{labels[index]}→{predicted[index]} ({probabilities[index, predicted[index]]:.2f})", fontsize=8)
    figure.suptitle(f"{title}: true→predicted (probability), {int((predicted != labels).sum())} in all")
    save_figure(figure, path)


def write_report(plots: Path, metrics: dict, test: tuple, held_out: tuple | None) -> None:
    """The plots the README and the app's Model tab show (names: mnist_draw.report.PLOTS)."""
    test_images, test_labels, probabilities = test
    plot_training_curves(metrics["history"], plots / "training_curves.png")
    plot_confusion_matrix(metrics["confusion_matrix"], plots / "confusion_matrix.png", "MNIST test set")
    plot_misclassified(
        test_images, test_labels, probabilities, plots / "misclassified.png", "Misclassified MNIST test digits"
    )
    if held_out is not None:
        images, labels, drawn_probabilities = held_out
        plot_confusion_matrix(
            metrics["held_out_writers"]["confusion_matrix"],
            plots / "drawn_confusion_matrix.png",
            "Held-out writers, drawn",
        )
        plot_misclassified(
            images,
            labels,
            drawn_probabilities,
            plots / "drawn_misclassified.png",
            "Misclassified drawn digits of the held-out writers",
        )
