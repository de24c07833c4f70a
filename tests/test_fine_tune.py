"""Teach it: `--drawings` adds people's labelled drawings to the mix, `--fine-tune` starts from the shipped model.

People's drawings are made here as the app makes them: training writers' pen digits scaled onto
the 280-pixel canvas and written with mnist_draw.strokes.write_stroke_file.
"""

from __future__ import annotations

import json
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from mnist_draw import held_out_writers
from mnist_draw.checksums import sha256_of
from mnist_draw.config import (
    ARTIFACTS_DIR,
    CANVAS_SIZE,
    METRICS_FILENAME,
    MNIST_ONLY_MODEL_PATH,
    MODEL_FILENAME,
    NOT_A_DIGIT,
    NUM_CLASSES,
)
from mnist_draw.inference import load_model
from mnist_draw.render import Placement
from mnist_draw.strokes import DrawnDigit, make_digit, to_json, write_stroke_file
from train import data, distill, kept_drawings
from train.__main__ import main
from train.config import TrainConfig
from train.model import build_model, with_not_a_digit
from train.training import blend_with_start, load_teachers


def on_canvas(digit: DrawnDigit, writer: str = "tester") -> DrawnDigit:
    """A pen digit as if drawn on the page: its points scaled onto the 280 x 280 canvas."""
    scale = CANVAS_SIZE / max(digit.width, digit.height)
    strokes = [[(x * scale, y * scale) for x, y in stroke] for stroke in digit.strokes]
    return make_digit(strokes, label=digit.label, writer=writer, width=CANVAS_SIZE, height=CANVAS_SIZE)


@pytest.fixture
def people(pen_digits) -> list[DrawnDigit]:
    """Twelve labelled drawings by training writers, on the canvas."""
    return [on_canvas(digit) for digit in held_out_writers.training_writers(pen_digits)[:12]]


