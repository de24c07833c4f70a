"""One training run: data -> fit with callbacks -> test evaluation -> the artifacts set, swapped in whole.

This module runs the steps; each has its own module: the data mix (train/mix.py), the fit
(here: callbacks, compile, fit, divergence checks, a fine-tune's teachers and blend), the
evaluation (train/evaluation.py), what metrics.json records about the run (train/run_record.py),
and staging and publishing the set (train/publish.py).

The 10k test set is touched once, at the end; early stopping and checkpoint selection use the
validation split carved out of the 60k training images. The new set (mnist.keras, metrics.json,
history.csv, plots/) is built in a staging folder beside the old one and replaces it in one
step (train/artifacts.py), and only when it is not clearly worse than the model it replaces
(train/gate.py). Under a distribution strategy (train/distribute.py) only the chief writes.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from mnist_draw.config import MODEL_FILENAME, NUM_CLASSES
from mnist_draw.inference import ModelNotFoundError, load_model
from train import (
    artifacts,
    data,
    distill,
    distribute,
    evaluation,
    interrupt,
    kept_drawings,
    mix,
    publish,
    resume,
    run_record,
)
from train.config import RunOptions, TrainConfig
from train.model import build_model, inference_copy, set_batch_norm_trainable, weight_bytes, with_not_a_digit


class TrainingError(Exception):
    """Training could not produce a usable model (diverged, a worker died); the message is one line."""


class Interrupted(Exception):
    """Ctrl+C; the message is one line saying what --out holds now."""


@dataclasses.dataclass(frozen=True)
class Places:
    """Where this process writes: the chief into --out, other workers into a throwaway folder."""

    checkpoints: Path
    tensorboard: Path
    backup: Path  # this process's resume backups
    resume_from: Path | None  # the backup to resume (the chief's), None to start fresh


def cosine_learning_rate(config: TrainConfig):
    """epoch -> learning rate, a cosine from learning_rate down to min_learning_rate over config.epochs."""

    def schedule(epoch: int, _current: float) -> float:
        progress = epoch / max(1, config.epochs - 1)
        return config.min_learning_rate + 0.5 * (config.learning_rate - config.min_learning_rate) * (
            1 + math.cos(math.pi * progress)
        )

    return schedule


class StopOnSignal(keras.callbacks.Callback):
    """Raise a Ctrl+C or kill after the batch it arrived in, if its first exception was swallowed."""

    def on_train_batch_end(self, batch, logs=None):
        interrupt.check()


def make_callbacks(
    config: TrainConfig, places: Places, fingerprint: dict
) -> tuple[list[keras.callbacks.Callback], resume.TrainingBackup]:
    """Stop on NaN, early stopping (best weights back), cosine LR, best checkpoint, TensorBoard, resume backup."""
    early_stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=config.patience, restore_best_weights=True, verbose=1
    )
    backup = resume.TrainingBackup(places.resume_from, places.backup, fingerprint, early_stopping)
    callbacks = [
        keras.callbacks.TerminateOnNaN(),
        early_stopping,
        keras.callbacks.LearningRateScheduler(cosine_learning_rate(config)),
        keras.callbacks.ModelCheckpoint(places.checkpoints / "best.keras", monitor="val_loss", save_best_only=True),
        keras.callbacks.TensorBoard(log_dir=str(places.tensorboard), histogram_freq=0),
        backup,  # after EarlyStopping: it restores that callback's state once EarlyStopping has reset it
        StopOnSignal(),
    ]
    return callbacks, backup


def format_duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s"


def compiled_model(config: TrainConfig, options: RunOptions, strategy) -> keras.Model:
    """A fresh model, or the fine-tune's starting model, compiled with AdamW in the strategy's scope.

    A distilling run (config.distill > 0) learns from (B, 2C) label and teacher targets with
    train/distill.py's loss at config.temperature; its "accuracy" is still the share of argmax hits.
    With non_digit_share a ten-output start model gets its 11th output, "not a digit", first.
    """
    with strategy.scope():
        model = (
            set_batch_norm_trainable(load_model(options.start_model), False)
            if config.fine_tune
            else build_model(config)
        )
        if config.non_digit_share and model.output_shape[-1] == NUM_CLASSES:
            model = with_not_a_digit(model)
        model.compile(
            optimizer=keras.optimizers.AdamW(config.learning_rate, weight_decay=config.weight_decay),
            loss=distill.DistillationLoss(config.temperature) if config.distill else "sparse_categorical_crossentropy",
            metrics=[distill.accuracy_metric()] if config.distill else ["accuracy"],
        )
    if options.strategy != "default":
        distribute.prepare_for_fit(model, strategy, soft_targets=config.distill > 0)
    print(
        f"model: {model.count_params():,} parameters, {weight_bytes(model) / 1e6:.2f} MB of float32 weights{', from ' + str(options.start_model) if config.fine_tune else ''}"
    )
    return model


def fit(
    model: keras.Model,
    config: TrainConfig,
    training_data: mix.Data,
    callbacks: list,
    teachers: tuple[keras.Model | None, keras.Model | None],
) -> dict:
    """model.fit on the mix, validated on the held-out MNIST split -> this process's History.history.

    `teachers`: the start model whose outputs a distilling fine-tune keeps and the model MNIST
    images learn from instead (with pen_labels), each or both None (train/data.py).
    TrainingError (one line) when a worker fails.
    """
    teacher, mnist_teacher = teachers
    classes = model.output_shape[-1]
    training_batches = data.make_dataset(
        *training_data.fit,
        config,
        training=True,
        teacher=teacher,
        sources=training_data.sources,
        mnist_teacher=mnist_teacher,
        classes=classes,
    )
    validation_batches = data.make_dataset(
        *training_data.validation,
        config,
        training=False,
        teacher=teacher,
        mnist_teacher=mnist_teacher,
        classes=classes,
    )
    try:
        return model.fit(
            distribute.shard_by_data(training_batches),
            validation_data=distribute.shard_by_data(validation_batches),
            epochs=config.epochs,
            steps_per_epoch=data.steps_per_epoch(len(training_data.fit[0]), config),
            callbacks=callbacks,
            verbose=2,
        ).history
    except tf.errors.OpError as error:
        raise TrainingError(f"training stopped: {distribute.cluster_failure(error)}; nothing was written") from None


def check_finite(model: keras.Model, history: dict, resumed_from: int) -> None:
    """TrainingError when training diverged: a NaN or infinite loss (TerminateOnNaN stopped fit) or weights.

    Early stopping may already have put the best earlier weights back, but a run that diverged
    is not the run that was asked for, so it never reaches the artifacts.
    """
    losses = history.get("loss", [])
    if losses and not np.isfinite(losses[-1]):
        raise TrainingError(
            f"training diverged: the loss became {losses[-1]} in epoch {resumed_from + len(losses)}; nothing was written (try a lower --learning-rate)"
        )
    if not all(np.isfinite(weight).all() for weight in model.get_weights()):
        raise TrainingError(
            "training diverged: the weights are no longer finite numbers; nothing was written (try a lower --learning-rate)"
        )


def places_for(options: RunOptions, task: distribute.Task, scratch: Path | None) -> Places:
    """The chief writes checkpoints, TensorBoard logs and backups under --out; other workers into `scratch`."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    chief_backup = Path(options.out) / "checkpoints" / "resume"
    root = Path(options.out) if task.is_chief else scratch
    return Places(
        checkpoints=root / "checkpoints",
        tensorboard=root / "tensorboard" / stamp,
        backup=chief_backup if task.is_chief else root / "resume",
        resume_from=chief_backup if options.resume else None,
    )


