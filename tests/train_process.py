"""`python -m train` for real, in this process or as child processes, for the tests that train.

Tests get a Trainer from the `trainer` fixture and a Cluster from the `cluster` fixture
(tests/conftest.py), which mark them `training` and `cluster`. A child's stdout is read line by line
as it comes, so a test can wait for "Epoch 3/" or the pause hook's line and then stop it with a real
signal at exactly that point (tests/signals.py). Used by tests/test_train.py,
tests/test_train_safety.py, tests/test_distribute.py, tests/test_fine_tune.py,
tests/test_stroke_training.py and tests/test_bench_fine_tune.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from mnist_draw.config import METRICS_FILENAME, MODEL_FILENAME, PROJECT_ROOT

SET_MEMBERS = (MODEL_FILENAME, METRICS_FILENAME, "history.csv", "plots")
# A run small enough for 2 busy CPU cores: 120 MNIST images, no pen digits, 200 for validation.
TINY = ["--limit", "120", "--set", "pen_share=0", "--set", "validation_size=200", "--batch-size", "32", "--seed", "5"]
PLAIN = ["--recipe", "mnist-only"]  # one stage from random weights, written straight to --out


def child_environment(cache: Path, **extra: str) -> dict:
    """The parent's environment, unbuffered, TensorFlow's C++ log quiet, rendered digits cached in `cache`."""
    environment = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "MNIST_DRAW_CACHE": str(cache),
        "CUDA_VISIBLE_DEVICES": "",
    }
    environment.pop("TF_CONFIG", None)
    return {**environment, **extra}


class TrainProcess:
    """One `python -m train ARGS` child; stdout collected line by line, stderr into a file."""

    def __init__(self, arguments: list[str], environment: dict, stderr_path: Path):
        self.stderr_path = stderr_path
        self.lines: list[str] = []
        self._stderr = open(stderr_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "train", *arguments],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 600) -> str:
        """Block until a stdout line contains `text` -> that line; AssertionError if the child ends or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            if self.process.poll() is not None and not self._reader.is_alive():
                raise AssertionError(
                    f"python -m train ended (rc {self.process.returncode}) before printing {text!r}:\n{self.output()}\n{self.stderr()}"
                )
            time.sleep(0.2)
        self.kill()
        raise AssertionError(f"no {text!r} within {timeout}s:\n{self.output()}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.finish()

    def finish(self, timeout: float = 600) -> int:
        """Wait for the child to end -> its exit code."""
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        self._stderr.close()
        return code

    def output(self) -> str:
        return "\n".join(self.lines)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")


def run_training(
    arguments: list[str], environment: dict, stderr_path: Path, timeout: float = 900
) -> tuple[int, str, str]:
    """Run `python -m train ARGS` to the end -> (exit code, stdout, stderr)."""
    child = TrainProcess(arguments, environment, stderr_path)
    code = child.finish(timeout)
    return code, child.output(), child.stderr()


class Trainer:
    """`python -m train` for one test: in this process (`main`) or as a child (`start`, `run`).

    Its pen digits are rendered into the test's own cache folder (`cache`, $MNIST_DRAW_CACHE in this
    process and in every child), never into the user's.
    """

    def __init__(self, cache: Path):
        self.cache = cache

    def main(self, argv: list[str]) -> int:
        """`python -m train ARGV` in this process -> its exit code."""
        from train.__main__ import main

        return main(argv)

    def environment(self, **extra: str) -> dict:
        """A child's environment (child_environment) with this test's cache and `extra` set."""
        return child_environment(self.cache, **extra)

    def start(self, arguments: list[str], stderr_path: Path, **extra: str) -> TrainProcess:
        """`python -m train ARGUMENTS` started as a child with `extra` in its environment."""
        return TrainProcess(arguments, self.environment(**extra), stderr_path)

    def run(self, arguments: list[str], stderr_path: Path, timeout: float = 900, **extra: str) -> tuple[int, str, str]:
        """`python -m train ARGUMENTS` as a child, to the end -> (exit code, stdout, stderr)."""
        return run_training(arguments, self.environment(**extra), stderr_path, timeout)


class Cluster:
    """Two `python -m train --strategy multiworker` children on 127.0.0.1, each with its own $TF_CONFIG,
    exactly as on two machines; their stderr files and throwaway $TMPDIRs live in `folder`."""

    def __init__(self, trainer: Trainer, folder: Path):
        self.trainer = trainer
        self.folder = folder

    def start(self, arguments_of, **extra: str) -> list[TrainProcess]:
        """Start both workers; arguments_of(index) gives each one's arguments -> [worker 0 (the chief), worker 1]."""
        from bench.distribute import free_ports, local_tf_config

        ports = free_ports(2)
        workers = []
        for index in range(2):
            (self.folder / f"tmp-{index}").mkdir(exist_ok=True)
            workers.append(
                self.trainer.start(
                    ["--strategy", "multiworker", *arguments_of(index)],
                    self.folder / f"stderr-{index}-{time.monotonic_ns()}",
                    TF_CONFIG=local_tf_config(ports, index),
                    TMPDIR=str(self.folder / f"tmp-{index}"),
                    **extra,
                )
            )
        return workers


def write_fake_set(out: Path, tag: str) -> None:
    """A stand-in artifacts set whose every byte says `tag`: enough to see whether a run touched it."""
    (out / "plots").mkdir(parents=True, exist_ok=True)
    (out / MODEL_FILENAME).write_bytes(f"model of {tag}".encode())
    (out / METRICS_FILENAME).write_text(f'{{"run": "{tag}"}}\n')
    (out / "history.csv").write_text(f"epoch,loss\n0,{len(tag)}\n")
    (out / "plots" / "training_curves.png").write_bytes(f"plot of {tag}".encode())


def snapshot(out: Path) -> dict[str, bytes]:
    """Every file of the artifacts set in `out`, relative path -> bytes."""
    files = {}
    for name in SET_MEMBERS:
        path = out / name
        if path.is_file():
            files[name] = path.read_bytes()
        elif path.is_dir():
            files.update(
                {str(item.relative_to(out)): item.read_bytes() for item in sorted(path.rglob("*")) if item.is_file()}
            )
    return files


def leftovers(out: Path) -> list[str]:
    """Names in `out` that only an unfinished run leaves: staging folders, old-set backups, the swap journal."""
    return sorted(path.name for path in out.glob(".tmp-train-*"))


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
