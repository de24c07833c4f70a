"""mnist_draw/report.py: the Model tab reads metrics.json and the plots beside the model."""

from __future__ import annotations

import json

import pytest

from mnist_draw import report as model_report


def test_missing_metrics_is_none(tmp_path):
    assert model_report.load_metrics(tmp_path) is None


def test_corrupt_metrics_raises_one_line_report_error(tmp_path):
    (tmp_path / "metrics.json").write_text("{not json")
    with pytest.raises(model_report.ReportError, match="metrics.json"):
        model_report.load_metrics(tmp_path)


def test_summary_formats_the_headline_numbers_and_skips_absent_ones(tmp_path):
    (tmp_path / "metrics.json").write_text(
        json.dumps({"test_accuracy": 0.99712, "parameters": 327242, "weight_bytes": 1_310_000})
    )
    summary = model_report.summary(model_report.load_metrics(tmp_path))
    assert summary == {"MNIST test accuracy": "99.71%", "Parameters": "327,242", "Weights": "1.31 MB"}


HELD_OUT = {
    "accuracy": 0.9931,
    "worst_writer": {"writer": "pendigits-15", "accuracy": 0.9761},
    "per_class_accuracy": [1.0, 0.99, 1.0, 0.98, 1.0, 1.0, 1.0, 0.97, 1.0, 1.0],
}
BASELINE = {
    "model": "mnist-only.keras",
    "test_accuracy": 0.9965,
    "held_out_writers": {**HELD_OUT, "accuracy": 0.9873, "per_class_accuracy": [1.0] * 7 + [0.9509, 1.0, 1.0]},
}


def test_summary_adds_the_held_out_writers_when_training_measured_them():
    summary = model_report.summary({"test_accuracy": 0.997, "held_out_writers": HELD_OUT})
    assert summary["Drawn digits, held-out writers"] == "99.31%" and summary["Worst held-out writer"] == "97.61%"


def test_drawn_comparison_puts_the_model_beside_its_baseline():
    rows = model_report.drawn_comparison({"test_accuracy": 0.997, "held_out_writers": HELD_OUT, "baseline": BASELINE})
    assert rows[0] == {"measure": "Drawn digits, held-out writers", "this model": "99.31%", "baseline": "98.73%"}
    assert rows[2] == {"measure": "MNIST test", "this model": "99.70%", "baseline": "99.65%"}
    assert {"measure": "Drawn 7s", "this model": "97.00%", "baseline": "95.09%"} in rows and len(rows) == 13


def test_drawn_comparison_without_a_baseline_leaves_its_column_empty():
    rows = model_report.drawn_comparison({"test_accuracy": 0.997, "held_out_writers": HELD_OUT})
    assert all(row["baseline"] is None for row in rows)
    assert model_report.drawn_comparison({"test_accuracy": 0.997}) is None


def test_plot_paths_lists_present_plots_and_none_for_missing(tmp_path):
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "confusion_matrix.png").write_bytes(b"png")
    paths = model_report.plot_paths(tmp_path)
    assert paths == {
        "training_curves.png": None,
        "confusion_matrix.png": tmp_path / "plots" / "confusion_matrix.png",
        "misclassified.png": None,
        "drawn_confusion_matrix.png": None,
        "drawn_misclassified.png": None,
    }


def test_lineage_says_what_a_model_started_from_and_learnt_from():
    assert model_report.lineage({"test_accuracy": 0.997, "fine_tuned_from": None}) is None
    metrics = {
        "epochs_run": 4,
        "fine_tuned_from": {"model": "artifacts/mnist.keras", "model_sha256": "f95b3ef42802280e61d0"},
        "mnist_teacher": None,
    }
    assert model_report.lineage(metrics) == (
        "Fine-tuned for 4 epochs from artifacts/mnist.keras (SHA-256 f95b3ef42802);"
        " the epochs and time above are the fine-tune's."
    )
    metrics["mnist_teacher"] = {"model": "artifacts/mnist-only/mnist.keras", "model_sha256": "35d9b10f"}
    assert model_report.lineage(metrics).endswith(
        " Its MNIST targets came from artifacts/mnist-only/mnist.keras, a model trained on MNIST alone."
    )
    metrics["fine_tuned_from"] = None  # a fresh run that learnt MNIST from the teacher
    assert model_report.lineage(metrics) == (
        "Its MNIST targets came from artifacts/mnist-only/mnist.keras, a model trained on MNIST alone."
    )
