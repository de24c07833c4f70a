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
    (tmp_path / "metrics.json").write_text(json.dumps({"test_accuracy": 0.99712, "parameters": 327242, "weight_bytes": 1_310_000}))
    summary = model_report.summary(model_report.load_metrics(tmp_path))
    assert summary == {"Test accuracy": "99.71%", "Parameters": "327,242", "Weights": "1.31 MB"}


def test_plot_paths_lists_present_plots_and_none_for_missing(tmp_path):
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "confusion_matrix.png").write_bytes(b"png")
    paths = model_report.plot_paths(tmp_path)
    assert paths == {
        "training_curves.png": None,
        "confusion_matrix.png": tmp_path / "plots" / "confusion_matrix.png",
        "misclassified.png": None,
    }
