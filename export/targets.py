"""The folders an export replaces: which may be replaced, one export at a time, leftovers, the swap.

A target is only ever replaced if it is absent, empty or an earlier export of its kind
(web_export_problem, saved_model_problem): `--saved-model artifacts` or `--out web` is refused,
never emptied. The parents are locked while an export runs (locked_parents), what a killed
export left is cleaned up or put back first (recover), and the new folder is built beside its
target (staging_dir) and swapped in whole (swap_in: mnist_draw/atomic.py's replace_folder).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from export import ExportError
from mnist_draw.atomic import replace_folder
from mnist_draw.config import STROKE_DIR_NAME

# What --out holds: the variants' folders, the activation graph, the stroke model and metadata.json.
METADATA_FILENAME = "metadata.json"
# Weight formats the converter offers: name -> its quantization_dtype_map (None keeps float32).
QUANTIZATIONS = {"float32": None, "float16": {"float16": "*"}, "uint8": {"uint8": "*"}}
ACTIVATIONS_DIR = "activations"  # web/model/activations/: the block1/block2 graph model

# --- Replacing the target folders ------------------------------------------------------------
# Beside each target, `.tmp-export-new-<token>-<name>` is an export being built (or, after the
# exchange, the previous one on its way out) and `.tmp-export-old-<ns>-<name>` is the previous
# export moved aside by the two-rename fallback. Folders matching STALE_FOLDER belong to a killed
# export once the parent's lock is ours; the two `.tmp-<name>-` forms are the earlier layout's.
STAGING_PREFIX = ".tmp-export-new-"
BACKUP_PREFIX = ".tmp-export-old-"
STALE_FOLDER = r"\.tmp-export-(?:new|old)-[A-Za-z0-9_]+-{name}|\.tmp-{name}-[A-Za-z0-9_]{{8}}|\.tmp-old-{name}-\d+-\d+"
BACKUP_FOLDER = r"\.tmp-export-old-(\d+)-{name}|\.tmp-old-{name}-\d+-(\d+)"  # group: when it was moved aside (ns)
WEB_EXPORT_ENTRIES = {
    METADATA_FILENAME,
    ACTIVATIONS_DIR,
    STROKE_DIR_NAME,
    *QUANTIZATIONS,
}  # all `python -m export` writes to --out
SAVED_MODEL_ENTRIES = {"saved_model.pb", "variables", "assets", "fingerprint.pb", "keras_metadata.pb"}


def web_export_problem(folder: Path) -> str | None:
    """Why `folder` is not a web export this command wrote (one phrase), or None if it is one."""
    try:
        metadata = json.loads((folder / METADATA_FILENAME).read_text())
    except (OSError, ValueError):
        metadata = None
    if not isinstance(metadata, dict) or metadata.get("format") != "tfjs-graph-model":
        return f'it has no {METADATA_FILENAME} with format "tfjs-graph-model"'
    strangers = sorted(path.name for path in folder.iterdir() if path.name not in WEB_EXPORT_ENTRIES)
    return f"it also holds {strangers[0]}, which python -m export does not write" if strangers else None


def saved_model_problem(folder: Path) -> str | None:
    """Why `folder` is not a SavedModel (one phrase), or None if it is one."""
    if not (folder / "saved_model.pb").is_file() or not (folder / "variables").is_dir():
        return "it has no saved_model.pb and variables/"
    strangers = sorted(path.name for path in folder.iterdir() if path.name not in SAVED_MODEL_ENTRIES)
    return f"it also holds {strangers[0]}, which a SavedModel does not" if strangers else None


def check_replaceable(target: Path, flag: str, problem_of) -> None:
    """ExportError (one line, naming the folder) unless `target` is absent, empty or an export of its kind."""
    if target.is_symlink():
        raise ExportError(f"{flag} {target} is a symbolic link: pass the folder itself")
    if not target.exists():
        return
    if not target.is_dir():
        raise ExportError(f"{flag} {target} is a file, not an export folder")
    if not any(target.iterdir()):
        return
    problem = problem_of(target)
    if problem is not None:
        raise ExportError(
            f"refusing to replace {flag} {target}: {problem}; pass a new or empty folder, or a previous export"
        )


def check_targets_apart(out_dir: Path, saved_model_dir: Path) -> None:
    """ExportError if one output folder is, or lies inside, the other: each swap would destroy the other."""
    web, saved = out_dir.resolve(), saved_model_dir.resolve()
    if web == saved or web.is_relative_to(saved) or saved.is_relative_to(web):
        raise ExportError(f"--out {out_dir} and --saved-model {saved_model_dir} must be two separate folders")


@contextlib.contextmanager
def locked_parents(targets: list[Path]):
    """Hold an exclusive flock on each target's parent folder: one export at a time writes beside a target.

    The kernel drops the lock when the process dies however it dies, so a killed export never
    blocks the next one, and while it is held no other export's staging folder can be live there.
    """
    with contextlib.ExitStack() as stack:
        for parent in sorted({target.parent.resolve() for target in targets}):
            try:
                parent.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
            except OSError as error:
                raise ExportError(f"cannot write into {parent}: {error.strerror}") from None
            stack.callback(os.close, descriptor)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ExportError(f"another export is writing into {parent} right now; wait for it to finish") from None
        yield


def recover(target: Path, log) -> None:
    """Undo what a killed export left beside `target`: restore a moved-aside export, delete staging.

    Call with the parent locked (locked_parents). If `target` is missing and the two-rename swap
    was killed between its renames, the newest moved-aside export is renamed back first.
    """
    stale = re.compile(STALE_FOLDER.format(name=re.escape(target.name)))
    backups = re.compile(BACKUP_FOLDER.format(name=re.escape(target.name)))
    leftovers = [
        path
        for path in target.parent.iterdir()
        if stale.fullmatch(path.name) and path.is_dir() and not path.is_symlink()
    ]
    if not target.exists():
        moved_aside = [
            (int(next(group for group in match.groups() if group)), path)
            for path in leftovers
            if (match := backups.fullmatch(path.name))
        ]
        if moved_aside:
            _, newest = max(moved_aside)
            os.rename(newest, target)
            leftovers.remove(newest)
            log(f"restored {target} from an interrupted export")
    for leftover in leftovers:
        shutil.rmtree(leftover)
    if leftovers:
        log(f"removed {len(leftovers)} unfinished export folder(s) beside {target}")


def staging_dir(target: Path) -> Path:
    """A fresh empty `.tmp-export-new-*-<name>` folder beside `target` (same filesystem, so renames are atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, suffix=f"-{target.name}", dir=target.parent))
    staged.chmod(0o755)  # mkdtemp makes it owner-only; once renamed it is served and read by others
    return staged


def swap_in(staged: Path, target: Path) -> None:
    """Put the folder `staged` at `target`, whole (replace_folder); a previous export moved aside is `.tmp-export-old-*`."""
    replace_folder(staged, target, target.with_name(f"{BACKUP_PREFIX}{time.time_ns()}-{target.name}"))
