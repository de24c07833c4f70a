"""What the export tests share: the export itself (Exporter), reading an export folder's files, and a
stand-in earlier export.

A plain helper module (no tests in it), used by tests/test_export.py, tests/test_export_safety.py,
tests/test_export_parity.py and tests/test_export_stroke.py. Tests get an Exporter from the
`exporter` fixture (tests/conftest.py), which marks them `export`.
"""

from __future__ import annotations

from pathlib import Path


class Exporter:
    """The export for real, for the tests that convert a model: TensorFlow writes a SavedModel and the
    TF.js converter runs, seconds each time."""

    # `python -c` source that runs `python -m export` with the arguments after it, for a child process.
    CHILD_SOURCE = "import sys; from export.__main__ import main; sys.exit(main(sys.argv[1:]))"

    def main(self, argv: list[str]) -> int:
        """`python -m export ARGV` in this process -> its exit code."""
        from export.__main__ import main

        return main(argv)

    def run(self, model: Path, web_dir: Path, saved_model_dir: Path, *extra: str) -> int:
        """`python -m export --model MODEL --out WEB_DIR --saved-model SAVED_MODEL_DIR EXTRA...` -> its exit code."""
        return self.main(["--model", str(model), "--out", str(web_dir), "--saved-model", str(saved_model_dir), *extra])

    def convert(self, *args, **kwargs) -> dict:
        """export.convert.convert(...) -> the metadata it wrote."""
        from export.convert import convert

        return convert(*args, **kwargs)

    def stroke(self, *args, **kwargs) -> dict | None:
        """export.stroke.export_stroke_model(...) -> the stroke model's metadata entry, None without one."""
        from export.stroke import export_stroke_model

        return export_stroke_model(*args, **kwargs)


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
