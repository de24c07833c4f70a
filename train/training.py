"""One training run: data -> fit with callbacks -> test evaluation -> the artifacts set, swapped in whole.

The 10k test set is touched once, at the end; early stopping and checkpoint selection use the
validation split carved out of the 60k training images. The new set (mnist.keras, metrics.json,
history.csv, plots/) is built in a staging folder beside the old one and replaces it in one
step (train/artifacts.py), and only when it is not clearly worse than the model it replaces
(train/gate.py). Under a distribution strategy (train/distribute.py) only the chief writes.
"""

from __future__ import annotations

import dataclasses
import math
import platform
import shutil
import signal
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import sklearn
import tensorflow as tf

from digit_data import mnist, pendigits
from mnist_draw import atomic, held_out_writers
from mnist_draw.atomic import replace_file, write_bytes_atomically, write_json_atomically
from mnist_draw.checksums import sha256_of
from mnist_draw.config import METRICS_FILENAME, MODEL_FILENAME
from mnist_draw.errors import one_line
from mnist_draw.inference import ModelError, ModelNotFoundError, load_model
from train import artifacts, data, distill, distribute, gate, interrupt, kept_drawings, pen, report, resume
from train.config import RunOptions, TrainConfig
from train.model import build_model, set_batch_norm_trainable, weight_bytes


class TrainingError(Exception):
    """Training could not produce a usable model (diverged, a worker died); the message is one line."""


class Rejected(Exception):
    """The new model is clearly worse than the one in place and was set aside; the message is one line."""


class Interrupted(Exception):
    """Ctrl+C; the message is one line saying what --out holds now."""


@dataclasses.dataclass
class Data:
    """Every array a run uses: uint8 images (N, 28, 28) and integer labels (N,)."""

    fit: tuple[np.ndarray, np.ndarray]  # the training mix: MNIST, pen digits, people's drawings
    sources: np.ndarray  # (N,) int, where each row of `fit` comes from: data.MNIST, data.PEN or data.PEOPLE
    validation: tuple[np.ndarray, np.ndarray]
    test: tuple[np.ndarray, np.ndarray]
    pen_digits: list | None  # all pen digits read (training and held-out writers), None without the pen mix
    record: dict  # what went into the mix, for metrics.json


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


def inference_copy(model: keras.Model) -> keras.Model:
    """A plain, uncompiled copy of `model` outside any distribution strategy, with its weights.

    It carries no AdamW moments (they would triple the file for nothing the app, the export or
    the page uses) and evaluates on this process alone, with no other worker involved.
    """
    copy = model.__class__.from_config(model.get_config())  # clone_model would compile the copy too
    set_batch_norm_trainable(copy, True)  # a fine-tune froze them; the saved model is as trainable as any
    copy.set_weights(model.get_weights())
    return copy


def save_model_atomically(model: keras.Model, path: Path) -> None:
    """Save an inference copy of `model` to `path` (.keras): written aside, loaded back to prove it is whole, renamed in."""

    def save_and_reload(temporary: Path) -> None:
        inference_copy(model).save(temporary)
        keras.saving.load_model(temporary, compile=False)

    replace_file(path, save_and_reload)


def library_versions() -> dict:
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
    }


def format_duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m{seconds:02d}s"


def load_pen_digits(config: TrainConfig, pen_dir: Path | None) -> list | None:
    """All 30 writers' pen digits (with --limit N: N of the training and N of the held-out writers'), or None when the mix is off."""
    if config.pen_share == 0:
        return None
    digits = pendigits.load_pendigits(pen_dir)
    if config.limit is None:
        return digits
    # A smoke run renders a few training and held-out digits, not all 7,494 (minutes).
    return held_out_writers.training_writers(digits)[: config.limit] + held_out_writers.held_out(digits)[: config.limit]


