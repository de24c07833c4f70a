"""train/stroke_training.py and the stroke stage of train/recipe.py: the weight it chooses, the set it writes, its keys."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mnist_draw.checksums import sha256_of
from mnist_draw.config import ARTIFACTS_DIR, METRICS_FILENAME, MODEL_FILENAME, STROKE_DIR_NAME, STROKE_MODEL_FILENAME
from mnist_draw.fusion import NOT_A_DIGIT_THRESHOLD_KEY, STROKE_WEIGHT_KEY, fuse
from train import recipe, stroke_training
from train.config import RunOptions


def one_hot_ish(labels, sure: float) -> np.ndarray:
    """(N,) labels -> (N, 10) probabilities putting `sure` on the label and the rest evenly elsewhere."""
    probabilities = np.full((len(labels), 10), (1 - sure) / 9)
    probabilities[np.arange(len(labels)), labels] = sure
    return probabilities


def test_the_weight_is_the_grid_point_of_lowest_fused_log_loss():
    labels = np.array([0, 1, 2, 3])
    stroke = np.concatenate([one_hot_ish(labels[:2], 0.9), one_hot_ish((labels[2:] + 1) % 10, 0.6)])
    image = np.concatenate([one_hot_ish((labels[:2] + 1) % 10, 0.6), one_hot_ish(labels[2:], 0.9)])
    weight, losses = stroke_training.choose_weight(stroke, image, labels)
    assert losses[f"{weight:.2f}"] == min(losses.values()) and len(losses) == 21
    assert weight == 0.5  # the two models are mirror images: neither deserves more
    expected = stroke_training.log_loss(fuse(stroke, image, weight), labels)
    assert losses[f"{weight:.2f}"] == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize(("right", "weight"), [("stroke", 1.0), ("image", 0.0)])
def test_a_model_that_is_always_right_gets_all_the_weight(right, weight):
    labels = np.arange(10)
    sure, wrong = one_hot_ish(labels, 0.99), one_hot_ish((labels + 3) % 10, 0.5)
    stroke, image = (sure, wrong) if right == "stroke" else (wrong, sure)
    assert stroke_training.choose_weight(stroke, image, labels)[0] == weight


def test_the_shipped_recipe_ends_with_a_stroke_stage_kept_beside_the_image_model():
    stroke = recipe.load(recipe.SHIPPED)[-1]
    assert (stroke.name, stroke.model, stroke.out) == ("stroke", recipe.STROKE, "stroke")
    # The shipped stroke model is the recipe's (its size keeps the page within budget; the recipe says why).
    shipped = json.loads((ARTIFACTS_DIR / STROKE_DIR_NAME / METRICS_FILENAME).read_text())
    assert shipped["config"]["num_filters"] == stroke.config.model.num_filters
    assert isinstance(stroke.config, stroke_training.StrokeTrainConfig)
    assert (
        recipe.image_model_for(recipe.load(recipe.SHIPPED), RunOptions(out="x"), stroke).as_posix() == "x/mnist.keras"
    )


def test_set_reaches_the_stroke_stage_by_name_and_shared_flags_reach_every_stage():
    stages = recipe.with_settings(
        recipe.load(recipe.SHIPPED), ["stroke.num_filters=16", "epochs=2", "seed=5", "limit=7", "pen_share=0.1"]
    )
    stroke = stages[-1].config
    assert (stroke.model.num_filters, stroke.model.epochs, stroke.seed, stroke.limit) == (16, 2, 5, 7)
    assert [stage.config.pen_share for stage in stages[:2]] == [0.1, 0.1]  # an image setting skips the stroke stage
    assert stroke.to_dict()["num_filters"] == 16 and "pen_share" not in stroke.to_dict()


def test_a_stroke_only_setting_without_a_stage_name_reaches_the_stroke_stage():
    stages = recipe.with_settings(recipe.load(recipe.SHIPPED), ["num_filters=8"])
    assert stages[-1].config.model.num_filters == 8


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("stroke.pen_share=0.1", "unknown setting 'pen_share'"),
        ("stroke.num_filters=2.5", "num_filters must be int, got 2.5"),
        ("stroke.num_filters=0", "stage stroke: num_filters must be at least 1"),
        ("stroke.dropout_rate=1.5", "dropout_rate must be in [0, 0.9]"),
        ("nothing_has_this=1", "unknown setting 'nothing_has_this'"),
    ],
)
def test_bad_stroke_settings_are_one_line_errors(setting, message):
    with pytest.raises(recipe.RecipeError) as raised:
        recipe.with_settings(recipe.load(recipe.SHIPPED), [setting])
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[stage]]\nname = 'a'\nmodel = 'sound'\n", "model must be 'image' or 'stroke'"),
        ("[[stage]]\nname = 'a'\n[[stage]]\nname = 's'\nmodel = 'stroke'\nstart = 'a'\n", "takes no start"),
        (
            "[[stage]]\nname = 's'\nmodel = 'stroke'\n[[stage]]\nname = 'b'\nfine_tune = true\nstart = 's'\n",
            "not an image stage",
        ),
        ("[[stage]]\nname = 's'\nmodel = 'stroke'\nzoom_fraction = 0.1\n", "unknown setting 'zoom_fraction'"),
    ],
)
def test_bad_stroke_stages_are_one_line_errors(tmp_path, text, message):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(recipe.RecipeError) as raised:
        recipe.load(str(path))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_kept_stroke_set_is_reused_only_beside_the_image_model_and_with_the_settings_it_was_trained_with(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        "[[stage]]\nname = 'image'\nout = 'image'\n[[stage]]\nname = 's'\nmodel = 'stroke'\nout = 'stroke'\n"
    )
    stages, options = recipe.load(str(path)), RunOptions(out=tmp_path)
    image = tmp_path / "image" / MODEL_FILENAME
    image.parent.mkdir()
    image.write_bytes(b"image model A")
    (tmp_path / "stroke").mkdir()
    (tmp_path / "stroke" / STROKE_MODEL_FILENAME).write_bytes(b"stroke model")
    recorded = {"image_model_sha256": sha256_of(image), "config": stroke_training.settings_record(stages[1].config)}
    (tmp_path / "stroke" / METRICS_FILENAME).write_text(json.dumps(recorded))
    assert recipe.to_train(stages, options, from_scratch=False) == []
    # A set trained with other settings (an older recipe) is trained again.
    older = {**recorded, "config": {**recorded["config"], "non_digit_share": 0.0}}
    (tmp_path / "stroke" / METRICS_FILENAME).write_text(json.dumps(older))
    assert [stage.name for stage in recipe.to_train(stages, options, from_scratch=False)] == ["s"]
    (tmp_path / "stroke" / METRICS_FILENAME).write_text(json.dumps(recorded))
    image.write_bytes(b"image model B")  # a new image model needs a new weight
    assert [stage.name for stage in recipe.to_train(stages, options, from_scratch=False)] == ["s"]
    image.unlink()  # the image stage trains, so the stroke stage after it does too
    assert [stage.name for stage in recipe.to_train(stages, options, from_scratch=False)] == ["image", "s"]


def test_set_list_shows_the_stroke_settings_too(capsys):
    from train.__main__ import main

    assert main(["--set", "list"]) == 0
    printed = capsys.readouterr().out
    assert 'stroke stages (model = "stroke")' in printed and "\nnum_filters " in printed


def test_the_stroke_stage_writes_its_set_and_a_fine_tune_learns_drawings(
    tmp_path, pen_dir, untrained_model_path, trainer
):
    """A --limit run: stroke.keras and metrics.json swapped in with a weight in [0, 1]; then a fine-tune on drawings."""
    import keras

    from digit_data.pendigits import load_pendigits
    from mnist_draw.held_out_writers import training_writers
    from mnist_draw.strokes import write_stroke_file
    from train import kept_drawings

    image_model = untrained_model_path  # untrained: this tests the plumbing; the stroke stage only reads it
    config = stroke_training.config_from({"num_filters": 4, "epochs": 1, "n_points": 16, "limit": 12})
    out = tmp_path / "stroke"
    metrics = stroke_training.run(config, RunOptions(out=out, pen_data=pen_dir), image_model, log=lambda *_: None)

    assert sorted(path.name for path in out.iterdir()) == [METRICS_FILENAME, STROKE_MODEL_FILENAME]
    written = json.loads((out / METRICS_FILENAME).read_text())
    assert written == json.loads(json.dumps(metrics))
    assert 0 <= written[STROKE_WEIGHT_KEY] <= 1 and written["image_model_sha256"] == sha256_of(image_model)
    assert written["n_points"] == 16 and written["features"] == ["x", "y", "cos", "sin", "pen"]
    assert written["config"]["num_filters"] == 4 and written["training_digits"] == 24
    report = written["validation"]
    assert report[STROKE_WEIGHT_KEY] == written[STROKE_WEIGHT_KEY] and report["fused"]["digits"] == 36
    assert {"stroke_alone", "image_alone", "fused"} <= report.keys() and report["fused"]["worst_writer"]["writer"]
    model = keras.models.load_model(out / STROKE_MODEL_FILENAME, compile=False)
    assert model.count_params() == written["parameters"] and model.input_shape == (None, 16, 5)
    # The 11th class, "not a digit", with its threshold chosen on the held-out digits and measured on unseen kinds.
    assert model.output_shape == (None, 11)
    refusal = written["not_a_digit"]
    assert written[NOT_A_DIGIT_THRESHOLD_KEY] == refusal["threshold"] and 0 < refusal["threshold"] < 1
    assert set(refusal["methods"]) == {"learnt_class", "confidence", "energy"}
    assert refusal["unseen_non_digits"] == 1500 and refusal["held_out_digits"] == 36

    people_file = tmp_path / "drawings.json"
    write_stroke_file(
        people_file, training_writers(load_pendigits(pen_dir))[:6]
    )  # training writers' digits stand in for a person's
    people = kept_drawings.load_drawings([people_file])
    fine = stroke_training.config_from({"fine_tune": True, "epochs": 1, "limit": 12})
    tuned = stroke_training.run(fine, RunOptions(out=out, pen_data=pen_dir), image_model, people, log=lambda *_: None)
    assert tuned[STROKE_WEIGHT_KEY] == written[STROKE_WEIGHT_KEY]  # no writer is held out any more: w is kept
    assert tuned["drawings"]["digits"] == 6 and tuned["config"]["num_filters"] == 4
    assert tuned[NOT_A_DIGIT_THRESHOLD_KEY] == written[NOT_A_DIGIT_THRESHOLD_KEY]  # kept with w
    assert json.loads((out / METRICS_FILENAME).read_text())["fine_tuned_from"]["accuracy_after"]["drawings"] is not None


def test_the_command_line_sets_the_stroke_stage_and_its_epochs_and_seed():
    from train.__main__ import build_parser, stages_from

    parser = build_parser()
    arguments = ["--set", "stroke.num_filters=16", "--epochs", "3", "--seed", "9", "--limit", "40"]
    stroke = stages_from(parser, parser.parse_args(arguments))[-1].config
    assert (stroke.model.num_filters, stroke.model.epochs, stroke.seed, stroke.limit) == (16, 3, 9, 40)


def test_a_stroke_set_killed_mid_swap_is_finished_whole_by_the_next_run(tmp_path, monkeypatch):
    import os

    from train import artifacts

    out = tmp_path / "stroke"
    out.mkdir()
    (out / STROKE_MODEL_FILENAME).write_bytes(b"old model")
    (out / METRICS_FILENAME).write_text('{"stroke_weight": 0.5}')
    claim = artifacts.claim(out, log=lambda message: None)
    (claim.staging / STROKE_MODEL_FILENAME).write_bytes(b"new model")
    (claim.staging / METRICS_FILENAME).write_text('{"stroke_weight": 0.6}')
    replace = os.replace

    def killed_before_the_model_moves(source, target):
        if str(target) == str(out / STROKE_MODEL_FILENAME):
            raise KeyboardInterrupt  # the process dies here: metrics.json is new, stroke.keras still old
        replace(source, target)

    monkeypatch.setattr(artifacts.os, "replace", killed_before_the_model_moves)
    with pytest.raises(KeyboardInterrupt):
        artifacts.swap_in(claim)
    os.close(claim.lock_fd)  # a killed run cleans nothing up; only its lock goes with it
    monkeypatch.setattr(artifacts.os, "replace", replace)
    artifacts.claim(out, log=lambda message: None).release()
    assert (out / STROKE_MODEL_FILENAME).read_bytes() == b"new model"
    assert json.loads((out / METRICS_FILENAME).read_text()) == {"stroke_weight": 0.6}
    assert sorted(path.name for path in out.iterdir()) == [METRICS_FILENAME, STROKE_MODEL_FILENAME]


def test_misread_drawings_count_correction_weight_times_in_every_epoch():
    rng = np.random.default_rng(0)
    extra = np.repeat(np.array([2]), 4)  # drawing 2 misread, correction_weight 5
    order = stroke_training.epoch_order(3, extra, 7, rng)
    assert sorted(order.tolist()) == [0, 1, 2, 2, 2, 2, 2]
    assert len(stroke_training.epoch_order(3, extra, 14, rng)) == 14  # cycled to fill the epoch's share


def test_learn_held_out_false_keeps_the_held_out_writers_unseen():
    """bench/fine_tune.py measures a fine-tune on the held-out writers: its stroke model may not learn them."""
    training, held_out = ["a", "b"], ["c"]
    assert stroke_training.saved_model_digits(stroke_training.config_from({}), training, held_out) == ["a", "b", "c"]
    unseen = stroke_training.config_from({"learn_held_out": False})
    assert stroke_training.saved_model_digits(unseen, training, held_out) == ["a", "b"]


def test_a_distilling_fine_tune_learns_the_start_models_outputs_on_the_pen_writers():
    labels = np.array([3, 7])
    teacher = np.full((2, 10), 0.1, dtype=np.float32)
    one_hot = np.eye(10, dtype=np.float32)[labels]
    np.testing.assert_array_equal(stroke_training.soft_targets(labels, teacher, 0.0), one_hot)
    np.testing.assert_allclose(stroke_training.soft_targets(labels, teacher, 1.0), teacher)
    half = stroke_training.soft_targets(labels, teacher, 0.5)
    np.testing.assert_allclose(half, 0.5 * one_hot + 0.05)
    np.testing.assert_allclose(half.sum(axis=1), 1.0)
    assert stroke_training.config_from({}).distill == 0.0
    with pytest.raises(ValueError, match=r"distill must be in \[0, 1\], got 1.5"):
        stroke_training.config_from({"distill": 1.5}).check()
