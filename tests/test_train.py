"""train/model.py and its atomic model save, the CLI's checks and real smoke runs of `python -m train`."""

from __future__ import annotations

import json
import re

import keras
import numpy as np
import pytest

from mnist_draw.checksums import sha256_of
from mnist_draw.config import INPUT_SHAPE, METRICS_FILENAME, MODEL_FILENAME, NOT_A_DIGIT, NUM_CLASSES
from mnist_draw.inference import load_model
from train.__main__ import build_parser, main, stages_from
from train.config import TrainConfig
from train.model import build_model, save_model_atomically, weight_bytes

WEIGHT_BUDGET_BYTES = 1_500_000  # float32 weights a web page can afford to download


def test_model_maps_images_to_probabilities():
    model = build_model()
    images = np.random.default_rng(0).random((3, *INPUT_SHAPE), dtype=np.float32)
    probabilities = model.predict(images, verbose=0)
    assert model.input_shape == (None, *INPUT_SHAPE) and probabilities.shape == (3, NUM_CLASSES)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_model_fits_the_web_budget():
    model = build_model()
    assert 200_000 < model.count_params() < 400_000
    assert weight_bytes(model) < WEIGHT_BUDGET_BYTES


def test_exported_graph_has_no_augmentation_layers():
    names = [layer.__class__.__name__ for layer in build_model().layers]
    assert not [name for name in names if name.startswith("Random")]


def test_failed_save_keeps_the_previous_model(tmp_path, monkeypatch):
    path = tmp_path / MODEL_FILENAME
    save_model_atomically(build_model(), path)
    before = path.read_bytes()

    def crash_mid_save(self, filepath, *args, **kwargs):
        open(filepath, "wb").write(b"half a zip file")  # what a killed save leaves behind
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", crash_mid_save)
    with pytest.raises(OSError, match="disk full"):
        save_model_atomically(build_model(TrainConfig(seed=7)), path)
    assert path.read_bytes() == before
    assert [entry.name for entry in tmp_path.iterdir()] == [MODEL_FILENAME]


def test_unloadable_save_is_never_swapped_in(tmp_path, monkeypatch):
    path = tmp_path / MODEL_FILENAME
    path.write_bytes(b"previous good model")
    monkeypatch.setattr(
        keras.saving, "load_model", lambda *args, **kwargs: (_ for _ in ()).throw(ValueError("corrupt"))
    )
    with pytest.raises(ValueError, match="corrupt"):
        save_model_atomically(build_model(), path)
    assert path.read_bytes() == b"previous good model"


