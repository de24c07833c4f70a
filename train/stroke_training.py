"""The stroke stage of `python -m train`: the stroke model, its fusion weight, and its set in --out/stroke/.

Two trainings on the UCI pen writers (digit_data/pendigits.py), each a fresh augmentation of
every digit per epoch (train/stroke_data.py) into train/stroke_model.py's 1-D CNN:

1. On the 24 training writers. It reads the 6 held-out writers' pen paths (VALIDATION_WRITERS,
   never trained on by either model), and the image CNN reads the same digits drawn on the page's
   canvas at the three held_out_writers.PLACEMENTS (as every held-out measure does). The fusion weight w
   (mnist_draw/fusion.py) is the grid weight with the lowest log-loss of the fused probabilities;
   stroke-alone, image-alone and fused accuracy, per writer and worst writer, go to metrics.json.
2. On all 30 writers, with the same settings: that model is the one saved, with w beside it.

So the weight is chosen on writers neither model saw, and the shipped model sees every writer. The
weight belongs to a pair of models: metrics.json records the image model's sha256, and a kept set
is reused only while that image model is unchanged (train/recipe.py).

A fine-tune (`python -m train --fine-tune --drawings FILES`) starts from the kept stroke model,
trains a few epochs on people's drawings (their strokes, cycled to `drawing_share` of each epoch,
the start model's misreadings counted `correction_weight` times, as the image fine-tune does)
mixed with all 30 pen writers, and keeps the start set's weight: no writer is held out any more.

The set (stroke.keras, metrics.json) is staged and swapped in as one unit (train/artifacts.py).
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import numpy as np

from mnist_draw.config import (
    ARTIFACTS_DIR,
    METRICS_FILENAME,
    NOT_A_DIGIT,
    NUM_CLASSES,
    STROKE_DIR_NAME,
    STROKE_MODEL_FILENAME,
    project_relative,
)
from mnist_draw.fusion import (
    FUSION_RULE,
    NOT_A_DIGIT_THRESHOLD_KEY,
    PROBABILITY_FLOOR,
    STROKE_WEIGHT_KEY,
    WEIGHT_GRID,
    fuse,
    split_not_a_digit,
)
from train.config import RunOptions, TrainConfig

MODEL_KIND = "stroke"  # a recipe stage's `model` key that makes it a stroke stage
DEFAULT_STROKE_MODEL_PATH = ARTIFACTS_DIR / STROKE_DIR_NAME / STROKE_MODEL_FILENAME  # what a fine-tune starts from


def model_config_class():
    """train/stroke_model.py's StrokeModelConfig, imported when needed: that module loads Keras."""
    from train.stroke_model import StrokeModelConfig

    return StrokeModelConfig


