"""Files written whole or not at all, and their checksums.

Everything is written to a temporary name in the target's own folder (so the final rename
stays on one filesystem, where `os.replace` is atomic) and renamed over the target last: an
interrupted or failed run never replaces a good file with a partial one.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path


def sha256_of(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


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
    """`payload` as indented JSON; NaN and infinity are refused (they are not JSON)."""
    write_bytes_atomically(path, (json.dumps(payload, indent=2, allow_nan=False) + "\n").encode())