def write_bad_files(folder, good: DrawnDigit, held_out: DrawnDigit) -> dict[str, str]:
    """One file of each kind --drawings must skip -> {name: what the warning says}."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "empty.json").write_bytes(b"")
    (folder / "foreign.json").write_text('{"type": "FeatureCollection", "features": []}')
    write_stroke_file(folder / "whole.json", [good, good])
    text = (folder / "whole.json").read_text()
    (folder / "truncated.json").write_text(text[: len(text) // 2])
    (folder / "whole.json").unlink()
    unlabeled = {
        "format": "mnist-draw-strokes",
        "version": 1,
        "digits": [to_json(good), {**to_json(good), "label": None}],
    }
    (folder / "unlabeled.json").write_text(json.dumps(unlabeled))
    write_stroke_file(folder / "held-out.json", [on_canvas(held_out, writer=held_out.writer)])
    (folder / "notes.txt").write_text("not a stroke file, and not named *.json: never read")
    return {
        "empty.json": "empty file, not a stroke file",
        "foreign.json": 'not a stroke file (no "format": "mnist-draw-strokes")',
        "truncated.json": "not a stroke file, or truncated",
        "unlabeled.json": "digit 1 has no label",
        "held-out.json": "is by held-out writer pendigits-",
    }


def test_bad_files_are_skipped_whole_with_one_warning_each(tmp_path, people, pen_digits):
    write_stroke_file(tmp_path / "good.json", people[:3])
    expected = write_bad_files(tmp_path, people[0], held_out_writers.held_out(pen_digits)[0])
    warnings = []
    digits, record = kept_drawings.load_drawings([tmp_path], warn=warnings.append)
    assert digits == people[:3] and record["files"] == [str(tmp_path / "good.json")] and record["digits"] == 3
    assert len(warnings) == len(expected) == len(record["skipped"])
    for name, reason in expected.items():
        (line,) = [warning for warning in warnings if f"{tmp_path / name}:" in warning]
        assert line.startswith(f"warning: skipped {tmp_path / name}: ") and reason in line and "\n" not in line


def test_nothing_usable_is_one_line_error(tmp_path, capsys):
    (tmp_path / "empty.json").write_bytes(b"")
    missing = tmp_path / "no-such-file.json"
    assert main(["--drawings", str(tmp_path / "empty.json"), str(missing), "--out", str(tmp_path / "out")]) == 1
    stderr = capsys.readouterr().err.strip().splitlines()
    assert stderr[0] == f"warning: skipped {tmp_path / 'empty.json'}: empty file, not a stroke file"
    assert stderr[1] == f"warning: skipped {missing}: file not found"
    assert (
        stderr[2].startswith(f"error: no usable drawings in {tmp_path / 'empty.json'}, {missing}: ")
        and len(stderr) == 3
    )
    assert not (tmp_path / "out").exists()


def test_a_few_drawings_fill_their_share_of_every_epoch(tmp_path, people, monkeypatch):
    from train import mix
    from train.config import TrainConfig

    monkeypatch.setenv("MNIST_DRAW_CACHE", str(tmp_path))
    config = TrainConfig(drawing_share=0.2, drawing_renders=2)
    images, labels = (
        np.zeros((400, 28, 28), np.uint8),
        np.full(400, 10, np.uint8),
    )  # label 10: not a digit, so countable
    people_record = kept_drawings.load_drawings([_write(tmp_path / "d.json", people[:4])])
    mixed, mixed_labels, record = mix.add_drawings(config, images, labels, people_record, None)
    assert (
        (mixed_labels != 10).sum() == 100 == record["images_per_epoch"]
    )  # a fifth of 500: 4 drawings x 2 renders, cycled
    assert sorted(set(mixed_labels[400:])) == sorted({digit.label for digit in people[:4]})
    assert len({mixed[index].tobytes() for index in range(400, 500)}) == 8  # each render a different placement


def test_renders_the_start_model_misreads_count_as_corrections(tmp_path, people, monkeypatch, shipped_model):
    from train import mix
    from train.config import TrainConfig

    images = np.arange(6, dtype=np.uint8)[:, None, None] * np.ones((1, 28, 28), np.uint8)
    labels, guesses = np.array([1, 2, 3, 4, 5, 6]), np.array([1, 7, 3, 4, 0, 6])
    weighted, weighted_labels, misread = kept_drawings.weight_corrections(images, labels, guesses, 4)
    assert misread == 2 and len(weighted) == 6 + 2 * 3
    assert sorted(weighted_labels.tolist()) == [1, 2, 2, 2, 2, 3, 4, 5, 5, 5, 5, 6]
    assert all(int(image[0, 0]) + 1 == label for image, label in zip(weighted, weighted_labels))

    # In a fine-tune the start model judges the renders: every label wrong makes every render a correction.
    monkeypatch.setenv("MNIST_DRAW_CACHE", str(tmp_path))
    mislabelled = [
        make_digit(digit.strokes, label=(digit.label + 1) % 10, writer="tester", width=digit.width, height=digit.height)
        for digit in people[:3]
    ]
    config = TrainConfig(drawing_share=0.5, drawing_renders=2, correction_weight=3, fine_tune=True)
    base = (np.zeros((60, 28, 28), np.uint8), np.full(60, 10, np.uint8))
    record = mix.add_drawings(
        config,
        *base,
        kept_drawings.load_drawings([_write(tmp_path / "m.json", mislabelled)]),
        shipped_model,
    )[2]
    assert record["renders_misread_by_start_model"] == 6 and record["correction_weight"] == 3
    assert (
        mix.add_drawings(config, *base, kept_drawings.load_drawings([_write(tmp_path / "m.json", mislabelled)]), None)[
            2
        ]["correction_weight"]
        is None
    )


def _write(path, digits):
    write_stroke_file(path, digits)
    return path


def model_inputs(digits: list[DrawnDigit]) -> np.ndarray:
    """Pen digits drawn centred, as the page would -> (N, 28, 28) uint8 model inputs."""
    return held_out_writers.render_model_inputs([(digit, Placement()) for digit in digits], processes=1)


@pytest.fixture(scope="module")
def shipped_model() -> keras.Model:
    return load_model(ARTIFACTS_DIR / MODEL_FILENAME)


@pytest.fixture(scope="module")
def digits_only_model() -> keras.Model:
    """A ten-output image model (the committed MNIST-only stage's)."""
    return load_model(MNIST_ONLY_MODEL_PATH)


def test_distilled_targets_copy_the_teacher_except_on_peoples_drawings(digits_only_model, pen_digits):
    images = model_inputs(held_out_writers.training_writers(pen_digits)[:4]).astype(np.float32)[..., None] / 255.0
    labels = tf.constant([3, 1, 4, 1])
    sources = tf.constant([data.PEOPLE, data.MNIST, data.PEN, data.PEOPLE])
    taught = digits_only_model(images, training=False).numpy()
    one_hot = np.eye(10, dtype=np.float32)[labels.numpy()]

    full = data.distill_targets(images, labels, sources, digits_only_model, 1.0).numpy()
    assert full.shape == (4, 2 * NUM_CLASSES)  # label part, then teacher part
    np.testing.assert_allclose(full[[0, 3], :10], one_hot[[0, 3]])  # people's drawings keep their labels
    np.testing.assert_allclose(full[[0, 3], 10:], 0.0)
    np.testing.assert_allclose(full[[1, 2], :10], 0.0)
    np.testing.assert_allclose(full[[1, 2], 10:], taught[[1, 2]], atol=1e-6)
    half = data.distill_targets(images, labels, sources, digits_only_model, 0.5).numpy()
    np.testing.assert_allclose(half[[1, 2], :10], 0.5 * one_hot[[1, 2]])
    np.testing.assert_allclose(half[[1, 2], 10:], 0.5 * taught[[1, 2]], atol=1e-6)
    np.testing.assert_allclose(np.sum(distill.mixed_targets(half), axis=1), 1.0, atol=1e-5)


def test_an_mnist_teacher_teaches_mnist_images_and_nothing_else(digits_only_model, pen_digits):
    images = model_inputs(held_out_writers.training_writers(pen_digits)[:6]).astype(np.float32)[..., None] / 255.0
    labels = tf.constant([3, 1, 4, 1, 5, 9])
    sources = tf.constant([data.MNIST, data.PEN, data.PEOPLE, data.MNIST, data.PEN, data.PEOPLE])
    specialist = build_model(TrainConfig(seed=7))  # any other model: untrained, so its outputs differ
    from_specialist, from_start = specialist(images, training=False).numpy(), digits_only_model(images).numpy()
    assert np.abs(from_specialist - from_start).max() > 0.1

    targets = np.asarray(
        distill.mixed_targets(data.distill_targets(images, labels, sources, digits_only_model, 1.0, specialist))
    )
    np.testing.assert_allclose(targets[[0, 3]], from_specialist[[0, 3]], atol=1e-6)
    np.testing.assert_allclose(targets[[1, 4]], from_start[[1, 4]], atol=1e-6)
    np.testing.assert_allclose(targets[[2, 5]], np.eye(10, dtype=np.float32)[[4, 9]])

    fresh_run = np.asarray(distill.mixed_targets(data.distill_targets(images, labels, sources, None, 1.0, specialist)))
    np.testing.assert_allclose(fresh_run[[0, 3]], from_specialist[[0, 3]], atol=1e-6)  # no start model
    np.testing.assert_allclose(fresh_run[[1, 2, 4, 5]], np.eye(10, dtype=np.float32)[[1, 4, 5, 9]])


def test_a_student_equal_to_its_teacher_is_pulled_only_by_peoples_drawings(digits_only_model, pen_digits):
    digits = held_out_writers.training_writers(pen_digits)[:64]
    images, labels = model_inputs(digits), np.array([digit.label for digit in digits])
    config = TrainConfig(augment=False, batch_size=64, distill=1.0)

    def gradient_norm(sources: np.ndarray, teacher) -> float:
        batches = data.make_dataset(images, labels, config, training=True, teacher=teacher, sources=sources)
        batch, target = next(iter(batches))
        loss = distill.DistillationLoss(4.0) if teacher else keras.losses.SparseCategoricalCrossentropy()
        with tf.GradientTape() as tape:
            value = loss(target, digits_only_model(batch, training=False))
        gradients = tape.gradient(value, digits_only_model.trainable_weights)
        return float(tf.linalg.global_norm(gradients))

    nobody = np.where(np.arange(len(images)) % 2, data.PEN, data.MNIST)  # no people's drawings
    assert gradient_norm(nobody, digits_only_model) < 1e-4  # MNIST and pen digits: nothing to change
    assert gradient_norm(nobody, None) > 1e-3  # their labels alone would still move the model
    assert gradient_norm(np.full(len(images), data.PEOPLE), digits_only_model) > 1e-3  # people's labels move it


def test_at_temperature_one_the_loss_is_the_cross_entropy_with_the_mixed_targets():
    rng = np.random.default_rng(0)
    teacher, student = (
        rng.dirichlet(np.ones(10), 6).astype(np.float32),
        rng.dirichlet(np.ones(10), 6).astype(np.float32),
    )
    one_hot = np.eye(10, dtype=np.float32)[[0, 3, 3, 5, 7, 9]]
    share = np.array([[0.0], [1.0], [0.5], [1.0], [0.25], [0.0]], np.float32)
    targets = distill.pack_targets(one_hot, teacher, share)
    mixed = (1 - share) * one_hot + share * teacher
    cross_entropy = -(mixed * np.log(student)).sum(axis=1)
    teacher_entropy = -(teacher * np.log(teacher)).sum(axis=1)  # what the KL form leaves out
    values = distill.DistillationLoss(1.0).call(targets, student).numpy()
    np.testing.assert_allclose(values, cross_entropy - share[:, 0] * teacher_entropy, rtol=1e-5)
    np.testing.assert_allclose(distill.DistillationLoss(4.0).call(targets, teacher).numpy()[[1, 3]], 0.0, atol=1e-5)
    hits = distill.target_accuracy(targets, student).numpy()
    np.testing.assert_array_equal(hits, (mixed.argmax(axis=1) == student.argmax(axis=1)).astype(np.float32))


def test_a_temperature_makes_a_confident_teacher_guard_its_margins():
    """A student as sure of the top digit as its teacher, but nearer another class, is caught only softened."""
    teacher = keras.ops.softmax(np.array([[12.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]], np.float32)).numpy()
    student = keras.ops.softmax(np.array([[12.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]], np.float32)).numpy()
    targets = distill.pack_targets(np.eye(10, dtype=np.float32)[[0]], teacher, np.ones((1, 1), np.float32))
    plain, softened = (float(distill.DistillationLoss(t).call(targets, student)[0]) for t in (1.0, 4.0))
    assert plain < 0.01 < 0.5 < softened
    with pytest.raises(ValueError, match="temperature must be positive"):
        distill.DistillationLoss(0.0)


def test_pen_labels_leave_the_pen_digits_to_their_labels_and_mnist_to_the_start_model(tmp_path):
    start = tmp_path / "start.keras"
    build_model(TrainConfig(seed=1)).save(start)
    image = np.random.default_rng(0).random((1, 28, 28, 1), dtype=np.float32)

    def output(model: keras.Model | None):
        return None if model is None else model(image, training=False).numpy()

    pen, mnist = load_teachers(TrainConfig(fine_tune=True, distill=1.0), load_model(start))
    np.testing.assert_allclose(output(pen), output(load_model(start)), atol=1e-6)  # the start model teaches all
    assert mnist is None
    pen, mnist = load_teachers(TrainConfig(fine_tune=True, distill=1.0, pen_labels=True), load_model(start))
    assert pen is None  # data.distill_targets gives them their one-hot labels
    np.testing.assert_allclose(output(mnist), output(load_model(start)), atol=1e-6)
    assert load_teachers(TrainConfig(fine_tune=True, distill=0.0), load_model(start)) == (None, None)


def test_blend_with_start_mixes_every_weight_in_the_given_shares(digits_only_model):
    start = build_model(TrainConfig(seed=3))
    tuned = keras.models.clone_model(digits_only_model)
    tuned.set_weights(digits_only_model.get_weights())
    blend_with_start(tuned, start, 0.25)
    for blended, own, begun in zip(
        tuned.get_weights(), digits_only_model.get_weights(), start.get_weights(), strict=True
    ):
        np.testing.assert_allclose(blended, 0.75 * own + 0.25 * begun, rtol=1e-6, atol=1e-7)
    assert any(not np.allclose(own, begun) for own, begun in zip(digits_only_model.get_weights(), start.get_weights()))


def test_fine_tune_without_a_model_names_it_in_one_line(tmp_path, capsys):
    missing = tmp_path / "none.keras"
    assert main(["--fine-tune", "--model", str(missing), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"error: No model at {missing} to fine-tune: train one with `python -m train`, or name one with --model."
    ]


@pytest.mark.slow
def test_smoke_fine_tune_on_a_handful_of_drawings_keeps_old_skills(
    tmp_path, mnist_dir, pen_dir, people, pen_digits, trainer, capsys
):
    folder = tmp_path / "drawings"
    folder.mkdir()
    write_stroke_file(folder / "drawing-1.json", people)
    (folder / "drawing-2.json").write_text("{ half a file")
    out = tmp_path / "artifacts"  # the shipped set, copied: the fine-tuned model must not be clearly worse
    shutil.copytree(ARTIFACTS_DIR / "plots", out / "plots")
    for name in (MODEL_FILENAME, METRICS_FILENAME, "history.csv"):
        shutil.copy2(ARTIFACTS_DIR / name, out / name)
    shipped = sha256_of(ARTIFACTS_DIR / MODEL_FILENAME)

    arguments = [
        "--fine-tune",
        "--model",
        str(ARTIFACTS_DIR / MODEL_FILENAME),
        "--drawings",
        str(folder),
        "--out",
        str(out),
    ]
    arguments += [
        "--data",
        str(mnist_dir),
        "--pen-data",
        str(pen_dir),
        "--epochs",
        "1",
        "--limit",
        "200",
        "--set",
        "pen_renders=1",
        "--set",
        "validation_size=500",
        "--set",
        "drawing_renders=2",
    ]
    assert trainer.main(arguments) == 0
    captured = capsys.readouterr()
    assert f"warning: skipped {folder / 'drawing-2.json'}: not a stroke file, or truncated" in captured.err
    assert "drawings: 12 from 1 files" in captured.out and f"saved {out / MODEL_FILENAME}" in captured.out

    metrics = json.loads((out / METRICS_FILENAME).read_text())
    assert metrics["fine_tuned_from"]["model_sha256"] == shipped and metrics["config"]["fine_tune"] is True
    assert metrics["config"]["learning_rate"] == 3e-4  # the fine-tune's low default
    assert metrics["config"]["distill"] == 1.0  # keeps the start model's outputs
    assert metrics["config"]["temperature"] == 4.0  # and its margins
    assert metrics["drawings"]["digits"] == 12 and metrics["drawings"]["skipped"] == [str(folder / "drawing-2.json")]
    pen_images = round(TrainConfig.pen_share / (1 - TrainConfig.pen_share) * 200)
    non_digit_share = metrics["config"]["non_digit_share"]  # the fine-tune recipe keeps its non-digits
    non_digits = round(non_digit_share / (1 - non_digit_share) * (200 + pen_images))
    assert metrics["non_digits"]["images_per_epoch"] == non_digits > 0
    mixed = 200 + pen_images + non_digits
    drawing_images = round(TrainConfig.drawing_share / (1 - TrainConfig.drawing_share) * mixed)
    assert metrics["drawings"]["images_per_epoch"] == drawing_images  # their share of MNIST + pen + drawings
    assert metrics["test_accuracy"] > 0.98  # old skills kept: it started from the shipped model
    assert metrics["replaced_model"]["test_accuracy"] > 0.99 and sha256_of(out / MODEL_FILENAME) != shipped

    # The fine-tune froze BatchNorm: its statistics are the shipped model's, the kernels moved on,
    # and the saved model is trainable again like any other.
    start, tuned = load_model(ARTIFACTS_DIR / MODEL_FILENAME), load_model(out / MODEL_FILENAME)
    batch_norms = [layer.name for layer in tuned.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert batch_norms and all(tuned.get_layer(name).trainable for name in batch_norms)
    for name in batch_norms:
        for kept, before in zip(tuned.get_layer(name).get_weights(), start.get_layer(name).get_weights()):
            np.testing.assert_array_equal(kept, before)
    assert not np.array_equal(
        tuned.get_layer("probabilities").get_weights()[0], start.get_layer("probabilities").get_weights()[0]
    )


def test_not_a_digit_is_added_rare_and_leaves_the_ten_digits_as_they_were(digits_only_model, pen_digits):
    images = model_inputs(held_out_writers.training_writers(pen_digits)[:8]).astype(np.float32)[..., None] / 255.0
    widened = with_not_a_digit(digits_only_model)
    before, after = digits_only_model.predict(images, verbose=0), widened.predict(images, verbose=0)
    assert after.shape == (8, NOT_A_DIGIT + 1)
    np.testing.assert_allclose(
        after[:, :NOT_A_DIGIT] / after[:, :NOT_A_DIGIT].sum(axis=1, keepdims=True), before, atol=1e-5
    )
    assert after[:, NOT_A_DIGIT].max() < 0.02  # e^-4 against a digit the model is sure of
    assert [layer.name for layer in widened.layers] == [layer.name for layer in digits_only_model.layers]
    with pytest.raises(ValueError, match="already has 11 outputs"):
        with_not_a_digit(widened)


def test_a_ten_digit_teacher_teaches_a_model_that_also_learns_not_a_digit(digits_only_model, pen_digits):
    images = model_inputs(held_out_writers.training_writers(pen_digits)[:3]).astype(np.float32)[..., None] / 255.0
    labels, sources = tf.constant([3, NOT_A_DIGIT, 1]), tf.constant([data.MNIST, data.PEN, data.PEN])
    taught = digits_only_model(images, training=False).numpy()
    targets = data.distill_targets(images, labels, sources, None, 1.0, digits_only_model, NOT_A_DIGIT + 1).numpy()
    assert targets.shape == (3, 2 * (NOT_A_DIGIT + 1))
    label_part, teacher_part = targets[:, : NOT_A_DIGIT + 1], targets[:, NOT_A_DIGIT + 1 :]
    np.testing.assert_allclose(label_part, 0.0)  # a share of 1: all from the teachers, the labels' one-hot for PEN
    np.testing.assert_allclose(teacher_part[0, :NOT_A_DIGIT], taught[0], atol=1e-6)
    assert teacher_part[0, NOT_A_DIGIT] == 0  # MNIST digits are digits: the ten-digit teacher says so
    np.testing.assert_array_equal(teacher_part[1:], np.eye(NOT_A_DIGIT + 1)[[NOT_A_DIGIT, 1]])
    evaluation = distill.label_targets(tf.constant([NOT_A_DIGIT]), NOT_A_DIGIT + 1).numpy()
    np.testing.assert_array_equal(evaluation[0], np.eye(2 * (NOT_A_DIGIT + 1))[NOT_A_DIGIT])


def test_the_blend_keeps_the_weights_of_outputs_the_start_model_lacks(digits_only_model):
    tuned = with_not_a_digit(keras.models.clone_model(digits_only_model))
    tuned.set_weights([weight + 0.5 for weight in tuned.get_weights()])
    own = tuned.get_layer("probabilities").get_weights()
    begun = digits_only_model.get_layer("probabilities").get_weights()
    blend_with_start(tuned, digits_only_model, 0.25)
    for blended, mine, start in zip(tuned.get_layer("probabilities").get_weights(), own, begun, strict=True):
        np.testing.assert_allclose(
            blended[..., :NOT_A_DIGIT], 0.75 * mine[..., :NOT_A_DIGIT] + 0.25 * start, rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(blended[..., NOT_A_DIGIT], mine[..., NOT_A_DIGIT], rtol=1e-6)
