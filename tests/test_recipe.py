"""train/recipe.py: the built-in recipes, recipe files, `--set` and which stages a run trains."""

from __future__ import annotations

import json

import pytest

from mnist_draw.config import ARTIFACTS_DIR, METRICS_FILENAME, MNIST_ONLY_MODEL_PATH, MODEL_FILENAME
from train import recipe
from train.config import RunOptions, TrainConfig


@pytest.mark.parametrize("name", recipe.builtin_names())
def test_every_builtin_recipe_loads_and_passes_its_checks(name):
    stages = recipe.with_settings(recipe.load(name), [])
    assert stages and all(isinstance(stage.config, TrainConfig) for stage in stages if stage.model == recipe.IMAGE)


def test_the_builtin_recipes_are_the_three_the_cli_names():
    assert recipe.builtin_names() == ["fine-tune", "mnist-only", "shipped"]


def recorded_config(metrics_path):
    return json.loads(metrics_path.read_text())["config"]


def test_the_shipped_recipe_is_how_the_committed_models_were_made():
    """Every setting the committed metrics.json files record equals the shipped recipe's (older runs record fewer)."""
    images = [stage for stage in recipe.load(recipe.SHIPPED) if stage.model == recipe.IMAGE]
    mnist_only, last = images[0].config.to_dict(), images[-1].config.to_dict()
    for config, metrics in (
        (mnist_only, MNIST_ONLY_MODEL_PATH.parent / METRICS_FILENAME),
        (last, ARTIFACTS_DIR / METRICS_FILENAME),
    ):
        recorded = recorded_config(metrics)
        shared = sorted(set(recorded) & set(config))
        assert len(shared) >= 14, shared
        assert {key: config[key] for key in shared} == {key: recorded[key] for key in shared}
    shipped = json.loads((ARTIFACTS_DIR / METRICS_FILENAME).read_text())
    # The stage it starts from: the pen stage's model, handed on through artifacts/pen/ (not committed).
    assert shipped["fine_tuned_from"]["model"] == f"artifacts/{images[-2].out}/mnist.keras"


def test_set_changes_every_stage_or_the_one_it_names():
    stages = recipe.with_settings(recipe.load(recipe.SHIPPED), ["seed=7", "pen.epochs=2", "mnist-only.augment=false"])
    mnist_only, pen = (stage.config for stage in stages[:2])
    assert (mnist_only.seed, pen.seed) == (7, 7)
    assert (mnist_only.epochs, pen.epochs) == (20, 2)
    assert (mnist_only.augment, pen.augment) == (False, True)


@pytest.mark.parametrize(
    ("setting", "field", "value"),
    [
        ("dropout_rate=0.3", "dropout_rate", 0.3),
        ("learning_rate=1e-3", "learning_rate", 1e-3),
        ("zoom_fraction=0", "zoom_fraction", 0.0),  # an int where a float goes
        ("patience=3", "patience", 3),
        ("augment=False", "augment", False),
        ("limit=none", "limit", None),
        ("fine_tune_images=20_000", "fine_tune_images", 20_000),
    ],
)
def test_set_values_are_typed_like_the_config_field(setting, field, value):
    (stage,) = recipe.with_settings(recipe.load("mnist-only"), [setting])
    assert getattr(stage.config, field) == value and type(getattr(stage.config, field)) is type(value)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("dropout=0.3", "unknown setting 'dropout'"),
        ("epochs=2.5", "epochs must be int, got 2.5"),
        ("augment=1", "augment must be bool, got 1"),
        ("epochs=many", "'many' is not a number, true or false"),
        ("epochs", "expected KEY=VALUE"),
        ("nowhere.epochs=2", "no stage 'nowhere' in this recipe"),
        ("pen_share=1", "pen_share must be in [0, 1)"),
        ("distill=0.5", "distill makes a start model's outputs the targets: it needs fine_tune = true"),
        ("learning_rate=nan", "learning_rate must be a positive number up to 1"),
    ],
)
def test_bad_settings_are_one_line_errors(setting, message):
    with pytest.raises(recipe.RecipeError) as raised:
        recipe.with_settings(recipe.load("mnist-only"), [setting])
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[stage]]\nname = 'a'\nepochs = 'ten'\n", "epochs must be int"),
        ("[[stage]]\nepochs = 2\n", "every stage needs a name"),
        ("[[stage]]\nname = 'a'\nslant = 0.3\n", "unknown setting 'slant'"),
        ("[[stage]]\nname = 'a'\n[[stage]]\nname = 'a'\n", "two stages are called the same"),
        ("[[stage]]\nname = 'b'\nfine_tune = true\nstart = 'a'\n", "starts from 'a', which is not a stage above it"),
        ("[[stage]]\nname = 'a'\n[[stage]]\nname = 'b'\nstart = 'a'\n", "has a start but fine_tune is not true"),
        ("epochs = 3\n", "one or more [[stage]] tables and nothing else"),
        ("[[stage]\n", "not a readable TOML recipe"),
    ],
)
def test_bad_recipe_files_are_one_line_errors(tmp_path, text, message):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(recipe.RecipeError) as raised:
        recipe.load(str(path))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_a_recipe_file_of_ones_own_runs_like_a_builtin(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("# two epochs of the default mix\n[[stage]]\nname = 'quick'\nepochs = 2\n")
    (stage,) = recipe.load(str(path))
    assert stage == recipe.Stage("quick", TrainConfig(epochs=2))


def test_an_unknown_recipe_names_the_builtin_ones():
    with pytest.raises(recipe.RecipeError, match="one of fine-tune, mnist-only, shipped"):
        recipe.load("nope")


def test_a_kept_stage_is_reused_unless_from_scratch(tmp_path):
    stages = recipe.load(recipe.SHIPPED)
    options = RunOptions(out=tmp_path)
    everything = ["mnist-only", "pen", "not-a-digit", "stroke"]
    assert [stage.name for stage in recipe.to_train(stages, options, from_scratch=False)] == everything
    (tmp_path / "mnist-only").mkdir()
    (tmp_path / "mnist-only" / MODEL_FILENAME).write_bytes(b"a kept model")
    assert [stage.name for stage in recipe.to_train(stages, options, from_scratch=False)] == everything[1:]
    assert [stage.name for stage in recipe.to_train(stages, options, from_scratch=True)] == everything


def test_the_default_run_reuses_the_committed_mnist_only_model():
    stages = recipe.load(recipe.SHIPPED)
    assert recipe.stage_out(RunOptions(out=ARTIFACTS_DIR), stages[0]) / MODEL_FILENAME == MNIST_ONLY_MODEL_PATH
    assert [stage.name for stage in recipe.to_train(stages, RunOptions(out=ARTIFACTS_DIR), False)] == [
        "pen",
        "not-a-digit",
        "stroke",
    ]


def test_set_list_describes_every_setting():
    text = recipe.describe_settings()
    for name in TrainConfig.__dataclass_fields__:
        line = next(line for line in text.splitlines() if line.startswith(f"{name} "))
        assert len(line.split(None, 3)) == 4, f"{name} has no comment in train/config.py"
