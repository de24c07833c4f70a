"""`python -m export`: its CLI, its errors, its metadata and the atomic swap (export/convert.py).

The Node and real-MNIST parity checks live in tests/test_export_parity.py.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from export import convert as convert_module
from export.__main__ import main
from export.check import compare
from export.convert import candidates_for, choose_quantized, swap_in
from mnist_draw import atomic
from mnist_draw.config import (
    CANVAS_SIZE,
    CLASS_LABELS,
    FIT_BOX,
    IMAGE_SIZE,
    INK_THRESHOLD,
    STROKE_WIDTH,
    STROKE_WIDTH_RANGE,
    UNSURE_BELOW,
    WEB_MODEL_DIR,
)
from mnist_draw.preprocess import LUMA_WEIGHTS, preprocess_parameters
from tests.export_files import leftovers, snapshot, write_previous_export

METADATA_KEYS = {
    "format", "default_variant", "variants", "input", "output", "preprocess", "page", "activations", "stroke", "test_accuracy", "parameters",
    "versions", "training", "quantization_trials", "verification", "weights_sha256", "source_model_sha256",
}  # fmt: skip


@pytest.fixture
def previous_export(tmp_path) -> tuple[Path, Path]:
    """A web-model folder and a SavedModel folder from an earlier export, with recognisable contents."""
    web_dir, saved_model_dir = tmp_path / "web" / "model", tmp_path / "saved_model"
    write_previous_export(web_dir, saved_model_dir)
    return web_dir, saved_model_dir


def run_cli(model: Path, web_dir: Path, saved_model_dir: Path, *extra: str) -> int:
    return main(["--model", str(model), "--out", str(web_dir), "--saved-model", str(saved_model_dir), *extra])


def test_help_explains_every_flag_with_its_default(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    for expected in (
        "--model",
        "--out",
        "--saved-model",
        "--data",
        "--quantize",
        "artifacts/mnist.keras",
        "web/model",
        "artifacts/saved_model",
        "examples:",
    ):
        assert expected in help_text, expected


def test_bad_quantize_choice_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--quantize", "int4"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_missing_model_is_one_line_error_naming_train(tmp_path, capsys):
    web_dir = tmp_path / "web"
    assert run_cli(tmp_path / "absent.keras", web_dir, tmp_path / "saved_model") == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ") and "\n" not in error, error
    assert "python -m train" in error and "absent.keras" in error
    assert not web_dir.exists()


def test_corrupt_model_is_one_line_error_naming_train(tmp_path, previous_export, capsys):
    web_dir, saved_model_dir = previous_export
    before = snapshot(tmp_path)
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"this is not a zip file")
    assert run_cli(corrupt, web_dir, saved_model_dir) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ") and "\n" not in error, error
    assert "not a valid .keras file (bad zip" in error and "python -m train" in error
    corrupt.unlink()
    assert snapshot(tmp_path) == before


def test_model_with_nan_weights_is_refused_in_one_line(tmp_path, previous_export, untrained_model_path, capsys):
    import keras

    web_dir, saved_model_dir = previous_export
    model = keras.models.load_model(untrained_model_path, compile=False)
    model.set_weights(
        [np.full_like(weights, np.nan) for weights in model.get_weights()]
    )  # what a NaN learning rate leaves
    model.save(tmp_path / "diverged.keras")
    before = snapshot(tmp_path)
    assert run_cli(tmp_path / "diverged.keras", web_dir, saved_model_dir) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ") and "\n" not in error, error
    assert "NaN or infinite weights" in error and "python -m train" in error
    assert snapshot(tmp_path) == before


def test_failed_export_leaves_previous_export_untouched(
    tmp_path, previous_export, untrained_model_path, exporter, monkeypatch, capsys
):
    web_dir, saved_model_dir = previous_export
    before = snapshot(tmp_path)

    def failing_converter(saved_model_dir, out_dir, variant):
        Path(out_dir).mkdir(parents=True)
        (Path(out_dir) / "model.json").write_text("{half written")
        raise RuntimeError("converter crashed halfway\nsecond line of a long traceback")

    monkeypatch.setattr(convert_module, "convert_variant", failing_converter)
    assert exporter.run(untrained_model_path, web_dir, saved_model_dir, "--data", str(tmp_path / "no-mnist")) == 1
    error = capsys.readouterr().err.strip()
    assert error == "error: converter crashed halfway"
    assert snapshot(tmp_path) == before
    assert leftovers(web_dir.parent) == [] and leftovers(tmp_path) == []


def test_export_without_mnist_writes_float32_only_and_replaces_previous(
    tmp_path, previous_export, untrained_model_path, exporter, capsys
):
    web_dir, saved_model_dir = previous_export
    assert exporter.run(untrained_model_path, web_dir, saved_model_dir, "--data", str(tmp_path / "no-mnist")) == 0
    output = capsys.readouterr().out
    assert "float32 only" in output and f"exported {web_dir}" in output

    metadata = json.loads((web_dir / "metadata.json").read_text())
    assert sorted(path.name for path in web_dir.iterdir()) == ["activations", "float32", "metadata.json"]
    assert metadata["default_variant"] == "float32" and list(metadata["variants"]) == ["float32"]
    assert metadata["variants"]["float32"]["max_abs_diff"] <= 1e-4
    assert (saved_model_dir / "saved_model.pb").read_bytes() != b"previous"
    assert leftovers(web_dir.parent) == [] and leftovers(tmp_path) == []
    assert web_dir.stat().st_mode & 0o055 == 0o055, "the page's web server must be able to read the folder"


@pytest.fixture(scope="module")
def metadata_of_untrained_export(tmp_path_factory, untrained_model_path, exporter) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("export")
    metadata = exporter.convert(
        untrained_model_path, out / "web", out / "saved_model", data_dir=out / "no-mnist", log=lambda line: None
    )
    return metadata, out / "web"


def test_metadata_has_the_schema_the_page_reads(metadata_of_untrained_export):
    metadata, web_dir = metadata_of_untrained_export
    assert set(metadata) == METADATA_KEYS
    assert json.loads((web_dir / "metadata.json").read_text()) == metadata
    assert metadata["format"] == "tfjs-graph-model" and metadata["activations"]["path"] == "activations/model.json"
    assert metadata["input"] == {
        "name": "image",
        "shape": [IMAGE_SIZE, IMAGE_SIZE, 1],
        "dtype": "float32",
        "range": [0, 1],
        "polarity": "white ink (1.0) on black (0.0)",
    }
    assert metadata["output"] == {"name": "output_0", "shape": [10], "labels": list(CLASS_LABELS), "not_a_digit": None}
    assert metadata["variants"]["float32"]["path"] == "float32/model.json"
    assert metadata["parameters"] > 0 and metadata["versions"]["tfjs"] == "4.22.0"


def test_an_image_model_with_the_not_a_digit_class_exports_eleven_outputs_and_ten_labels(
    tmp_path, untrained_eleven_class_model_path, exporter
):
    metadata = exporter.convert(
        untrained_eleven_class_model_path,
        tmp_path / "web",
        tmp_path / "saved_model",
        data_dir=tmp_path / "no-mnist",
        log=lambda line: None,
    )
    assert metadata["output"] == {"name": "output_0", "shape": [11], "labels": list(CLASS_LABELS), "not_a_digit": 10}
    assert metadata["variants"]["float32"]["max_abs_diff"] <= 1e-4
    assert metadata["activations"]["path"] == "activations/model.json"


def test_metadata_preprocess_holds_only_the_model_input_recipe(metadata_of_untrained_export):
    metadata, _ = metadata_of_untrained_export
    assert metadata["preprocess"] == {
        "image_size": IMAGE_SIZE,
        "fit_box": FIT_BOX,
        "ink_threshold": INK_THRESHOLD,
        "luma_weights": list(LUMA_WEIGHTS),
    }


def test_metadata_page_settings_come_from_config(metadata_of_untrained_export):
    metadata, _ = metadata_of_untrained_export
    assert metadata["page"] == {
        "canvas_size": CANVAS_SIZE,
        "stroke_width": STROKE_WIDTH,
        "stroke_width_range": list(STROKE_WIDTH_RANGE),
        "unsure_below": UNSURE_BELOW,
    }


def test_metadata_hashes_every_weight_file_and_the_source_model(metadata_of_untrained_export, untrained_model_path):
    metadata, web_dir = metadata_of_untrained_export
    shards = sorted(str(path.relative_to(web_dir)) for path in web_dir.rglob("*.bin"))
    assert sorted(metadata["weights_sha256"]) == shards
    for shard, digest in metadata["weights_sha256"].items():
        assert hashlib.sha256((web_dir / shard).read_bytes()).hexdigest() == digest, shard
    assert metadata["source_model_sha256"] == hashlib.sha256(untrained_model_path.read_bytes()).hexdigest()


def staged_and_target(tmp_path) -> tuple[Path, Path]:
    """A previous export folder `model` (with a stale variant) and a new one staged beside it."""
    target, staged = tmp_path / "model", tmp_path / ".tmp-export-new-abc123-model"
    (target / "uint8").mkdir(parents=True)
    (target / "uint8" / "stale.bin").write_bytes(b"stale")
    staged.mkdir()
    (staged / "metadata.json").write_text("{}")
    return staged, target


def test_swap_in_replaces_the_whole_folder(tmp_path):
    staged, target = staged_and_target(tmp_path)
    swap_in(staged, target)
    assert snapshot(target) == {"metadata.json": b"{}"}
    assert leftovers(tmp_path) == [] and not staged.exists()


@pytest.mark.skipif(sys.platform != "linux", reason="renameat2 RENAME_EXCHANGE is Linux's")
def test_swap_in_exchanges_the_folders_in_one_step_on_linux(tmp_path, monkeypatch):
    staged, target = staged_and_target(tmp_path)
    renames = []
    monkeypatch.setattr(convert_module.os, "replace", lambda *paths: renames.append(paths))
    swap_in(staged, target)
    assert renames == [], "with an atomic exchange there is no moment without a target folder"
    assert snapshot(target) == {"metadata.json": b"{}"}


def test_swap_in_without_atomic_exchange_replaces_the_whole_folder(tmp_path, monkeypatch):
    staged, target = staged_and_target(tmp_path)
    monkeypatch.setattr(atomic, "exchange_paths", lambda first, second: False)
    swap_in(staged, target)
    assert snapshot(target) == {"metadata.json": b"{}"}
    assert leftovers(tmp_path) == [] and not staged.exists()


def test_swap_in_restores_previous_folder_when_the_rename_fails(tmp_path, monkeypatch):
    staged, target = staged_and_target(tmp_path)
    real_replace, calls = convert_module.os.replace, []

    def replace_failing_second_time(source, destination):
        calls.append(source)
        if len(calls) == 2:
            raise OSError("disk full")
        real_replace(source, destination)

    monkeypatch.setattr(atomic, "exchange_paths", lambda first, second: False)
    monkeypatch.setattr(convert_module.os, "replace", replace_failing_second_time)
    with pytest.raises(OSError, match="disk full"):
        swap_in(staged, target)
    assert snapshot(target) == {"uint8/stale.bin": b"stale"}


@pytest.mark.parametrize(
    ("choice", "expected"),
    [("auto", ["uint8", "float16"]), ("uint8", ["uint8"]), ("float16", ["float16"]), ("none", [])],
)
def test_quantize_choice_selects_the_variants_to_try(choice, expected):
    assert candidates_for(choice) == expected


@pytest.mark.parametrize(
    ("uint8_agreement", "float16_agreement", "expected"),
    [(0.9995, 0.9999, "uint8"), (0.9980, 0.9999, "float16"), (0.9980, 0.9985, None), (0.999, 0.9, "uint8")],
)
def test_smallest_quantized_variant_that_keeps_99_9_percent_agreement_ships(
    uint8_agreement, float16_agreement, expected
):
    trials = {
        "uint8": {"bytes": 340_000, "argmax_agreement": uint8_agreement},
        "float16": {"bytes": 660_000, "argmax_agreement": float16_agreement},
    }
    assert choose_quantized(trials, ["uint8", "float16"]) == expected


def test_compare_reports_agreement_and_worst_difference():
    reference = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], dtype=np.float32)
    other = np.array([[0.85, 0.15], [0.2, 0.8], [0.4, 0.6]], dtype=np.float32)
    agreement = compare(other, reference)
    assert agreement.digits == 3
    assert agreement.argmax_agreement == pytest.approx(2 / 3)
    assert agreement.max_abs_diff == pytest.approx(0.2, abs=1e-6)


def test_committed_metadata_has_the_schema_build_metadata_writes():
    metadata_path = WEB_MODEL_DIR / "metadata.json"
    if not metadata_path.is_file():
        pytest.skip(f"no committed export in {WEB_MODEL_DIR}")
    metadata = json.loads(metadata_path.read_text())
    assert set(metadata) == METADATA_KEYS, "web/model/metadata.json is stale: run python -m export"
    assert metadata["preprocess"] == preprocess_parameters()
    assert set(metadata["page"]) == {"canvas_size", "stroke_width", "stroke_width_range", "unsure_below"}
