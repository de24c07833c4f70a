"""Training recipes: the stages of a run, read from a commented TOML file, and carried out in order.

A recipe is a list of `[[stage]]` tables. Every key of a stage is a field of `TrainConfig`
(train/config.py, whose defaults fill in the rest), except four that say where a stage stands:

    name   what the stage is called in progress lines and in `--set STAGE.KEY=VALUE`
    model  "image" (the default: the digit CNN) or "stroke" (the pen-path model fused with it,
           train/stroke_training.py), whose keys are StrokeModelConfig's and StrokeTrainConfig's
    out    a folder under --out where the stage keeps its model set, reused by later runs
           (--from-scratch retrains it); without it the stage writes --out itself
    start  the earlier stage whose model this one fine-tunes (and is measured beside);
           a fine-tune without it starts from --model

A stroke stage chooses its fusion weight with the model of the last image stage above it (or
--out's mnist.keras), so its kept set is reused only when no stage above it trains in this run
and that image model is the one the set records: a new image model always gets a new weight.
Nor is it reused when the stage's settings differ from those the set records.

The built-in recipes live in train/recipes/: `shipped` (what plain `python -m train` makes),
`fine-tune` (`--fine-tune`: teach a model people's drawings) and `mnist-only`. `--recipe FILE`
runs any other file of the same form. All stages run in one process, so one command goes from
nothing to the shipped model.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import tomllib

from mnist_draw.config import MODEL_FILENAME, STROKE_MODEL_FILENAME
from train import stroke_training
from train.config import RunOptions, TrainConfig

RECIPES_DIR = Path(__file__).with_name("recipes")
SHIPPED = "shipped"
FINE_TUNE = "fine-tune"
STAGE_KEYS = ("name", "model", "out", "start")
IMAGE, STROKE = "image", stroke_training.MODEL_KIND  # the `model` a stage trains
FIELDS = {field.name: field for field in dataclasses.fields(TrainConfig)}


class RecipeError(ValueError):
    """A recipe file or a --set that cannot be used; the message is one line naming it."""


@dataclasses.dataclass(frozen=True)
class Stage:
    """One training run of a recipe: its hyperparameters and where it reads and writes."""

    name: str
    config: TrainConfig | stroke_training.StrokeTrainConfig  # the second for a stroke stage
    out: str | None = None  # folder under --out where the set is kept and reused; None: --out itself
    start: str | None = None  # the earlier stage whose model this one fine-tunes; None: --model
    model: str = IMAGE  # IMAGE or STROKE

    def fields(self) -> dict:
        """The settings this stage takes: name -> dataclass field."""
        return stroke_training.setting_fields() if self.model == STROKE else FIELDS

    def with_changes(self, changes: dict) -> Stage:
        if self.model == STROKE:
            return dataclasses.replace(self, config=stroke_training.config_from(changes, self.config))
        return dataclasses.replace(self, config=dataclasses.replace(self.config, **changes))


def builtin_names() -> list[str]:
    return sorted(path.stem for path in RECIPES_DIR.glob("*.toml"))


def recipe_path(name: str) -> Path:
    """A built-in recipe's name or a TOML file's path -> the file; RecipeError if neither."""
    builtin = RECIPES_DIR / f"{name}.toml"
    if builtin.is_file():
        return builtin
    path = Path(name)
    if path.suffix == ".toml" and path.is_file():
        return path
    raise RecipeError(f"no recipe {name!r}: give a .toml file or one of {', '.join(builtin_names())}")


def typed_value(key: str, value, where: str, fields: dict = FIELDS):
    """`value` as the config field `key` of `fields` holds it (an int is a float too); RecipeError otherwise."""
    if key not in fields:
        raise RecipeError(f"{where}: unknown setting {key!r} (python -m train --set list shows them all)")
    kind = fields[key].type  # a string: the modules use postponed annotations
    if value is None and "None" in kind:
        return None
    if kind.startswith("bool"):
        if isinstance(value, bool):
            return value
    elif kind.startswith("int"):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind.startswith("float"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    raise RecipeError(f"{where}: {key} must be {kind.split(' ')[0]}, got {value!r}")


def stage_from(table: dict, number: int, source: Path) -> Stage:
    where = f"{source.name} stage {number}"
    if not isinstance(table.get("name"), str) or not table["name"]:
        raise RecipeError(f"{where}: every stage needs a name")
    model = table.get("model", IMAGE)
    if model not in (IMAGE, STROKE):
        raise RecipeError(f"{where}: model must be {IMAGE!r} or {STROKE!r}, got {model!r}")
    if model == STROKE and "start" in table:
        raise RecipeError(f"{where}: a stroke stage fuses with the image stage above it and takes no start")
    for key in ("out", "start"):
        if key in table and not (isinstance(table[key], str) and table[key]):
            raise RecipeError(f"{where}: {key} must be a non-empty string")
    blank = Stage(table["name"], TrainConfig(), table.get("out"), table.get("start"), model)
    if model == STROKE:
        blank = dataclasses.replace(blank, config=stroke_training.StrokeTrainConfig())
    fields = blank.fields()
    return blank.with_changes(
        {key: typed_value(key, value, where, fields) for key, value in table.items() if key not in STAGE_KEYS}
    )


def load(name: str) -> tuple[Stage, ...]:
    """A recipe by built-in name or path -> its stages, checked; RecipeError (one line) if unusable."""
    path = recipe_path(name)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RecipeError(f"{path}: not a readable TOML recipe ({error})") from None
    tables = document.get("stage")
    if not isinstance(tables, list) or not tables or set(document) != {"stage"}:
        raise RecipeError(f"{path}: a recipe is one or more [[stage]] tables and nothing else")
    stages = tuple(stage_from(table, number, path) for number, table in enumerate(tables, 1))
    names = [stage.name for stage in stages]
    if len(set(names)) != len(names):
        raise RecipeError(f"{path}: two stages are called the same")
    for number, stage in enumerate(stages):
        if stage.start is not None and stage.start not in names[:number]:
            raise RecipeError(f"{path}: stage {stage.name} starts from {stage.start!r}, which is not a stage above it")
        if stage.start is not None and stages[names.index(stage.start)].model != IMAGE:
            raise RecipeError(f"{path}: stage {stage.name} starts from {stage.start!r}, which is not an image stage")
        if stage.start is not None and not stage.config.fine_tune:
            raise RecipeError(f"{path}: stage {stage.name} has a start but fine_tune is not true")
    return stages


def parse_setting(text: str) -> tuple[str | None, str, object]:
    """'KEY=VALUE' or 'STAGE.KEY=VALUE' -> (stage or None, key, value typed as TOML would read it)."""
    target, separator, raw = text.partition("=")
    if not separator or not target.strip():
        raise RecipeError(f"--set {text!r}: expected KEY=VALUE")
    stage, _, key = target.strip().rpartition(".")
    raw = raw.strip()
    if raw.lower() in ("none", "null"):
        return stage or None, key, None
    try:
        value = tomllib.loads(f"value = {raw.lower() if raw.lower() in ('true', 'false') else raw}")["value"]
    except tomllib.TOMLDecodeError:
        raise RecipeError(f"--set {text!r}: {raw!r} is not a number, true or false") from None
    return stage or None, key, value


def with_settings(stages: tuple[Stage, ...], settings: list[str]) -> tuple[Stage, ...]:
    """The stages with each --set applied (to every stage, or to the one it names), then checked."""
    by_name = {stage.name: stage for stage in stages}
    changes: dict[str, dict] = {stage.name: {} for stage in stages}
    for text in settings:
        stage_name, key, value = parse_setting(text)
        if stage_name is not None and stage_name not in by_name:
            raise RecipeError(f"--set {text!r}: no stage {stage_name!r} in this recipe ({', '.join(sorted(by_name))})")
        # Without a stage name a setting reaches every stage that has it (an image setting skips stroke stages).
        targets = [by_name[stage_name]] if stage_name else [stage for stage in stages if key in stage.fields()]
        for stage in targets or stages[:1]:  # no stage has it: the first one names the error
            changes[stage.name][key] = typed_value(key, value, f"--set {text!r}", stage.fields())
    changed = tuple(stage.with_changes(changes[stage.name]) for stage in stages)
    for stage in changed:
        try:
            stage.config.check()
        except ValueError as error:
            raise RecipeError(f"stage {stage.name}: {error}") from None
    return changed


def describe_settings() -> str:
    """Every setting --set takes, with its type, default and the comment its config class gives it.

    Image stages' settings first (train/config.py), then stroke stages' (train/stroke_model.py
    and train/stroke_training.py).
    """
    stroke_defaults = stroke_training.StrokeTrainConfig()
    sections = (
        ("image stages", FIELDS, TrainConfig().to_dict(), [TrainConfig]),
        (
            'stroke stages (model = "stroke")',
            stroke_training.setting_fields(),
            stroke_defaults.to_dict(),
            [type(stroke_defaults.model), stroke_training.StrokeTrainConfig],
        ),
    )
    lines = []
    for title, fields, defaults, classes in sections:
        source = "".join(inspect.getsource(cls) for cls in classes)
        comments = dict(re.findall(r"^\s+(\w+): [^=]+= .*?#\s*(.+)$", source, re.MULTILINE))
        lines += [f"{title}:", f"{'setting':<22} {'type':<11} {'default':<10} meaning"]
        for name, field in fields.items():
            lines.append(f"{name:<22} {field.type:<11} {defaults[name]!s:<10} {comments.get(name, '')}")
        lines.append("")
    return "\n".join(lines).rstrip()


def stage_out(options: RunOptions, stage: Stage) -> Path:
    return Path(options.out) / stage.out if stage.out else Path(options.out)


def image_model_for(stages: tuple[Stage, ...], options: RunOptions, stroke_stage: Stage) -> Path:
    """The image model a stroke stage is fused with: the last image stage's above it, else --out's mnist.keras."""
    above = [stage for stage in stages[: stages.index(stroke_stage)] if stage.model == IMAGE]
    return stage_out(options, above[-1]) / MODEL_FILENAME if above else Path(options.out) / MODEL_FILENAME


def kept(stages: tuple[Stage, ...], options: RunOptions, stage: Stage, training_above: bool) -> bool:
    """Whether `stage` has a kept set this run may reuse (see the module docstring for stroke stages)."""
    if not stage.out or stage.config.fine_tune:
        return False
    if stage.model == IMAGE:
        return (stage_out(options, stage) / MODEL_FILENAME).is_file()
    folder = stage_out(options, stage)
    if training_above or not (folder / STROKE_MODEL_FILENAME).is_file():
        return False
    from mnist_draw.checksums import sha256_of

    image_model = image_model_for(stages, options, stage)
    recorded = stroke_training.recorded_image_sha256(folder)
    same_settings = stroke_training.recorded_settings(folder) == stroke_training.settings_record(stage.config)
    return image_model.is_file() and recorded == sha256_of(image_model) and same_settings


def to_train(stages: tuple[Stage, ...], options: RunOptions, from_scratch: bool) -> list[Stage]:
    """The stages this run trains: all but those with a kept set they may reuse (unless from_scratch)."""
    chosen: list[Stage] = []
    for stage in stages:
        if from_scratch or not kept(stages, options, stage, training_above=bool(chosen)):
            chosen.append(stage)
    return chosen


def run(stages: tuple[Stage, ...], options: RunOptions, from_scratch: bool = False) -> dict | None:
    """Carry out the stages in order -> the last trained stage's metrics (None on non-chief workers).

    A stage with a start fine-tunes the model of that earlier stage and reports it as its baseline;
    people's drawings (options.drawings) go to the last image stage and to stroke stages (which
    use them only in a fine-tune). Each stage swaps its set into its folder as one unit
    (train/publish.py, train/stroke_training.py), so an interruption keeps every finished stage.
    """
    from train import distribute, kept_drawings, training  # TensorFlow loads here

    # Read first: a bad drawings file is a one-line error before any stage has trained.
    people = kept_drawings.load_drawings(options.drawings) if options.drawings else None
    training_stages = to_train(stages, options, from_scratch)
    last_image = (
        max(number for number, stage in enumerate(stages, 1) if stage.model == IMAGE)
        if any(stage.model == IMAGE for stage in stages)
        else 0
    )
    models: dict[str, Path] = {}
    metrics = None
    for number, stage in enumerate(stages, 1):
        out = stage_out(options, stage)
        models[stage.name] = out / (STROKE_MODEL_FILENAME if stage.model == STROKE else MODEL_FILENAME)
        header = f"stage {number}/{len(stages)} {stage.name}"
        if stage not in training_stages:
            print(f"{header}: reusing {models[stage.name]} (--from-scratch trains it again)", flush=True)
            continue
        print(f"{header}: training into {out}", flush=True)
        if stage.model == STROKE:
            if not distribute.cluster_task(options.strategy).is_chief:
                print(f"{header}: the chief trains the stroke model", flush=True)
                continue
            stage_options = dataclasses.replace(options, out=out)
            image_model = image_model_for(stages, options, stage)
            metrics = stroke_training.run(stage.config, stage_options, image_model, people) or metrics
            continue
        start = models[stage.start] if stage.start else options.start_model
        stage_options = dataclasses.replace(
            options,
            out=out,
            start_model=start if stage.config.fine_tune else None,
            baseline=models[stage.start] if stage.start else options.baseline,
            drawings=options.drawings if number == last_image else (),
        )
        metrics = training.run(stage.config, stage_options, people if number == last_image else None)
    return metrics
