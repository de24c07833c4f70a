"""export/stroke.py: a stroke model beside the image model -> web/model/stroke/, checked, and its metadata entry."""

from __future__ import annotations

import json

import numpy as np
import pytest

from export.check import TfjsGraph, predict_in_node
from export.stroke import STROKE_VARIANTS, StrokeExportError, export_stroke_model, random_scribbles
from mnist_draw import fusion, pen_path
from mnist_draw.config import METRICS_FILENAME
from mnist_draw.stroke_inference import stroke_model_path


@pytest.fixture(scope="module")
def stroke_set(tmp_path_factory):
    """A small seeded stroke model and its record, where `python -m train` keeps them beside mnist.keras."""
    import keras

    from train.stroke_model import StrokeModelConfig, build_stroke_model

    keras.utils.set_random_seed(4)
    folder = tmp_path_factory.mktemp("artifacts")
    path = stroke_model_path(folder / "mnist.keras")
    path.parent.mkdir()
    model = build_stroke_model(StrokeModelConfig(num_filters=4))
    model.save(path)
    (path.parent / METRICS_FILENAME).write_text(json.dumps({fusion.STROKE_WEIGHT_KEY: 0.55}))
    return model, path


def test_the_export_is_the_keras_model_in_tensorflow_and_in_node(
    stroke_set, tmp_path, node_binary, exporter, monkeypatch
):
    monkeypatch.setenv("PENDIGITS_DATA_DIR", str(tmp_path / "none"))  # checked on the seeded scribbles
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    model, path = stroke_set
    lines = []
    entry = exporter.stroke(path, tmp_path, log=lines.append)
    assert entry["path"] == "stroke/model.json" and (tmp_path / entry["path"]).is_file()
    # A ten-class model (as this one) has no "not a digit" threshold: the page never refuses with it.
    assert entry["fusion"] == {"stroke_weight": 0.55, "rule": fusion.FUSION_RULE, "not_a_digit_threshold": None}
    assert entry["input"]["shape"] == [pen_path.PATH_POINTS, len(pen_path.FEATURE_NAMES)]
    assert entry["pen_path"] == pen_path.path_parameters()
    trials = entry["quantization_trials"]
    assert list(trials) == list(STROKE_VARIANTS)
    passing = [name for name, trial in trials.items() if trial["argmax_agreement"] == 1.0]
    assert entry["weights"] == passing[0], "the smallest weights whose top digit is always Keras's"
    assert trials["float32"]["argmax_agreement"] == 1.0
    assert entry["verification"]["inputs"].startswith("seeded random scribbles")
    assert entry["verification"]["node_tfjs_digits"] > 0 and entry["verification"]["node_tfjs_max_abs_diff"] <= 1e-4
    scribbles = np.stack([pen_path.path_features(strokes) for strokes in random_scribbles(32, seed=9)])
    expected = model.predict(scribbles, verbose=0)
    converted = TfjsGraph(tmp_path / "stroke").predict(scribbles)
    tolerance = 1e-4 if entry["weights"] == "float32" else 0.1
    np.testing.assert_allclose(converted, expected, atol=tolerance)
    in_node, _ = predict_in_node(tmp_path / "stroke", scribbles)
    np.testing.assert_allclose(in_node, converted, atol=1e-4)
    assert any(line.startswith("stroke model: ") for line in lines)


def test_no_stroke_model_means_pictures_alone(tmp_path):
    lines = []
    assert export_stroke_model(stroke_model_path(tmp_path / "mnist.keras"), tmp_path, log=lines.append) is None
    assert lines == [f"no stroke model at {tmp_path / 'stroke' / 'stroke.keras'}: the page will read the picture alone"]
    assert not (tmp_path / "stroke").exists()


@pytest.mark.parametrize("record", ["{}", '{"stroke_weight": 1.5}', "not json"])
def test_a_stroke_model_without_a_usable_weight_is_refused_in_one_line(stroke_set, tmp_path, record):
    _, path = stroke_set
    folder = tmp_path / "stroke"
    folder.mkdir()
    (folder / "stroke.keras").write_bytes(path.read_bytes())
    (folder / METRICS_FILENAME).write_text(record)
    with pytest.raises(StrokeExportError) as raised:
        export_stroke_model(folder / "stroke.keras", tmp_path / "web")
    assert str(raised.value).startswith(str(folder / METRICS_FILENAME)) and "\n" not in str(raised.value)
