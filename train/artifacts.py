"""Atomic writes: an interrupted or failed run never replaces a good file with a partial one.

Everything is written to a temporary name in the target's own folder (so the final rename
stays on one filesystem, where `os.replace` is atomic) and renamed over the target last.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import keras


def temporary_sibling(path: Path) -> Path:
    """A unique hidden name beside `path` that keeps its suffix (Keras insists on `.keras`)."""
    return path.with_name(f".tmp-{uuid.uuid4().hex[:8]}-{path.name}")


def write_bytes_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_sibling(path)
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_json_atomically(path: Path, payload: dict) -> None:
    write_bytes_atomically(path, (json.dumps(payload, indent=2) + "\n").encode())


def save_model_atomically(model: keras.Model, path: Path) -> None:
    """Save `model` to `path` (.keras): written aside, loaded back to prove it is whole, then renamed in."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_sibling(path)
    try:
        model.save(temporary)
        keras.saving.load_model(temporary, compile=False)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