def test_help_shows_the_product_flags_grouped(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    printed = capsys.readouterr().out
    text = " ".join(printed.split())  # argparse wraps to the terminal width
    flags = ["--data", "--pen-data", "--out", "--limit", "--recipe", "--from-scratch", "--epochs", "--batch-size"]
    flags += ["--learning-rate", "--seed", "--set", "--resume", "--force", "--fine-tune", "--model", "--drawings"]
    for flag in [*flags, "--strategy"]:
        assert flag in text
    assert len(re.findall(r"^  -", printed, re.MULTILINE)) <= 20  # options a person can take in at a glance
    for group in ("data:", "training:", "teach it:", "distribution:"):
        assert f"\n{group}\n" in printed
    assert not re.search(r"\d+\.\d+%", text)  # no benchmark numbers to go stale
    assert "example" in text and "multiworker" in text and "TF_CONFIG" in text


def test_set_list_prints_every_setting(capsys):
    assert main(["--set", "list"]) == 0
    printed = capsys.readouterr().out
    assert all(f"\n{name} " in printed for name in TrainConfig.__dataclass_fields__)


def test_smoke_run_writes_every_artifact(tmp_path, mnist_dir, pen_dir, trainer, capsys):
    out = tmp_path / "run"
    arguments = ["--recipe", "mnist-only", "--set", "pen_share=0.2", "--set", "pen_renders=1"]
    arguments += ["--data", str(mnist_dir), "--pen-data", str(pen_dir), "--out", str(out), "--epochs", "1"]
    assert trainer.main([*arguments, "--limit", "120", "--set", "validation_size=500", "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert (
        printed.startswith("config mnist-only: epochs=1")
        and f"saved {out / MODEL_FILENAME} (test acc " in printed
        and "held-out writers" in printed
    )
    assert sorted(path.name for path in out.iterdir()) == [
        "checkpoints",
        "history.csv",
        METRICS_FILENAME,
        MODEL_FILENAME,
        "plots",
        "tensorboard",
    ]
    assert not (out / "checkpoints" / "resume").exists()  # the resume backup goes once the set is in place

    metrics = json.loads((out / METRICS_FILENAME).read_text())
    assert metrics["epochs_run"] == 1 and metrics["mnist_train_images"] == 120 and metrics["config"]["seed"] == 3
    assert metrics["replaced_model"] is None and metrics["strategy"] == "default" and metrics["drawings"] is None
    assert metrics["model_sha256"] == sha256_of(out / MODEL_FILENAME)  # the record names its model
    assert (out / "history.csv").read_text().splitlines()[
        0
    ] == "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss"
    pen_digits = round(120 * 0.2 / (1 - 0.2))  # pen digits are a fifth of the mix
    assert metrics["train_images"] == 120 + pen_digits
    assert np.array(metrics["confusion_matrix"]).sum() == 10_000  # evaluated on the whole test set
    held_out = metrics["held_out_writers"]
    assert (
        held_out["digits"] == 3 * 120 and np.array(held_out["confusion_matrix"]).sum() == 360
    )  # 120 digits, 3 placements
    assert set(held_out["per_writer"]) <= {
        "pendigits-5",
        "pendigits-10",
        "pendigits-15",
        "pendigits-20",
        "pendigits-25",
        "pendigits-30",
    }
    assert not set(held_out["per_writer"]) & set(metrics["pen_digits"]["training_writers"])
    assert metrics["data"]["sha256"]["t10k-images-idx3-ubyte.gz"].startswith("8d422c7b")
    assert {"tensorflow", "keras", "numpy"} <= metrics["versions"].keys()
    for name in (
        MODEL_FILENAME,
        "history.csv",
        "plots/training_curves.png",
        "plots/confusion_matrix.png",
        "plots/misclassified.png",
        "plots/drawn_confusion_matrix.png",
        "plots/drawn_misclassified.png",
    ):
        assert (out / name).stat().st_size > 0, name
    assert list((out / "tensorboard").rglob("events.out.tfevents.*"))
    reloaded = keras.saving.load_model(out / MODEL_FILENAME)
    assert reloaded.count_params() == metrics["parameters"]
    assert getattr(reloaded, "optimizer", None) is None  # saved for inference: no optimizer state in the file


def test_the_shipped_recipe_runs_every_stage_in_one_process(tmp_path, mnist_dir, pen_dir, trainer, capsys):
    """From nothing: the MNIST-only stage is trained and kept in out/mnist-only, fine-tuned on pen
    digits into out/pen, taught "not a digit" into out, and the stroke model fused with that."""
    out = tmp_path / "run"
    arguments = ["--data", str(mnist_dir), "--pen-data", str(pen_dir), "--out", str(out), "--epochs", "1"]
    arguments += [
        "--limit",
        "120",
        "--set",
        "validation_size=500",
        "--set",
        "pen_renders=1",
        "--set",
        "pen.fine_tune_images=120",
        "--set",
        "not-a-digit.fine_tune_images=120",
        "--set",
        "stroke.num_filters=4",
    ]
    assert trainer.main(arguments) == 0
    printed = capsys.readouterr().out
    kept, pen = out / "mnist-only" / MODEL_FILENAME, out / "pen" / MODEL_FILENAME
    for line in ("stage 1/4 mnist-only", "stage 2/4 pen", "stage 3/4 not-a-digit", "stage 4/4 stroke"):
        assert f"{line}: training into" in printed
    first = json.loads((out / "mnist-only" / METRICS_FILENAME).read_text())
    assert first["config"]["pen_share"] == 0 and first["held_out_writers"] is None and first["fine_tuned_from"] is None
    second = json.loads((out / "pen" / METRICS_FILENAME).read_text())
    assert second["fine_tuned_from"] == {"model": str(kept), "model_sha256": sha256_of(kept)}
    assert second["baseline"]["model_sha256"] == sha256_of(kept)  # measured beside the model it started from
    assert second["config"]["pen_labels"] and second["config"]["blend_start"] == 0.5
    metrics = json.loads((out / METRICS_FILENAME).read_text())
    assert metrics["fine_tuned_from"] == {"model": str(pen), "model_sha256": sha256_of(pen)}
    assert metrics["non_digits"]["images_per_epoch"] > 0 and metrics["held_out_writers"]["digits"] > 0
    assert load_model(out / MODEL_FILENAME).output_shape == (None, NOT_A_DIGIT + 1)
    stroke = json.loads((out / "stroke" / METRICS_FILENAME).read_text())
    assert stroke["image_model_sha256"] == sha256_of(out / MODEL_FILENAME)  # fused with the last image stage's model
    assert stroke["not_a_digit"]["methods"]["learnt_class"]["non_digits_caught"] is not None

    assert trainer.main([*arguments, "--force"]) == 0  # a second run reuses the kept stage
    assert f"stage 1/4 mnist-only: reusing {kept}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ([], {"fine_tune": True, "pen_labels": True, "blend_start": 0.5, "non_digit_share": 0.22, "epochs": 3}),
        (["--fine-tune"], {"temperature": 4.0, "correction_weight": 5, "distill": 1.0, "epochs": 3}),
        (["--fine-tune", "--set", "correction_weight=1"], {"correction_weight": 1}),
        (["--fine-tune", "--epochs", "2", "--learning-rate", "1e-4"], {"epochs": 2, "learning_rate": 1e-4}),
        (["--recipe", "mnist-only"], {"fine_tune": False, "pen_share": 0.0, "dropout_rate": 0.4, "temperature": 1.0}),
        (["--recipe", "mnist-only", "--set", "zoom_fraction=0.2"], {"zoom_fraction": 0.2, "shift_fraction": 0.12}),
        (["--seed", "9", "--batch-size", "64", "--limit", "50"], {"seed": 9, "batch_size": 64, "limit": 50}),
    ],
)
def test_flags_reach_the_last_stages_hyperparameters(arguments, expected):
    parser = build_parser()
    image_stages = [stage for stage in stages_from(parser, parser.parse_args(arguments)) if stage.model == "image"]
    config = image_stages[-1].config.to_dict()
    assert {name: config[name] for name in expected} == expected


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--learning-rate", "nan"], "--learning-rate must be a positive number up to 1"),
        (["--learning-rate", "-1"], "--learning-rate must be a positive number up to 1"),
        (["--learning-rate", "inf"], "--learning-rate must be a positive number up to 1"),
        (["--learning-rate", "5"], "--learning-rate must be a positive number up to 1"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--limit", "0"], "--limit must be at least 1"),
        (["--seed", "-1"], "--seed must be at least 0"),
        (["--seed", str(2**32)], "--seed must be below 2**32"),
        (["--set", "pen_share=1"], "pen_share must be in [0, 1)"),
        (["--set", "pen_share=nan"], "pen_share must be in [0, 1)"),
        (["--set", "pen_renders=0"], "pen_renders must be at least 1"),
        (["--set", "patience=-1"], "patience must be at least 0"),
        (["--set", "validation_size=0"], "validation_size must be at least 1"),
        (["--set", "validation_size=60000"], "validation_size must be below MNIST's 60,000"),
        (["--set", "drawing_share=0"], "drawing_share must be in (0, 1)"),
        (["--set", "drawing_share=inf"], "drawing_share must be in (0, 1)"),
        (["--set", "drawing_renders=0"], "drawing_renders must be at least 1"),
        (["--set", "fine_tune_images=0"], "fine_tune_images must be at least 1"),
        (["--set", "dropout_rate=1"], "dropout_rate must be in [0, 0.9]"),
        (["--set", "zoom_fraction=-0.1"], "zoom_fraction must be in [0, 0.5]"),
        (["--set", "shift_fraction=nan"], "shift_fraction must be in [0, 0.5]"),
        (["--set", "slant=0.3"], "unknown setting 'slant'"),
        (["--set", "dropout=0.3"], "unknown setting 'dropout'"),
        (["--model", "some.keras"], "--model names the model a fine-tune starts from: add --fine-tune"),
        (["--recipe", "mnist-only", "--set", "distill=0.5"], "distill makes a start model's outputs the targets"),
        (["--fine-tune", "--set", "distill=1.5"], "distill must be in [0, 1]"),
        (["--fine-tune", "--set", "distill=nan"], "distill must be in [0, 1]"),
        (
            ["--recipe", "mnist-only", "--set", "pen_labels=true"],
            "pen_labels leaves MNIST to the start model's outputs",
        ),
        (["--fine-tune", "--set", "pen_labels=true", "--set", "distill=0", "--set", "temperature=1"], "pen_labels"),
        (["--recipe", "mnist-only", "--set", "blend_start=0.5"], "blend_start blends a fine-tune with the model"),
        (["--fine-tune", "--set", "correction_weight=0"], "correction_weight must be at least 1"),
        (["--recipe", "mnist-only", "--set", "temperature=2"], "temperature softens a teacher's outputs"),
        (["--fine-tune", "--set", "distill=0"], "temperature softens a teacher's outputs"),
        (["--fine-tune", "--set", "temperature=0"], "temperature must be a positive number up to 100"),
        (["--fine-tune", "--set", "temperature=inf"], "temperature must be a positive number up to 100"),
        (["--fine-tune", "--set", "blend_start=1"], "blend_start must be in [0, 1)"),
        (["--fine-tune", "--set", "blend_start=-0.1"], "blend_start must be in [0, 1)"),
        (["--fine-tune", "--set", "blend_start=nan"], "blend_start must be in [0, 1)"),
        (["--fine-tune", "--recipe", "shipped"], "--fine-tune runs the fine-tune recipe: leave out --recipe shipped"),
        (["--recipe", "nope"], "no recipe 'nope'"),
    ],
)
def test_bad_numbers_are_refused_in_one_line(arguments, message, capsys):
    with pytest.raises(SystemExit) as exited:
        main(arguments)
    error = capsys.readouterr().err.strip().splitlines()
    assert exited.value.code == 2 and message in error[-1] and error[-1].startswith("python -m train: error: ")


def test_multiworker_without_a_cluster_is_one_line(capsys, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["--strategy", "multiworker"])
    assert exited.value.code == 2 and "needs $TF_CONFIG" in capsys.readouterr().err