@dataclasses.dataclass(frozen=True)
class StrokeTrainConfig:
    """A stroke stage's settings: the model's (StrokeModelConfig, in `model`) and how the run uses the data."""

    model: object = None  # a train.stroke_model.StrokeModelConfig; None: its defaults
    seed: int = TrainConfig.seed  # seeds the augmentation, the weights and the data order
    limit: int | None = None  # only the first N training and N held-out writers' pen digits (smoke runs)
    learn_held_out: bool = True  # the saved model learns the held-out pen writers too; false: they stay unseen
    fine_tune: bool = False  # start from the kept stroke model and learn people's drawings (--fine-tune)
    drawing_share: float = TrainConfig.drawing_share  # in a fine-tune, share of each epoch's paths that are drawings
    correction_weight: int = TrainConfig.correction_weight  # in a fine-tune, start model's misreadings count this often
    distill: float = 0.0  # in a fine-tune, share of the start model's outputs in the pen digits' targets
    non_digit_share: float = 0.25  # made-up non-digits' share of each epoch (train/not_a_digit.py); 0: ten classes only
    # Most of the held-out writers' digits the "not a digit" threshold may refuse: a person's digits
    # should be refused at most 0.5% of the time, and 1,499 digits of 6 writers estimate it loosely.
    # 0.4% (threshold 0.075) cost digits inside numbers more than that: a "?" in a number is an error.
    not_a_digit_refusals: float = 0.003

    def __post_init__(self):
        if self.model is None:
            object.__setattr__(self, "model", model_config_class()())

    def to_dict(self) -> dict:
        own = {field.name: getattr(self, field.name) for field in dataclasses.fields(self) if field.name != "model"}
        return {**dataclasses.asdict(self.model), **own}

    def check(self) -> None:
        """ValueError, one line naming the setting, for a value out of range."""
        model = self.model
        for name, low in (("epochs", 1), ("batch_size", 1), ("num_filters", 1), ("n_points", 2)):
            if getattr(model, name) < low:
                raise ValueError(f"{name} must be at least {low}, got {getattr(model, name)}")
        if not 0 <= model.dropout_rate <= 0.9:
            raise ValueError(f"dropout_rate must be in [0, 0.9], got {model.dropout_rate}")
        if not (np.isfinite(model.learning_rate) and 0 < model.learning_rate <= 1):
            raise ValueError(f"learning_rate must be a positive number up to 1, got {model.learning_rate}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be at least 1, got {self.limit}")
        if not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be in [0, 2**32), got {self.seed}")
        if not 0 < self.drawing_share < 1:
            raise ValueError(f"drawing_share must be in (0, 1), got {self.drawing_share}")
        if self.correction_weight < 1:
            raise ValueError(f"correction_weight must be at least 1, got {self.correction_weight}")
        if not 0 <= self.distill <= 1:
            raise ValueError(f"distill must be in [0, 1], got {self.distill}")
        if not 0 <= self.non_digit_share < 1:
            raise ValueError(f"non_digit_share must be in [0, 1), got {self.non_digit_share}")
        if not 0 <= self.not_a_digit_refusals < 1:
            raise ValueError(f"not_a_digit_refusals must be in [0, 1), got {self.not_a_digit_refusals}")

    @property
    def num_classes(self) -> int:
        """The stroke model's outputs: ten digits, and "not a digit" when it learns non-digits."""
        return NUM_CLASSES + (1 if self.non_digit_share > 0 else 0)


def setting_fields() -> dict[str, dataclasses.Field]:
    """Every key a stroke stage takes: StrokeModelConfig's fields, then StrokeTrainConfig's own."""
    fields = {field.name: field for field in dataclasses.fields(model_config_class())}
    fields.update({field.name: field for field in dataclasses.fields(StrokeTrainConfig) if field.name != "model"})
    return fields


def config_from(settings: dict, base: StrokeTrainConfig | None = None) -> StrokeTrainConfig:
    """Typed settings (keys of setting_fields()) over `base` (or the defaults) -> a StrokeTrainConfig."""
    base = base or StrokeTrainConfig()
    model_keys = {field.name for field in dataclasses.fields(base.model)}
    model = dataclasses.replace(base.model, **{key: value for key, value in settings.items() if key in model_keys})
    own = {key: value for key, value in settings.items() if key not in model_keys}
    return dataclasses.replace(base, model=model, **own)


def stroke_out(out: Path) -> Path:
    """Where a run with --out `out` keeps its stroke set."""
    return Path(out) / STROKE_DIR_NAME