def train(
    config: TrainConfig, options: RunOptions, strategy, places: Places, people
) -> tuple[keras.Model, mix.Data, dict, float]:
    """Load the data, build and fit the model -> (plain model, data, history, seconds); the same on every worker."""
    started = time.perf_counter()
    # One untrained copy of the start model judges the drawings, teaches and is blended back in:
    # the model being trained is a second copy, compiled in the strategy's scope.
    start = load_model(options.start_model) if config.fine_tune else None
    training_data = mix.load_data(config, options, people, start)
    model = compiled_model(config, options, strategy)
    places.checkpoints.mkdir(parents=True, exist_ok=True)
    settings = run_record.fingerprint(config, options)  # hashes the model files once
    print_resume_plan(options, places, settings)
    callbacks, backup = make_callbacks(config, places, settings)
    check_finite(model, fit(model, config, training_data, callbacks, load_teachers(config, start)), backup.resumed_from)
    if config.blend_start:
        blend_with_start(model, start, config.blend_start)
    return (
        inference_copy(model),
        training_data,
        run_record.history_columns(backup.epochs_logged),
        time.perf_counter() - started,
    )


def load_teachers(config: TrainConfig, start: keras.Model | None) -> tuple[keras.Model | None, keras.Model | None]:
    """(pen digits' and MNIST's teacher, MNIST's own teacher) for `fit`: each a model, or None.

    A distilling fine-tune's start model (`start`, loaded by the caller) teaches both. With
    `pen_labels` the pen digits learn their labels (a start model that never saw them has
    nothing to keep there), so the start model teaches MNIST alone. Loaded outside the
    strategy's scope: a teacher only runs in the input pipeline and never trains.
    """
    if not config.distill:
        return None, None
    if config.pen_labels:
        return None, start
    return start, None


