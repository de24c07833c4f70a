"""The artifacts set in --out, replaced as one unit: staged beside, checked, then swapped in.

The set is mnist.keras, metrics.json, history.csv and plots/: the app reads the model, the
metrics and the plots, `python -m export` reads the model, and all four must come from the same
run. They stay plain files and a plain folder at their usual paths, so the swap cannot be one
rename of a pointer; instead:

1. A run takes --out for itself (an exclusive lock on the folder: a second run into the same
   --out is refused), finishes or cleans up what an interrupted run left (below), and makes a
   staging folder `.tmp-train-staging-*` beside the set. Everything new is written there.
2. When the staging set is complete, checked and accepted, `.tmp-train-swap.json` is written
   atomically, naming the staging folder. That write is the commit point.
3. Each member is moved: the old one into `.tmp-train-previous-*`, the new one into place.
   Then the journal is deleted, and the old members with it.

Every file and folder is on disk before the journal names it, and the journal before the first
move (mnist_draw/atomic.py, which also holds the test hooks that pause a run mid-swap).
A kill before step 2 leaves the previous set exactly as it was (the next run deletes the
staging folder); a kill after it leaves a journal, and the next run finishes the moves, so the
complete new set is in place. Either way no mix of two runs survives a restart. Rejected sets
(train/gate.py) are renamed whole to `rejected-<time>/` instead of swapped in.

All names starting with `.tmp-` are ignored by git. Pure Python: no TensorFlow import.
"""

from __future__ import annotations

import dataclasses
import datetime
import fcntl
import json
import os
import shutil
import uuid
from pathlib import Path

from mnist_draw.atomic import TRAIN_PAUSE_MID_SWAP_ENV, fsync_directory, fsync_tree, pause, write_json_atomically
from mnist_draw.config import METRICS_FILENAME, MODEL_FILENAME, STROKE_MODEL_FILENAME

HISTORY_FILENAME = "history.csv"
PLOTS_DIRNAME = "plots"  # the same name mnist_draw/report.py reads
# A stroke set (train/stroke_training.py, in its own folder) is stroke.keras and metrics.json.
MEMBERS = (MODEL_FILENAME, METRICS_FILENAME, HISTORY_FILENAME, PLOTS_DIRNAME, STROKE_MODEL_FILENAME)
STAGING_PREFIX = ".tmp-train-staging-"
PREVIOUS_PREFIX = ".tmp-train-previous-"
JOURNAL_NAME = ".tmp-train-swap.json"
REJECTED_PREFIX = "rejected-"


class OutputError(Exception):
    """--out cannot be used (unwritable, or another run holds it); the message is one line."""


@dataclasses.dataclass
class Claim:
    """One run's hold on --out: the lock (an open descriptor of the folder) and its staging folder."""

    out: Path
    staging: Path
    lock_fd: int
    created: tuple[Path, ...]  # --out and the parents this run made for it, innermost first
    done: bool = False  # the staging folder was swapped in or set aside as rejected

    def release(self) -> None:
        """Delete an unfinished staging folder (and the folders this run made, if left empty); drop the lock."""
        if not self.done:
            shutil.rmtree(self.staging, ignore_errors=True)
        for folder in self.created:
            if any(folder.iterdir()):
                break
            folder.rmdir()
        os.close(self.lock_fd)


def claim(out: Path, *, log=print) -> Claim:
    """Lock `out` (creating it), finish or clean up an interrupted run's leftovers, make a staging folder."""
    out = Path(out)
    created = tuple(folder for folder in (out, *out.parents) if not folder.exists())
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        raise OutputError(f"cannot write to {out} ({error.strerror or type(error).__name__})") from None
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock_fd)
        raise OutputError(f"another `python -m train` is writing to {out}; wait for it or pick another --out") from None
    try:
        for message in recover(out):
            log(message)
        staging = out / f"{STAGING_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
    except OSError as error:
        os.close(lock_fd)
        raise OutputError(f"cannot write to {out} ({error.strerror or type(error).__name__})") from None
    return Claim(out=out, staging=staging, lock_fd=lock_fd, created=created)


def recover(out: Path) -> list[str]:
    """Finish a committed swap, delete unfinished staging and old backups -> what was done, one line each.

    Call only while holding the lock on `out` (claim does).
    """
    messages = []
    journal = out / JOURNAL_NAME
    if journal.is_file():
        finish_swap(out, json.loads(journal.read_text()))
        messages.append(f"finished the swap an interrupted run had begun: {out} now holds that run's complete set")
    for leftover in sorted(out.glob(STAGING_PREFIX + "*")):
        shutil.rmtree(leftover, ignore_errors=True)
        messages.append(
            f"removed {leftover.name}, the unfinished set of an interrupted run (the previous set was never touched)"
        )
    for leftover in out.glob(PREVIOUS_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return messages


def swap_in(claim: Claim, *, pause_mid_swap: float = 0.0) -> None:
    """Replace the set in claim.out by the staging folder's, all members or none (see the module docstring)."""
    staging = claim.staging
    fsync_tree(staging)
    journal = {
        "staging": staging.name,
        "previous": PREVIOUS_PREFIX + staging.name.removeprefix(STAGING_PREFIX),
        "members": [name for name in MEMBERS if (staging / name).exists()],
    }
    write_json_atomically(claim.out / JOURNAL_NAME, journal)
    finish_swap(claim.out, journal, pause_mid_swap=pause_mid_swap)
    claim.done = True


def finish_swap(out: Path, journal: dict, *, pause_mid_swap: float = 0.0) -> None:
    """Move every member as `journal` says; safe to repeat after a kill at any point."""
    staging, previous = out / journal["staging"], out / journal["previous"]
    previous.mkdir(exist_ok=True)
    for index, name in enumerate(MEMBERS):
        current, new, old = out / name, staging / name, previous / name
        if name in journal["members"] and not new.exists():
            continue  # moved in before the interruption
        if current.exists() and not old.exists():
            os.replace(current, old)
        if name in journal["members"]:
            os.replace(new, current)
        if index == 0 and pause_mid_swap:
            pause(
                pause_mid_swap,
                TRAIN_PAUSE_MID_SWAP_ENV,
                "with the new model in place and the rest of the set still old",
            )
    fsync_directory(out)
    (out / JOURNAL_NAME).unlink()
    fsync_directory(out)
    shutil.rmtree(previous, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)


def set_aside(claim: Claim) -> Path:
    """Rename the staging folder to `rejected-<time>/` in --out (one rename) -> its path."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = claim.out / f"{REJECTED_PREFIX}{stamp}"
    if target.exists():
        target = target.with_name(f"{target.name}-{uuid.uuid4().hex[:4]}")
    os.replace(claim.staging, target)
    claim.done = True
    return target