def recorded_image_sha256(out: Path) -> str | None:
    """The image model's sha256 a kept stroke set in `out` was fused with; None without a readable set."""
    try:
        return json.loads((Path(out) / METRICS_FILENAME).read_text())["image_model_sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def settings_record(config: StrokeTrainConfig) -> dict:
    """A stage's settings as metrics.json records them ("config"), so a kept set can be compared with a recipe."""
    return json.loads(json.dumps(config.to_dict()))


def recorded_settings(out: Path) -> dict | None:
    """The settings a kept stroke set in `out` was trained with; None without a readable set."""
    try:
        return json.loads((Path(out) / METRICS_FILENAME).read_text())["config"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- Data ------------------------------------------------------------------------------


def saved_model_digits(config: StrokeTrainConfig, training: list, held_out: list) -> list:
    """The pen digits the saved model learns: every writer's, or the training writers' alone."""
    return training + held_out if config.learn_held_out else training


def pen_split(config: StrokeTrainConfig, pen_dir: Path | None) -> tuple[list, list]:
    """The pen digits -> (training writers' digits, held-out writers' digits), each cut to `limit`."""
    from digit_data import pendigits
    from mnist_draw import held_out_writers

    digits = pendigits.load_pendigits(pen_dir)
    training, held_out = held_out_writers.training_writers(digits), held_out_writers.held_out(digits)
    if config.limit is not None:
        training, held_out = training[: config.limit], held_out[: config.limit]
    return training, held_out


def path_arrays(digits, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Digits -> (plain features (N, n_points, 5) float32, labels (N,) int64)."""
    from mnist_draw.pen_path import batch_features

    return batch_features(digits, n_points), np.array([digit.label for digit in digits], dtype=np.int64)


def epoch_order(base: int, extra: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Indices into `base` items plus `extra` repeats of some, shuffled and cycled to `count` -> (count,) int."""
    pool = np.concatenate([np.arange(base), extra]).astype(np.int64)
    return np.resize(rng.permutation(pool), count) if count else np.zeros(0, np.int64)


# --- Training --------------------------------------------------------------------------


def drawings_mix(config: StrokeTrainConfig, drawings, start, per_epoch: int, seed: int, log=print) -> dict:
    """People's drawings for a fine-tune -> {"features" (epochs * D, n, 5), "labels", "extra" (repeats), "count" per epoch}.

    `extra` lists the drawings `start` misreads, each correction_weight - 1 times, so they count
    that often; `count` makes the drawings drawing_share of each epoch's paths.
    """
    from train.stroke_data import training_arrays

    model_config = config.model
    features, labels = training_arrays(drawings, model_config.epochs, seed, n_points=model_config.n_points)
    plain, plain_labels = path_arrays(drawings, model_config.n_points)
    misread = np.flatnonzero(start.predict(plain, verbose=0).argmax(axis=1) != plain_labels)
    count = round(config.drawing_share / (1 - config.drawing_share) * per_epoch)
    log(
        f"stroke drawings: {len(drawings)} ({len(misread)} misread by the start model, each "
        f"{config.correction_weight} times), {count} of {per_epoch + count} paths per epoch"
    )
    return {
        "features": features,
        "labels": labels,
        "extra": np.repeat(misread, config.correction_weight - 1),
        "count": count,
    }


def soft_targets(
    labels: np.ndarray, teacher: np.ndarray | None, distill: float, num_classes: int = NUM_CLASSES
) -> np.ndarray:
    """(N,) labels and the start model's (N, C) outputs -> (N, C) targets, `distill` of them the teacher's.

    At distill 1 a model still equal to its start gets no pull from these paths: it moves only
    where people's drawings (one-hot targets) disagree with it, and keeps the rest in place.
    """
    one_hot = np.eye(num_classes, dtype=np.float32)[labels]
    if teacher is None or distill == 0:
        return one_hot
    return (1 - distill) * one_hot + distill * teacher.astype(np.float32)


def fit_stroke_model(
    config: StrokeTrainConfig, digits, seed: int, *, start=None, drawings=(), validation=None, log=print
):
    """Pen digits (and people's drawings) -> (trained model, history {metric: [per epoch]}).

    Each epoch is a fresh augmentation of every digit, and, for a model with the "not a digit"
    class, fresh made-up non-digits (non_digit_share of the epoch, crammed from `digits`' writers);
    drawings, augmented too, are cycled to drawing_share of the epoch, the ones `start` misreads
    counted correction_weight times.
    `validation`: (features, labels), measured after each epoch, never used to choose anything.
    """
    import keras

    from train.stroke_data import training_arrays
    from train.stroke_model import build_stroke_model, compile_stroke_model

    model_config = config.model
    keras.utils.set_random_seed(seed)
    features, labels = training_arrays(digits, model_config.epochs, seed, n_points=model_config.n_points)
    model = start if start is not None else build_stroke_model(model_config, config.num_classes)
    num_classes = model.output_shape[-1]
    features, labels, per_epoch = with_non_digits(config, features, labels, digits, num_classes, seed + 3)
    mix = drawings_mix(config, drawings, start, per_epoch, seed + 1, log) if drawings else None
    # A fine-tune learns (N, C) targets, part the start model's outputs; a fresh model, labels.
    soft = start is not None
    teacher = model.predict(features, batch_size=1024, verbose=0) if soft and config.distill else None
    targets = soft_targets(labels, teacher, config.distill, num_classes) if soft else labels
    if soft and validation is not None:
        validation = (validation[0], soft_targets(validation[1], None, 0, num_classes))
    steps = -(-(per_epoch + (mix["count"] if mix else 0)) // model_config.batch_size)
    compile_stroke_model(model, model_config, steps_per_epoch=steps, soft_targets=soft)
    rng = np.random.default_rng(seed + 2)
    history: dict[str, list[float]] = {}
    for epoch in range(model_config.epochs):
        batch_x = features[epoch * per_epoch : (epoch + 1) * per_epoch]
        batch_y = targets[epoch * per_epoch : (epoch + 1) * per_epoch]
        if mix:
            order = epoch_order(len(drawings), mix["extra"], mix["count"], rng) + epoch * len(drawings)
            batch_x = np.concatenate([batch_x, mix["features"][order]])
            drawn_y = mix["labels"][order]
            batch_y = np.concatenate([batch_y, soft_targets(drawn_y, None, 0, num_classes) if soft else drawn_y])
        logs = model.fit(
            batch_x, batch_y, batch_size=model_config.batch_size, shuffle=True, validation_data=validation, verbose=0
        ).history
        for key, values in logs.items():
            history.setdefault(key, []).extend(float(value) for value in values)
        shown = ", ".join(f"{key} {values[-1]:.4f}" for key, values in history.items())
        log(f"stroke epoch {epoch + 1}/{model_config.epochs}: {shown}")
    return model, history


def with_non_digits(config: StrokeTrainConfig, features, labels, digits, num_classes: int, seed: int):
    """Each epoch's augmented digits, then its own fresh non-digits and clean 0s -> (features, labels, per epoch).

    A model without the "not a digit" class, or a share of 0, gets the digits alone.
    """
    from train import not_a_digit

    epochs, per_epoch = config.model.epochs, len(digits)
    count = not_a_digit.non_digit_count(config.non_digit_share, per_epoch) if num_classes > NUM_CLASSES else 0
    if not count:
        return features, labels, per_epoch
    others = not_a_digit.training_features(digits, epochs * count, seed, config.model.n_points)
    zeros_count = round(not_a_digit.CLEAN_ZERO_SHARE * per_epoch)
    zeros = not_a_digit.clean_zeros(epochs * zeros_count, seed + 1, config.model.n_points)
    blocks_x, blocks_y = [], []
    for epoch in range(epochs):
        blocks_x += [
            features[epoch * per_epoch : (epoch + 1) * per_epoch],
            others[epoch * count : (epoch + 1) * count],
            zeros[epoch * zeros_count : (epoch + 1) * zeros_count],
        ]
        blocks_y += [
            labels[epoch * per_epoch : (epoch + 1) * per_epoch],
            np.full(count, NOT_A_DIGIT, labels.dtype),
            np.zeros(zeros_count, labels.dtype),
        ]
    return np.concatenate(blocks_x), np.concatenate(blocks_y), per_epoch + count + zeros_count


def log_loss(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """(N, 10) probabilities and (N,) labels -> mean negative log-probability of the true class."""
    picked = probabilities[np.arange(len(labels)), labels]
    return float(-np.log(np.maximum(picked, PROBABILITY_FLOOR)).mean())


def choose_weight(stroke: np.ndarray, image: np.ndarray, labels: np.ndarray) -> tuple[float, dict[str, float]]:
    """(N, 10) stroke and image probabilities, (N,) labels -> (the grid weight of lowest fused log-loss, {w: log-loss}).

    Log-loss, not accuracy: on a few thousand digits accuracy moves in steps of one digit and
    is flat over most of the grid, while the log-loss has one clear minimum.
    """
    losses = {weight: log_loss(fuse(stroke, image, weight), labels) for weight in WEIGHT_GRID}
    best = min(losses, key=losses.get)
    return float(best), {f"{weight:.2f}": round(loss, 5) for weight, loss in losses.items()}


def image_probabilities(image_model: Path, held_out: list, log=print) -> tuple[np.ndarray, tuple]:
    """The image CNN on the held-out digits drawn at every held_out_writers.PLACEMENTS -> ((3N, 10 or 11) probabilities, the grid).

    The grid is train/pen.py's (images, labels, writers, placement names), placement-major.
    """
    from digit_data import mnist
    from mnist_draw.inference import load_model
    from train import pen

    grid = pen.render_held_out(held_out, log=log)
    model = load_model(image_model)
    return model.predict(mnist.to_model_input(grid[0]), batch_size=512, verbose=0), grid


def validation_report(stroke: np.ndarray, image: np.ndarray, grid: tuple) -> dict:
    """Held-out digits' (N, 10 or 11) stroke and (3N, 10 or 11) image probabilities -> the weight and what it measures.

    Each digit's stroke reading is paired with each of its three drawings, so all three reports
    count the same 3N readings. The weight mixes the two models' ten digit probabilities
    (renormalised without "not a digit": which digit it is and whether it is one are two
    questions, and fusing all eleven gives these same ten).
    """
    from mnist_draw import held_out_writers

    _, labels, writers, placements = grid
    stroke = np.tile(split_not_a_digit(stroke)[0], (len(held_out_writers.PLACEMENTS), 1))
    image = split_not_a_digit(image)[0]
    weight, losses = choose_weight(stroke, image, labels)
    fused = fuse(stroke, image, weight)

    def summary(probabilities):
        full = held_out_writers.drawn_accuracy(labels, probabilities, writers, placements)
        return {
            key: full[key] for key in ("accuracy", "errors", "digits", "per_writer", "worst_writer", "per_placement")
        }

    reports = {"stroke_alone": summary(stroke), "image_alone": summary(image), "fused": summary(fused)}
    return {
        "writers": list(reports["fused"]["per_writer"]),
        "weight_rule": f"lowest log-loss of the fused probabilities on the grid {WEIGHT_GRID[0]}..{WEIGHT_GRID[-1]}",
        STROKE_WEIGHT_KEY: weight,
        **reports,
        "log_loss": {
            "stroke": log_loss(stroke, labels),
            "image": log_loss(image, labels),
            "fused": losses[f"{weight:.2f}"],
        },
        "log_loss_by_weight": losses,
    }


# --- The run ---------------------------------------------------------------------------


def stroke_record(model, config: StrokeTrainConfig, history: dict, train_seconds: float) -> dict:
    """What metrics.json says about the saved model itself: inputs, size, settings, versions."""
    from mnist_draw.pen_path import FEATURE_NAMES
    from train.run_record import library_versions

    return {
        "n_points": config.model.n_points,
        "features": list(FEATURE_NAMES),
        "parameters": int(model.count_params()),
        "config": config.to_dict(),
        "history": history,
        "train_seconds": round(train_seconds, 1),
        "versions": library_versions(),
    }


def write_set(out: Path, model, metrics: dict) -> None:
    """stroke.keras and metrics.json staged beside the set in `out`, then swapped in together (train/artifacts.py)."""
    from mnist_draw.atomic import write_json_atomically
    from train import artifacts
    from train.model import save_model_atomically

    claim = artifacts.claim(out)
    try:
        save_model_atomically(model, claim.staging / STROKE_MODEL_FILENAME)
        write_json_atomically(claim.staging / METRICS_FILENAME, metrics)
        artifacts.swap_in(claim)
    finally:
        claim.release()


def run(config: StrokeTrainConfig, options: RunOptions, image_model: Path, people=None, *, log=print) -> dict | None:
    """Train the stroke model (or fine-tune it), choose its fusion weight with `image_model`, swap the set into options.out.

    options.out is the stroke set's own folder (recipe: --out/stroke). Returns its metrics.json
    content; a fine-tune with no kept stroke model returns None (there is nothing to teach).
    `people`: (drawings, record) as train/kept_drawings.py reads them, for a fine-tune.
    """
    from mnist_draw.checksums import sha256_of
    from mnist_draw.inference import ModelNotFoundError

    if config.fine_tune:
        return fine_tune(config, options, people, log=log)
    if not Path(image_model).is_file():
        raise ModelNotFoundError(
            f"No image model at {image_model} to fuse the stroke model with: train one with `python -m train`."
        )
    started = time.perf_counter()
    training, held_out = pen_split(config, options.pen_data)
    validation = path_arrays(held_out, config.model.n_points)
    log(
        f"stroke model: choosing the fusion weight with {len(training)} training writers' digits, {len(held_out)} held out"
    )
    chooser, chooser_history = fit_stroke_model(config, training, config.seed, validation=validation, log=log)
    image, grid = image_probabilities(Path(image_model), held_out, log=log)
    chooser_stroke = chooser.predict(validation[0], verbose=0)
    report = validation_report(chooser_stroke, image, grid)
    refusal = not_a_digit_report(config, chooser, chooser_stroke, image, report, Path(image_model), held_out, log)
    if config.learn_held_out:
        log(f"stroke model: saving one trained on all {len(training) + len(held_out)} digits")
        model, history = fit_stroke_model(config, training + held_out, config.seed + 1, log=log)
    else:
        log(
            f"stroke model: saving the one that chose the weight, trained on the {len(training)} training writers' digits"
        )
        model, history = chooser, chooser_history
    metrics = {
        STROKE_WEIGHT_KEY: report[STROKE_WEIGHT_KEY],
        NOT_A_DIGIT_THRESHOLD_KEY: refusal and refusal["threshold"],
        "fusion_rule": FUSION_RULE,
        **stroke_record(model, config, history, time.perf_counter() - started),
        "training_digits": len(saved_model_digits(config, training, held_out)),
        "validation": report,
        "not_a_digit": refusal,
        "image_model": project_relative(image_model),
        "image_model_sha256": sha256_of(image_model),
        "fine_tuned_from": None,
        "drawings": None,
    }
    write_set(Path(options.out), model, metrics)
    fused, alone = report["fused"], report["stroke_alone"]
    log(
        f"saved {Path(options.out) / STROKE_MODEL_FILENAME} (w={report[STROKE_WEIGHT_KEY]:.2f}; held-out writers: "
        f"stroke {alone['accuracy']:.4f}, image {report['image_alone']['accuracy']:.4f}, fused {fused['accuracy']:.4f}, "
        f"worst {fused['worst_writer']['accuracy']:.4f}; {metrics['parameters']:,} parameters)"
    )
    return metrics


def not_a_digit_report(config, chooser, stroke, image, report, image_model: Path, held_out, log=print) -> dict | None:
    """The weight-choosing model's "not a digit" threshold and catch rates (train/not_a_digit.py); None without the class.

    stroke: (N, 11) its readings of the held-out digits; image: (3N, 10 or 11) the image model's, as
    validation_report pairs them. The unseen non-digits are read by the same two models.
    """
    from mnist_draw import held_out_writers
    from mnist_draw.inference import load_model
    from mnist_draw.pen_path import path_features
    from train import not_a_digit

    if stroke.shape[-1] <= NUM_CLASSES:
        return None
    others = not_a_digit.unseen_non_digits(held_out, config.seed + 4)
    other_paths = np.stack([path_features(item.strokes, config.model.n_points) for item in others])
    result = not_a_digit.report(
        np.tile(stroke, (len(held_out_writers.PLACEMENTS), 1)),
        image,
        chooser.predict(other_paths, verbose=0),
        not_a_digit.image_readings(load_model(image_model), others),
        [item.family for item in others],
        report[STROKE_WEIGHT_KEY],
        config.not_a_digit_refusals,
    )
    shown = ", ".join(
        f"{name} {method['non_digits_caught']:.3f} (digits refused {method['digits_refused']:.4f})"
        for name, method in result["methods"].items()
    )
    log(f"not a digit: threshold {result['threshold']}; unseen non-digits caught: {shown}")
    return result


def fine_tune_start(options: RunOptions) -> Path | None:
    """The stroke model a fine-tune starts from: the one in options.out, else the shipped one; None if neither exists."""
    for path in (Path(options.out) / STROKE_MODEL_FILENAME, DEFAULT_STROKE_MODEL_PATH):
        if path.is_file():
            return path
    return None


def plain_accuracy(model, digits, n_points: int) -> float | None:
    """Share of `digits` whose pen path `model` reads right; None for no digits."""
    if not digits:
        return None
    features, labels = path_arrays(digits, n_points)
    return float((model.predict(features, verbose=0).argmax(axis=1) == labels).mean())


def fine_tune(config: StrokeTrainConfig, options: RunOptions, people, *, log=print) -> dict | None:
    """The kept stroke model taught people's drawings mixed with the pen writers -> metrics (None: no start model).

    The start set's fusion weight is kept: the start model saw every pen writer, so none is left
    to choose a new one on. Accuracy on the drawings and on the pen writers, before and after, is
    recorded (neither is held out: they say what was learnt and what was kept).
    """
    from mnist_draw.checksums import sha256_of
    from mnist_draw.inference import ModelError
    from mnist_draw.stroke_inference import load_stroke_model

    start_path = fine_tune_start(options)
    if start_path is None:
        log(
            f"stroke model: none in {options.out} or {DEFAULT_STROKE_MODEL_PATH} to fine-tune, so only the image model learnt the drawings"
        )
        return None
    if people is None:
        log("stroke model: no --drawings to learn, so it is kept as it is")
        return None
    start_metrics_path = start_path.parent / METRICS_FILENAME
    try:
        start_metrics = json.loads(start_metrics_path.read_text())
        weight = float(start_metrics[STROKE_WEIGHT_KEY])
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelError(
            f"{start_metrics_path}: no readable {STROKE_WEIGHT_KEY} beside the stroke model to fine-tune"
        ) from None
    started = time.perf_counter()
    drawings, drawings_record = people
    training, held_out = pen_split(config, options.pen_data)
    pen_digits = saved_model_digits(config, training, held_out)
    start_sha = sha256_of(start_path)
    model = load_stroke_model(start_path)
    n_points = model.input_shape[1]
    # The start model's shape, whatever the recipe says, so metrics.json records the model it saved.
    shape = {key: start_metrics.get("config", {}).get(key) for key in ("num_filters", "dropout_rate")}
    config = config_from(
        {"n_points": n_points, **{key: value for key, value in shape.items() if value is not None}}, config
    )
    before = {
        "drawings": plain_accuracy(model, drawings, n_points),
        "pen_writers": plain_accuracy(model, pen_digits, n_points),
    }
    model, history = fit_stroke_model(config, pen_digits, config.seed, start=model, drawings=drawings, log=log)
    after = {
        "drawings": plain_accuracy(model, drawings, n_points),
        "pen_writers": plain_accuracy(model, pen_digits, n_points),
    }
    metrics = {
        STROKE_WEIGHT_KEY: weight,
        NOT_A_DIGIT_THRESHOLD_KEY: start_metrics.get(NOT_A_DIGIT_THRESHOLD_KEY),
        "fusion_rule": FUSION_RULE,
        **stroke_record(model, config, history, time.perf_counter() - started),
        "training_digits": len(pen_digits),
        "validation": start_metrics.get("validation"),  # the start model's: this one saw every writer
        "image_model": start_metrics.get("image_model"),
        "image_model_sha256": start_metrics.get("image_model_sha256"),
        "fine_tuned_from": {
            "model": str(start_path),
            "model_sha256": start_sha,
            "accuracy_before": before,
            "accuracy_after": after,
        },
        "drawings": drawings_record,
    }
    write_set(Path(options.out), model, metrics)
    log(
        f"saved {Path(options.out) / STROKE_MODEL_FILENAME} (fine-tuned; drawings {before['drawings']:.4f} -> {after['drawings']:.4f}, "
        f"pen writers {before['pen_writers']:.4f} -> {after['pen_writers']:.4f}; w={weight:.2f} kept)"
    )
    return metrics
