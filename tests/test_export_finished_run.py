"""`python -m export` exports only a model whose artifacts set is one finished `python -m train` run.

A kill in the middle of train's swap (train/artifacts.py) leaves its journal and the new
mnist.keras beside the old metrics.json; exporting then would ship one run's model with another
run's accuracy. The check comes before any work, so these models need not even be real.
"""

from __future__ import annotations

import hashlib
import json

from export.__main__ import main
from mnist_draw.config import METRICS_FILENAME, MODEL_FILENAME
from train.artifacts import JOURNAL_NAME


def export_args(tmp_path, model):
    return ["--model", str(model), "--out", str(tmp_path / "web"), "--saved-model", str(tmp_path / "saved")]


def test_a_half_swapped_set_is_refused_in_one_line_naming_the_fix(tmp_path, capsys):
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    model = artifacts / MODEL_FILENAME
    model.write_bytes(b"the new run's model")
    (artifacts / METRICS_FILENAME).write_text(json.dumps({"test_accuracy": 0.99}))
    (artifacts / JOURNAL_NAME).write_text(json.dumps({"staging": "x", "previous": "y", "members": []}))
    assert main(export_args(tmp_path, model)) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: ") and "run python -m train again to finish the swap" in line
    assert not (tmp_path / "web").exists() and not (tmp_path / "saved").exists()


def test_a_model_that_is_not_the_one_its_metrics_describe_is_refused(tmp_path, capsys):
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    model = artifacts / MODEL_FILENAME
    model.write_bytes(b"the new run's model")
    old = hashlib.sha256(b"the old run's model").hexdigest()
    (artifacts / METRICS_FILENAME).write_text(json.dumps({"test_accuracy": 0.99, "model_sha256": old}))
    assert main(export_args(tmp_path, model)) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "SHA-256 differs" in line and "run python -m train again to finish the swap" in line