def blend_with_start(model: keras.Model, start: keras.Model, start_share: float) -> None:
    """Set `model`'s weights to (1 - start_share) of its own plus `start_share` of `start`'s, in place.

    Both have the same architecture; a fine-tune froze BatchNorm, so their moving statistics are
    equal and the blend normalises exactly as both do. Where `model` has outputs `start` lacks
    ("not a digit" learnt in this fine-tune), those weights are its own.
    """

    def as_wide(begun: np.ndarray, tuned: np.ndarray) -> np.ndarray:
        if begun.shape == tuned.shape:
            return begun
        wide = tuned.copy()
        wide[..., : begun.shape[-1]] = begun
        return wide

    blended = [
        (1.0 - start_share) * tuned + start_share * as_wide(begun, tuned)
        for tuned, begun in zip(model.get_weights(), start.get_weights())
    ]
    model.set_weights(blended)
    print(f"blend: saved weights are {1 - start_share:.0%} fine-tuned, {start_share:.0%} the start model's")


def print_resume_plan(options: RunOptions, places: Places, settings: dict) -> None:
    """Say whether this run continues a backup or starts fresh next to one."""
    if options.resume:
        plan = resume.describe(places.resume_from, settings)
        print(plan or f"resume: no backup in {places.resume_from}, starting at epoch 1")
    elif (places.backup / resume.POINTER_NAME).is_file():
        print(
            f"note: not resuming the interrupted run's backup in {places.backup} (--resume would); this run's first epoch replaces it"
        )


def run(config: TrainConfig, options: RunOptions, people=None) -> dict | None:
    """Train and, on the chief, evaluate on the MNIST test set and the held-out pen writers and swap the
    new set into options.out: mnist.keras, metrics.json, history.csv, plots/*.png (checkpoints/ and
    tensorboard/ beside). Returns the metrics on the chief, None on other workers. `people`: the
    drawings of options.drawings when the caller has read them already.
    """
    task = distribute.cluster_task(options.strategy)
    if config.fine_tune and not Path(options.start_model).is_file():
        raise ModelNotFoundError(
            f"No model at {options.start_model} to fine-tune: train one with `python -m train`, or name one with --model."
        )
    if people is None and options.drawings:
        people = kept_drawings.load_drawings(options.drawings)
    if not task.is_chief:
        with tempfile.TemporaryDirectory(prefix="mnist-train-worker-") as scratch:
            strategy = start_strategy(config, options, task)
            train(config, options, strategy, places_for(options, task, Path(scratch)), people)
        print(f"{task.name}: training done; the chief evaluates and writes the artifacts")
        return None
    claim = artifacts.claim(Path(options.out))
    try:
        strategy = start_strategy(config, options, task)
        return run_chief(config, options, strategy, claim, people)
    except KeyboardInterrupt:
        raise Interrupted(interrupted_message(claim, options)) from None
    finally:
        claim.release()


def start_strategy(config: TrainConfig, options: RunOptions, task: distribute.Task):
    """The distribution strategy, created before any other TensorFlow work, then the seeds."""
    strategy = distribute.make_strategy(options.strategy)
    print(distribute.describe(options.strategy, strategy, task))
    if config.batch_size % strategy.num_replicas_in_sync:
        raise ValueError(
            f"--batch-size {config.batch_size} does not split evenly over {strategy.num_replicas_in_sync} replicas"
        )
    keras.utils.set_random_seed(config.seed)
    return strategy


def run_chief(config: TrainConfig, options: RunOptions, strategy, claim: artifacts.Claim, people) -> dict:
    """The chief's run: train, evaluate, stage the set, compare with the incumbent, swap in, clean up."""
    places = places_for(options, distribute.SINGLE, None)
    model, training_data, history, train_seconds = train(config, options, strategy, places, people)
    metrics, arrays = evaluation.evaluate(model, training_data)
    metrics.update(run_record.run_record(config, options, model, training_data, history, train_seconds))
    if options.baseline is not None:
        metrics["baseline"] = evaluation.baseline_report(options.baseline, *training_data.test, arrays["held_out_set"])
    incumbent = evaluation.measure_incumbent(claim.out, training_data, arrays["held_out_set"])
    metrics["replaced_model"] = incumbent
    publish.stage_set(claim, model, metrics, arrays)
    try:
        publish.publish(claim, metrics, incumbent, options.force)
    finally:
        if claim.done:
            shutil.rmtree(places.backup, ignore_errors=True)
    held_out = metrics["held_out_writers"]
    drawn_summary = (
        f", held-out writers {held_out['accuracy']:.4f}, worst {held_out['worst_writer']['accuracy']:.4f}"
        if held_out
        else ""
    )
    print(
        f"saved {claim.out / MODEL_FILENAME} (test acc {metrics['test_accuracy']:.4f}, {metrics['test_errors']} errors{drawn_summary}, {format_duration(train_seconds)})"
    )
    return metrics


def interrupted_message(claim: artifacts.Claim, options: RunOptions) -> str:
    """What Ctrl+C leaves: the previous set (or, after the swap, the new one), and whether --resume can continue."""
    if claim.done:
        return f"interrupted after the new set was swapped into {claim.out}"
    backup = Path(options.out) / "checkpoints" / "resume"
    hint = "; --resume continues from the last finished epoch" if (backup / resume.POINTER_NAME).is_file() else ""
    return f"interrupted: {claim.out} keeps the set it had{hint}"