def training_set(
    config: TrainConfig, fit_images: np.ndarray, fit_labels: np.ndarray, pen_digits: list | None
) -> tuple[np.ndarray, np.ndarray, dict]:
    """MNIST's training split, mixed with the training writers' rendered pen digits -> (images, labels, record)."""
    if pen_digits is None:
        return fit_images, fit_labels, {"share": 0.0}
    writers = held_out_writers.training_writers(pen_digits)
    pen_images, pen_labels = pen.render_training_images(writers, config.pen_renders, config.seed)
    images, labels = pen.mix(fit_images, fit_labels, pen_images, pen_labels, config.pen_share, config.seed)
    record = {
        "share": config.pen_share,
        "training_writers": sorted({digit.writer for digit in writers}),
        "training_digits": len(writers),
        "renders_per_digit": config.pen_renders,
        "images_per_epoch": len(images) - len(fit_images),
    }
    print(
        f"pen digits: {len(writers)} from {len(record['training_writers'])} writers, {record['images_per_epoch']} of {len(images)} training images per epoch"
    )
    return images, labels, record


def add_drawings(
    config: TrainConfig,
    images: np.ndarray,
    labels: np.ndarray,
    people: tuple[list, dict] | None,
    start: keras.Model | None,
) -> tuple[np.ndarray, np.ndarray, dict | None]:
    """The mix so far + people's drawings, rendered and cycled to drawing_share of the images -> (images, labels, record).

    In a fine-tune (`start`: its start model) the renders the start model misreads count
    config.correction_weight times (train/kept_drawings.py).
    """
    if people is None:
        return images, labels, None
    digits, record = people
    drawing_images, drawing_labels = kept_drawings.render_drawings(digits, config.drawing_renders, config.seed)
    misread = None
    if start is not None and config.correction_weight > 1:
        guesses = start.predict(mnist.to_model_input(drawing_images), batch_size=512, verbose=0)
        drawing_images, drawing_labels, misread = kept_drawings.weight_corrections(
            drawing_images, drawing_labels, guesses.argmax(axis=1), config.correction_weight
        )
    mixed, mixed_labels = pen.mix(images, labels, drawing_images, drawing_labels, config.drawing_share, config.seed + 1)
    record = {
        **record,
        "share": config.drawing_share,
        "renders_per_drawing": config.drawing_renders,
        "renders_misread_by_start_model": misread,
        "correction_weight": config.correction_weight if misread is not None else None,
        "images_per_epoch": len(mixed) - len(images),
    }
    corrections = (
        ""
        if misread is None
        else f"; {misread} renders the start model misreads, each {config.correction_weight} times"
    )
    print(
        f"drawings: {record['digits']} from {len(record['files'])} files, {record['images_per_epoch']} of {len(mixed)} training images per epoch{corrections}"
    )
    return mixed, mixed_labels, record


def load_data(
    config: TrainConfig, options: RunOptions, people: tuple[list, dict] | None, start: keras.Model | None
) -> Data:
    """MNIST split into fit/validation/test, with the pen digits and people's drawings mixed into fit.

    `start`: a fine-tune's start model, which judges which drawings are corrections (else None).
    """
    (train_images, train_labels), test = mnist.load_mnist(options.data)
    pen_digits = load_pen_digits(config, options.pen_data)
    (fit_images, fit_labels), validation = data.split_validation(
        train_images, train_labels, config.validation_size, config.seed
    )
    if config.limit is not None:
        fit_images, fit_labels = fit_images[: config.limit], fit_labels[: config.limit]
    elif config.fine_tune and config.fine_tune_images < len(fit_images):
        keep = np.sort(
            np.random.default_rng(config.seed).choice(len(fit_images), config.fine_tune_images, replace=False)
        )
        fit_images, fit_labels = fit_images[keep], fit_labels[keep]
    mnist_count = len(fit_images)
    fit_images, fit_labels, pen_record = training_set(config, fit_images, fit_labels, pen_digits)
    before_drawings = len(fit_images)
    fit_images, fit_labels, drawings_record = add_drawings(config, fit_images, fit_labels, people, start)
    # pen.mix appends the pen renders to MNIST, and add_drawings the drawings to both.
    sources = np.full(len(fit_images), data.PEOPLE, np.int8)
    sources[:before_drawings] = data.PEN
    sources[:mnist_count] = data.MNIST
    print(
        f"data: {len(fit_images)} training, {len(validation[0])} validation, {len(test[0])} test images of {fit_images.shape[1:]}"
    )
    record = {
        "train_images": len(fit_images),
        "mnist_train_images": mnist_count,
        "validation_images": len(validation[0]),
        "pen_digits": pen_record,
        "drawings": drawings_record,
    }
    return Data(
        fit=(fit_images, fit_labels),
        sources=sources,
        validation=validation,
        test=test,
        pen_digits=pen_digits,
        record=record,
    )


