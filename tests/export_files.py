"""What the export tests share: reading an export folder's files, and a stand-in earlier export.

A plain helper module (no tests in it), used by tests/test_export.py and tests/test_export_safety.py.
"""

from __future__ import annotations

from pathlib import Path


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` by relative path -> its bytes."""
    return {
        str(path.relative_to(directory)): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()
    }


def leftovers(directory: Path) -> list[str]:
    """Staging or backup folders an export left behind."""
    return sorted(path.name for path in directory.iterdir() if path.name.startswith(".tmp-"))


def write_previous_export(web_dir: Path, saved_model_dir: Path) -> None:
    """Folders shaped like an earlier export (what export recognises as replaceable), with recognisable contents."""
    (web_dir / "float32").mkdir(parents=True)
    (web_dir / "float32" / "model.json").write_text('{"previous": true}')
    (web_dir / "metadata.json").write_text('{"format": "tfjs-graph-model", "previous": true}')
    (saved_model_dir / "variables").mkdir(parents=True)
    (saved_model_dir / "saved_model.pb").write_bytes(b"previous")
    (saved_model_dir / "variables" / "variables.index").write_bytes(b"previous")
