"""`--resume`: the training state saved after every epoch, whole or not at all, and read back.

TrainingBackup is Keras's BackupAndRestore with two changes. Each backup is a new folder
`epoch-NNNN/` (weights with the optimizer's state, the epochs done, the history so far, early
stopping's best value and weights) written under a temporary name and renamed in, then the
one-line file `latest` is replaced to point at it: a kill mid-save leaves the previous backup
in use. And it keeps what Keras's does not: the per-epoch history (so history.csv and the plots
cover the whole run) and early stopping's state (so the best weights survive an interruption).

Under multiworker every worker must restore the same state: all read the chief's backup folder
(so --out must be storage every machine sees, as for Keras's own callback) and each non-chief
worker writes its backups into a throwaway folder.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import uuid
from pathlib import Path

import keras
import numpy as np

from mnist_draw.atomic import fsync_tree, write_bytes_atomically

POINTER_NAME = "latest"
WEIGHTS_NAME = "model.weights.h5"
BEST_WEIGHTS_NAME = "best_weights.npz"
STATE_NAME = "state.json"


class ResumeError(Exception):
    """The backup cannot be resumed (other settings, unreadable); the message is one line."""


def finite(value) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


class TrainingBackup(keras.callbacks.BackupAndRestore):
    """BackupAndRestore with whole-or-nothing saves, the history and early stopping's state.

    read_dir: the backup to resume from (None: start fresh); write_dir: where this process saves.
    fingerprint: the settings a backup must match to be resumed. Put it after EarlyStopping in
    the callback list, so it restores that callback's state after EarlyStopping has reset it.
    """

    def __init__(
        self, read_dir: Path | None, write_dir: Path, fingerprint: dict, early_stopping: keras.callbacks.EarlyStopping
    ):
        super().__init__(backup_dir=str(write_dir), save_freq="epoch", delete_checkpoint=False)
        self.read_dir, self.write_dir = (Path(read_dir) if read_dir else None), Path(write_dir)
        self.fingerprint, self.early_stopping = fingerprint, early_stopping
        self.epochs_logged: list[dict] = []  # one {metric: value} per epoch done, restored ones first
        self.resumed_from = 0  # epochs done before this process started
        self.finished = False
        self.diverged = False

    def on_epoch_end(self, epoch, logs=None):
        logs = {key: float(value) for key, value in (logs or {}).items()}
        if finite(logs.get("loss")) is None:
            self.diverged = True  # a diverged epoch is never a state to resume from
            return
        self.epochs_logged.append(logs)
        super().on_epoch_end(epoch, logs)

    def on_train_end(self, logs=None):
        if not self.diverged:
            self.finished = True
            self._save_model()

    def _save_model(self):
        self.write_dir.mkdir(parents=True, exist_ok=True)
        temporary = self.write_dir / f".tmp-{uuid.uuid4().hex[:8]}"
        temporary.mkdir()
        try:
            self.model.save_weights(temporary / WEIGHTS_NAME)
            best_weights = self.early_stopping.best_weights
            if best_weights is not None:
                np.savez(temporary / BEST_WEIGHTS_NAME, *best_weights)
            state = {
                "epoch": len(self.epochs_logged),
                "finished": self.finished,
                "fingerprint": self.fingerprint,
                "history": self.epochs_logged,
                "early_stopping": {
                    "best": finite(self.early_stopping.best),
                    "wait": self.early_stopping.wait,
                    "best_epoch": self.early_stopping.best_epoch,
                },
            }
            (temporary / STATE_NAME).write_text(json.dumps(state, allow_nan=False))
            final = self.write_dir / f"epoch-{len(self.epochs_logged):04d}{'-finished' if self.finished else ''}"
            shutil.rmtree(final, ignore_errors=True)
            fsync_tree(temporary)  # on disk before the pointer names it
            os.replace(temporary, final)
            write_bytes_atomically(self.write_dir / POINTER_NAME, final.name.encode())
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
        for old in self.write_dir.glob("epoch-*"):
            if old != final:
                shutil.rmtree(old, ignore_errors=True)

    def _load_model(self):
        state, folder = read_state(self.read_dir, self.fingerprint)
        if state is not None:
            self.restore(state, folder)
        if self.read_dir is not None:
            check_every_worker_resumes_alike(self.model.distribute_strategy, self.resumed_from)

    def restore(self, state: dict, folder: Path) -> None:
        """Weights (with the optimizer's state), epochs done, history and early stopping's state from a backup."""
        if self.model.optimizer is not None and not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        self.model.load_weights(folder / WEIGHTS_NAME)
        self.epochs_logged = list(state["history"])
        self.resumed_from = state["epoch"]
        self.finished = state["finished"]
        stopping = self.early_stopping
        stopping.best = state["early_stopping"]["best"]
        stopping.wait, stopping.best_epoch = state["early_stopping"]["wait"], state["early_stopping"]["best_epoch"]
        if (folder / BEST_WEIGHTS_NAME).is_file():
            with np.load(folder / BEST_WEIGHTS_NAME) as saved:
                stopping.best_weights = [saved[f"arr_{index}"] for index in range(len(saved.files))]
        # A run that had finished but not yet saved its set trains no further epochs.
        self.model._initial_epoch = self.params["epochs"] if self.finished else state["epoch"]


def check_every_worker_resumes_alike(strategy, epochs_done: int) -> None:
    """ResumeError on every worker unless all of them restored the same epoch (multiworker only).

    A worker that cannot see the chief's backup would start from scratch while the others
    resume, and averaging gradients of two different models trains neither.
    """
    import tensorflow as tf

    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or strategy.num_replicas_in_sync == 1:
        return
    replicas = strategy.num_replicas_in_sync
    total = strategy.reduce("SUM", strategy.run(lambda: tf.constant(float(epochs_done))), axis=None)
    if abs(float(total) - epochs_done * replicas) > 0.5:
        raise ResumeError(
            f"cannot resume: the workers restored different epochs (this one {epochs_done}, the average {float(total) / replicas:g}); "
            "under multiworker every worker must read the chief's --out/checkpoints/resume, so --out must be on storage all machines share"
        )


def read_state(folder: Path | None, fingerprint: dict) -> tuple[dict | None, Path | None]:
    """The backup `folder/latest` points at -> (state, its folder), (None, None) if there is none; ResumeError if it is not this run's."""
    if folder is None or not (Path(folder) / POINTER_NAME).is_file():
        return None, None
    pointer = Path(folder) / POINTER_NAME
    current = Path(folder) / pointer.read_text().strip()
    try:
        state = json.loads((current / STATE_NAME).read_text())
    except (OSError, ValueError) as error:
        raise ResumeError(
            f"cannot resume: the backup {current} is unreadable ({type(error).__name__}); run without --resume to start over"
        ) from None
    if state.get("fingerprint") != fingerprint:
        changed = sorted(
            key
            for key in set(fingerprint) | set(state.get("fingerprint", {}))
            if fingerprint.get(key) != state.get("fingerprint", {}).get(key)
        )
        raise ResumeError(
            f"cannot resume: the backup in {folder} was made with other settings ({', '.join(changed)}); rerun with the same flags, or without --resume to start over"
        )
    return state, current


def describe(folder: Path | None, fingerprint: dict) -> str | None:
    """'resuming after epoch N (...)' for the backup in `folder`, None when there is none."""
    state, current = read_state(folder, fingerprint)
    if state is None:
        return None
    if state["finished"]:
        return f"resuming a run whose training had finished (all {state['epoch']} epochs, from {current}): evaluating and saving it"
    return f"resuming after epoch {state['epoch']} from {current}"