def compiled_model(config: TrainConfig, options: RunOptions, strategy) -> keras.Model:
    """A fresh model, or the fine-tune's starting model, compiled with AdamW in the strategy's scope.

    A distilling run (config.distill > 0) learns from (B, 20) label and teacher targets with
    train/distill.py's loss at config.temperature; its "accuracy" is still the share of argmax hits.
    """
    with strategy.scope():
        model = (
            set_batch_norm_trainable(load_model(options.start_model), False)
            if config.fine_tune
            else build_model(config)
        )
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
    training_data: Data,
    callbacks: list,
    teachers: tuple[keras.Model | None, keras.Model | None],
) -> dict:
    """model.fit on the mix, validated on the held-out MNIST split -> this process's History.history.

    `teachers`: the start model whose outputs a distilling fine-tune keeps and the model MNIST
    images learn from instead (with pen_labels), each or both None (train/data.py).
    TrainingError (one line) when a worker fails.
    """
    teacher, mnist_teacher = teachers
    training_batches = data.make_dataset(
        *training_data.fit,
        config,
        training=True,
        teacher=teacher,
        sources=training_data.sources,
        mnist_teacher=mnist_teacher,
    )
    validation_batches = data.make_dataset(
        *training_data.validation, config, training=False, teacher=teacher, mnist_teacher=mnist_teacher
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
        raise TrainingError(f"training stopped: {cluster_failure(error)}; nothing was written") from None


def cluster_failure(error: tf.errors.OpError) -> str:
    """A TensorFlow runtime error -> its one meaningful line (which task stopped, when a worker died)."""
    lines = [line.strip() for line in str(error.message).splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if "unhealthy" in line or "stopped sending heartbeats" in line:
            return worker_lost([item for item in lines[index + 1 : index + 4] if item.startswith("/job:")])
    if isinstance(error, tf.errors.UnavailableError):
        # A peer's connection dropped mid-collective: name the task that no longer answers, if one.
        lost = distribute.unreachable_tasks()
        if lost:
            return worker_lost(lost)
    meaningful = [
        line for line in lines if not line.startswith(("Graph execution error", "Detected at node", "File ", "[["))
    ]
    return f"{type(error).__name__}: {meaningful[0] if meaningful else one_line(error)}"


def worker_lost(tasks: list[str]) -> str:
    """The line for a worker that died, naming its TensorFlow tasks ("/job:worker/replica:0/task:1")."""
    return f"a worker stopped responding ({', '.join(tasks) or 'see its log'}): it crashed or was killed"


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


def history_columns(epochs_logged: list[dict]) -> dict[str, list[float]]:
    """[{metric: value} per epoch] -> {metric: [value per epoch]}, as Keras's History.history."""
    keys = sorted({key for logs in epochs_logged for key in logs})
    return {key: [float(logs.get(key, float("nan"))) for logs in epochs_logged] for key in keys}


def write_history_csv(path: Path, history: dict[str, list[float]]) -> None:
    """history.csv as Keras's CSVLogger writes it: epoch, then the metrics in name order."""
    keys = sorted(history)
    rows = ["epoch," + ",".join(keys)]
    rows += [
        f"{epoch}," + ",".join(repr(history[key][epoch]) for key in keys)
        for epoch in range(len(history.get("loss", [])))
    ]
    write_bytes_atomically(path, ("\n".join(rows) + "\n").encode())


def held_out_report(model, held_out: tuple | None) -> tuple[dict | None, np.ndarray | None]:
    """Drawn-digit accuracy on the held-out writers (never trained on) -> (report, probabilities)."""
    if held_out is None:
        return None, None
    images, labels, writers, placements = held_out
    probabilities = model.predict(mnist.to_model_input(images), batch_size=512, verbose=0)
    return held_out_writers.drawn_accuracy(labels, probabilities, writers, placements), probabilities


def baseline_report(
    baseline_path: Path, test_images: np.ndarray, test_labels: np.ndarray, held_out: tuple | None
) -> dict:
    """Another model (say, the MNIST-only one) measured on the same MNIST test digits and held-out writers."""
    baseline = load_model(baseline_path)
    probabilities = baseline.predict(mnist.to_model_input(test_images), batch_size=512, verbose=0)
    return {
        "model": Path(baseline_path).name,
        "model_sha256": sha256_of(baseline_path),
        "test_accuracy": float((probabilities.argmax(axis=1) == test_labels).mean()),
        "held_out_writers": held_out_report(baseline, held_out)[0],
    }


def cross_entropy(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean sparse categorical cross-entropy, clipped as Keras clips it."""
    picked = probabilities[np.arange(len(labels)), labels]
    return float(-np.log(np.clip(picked, 1e-7, 1.0)).mean())


def evaluate(model: keras.Model, training_data: Data) -> tuple[dict, dict]:
    """MNIST test set and held-out writers -> (metrics without the run's record, arrays for the plots)."""
    test_images, test_labels = training_data.test
    probabilities = model.predict(mnist.to_model_input(test_images), batch_size=512, verbose=0)
    held_out_set = None if training_data.pen_digits is None else pen.render_held_out(training_data.pen_digits)
    held_out, held_out_probabilities = held_out_report(model, held_out_set)
    metrics = {
        **report.evaluation_metrics(test_labels, probabilities),
        "test_loss": cross_entropy(test_labels, probabilities),
        "held_out_writers": held_out,
    }
    arrays = {"test": (test_images, test_labels, probabilities), "held_out_set": held_out_set}
    arrays["drawn"] = None if held_out_set is None else (held_out_set[0], held_out_set[1], held_out_probabilities)
    return metrics, arrays


def measure_incumbent(out: Path, training_data: Data, held_out_set: tuple | None) -> dict | None:
    """The model this run would replace, measured on the same digits; None if there is none (or it is unreadable)."""
    path = out / MODEL_FILENAME
    if not path.is_file():
        return None
    try:
        return baseline_report(path, *training_data.test, held_out_set)
    except ModelError as error:
        print(f"note: the model in place cannot be read, so nothing is compared ({one_line(error)})")
        return None


def write_report(plots: Path, metrics: dict, test: tuple, held_out: tuple | None) -> None:
    """The plots the README and the app's Model tab show (names: mnist_draw.report.PLOTS)."""
    test_images, test_labels, probabilities = test
    report.plot_training_curves(metrics["history"], plots / "training_curves.png")
    report.plot_confusion_matrix(metrics["confusion_matrix"], plots / "confusion_matrix.png", "MNIST test set")
    report.plot_misclassified(
        test_images, test_labels, probabilities, plots / "misclassified.png", "Misclassified MNIST test digits"
    )
    if held_out is not None:
        images, labels, drawn_probabilities = held_out
        report.plot_confusion_matrix(
            metrics["held_out_writers"]["confusion_matrix"],
            plots / "drawn_confusion_matrix.png",
            "Held-out writers, drawn",
        )
        report.plot_misclassified(
            images,
            labels,
            drawn_probabilities,
            plots / "drawn_misclassified.png",
            "Misclassified drawn digits of the held-out writers",
        )


def stage_set(claim: artifacts.Claim, model: keras.Model, metrics: dict, arrays: dict) -> None:
    """The new set into the staging folder: plots, history.csv, the model (checked by loading it back), metrics.json last."""
    staging = claim.staging
    write_report(staging / artifacts.PLOTS_DIRNAME, metrics, arrays["test"], arrays["drawn"])
    write_history_csv(staging / artifacts.HISTORY_FILENAME, metrics["history"])
    save_model_atomically(model, staging / MODEL_FILENAME)
    # Names the model this record describes, so `python -m export` can refuse a set mixed by a killed swap.
    metrics["model_sha256"] = sha256_of(staging / MODEL_FILENAME)
    write_json_atomically(staging / METRICS_FILENAME, metrics)


def publish(claim: artifacts.Claim, metrics: dict, incumbent: dict | None, force: bool) -> None:
    """Swap the staged set in, unless it is clearly worse than the incumbent (then Rejected, the set kept aside)."""
    reason = gate.clearly_worse(metrics, incumbent) if incumbent else None
    if reason and not force:
        where = artifacts.set_aside(claim)
        raise Rejected(
            f"kept {claim.out / MODEL_FILENAME}: the new model is clearly worse ({reason}); its set is in {where}/ (--force replaces anyway)"
        )
    if reason:
        print(f"note: --force: replacing although the new model is clearly worse ({reason})")
    if atomic.pause_seconds(atomic.TRAIN_PAUSE_BEFORE_SWAP_ENV):
        atomic.pause(
            atomic.pause_seconds(atomic.TRAIN_PAUSE_BEFORE_SWAP_ENV),
            atomic.TRAIN_PAUSE_BEFORE_SWAP_ENV,
            "with the new set staged, before the swap",
        )
    interrupt.check()  # a Ctrl+C or kill that arrived where Python dropped its exception stops the run here
    # The swap takes milliseconds: let it finish (a signal now is handled once it is done).
    previous_handlers = {number: signal.signal(number, signal.SIG_IGN) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        artifacts.swap_in(claim, pause_mid_swap=atomic.pause_seconds(atomic.TRAIN_PAUSE_MID_SWAP_ENV))
    finally:
        for number, handler in previous_handlers.items():
            signal.signal(number, handler)


def fingerprint(config: TrainConfig, options: RunOptions) -> dict:
    """What a resume backup must match: the hyperparameters and, for a fine-tune, the models it learns from."""
    start = sha256_of(options.start_model) if config.fine_tune and Path(options.start_model).is_file() else None
    return {**config.to_dict(), "start_model_sha256": start}


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
) -> tuple[keras.Model, Data, dict, float]:
    """Load the data, build and fit the model -> (plain model, data, history, seconds); the same on every worker."""
    started = time.perf_counter()
    # One untrained copy of the start model judges the drawings, teaches and is blended back in:
    # the model being trained is a second copy, compiled in the strategy's scope.
    start = load_model(options.start_model) if config.fine_tune else None
    training_data = load_data(config, options, people, start)
    model = compiled_model(config, options, strategy)
    places.checkpoints.mkdir(parents=True, exist_ok=True)
    settings = fingerprint(config, options)  # hashes the model files once
    print_resume_plan(options, places, settings)
    callbacks, backup = make_callbacks(config, places, settings)
    check_finite(model, fit(model, config, training_data, callbacks, load_teachers(config, start)), backup.resumed_from)
    if config.blend_start:
        blend_with_start(model, start, config.blend_start)
    return inference_copy(model), training_data, history_columns(backup.epochs_logged), time.perf_counter() - started


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
    equal and the blend normalises exactly as both do.
    """
    blended = [
        (1.0 - start_share) * tuned + start_share * begun
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
    metrics, arrays = evaluate(model, training_data)
    metrics.update(run_record(config, options, model, training_data, history, train_seconds))
    if options.baseline is not None:
        metrics["baseline"] = baseline_report(options.baseline, *training_data.test, arrays["held_out_set"])
    incumbent = measure_incumbent(claim.out, training_data, arrays["held_out_set"])
    metrics["replaced_model"] = incumbent
    stage_set(claim, model, metrics, arrays)
    try:
        publish(claim, metrics, incumbent, options.force)
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


def run_record(
    config: TrainConfig,
    options: RunOptions,
    model: keras.Model,
    training_data: Data,
    history: dict,
    train_seconds: float,
) -> dict:
    """What metrics.json says about the run itself: sizes, data, settings, versions, history."""
    models = fingerprint(config, options)  # hashes the start model once
    return {
        "parameters": int(model.count_params()),
        "weight_bytes": weight_bytes(model),
        "epochs_run": len(history.get("loss", [])),
        "train_seconds": round(train_seconds, 1),
        **training_data.record,
        "strategy": options.strategy,
        "fine_tuned_from": {
            "model": str(options.start_model),
            "model_sha256": models["start_model_sha256"],
        }
        if config.fine_tune
        else None,
        "versions": library_versions(),
        "data": mnist.describe_source(options.data),
        "config": config.to_dict(),
        "history": history,
    }


def interrupted_message(claim: artifacts.Claim, options: RunOptions) -> str:
    """What Ctrl+C leaves: the previous set (or, after the swap, the new one), and whether --resume can continue."""
    if claim.done:
        return f"interrupted after the new set was swapped into {claim.out}"
    backup = Path(options.out) / "checkpoints" / "resume"
    hint = "; --resume continues from the last finished epoch" if (backup / resume.POINTER_NAME).is_file() else ""
    return f"interrupted: {claim.out} keeps the set it had{hint}"
