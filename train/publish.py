"""The new artifacts set: written into the staging folder, then swapped in or set aside.

The swap itself is train/artifacts.py's; this decides whether it happens (train/gate.py: not
when the new model is clearly worse than the one in place, unless --force) and keeps Ctrl+C
out of its few milliseconds.
"""

from __future__ import annotations

import signal
from pathlib import Path

import keras

from mnist_draw import atomic
from mnist_draw.atomic import write_bytes_atomically, write_json_atomically
from mnist_draw.checksums import sha256_of
from mnist_draw.config import METRICS_FILENAME, MODEL_FILENAME
from train import artifacts, gate, interrupt, report
from train.model import save_model_atomically


class Rejected(Exception):
    """The new model is clearly worse than the one in place and was set aside; the message is one line."""


def write_history_csv(path: Path, history: dict[str, list[float]]) -> None:
    """history.csv as Keras's CSVLogger writes it: epoch, then the metrics in name order."""
    keys = sorted(history)
    rows = ["epoch," + ",".join(keys)]
    rows += [
        f"{epoch}," + ",".join(repr(history[key][epoch]) for key in keys)
        for epoch in range(len(history.get("loss", [])))
    ]
    write_bytes_atomically(path, ("\n".join(rows) + "\n").encode())


def stage_set(claim: artifacts.Claim, model: keras.Model, metrics: dict, arrays: dict) -> None:
    """The new set into the staging folder: plots, history.csv, the model (checked by loading it back), metrics.json last."""
    staging = claim.staging
    report.write_report(staging / artifacts.PLOTS_DIRNAME, metrics, arrays["test"], arrays["drawn"])
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
