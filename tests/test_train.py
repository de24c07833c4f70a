"""train/model.py, the atomic model save in train/training.py, the CLI's checks and a real smoke run of `python -m train`."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from mnist_draw.config import INPUT_SHAPE, METRICS_FILENAME, MNIST_ONLY_MODEL_PATH, MODEL_FILENAME, NUM_CLASSES
from mnist_draw.files import sha256_of
from train.__main__ import build_parser, check_arguments, config_from, main, options_from
from train.config import TrainConfig
from train.model import build_model, weight_bytes
from train.training import save_model_atomically

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


def test_help_explains_every_flag(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps to the terminal width
    flags = [
        "--data",
        "--out",
        "--epochs",
        "--batch-size",
        "--learning-rate",
        "--limit",
        "--seed",
        "--no-augment",
        "--patience",
        "--validation-size",
        "--pen-data",
        "--pen-share",
        "--no-pen",
        "--baseline",
    ]
    flags += [
        "--drawings",
        "--drawing-share",
        "--drawing-renders",
        "--fine-tune",
        "--model",
        "--fine-tune-images",
        "--strategy",
        "--cpu-replicas",
        "--resume",
        "--force",
    ]
    for flag in flags:
        assert flag in text
    assert f"(default: {TrainConfig().epochs};" in text and "example" in text
    assert "more than 0.5 points lower" in text and "more than 1 point lower" in text  # what "clearly worse" means
    assert "MNIST_TRAIN_PAUSE_BEFORE_SWAP" in text and "multiworker" in text and "TF_CONFIG" in text


def test_smoke_run_writes_every_artifact(tmp_path, mnist_dir, pen_dir, capsys, monkeypatch):
    monkeypatch.setenv("MNIST_DRAW_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    arguments = [
        "--data",
        str(mnist_dir),
        "--pen-data",
        str(pen_dir),
        "--out",
        str(out),
        "--epochs",
        "1",
        "--limit",
        "120",
        "--pen-renders",
        "1",
        "--validation-size",
        "500",
        "--seed",
        "3",
    ]
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert (
        printed.startswith("config: epochs=1")
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
    assert (out / "history.csv").read_text().splitlines()[
        0
    ] == "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss"
    pen_digits = round(120 * TrainConfig().pen_share / (1 - TrainConfig().pen_share))  # the default share of the mix
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


def test_smoke_run_with_an_mnist_teacher_learns_mnist_from_its_outputs(
    tmp_path, mnist_dir, pen_dir, capsys, monkeypatch
):
    monkeypatch.setenv("MNIST_DRAW_CACHE", str(tmp_path / "cache"))
    teacher = MNIST_ONLY_MODEL_PATH
    out = tmp_path / "run"
    arguments = ["--mnist-teacher", str(teacher), "--data", str(mnist_dir), "--pen-data", str(pen_dir)]
    arguments += ["--out", str(out), "--epochs", "1", "--limit", "120", "--pen-renders", "1"]
    assert main([*arguments, "--validation-size", "500"]) == 0
    assert f"mnist_teacher={teacher}" in capsys.readouterr().out

    metrics = json.loads((out / METRICS_FILENAME).read_text())
    assert metrics["mnist_teacher"]["model_sha256"] == sha256_of(teacher) and metrics["fine_tuned_from"] is None
    assert metrics["config"]["fine_tune"] is False and metrics["config"]["distill"] == TrainConfig.fine_tune_distill
    assert metrics["config"]["learning_rate"] == TrainConfig.learning_rate  # a fresh run's schedule
    assert np.isfinite(metrics["test_loss"]) and metrics["epochs_run"] == 1


@pytest.mark.parametrize(
    ("arguments", "teacher"),
    [
        (["--fine-tune"], None),  # the start model teaches everything
        (["--fine-tune", "--distill", "0"], None),  # labels alone: no teacher at all
        (["--fine-tune", "--mnist-teacher", "m.keras"], Path("m.keras")),
        (["--mnist-teacher", "m.keras"], Path("m.keras")),
        ([], None),  # a fresh run learns from labels
    ],
)
def test_mnist_has_its_own_teacher_only_when_one_is_named(arguments, teacher):
    parser = build_parser()
    args = parser.parse_args(arguments)
    check_arguments(parser, args)
    assert options_from(args).mnist_teacher == teacher


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            [],
            {"dropout_rate": 0.25, "zoom_fraction": 0.1, "shift_fraction": 0.1, "pen_labels": False, "blend_start": 0},
        ),
        (["--no-pen", "--dropout", "0.4", "--zoom", "0.15", "--shift", "0.12"], {"dropout_rate": 0.4, "pen_share": 0}),
        (["--zoom", "0.15", "--shift", "0.12"], {"zoom_fraction": 0.15, "shift_fraction": 0.12}),
        (["--fine-tune", "--pen-labels", "--blend-start", "0.5"], {"pen_labels": True, "blend_start": 0.5}),
        (["--fine-tune"], {"temperature": TrainConfig.fine_tune_temperature, "correction_weight": 5}),
        (["--fine-tune", "--correction-weight", "1"], {"correction_weight": 1}),
        (["--fine-tune", "--temperature", "1"], {"temperature": 1.0}),
        ([], {"temperature": 1.0}),
        (["--mnist-teacher", "teacher.keras", "--temperature", "2"], {"temperature": 2.0}),
    ],
)
def test_flags_reach_the_runs_hyperparameters(arguments, expected):
    parser = build_parser()
    args = parser.parse_args(arguments)
    check_arguments(parser, args)
    config = config_from(args).to_dict()
    assert {name: config[name] for name in expected} == expected


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--learning-rate", "nan"], "--learning-rate must be a positive number up to 1"),
        (["--learning-rate", "-1"], "--learning-rate must be a positive number up to 1"),
        (["--learning-rate", "inf"], "--learning-rate must be a positive number up to 1"),
        (["--learning-rate", "5"], "--learning-rate must be a positive number up to 1"),
        (["--pen-share", "1"], "--pen-share must be in [0, 1)"),
        (["--pen-share", "nan"], "--pen-share must be in [0, 1)"),
        (["--pen-renders", "0"], "--pen-renders must be at least 1"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--limit", "0"], "--limit must be at least 1"),
        (["--patience", "-1"], "--patience must be at least 0"),
        (["--validation-size", "0"], "--validation-size must be at least 1"),
        (["--validation-size", "60000"], "--validation-size must be below MNIST's 60,000"),
        (["--seed", "-1"], "--seed must be at least 0"),
        (["--seed", str(2**32)], "--seed must be below 2**32"),
        (["--drawing-share", "0"], "--drawing-share must be in (0, 1)"),
        (["--drawing-share", "inf"], "--drawing-share must be in (0, 1)"),
        (["--drawing-renders", "0"], "--drawing-renders must be at least 1"),
        (["--fine-tune-images", "0"], "--fine-tune-images must be at least 1"),
        (["--cpu-replicas", "2"], "--cpu-replicas goes with --strategy mirrored"),
        (["--strategy", "mirrored", "--cpu-replicas", "0"], "--cpu-replicas must be at least 1"),
        (["--model", "some.keras"], "--model names the model --fine-tune starts from"),
        (["--distill", "0.5"], "--distill sets how much a teacher's outputs are the targets: add --fine-tune or"),
        (["--fine-tune", "--distill", "1.5"], "--distill must be in [0, 1]"),
        (["--fine-tune", "--distill", "nan"], "--distill must be in [0, 1]"),
        (["--mnist-teacher", "m.keras", "--distill", "0"], "--distill 0 would ignore it"),
        (["--fine-tune", "--distill", "0", "--mnist-teacher", "m.keras"], "--distill 0 would ignore it"),
        (["--dropout", "1"], "--dropout must be in [0, 0.9]"),
        (["--zoom", "-0.1"], "--zoom must be in [0, 0.5]"),
        (["--shift", "nan"], "--shift must be in [0, 0.5]"),
        (["--pen-labels"], "--pen-labels makes a fine-tune's pen digits learn their labels: add --fine-tune"),
        (["--fine-tune", "--pen-labels", "--distill", "0"], "--distill 0 would leave nothing but labels"),
        (["--blend-start", "0.5"], "--blend-start blends a fine-tune with the model it started from: add --fine-tune"),
        (
            ["--correction-weight", "3"],
            "--correction-weight weighs what a fine-tune's start model misreads: add --fine-tune",
        ),
        (["--fine-tune", "--correction-weight", "0"], "--correction-weight must be at least 1"),
        (["--temperature", "2"], "--temperature softens a teacher's outputs: add --fine-tune or --mnist-teacher"),
        (["--fine-tune", "--distill", "0", "--temperature", "2"], "--temperature softens a teacher's outputs"),
        (["--fine-tune", "--temperature", "0"], "--temperature must be a positive number up to 100"),
        (["--fine-tune", "--temperature", "inf"], "--temperature must be a positive number up to 100"),
        (["--fine-tune", "--blend-start", "1"], "--blend-start must be in [0, 1)"),
        (["--fine-tune", "--blend-start", "-0.1"], "--blend-start must be in [0, 1)"),
        (["--fine-tune", "--blend-start", "nan"], "--blend-start must be in [0, 1)"),
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
