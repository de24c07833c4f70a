"""`python -m export` never deletes a folder it did not write, and a kill at any moment leaves a whole export.

The kill tests run a child process, hold it inside the swap with $MNIST_EXPORT_PAUSE_AT
(mnist_draw/atomic.py's pause_at), send it SIGKILL there and look at what is left on disk; then
the next run must restore or clean up. One child is the whole `python -m export` (it has no Node
on its PATH, so it skips the TF.js-in-Node check that tests/test_export_parity.py covers); the
other runs only swap_in, with the atomic exchange unavailable, as on filesystems without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from export import convert as convert_module
from export.__main__ import main
from export.convert import DEFAULT_SAVED_MODEL_DIR, recover
from mnist_draw.atomic import EXPORT_PAUSE_ENV as PAUSE_ENV
from mnist_draw.config import PROJECT_ROOT, WEB_MODEL_DIR
from tests.export_files import leftovers, snapshot, write_previous_export

PAUSE_TIMEOUT = 600  # seconds for the child to reach the swap: TensorFlow start-up and conversion on a busy CPU


def run_cli(model: Path, web_dir: Path, saved_model_dir: Path) -> int:
    return main(
        [
            "--model",
            str(model),
            "--out",
            str(web_dir),
            "--saved-model",
            str(saved_model_dir),
            "--quantize",
            "none",
            "--data",
            str(web_dir.parent / "no-mnist"),
        ]
    )


def one_error_line(capsys) -> str:
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: ") and "\n" not in error, error
    return error


# --- Folders that are not exports are refused before any work --------------------------------


def test_saved_model_flag_pointing_at_the_artifacts_folder_is_refused_untouched(tmp_path, capsys):
    artifacts = tmp_path / "artifacts"
    (artifacts / "plots").mkdir(parents=True)
    (artifacts / "mnist.keras").write_bytes(b"the trained model")
    (artifacts / "metrics.json").write_text("{}")
    before = snapshot(tmp_path)
    assert run_cli(tmp_path / "absent.keras", tmp_path / "web" / "model", artifacts) == 1
    error = one_error_line(capsys)
    assert f"refusing to replace --saved-model {artifacts}" in error and "no saved_model.pb" in error
    assert snapshot(tmp_path) == before


def test_out_flag_pointing_at_the_page_folder_is_refused_untouched(tmp_path, capsys):
    web = tmp_path / "web"
    (web / "js").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html>")
    (web / "js" / "main.js").write_text("// the page")
    before = snapshot(tmp_path)
    assert run_cli(tmp_path / "absent.keras", web, tmp_path / "saved_model") == 1
    error = one_error_line(capsys)
    assert f"refusing to replace --out {web}" in error and 'format "tfjs-graph-model"' in error
    assert snapshot(tmp_path) == before


def test_export_folder_with_a_file_export_did_not_write_is_refused(tmp_path, capsys):
    web_dir, saved_model_dir = tmp_path / "web" / "model", tmp_path / "saved_model"
    write_previous_export(web_dir, saved_model_dir)
    (web_dir / "notes.md").write_text("my notes")
    before = snapshot(tmp_path)
    assert run_cli(tmp_path / "absent.keras", web_dir, saved_model_dir) == 1
    assert "it also holds notes.md" in one_error_line(capsys)
    assert snapshot(tmp_path) == before


def test_output_path_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "model.json").write_text("{}")
    assert run_cli(tmp_path / "absent.keras", tmp_path / "model.json", tmp_path / "saved_model") == 1
    assert "is a file, not an export folder" in one_error_line(capsys)
    assert (tmp_path / "model.json").read_text() == "{}"


@pytest.mark.parametrize("saved_model", ["web", "web/model", "web/model/saved_model"], ids=["parent", "same", "inside"])
def test_out_and_saved_model_must_be_separate_folders(tmp_path, capsys, saved_model):
    assert run_cli(tmp_path / "absent.keras", tmp_path / "web" / "model", tmp_path / saved_model) == 1
    assert "must be two separate folders" in one_error_line(capsys)


def test_committed_exports_are_recognised_as_replaceable():
    """The default targets must pass the check, or `python -m export` with no flags would refuse them."""
    for folder, folder_problem in (
        (WEB_MODEL_DIR, convert_module.web_export_problem),
        (DEFAULT_SAVED_MODEL_DIR, convert_module.saved_model_problem),
    ):
        if not folder.is_dir():
            pytest.skip(f"no committed export in {folder}")
        assert folder_problem(folder) is None, f"{folder}: {folder_problem(folder)}"


def test_empty_and_missing_targets_pass_the_check():
    for folder_problem in (convert_module.web_export_problem, convert_module.saved_model_problem):
        convert_module.check_replaceable(Path("/nonexistent/target"), "--out", folder_problem)


def test_second_export_beside_the_same_folder_is_refused_while_one_runs(tmp_path, capsys):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time; d = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(d, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert run_cli(tmp_path / "absent.keras", tmp_path / "model", tmp_path / "saved_model") == 1
        assert f"another export is writing into {tmp_path}" in one_error_line(capsys)
    finally:
        holder.kill()
        holder.wait()


# --- What a killed export leaves, and how the next run handles it ----------------------------


def test_recover_puts_back_the_export_moved_aside_when_the_target_is_missing(tmp_path):
    target = tmp_path / "model"
    for moved_at, content in (("1000", b"older"), ("2000", b"newest")):
        (tmp_path / f".tmp-export-old-{moved_at}-model").mkdir()
        (tmp_path / f".tmp-export-old-{moved_at}-model" / "metadata.json").write_bytes(content)
    (tmp_path / ".tmp-export-new-x1y2z3-model").mkdir()
    recover(target, log=lambda line: None)
    assert snapshot(target) == {"metadata.json": b"newest"}
    assert leftovers(tmp_path) == []


def test_recover_leaves_other_temporary_files_and_other_targets_alone(tmp_path):
    (tmp_path / "model").mkdir()
    others = [".tmp-1a2b3c4d-mnist.keras", ".tmp-export-new-abc-model-b", ".tmp-export-old-123-other"]
    (tmp_path / others[0]).write_bytes(b"training writes its files atomically through such names")
    for name in others[1:]:
        (tmp_path / name).mkdir()
    (tmp_path / ".tmp-export-new-abc-model").mkdir()
    recover(tmp_path / "model", log=lambda line: None)
    assert leftovers(tmp_path) == sorted(others)


def wait_for_pause_then_kill(signals, child: subprocess.Popen, log_path: Path, pause_at: str) -> None:
    """Wait until `child` reports it is paused at `pause_at`, then SIGKILL it there."""
    try:
        deadline = time.monotonic() + PAUSE_TIMEOUT
        while f"export paused at {pause_at}" not in log_path.read_text():
            if child.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the export never paused at {pause_at} (exit code {child.poll()}):\n{log_path.read_text()[-2000:]}"
                )
            time.sleep(0.5)
        signals.send(child, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def start_child(tmp_path: Path, code: str, arguments: list[str], pause_at: str) -> tuple[subprocess.Popen, Path]:
    """`python -c code arguments` from the project root with $MNIST_EXPORT_PAUSE_AT set -> (process, its log file)."""
    environment = {
        **os.environ,
        PAUSE_ENV: pause_at,
        "PATH": str(Path(sys.executable).parent),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    log_path = tmp_path / "export.log"
    with open(log_path, "w") as log:
        child = subprocess.Popen(
            [sys.executable, "-c", code, *arguments],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return child, log_path


def assert_whole_web_export(web_dir: Path, model: Path) -> None:
    """`web_dir` is a complete export of `model`: metadata names it and every weight file hashes as recorded."""
    metadata = json.loads((web_dir / "metadata.json").read_text())
    assert metadata["source_model_sha256"] == hashlib.sha256(model.read_bytes()).hexdigest()
    for variant in metadata["variants"].values():
        assert (web_dir / variant["path"]).is_file(), variant["path"]
    for shard, digest in metadata["weights_sha256"].items():
        assert hashlib.sha256((web_dir / shard).read_bytes()).hexdigest() == digest, shard


@pytest.mark.slow
def test_export_killed_inside_the_swap_leaves_a_whole_export_and_the_next_run_cleans_up(
    tmp_path, untrained_model_path, exporter, signals, capsys
):
    web_dir, saved_model_dir = tmp_path / "web" / "model", tmp_path / "saved_model"
    write_previous_export(web_dir, saved_model_dir)
    arguments = [
        "--model",
        str(untrained_model_path),
        "--out",
        str(web_dir),
        "--saved-model",
        str(saved_model_dir),
        "--quantize",
        "none",
        "--data",
        str(tmp_path / "no-mnist"),
    ]
    child, log_path = start_child(tmp_path, exporter.CHILD_SOURCE, arguments, "mid-swap:model")
    wait_for_pause_then_kill(signals, child, log_path, "mid-swap:model")

    # Killed right after the atomic exchange, before the previous export was deleted: the new one is in place.
    assert_whole_web_export(web_dir, untrained_model_path)
    assert (saved_model_dir / "saved_model.pb").read_bytes() != b"previous"
    assert leftovers(web_dir.parent) != [], "the previous export, still waiting to be deleted"

    assert run_cli(tmp_path / "absent.keras", web_dir, saved_model_dir) == 1  # the next run, whatever its fate
    assert "removed 1 unfinished export folder(s)" in capsys.readouterr().out
    assert leftovers(web_dir.parent) == [] and leftovers(tmp_path) == []
    assert_whole_web_export(web_dir, untrained_model_path)


def test_swap_killed_between_the_renames_of_the_fallback_is_restored_by_the_next_run(tmp_path, signals, capsys):
    """Where the kernel cannot exchange two folders, the swap is two renames; a kill between them is the worst case."""
    web_dir, saved_model_dir = tmp_path / "web" / "model", tmp_path / "saved_model"
    write_previous_export(web_dir, saved_model_dir)
    previous_web = snapshot(web_dir)
    staged = web_dir.with_name(".tmp-export-new-x1y2z3-model")
    (staged / "float32").mkdir(parents=True)
    (staged / "metadata.json").write_text('{"format": "tfjs-graph-model", "new": true}')
    code = "import sys; from pathlib import Path; from export import convert; from mnist_draw import atomic; atomic.exchange_paths = lambda first, second: False; convert.swap_in(Path(sys.argv[1]), Path(sys.argv[2]))"
    child, log_path = start_child(tmp_path, code, [str(staged), str(web_dir)], "mid-swap:model")
    wait_for_pause_then_kill(signals, child, log_path, "mid-swap:model")

    assert not web_dir.exists()
    (moved_aside,) = [path for path in web_dir.parent.iterdir() if path.name.startswith(".tmp-export-old-")]
    assert snapshot(moved_aside) == previous_web

    assert run_cli(tmp_path / "absent.keras", web_dir, saved_model_dir) == 1  # the next run, whatever its fate
    assert f"restored {web_dir} from an interrupted export" in capsys.readouterr().out
    assert snapshot(web_dir) == previous_web
    assert leftovers(web_dir.parent) == [] and leftovers(tmp_path) == []
