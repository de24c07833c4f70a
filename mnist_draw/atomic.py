"""Files and folders replaced whole or not at all, and on disk before anything points at them.

Every writer whose output a reader may open at any moment goes through here: the app's kept
drawings and the pen-data cache, `python -m train`'s artifacts set, resume backups, caches and
plots (train/artifacts.py, train/resume.py), and `python -m export`'s target folders
(export/targets.py). One guarantee for all of them:

1. New content is written beside its target, under a `.tmp-` name in the same folder (so on the
   same filesystem, where a rename is atomic), and flushed to disk with everything under it.
2. Then it is renamed over the target: a file with `os.replace`; a folder with one atomic
   exchange where the kernel offers it (replace_folder), else two renames.
3. Then the parent folder is flushed, so the rename itself is on disk when the call returns.

A kill at any moment leaves the old content or the new one; after a power cut too, because no
rename reaches the disk before the data it names.

Test hooks, all of them here: the kill tests (tests/test_train_safety.py,
tests/test_export_safety.py) hold a child process at one moment of a replacement and SIGKILL it
there, then check what the next run finds.

    $MNIST_TRAIN_PAUSE_BEFORE_SWAP=<seconds>     train: the new set staged, nothing moved yet
    $MNIST_TRAIN_PAUSE_MID_SWAP=<seconds>        train: the new model moved in, the rest still old
    $MNIST_EXPORT_PAUSE_AT=mid-swap:<folder>     export: replace_folder of <folder>, after the
                                                 exchange or between the fallback's two renames
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

TRAIN_PAUSE_BEFORE_SWAP_ENV = "MNIST_TRAIN_PAUSE_BEFORE_SWAP"
TRAIN_PAUSE_MID_SWAP_ENV = "MNIST_TRAIN_PAUSE_MID_SWAP"
EXPORT_PAUSE_ENV = "MNIST_EXPORT_PAUSE_AT"
EXPORT_PAUSE_SECONDS = 300
RENAME_EXCHANGE = 2  # linux/fs.h: renameat2 flag that swaps two paths atomically
AT_FDCWD = -100


def temporary_sibling(path: Path) -> Path:
    """A unique hidden name beside `path` that keeps its suffix (Keras insists on `.keras`)."""
    return path.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{path.name}")


def replace_file(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(temporary)` to make the new file beside `path`, flush it, rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_sibling(path)
    try:
        write(temporary)
        fsync_file(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    fsync_directory(path.parent)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    replace_file(path, lambda temporary: temporary.write_bytes(data))


def write_json_atomically(path: Path, payload: dict) -> None:
    """`payload` as indented JSON; NaN and infinity are refused (they are not JSON)."""
    write_bytes_atomically(path, (json.dumps(payload, indent=2, allow_nan=False) + "\n").encode())


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def fsync_tree(folder: Path) -> None:
    """Flush every file under `folder`, and the folders, to disk: a rename must not outrun the data."""
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file():
            fsync_file(path)
        else:
            fsync_directory(path)
    fsync_directory(folder)


def exchange_paths(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step (Linux renameat2); False where the OS or filesystem cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library older than glibc 2.28
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # the filesystem has no atomic exchange
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def replace_folder(staged: Path, target: Path, backup: Path) -> None:
    """Put the folder `staged` (a sibling of `target`) at `target`; at every moment `target` is whole, old or new.

    Where the kernel can swap two folders atomically (renameat2 RENAME_EXCHANGE: Linux on ext4,
    xfs, btrfs, tmpfs) that is one step, and `staged` then holds the previous folder to delete.
    Elsewhere the previous folder is renamed to `backup` and `staged` renamed in; a kill between
    those two renames leaves no `target`, and the caller's recovery renames `backup` back at its
    next start. Either way the previous folder's files are deleted last.
    """
    fsync_tree(staged)
    if not target.exists():
        os.replace(staged, target)
        fsync_directory(target.parent)
        return
    if exchange_paths(staged, target):
        fsync_directory(target.parent)
        pause_at("mid-swap", target)
        shutil.rmtree(staged, ignore_errors=True)  # now the previous folder; the caller's recovery retries a failure
        return
    os.replace(target, backup)
    pause_at("mid-swap", target)
    try:
        os.replace(staged, target)
    except OSError:
        os.replace(backup, target)  # put the previous folder back before reporting
        raise
    fsync_directory(target.parent)
    shutil.rmtree(backup, ignore_errors=True)


def pause_seconds(variable: str) -> float:
    """A test hook's pause in seconds from the environment; 0 when unset."""
    value = os.environ.get(variable, "").strip()
    return float(value) if value else 0.0


def pause(seconds: float, variable: str, where: str) -> None:
    """Test hook: sleep so a test can kill the run at this exact point."""
    print(f"pausing {seconds:g}s {where} (test hook ${variable})", flush=True)
    time.sleep(seconds)


def pause_at(step: str, target: Path) -> None:
    """Hold here for EXPORT_PAUSE_SECONDS if $MNIST_EXPORT_PAUSE_AT names this step and target (tests only)."""
    if os.environ.get(EXPORT_PAUSE_ENV) == f"{step}:{target.name}":
        print(f"export paused at {step}:{target.name}", file=sys.stderr, flush=True)
        time.sleep(EXPORT_PAUSE_SECONDS)
