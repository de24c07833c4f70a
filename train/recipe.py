"""Training recipes: the stages of a run, read from a commented TOML file, and carried out in order.

A recipe is a list of `[[stage]]` tables. Every key of a stage is a field of `TrainConfig`
(train/config.py, whose defaults fill in the rest), except three that say where a stage stands:

    name   what the stage is called in progress lines and in `--set STAGE.KEY=VALUE`
    out    a folder under --out where the stage keeps its model set, reused by later runs
           (--from-scratch retrains it); without it the stage writes --out itself
    start  the earlier stage whose model this one fine-tunes (and is measured beside);
           a fine-tune without it starts from --model

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

from mnist_draw.config import MODEL_FILENAME
from train.config import RunOptions, TrainConfig

RECIPES_DIR = Path(__file__).with_name("recipes")
SHIPPED = "shipped"
FINE_TUNE = "fine-tune"
STAGE_KEYS = ("name", "out", "start")
FIELDS = {field.name: field for field in dataclasses.fields(TrainConfig)}


class RecipeError(ValueError):
    """A recipe file or a --set that cannot be used; the message is one line naming it."""


@dataclasses.dataclass(frozen=True)
class Stage:
    """One training run of a recipe: its hyperparameters and where it reads and writes."""

    name: str
    config: TrainConfig
    out: str | None = None  # folder under --out where the set is kept and reused; None: --out itself
    start: str | None = None  # the earlier stage whose model this one fine-tunes; None: --model


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


def typed_value(key: str, value, where: str):
    """`value` as TrainConfig's field `key` holds it (an int is a float too); RecipeError otherwise."""
    if key not in FIELDS:
        raise RecipeError(f"{where}: unknown setting {key!r} (python -m train --set list shows them all)")
    kind = FIELDS[key].type  # a string: the module uses postponed annotations
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
    settings = {key: typed_value(key, value, where) for key, value in table.items() if key not in STAGE_KEYS}
    for key in ("out", "start"):
        if key in table and not (isinstance(table[key], str) and table[key]):
            raise RecipeError(f"{where}: {key} must be a non-empty string")
    return Stage(table["name"], dataclasses.replace(TrainConfig(), **settings), table.get("out"), table.get("start"))


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
    names = {stage.name for stage in stages}
    changes: dict[str, dict] = {stage.name: {} for stage in stages}
    for text in settings:
        stage_name, key, value = parse_setting(text)
        if stage_name is not None and stage_name not in names:
            raise RecipeError(f"--set {text!r}: no stage {stage_name!r} in this recipe ({', '.join(sorted(names))})")
        typed = typed_value(key, value, f"--set {text!r}")
        for name in [stage_name] if stage_name else names:
            changes[name][key] = typed
    changed = tuple(
        dataclasses.replace(stage, config=dataclasses.replace(stage.config, **changes[stage.name])) for stage in stages
    )
    for stage in changed:
        try:
            stage.config.check()
        except ValueError as error:
            raise RecipeError(f"stage {stage.name}: {error}") from None
    return changed


def describe_settings() -> str:
    """Every setting --set takes, with its type, default and the comment train/config.py gives it."""
    comments = dict(re.findall(r"^\s+(\w+): [^=]+= .*?#\s*(.+)$", inspect.getsource(TrainConfig), re.MULTILINE))
    defaults = TrainConfig()
    lines = [f"{'setting':<22} {'type':<11} {'default':<10} meaning"]
    for name, field in FIELDS.items():
        lines.append(f"{name:<22} {field.type:<11} {getattr(defaults, name)!s:<10} {comments.get(name, '')}")
    return "\n".join(lines)


def stage_out(options: RunOptions, stage: Stage) -> Path:
    return Path(options.out) / stage.out if stage.out else Path(options.out)


def to_train(stages: tuple[Stage, ...], options: RunOptions, from_scratch: bool) -> list[Stage]:
    """The stages this run trains: all but those with a kept model in their folder (unless from_scratch)."""
    return [
        stage
        for stage in stages
        if from_scratch or not (stage.out and (stage_out(options, stage) / MODEL_FILENAME).is_file())
    ]


def run(stages: tuple[Stage, ...], options: RunOptions, from_scratch: bool = False) -> dict | None:
    """Carry out the stages in order -> the last trained stage's metrics (None on non-chief workers).

    A stage with a start fine-tunes the model of that earlier stage and reports it as its baseline;
    people's drawings (options.drawings) go to the last stage only. Each stage swaps its set into
    its folder as one unit (train/training.py), so an interruption keeps every finished stage.
    """
    from train import drawings, training  # TensorFlow loads here

    # Read first: a bad drawings file is a one-line error before any stage has trained.
    people = drawings.load_drawings(options.drawings) if options.drawings else None
    training_stages = to_train(stages, options, from_scratch)
    models: dict[str, Path] = {}
    metrics = None
    for number, stage in enumerate(stages, 1):
        out = stage_out(options, stage)
        models[stage.name] = out / MODEL_FILENAME
        header = f"stage {number}/{len(stages)} {stage.name}"
        if stage not in training_stages:
            print(f"{header}: reusing {models[stage.name]} (--from-scratch trains it again)", flush=True)
            continue
        print(f"{header}: training into {out}", flush=True)
        start = models[stage.start] if stage.start else options.start_model
        stage_options = dataclasses.replace(
            options,
            out=out,
            start_model=start if stage.config.fine_tune else None,
            baseline=models[stage.start] if stage.start else options.baseline,
            drawings=options.drawings if number == len(stages) else (),
        )
        metrics = training.run(stage.config, stage_options, people if number == len(stages) else None)
    return metrics
