"""Benchmark `python -m train --strategy`: the same smoke run alone, on two logical CPUs, and as two workers.

    uv run python -m bench.distribute                 # 4,096 MNIST images, 4 epochs, each way
    uv run python -m bench.distribute --limit 8192    # a bigger smoke run

Three real `python -m train` runs on the same data, batches and seed, one after the other:
1. default: one process, one replica;
2. mirrored: one process, MirroredStrategy over two logical CPUs ($MNIST_TRAIN_CPU_REPLICAS=2);
3. multiworker: two processes on 127.0.0.1, each with its own $TF_CONFIG, exactly as on two
   machines (worker 0 is the chief and alone writes --out).
Each is timed from start to the last process's exit (wall clock, including TensorFlow's start-up)
and its MNIST test accuracy read from metrics.json. Prints a table and writes
bench/results/distribute.json.

On one machine the workers share its cores and talk over loopback, so the cluster is slower than
one process: the numbers show what distribution costs, not what it gains. The gain comes from
machines with cores (or GPUs) of their own.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.machine import machine_record
from mnist_draw.atomic import write_json_atomically
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import METRICS_FILENAME, PROJECT_ROOT

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "distribute.json"
WORKERS = 2


def smoke_arguments(limit: int, epochs: int) -> list[str]:
    """One smoke configuration for every strategy: plain MNIST images, so runs differ only by distribution."""
    return [
        "--recipe",
        "mnist-only",
        "--epochs",
        str(epochs),
        "--limit",
        str(limit),
        "--set",
        "augment=false",
        "--set",
        "validation_size=500",
        "--batch-size",
        "32",
        "--seed",
        "5",
    ]


def free_ports(count: int) -> list[int]:
    """`count` TCP ports on 127.0.0.1 free right now (the OS picks them)."""
    sockets = [socket.socket() for _ in range(count)]
    for handle in sockets:
        handle.bind(("127.0.0.1", 0))
    ports = [handle.getsockname()[1] for handle in sockets]
    for handle in sockets:
        handle.close()
    return ports


def local_tf_config(ports: list[int], index: int) -> str:
    """The $TF_CONFIG of worker `index` in a cluster of workers on 127.0.0.1 (worker 0 is the chief)."""
    return json.dumps(
        {"cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]}, "task": {"type": "worker", "index": index}}
    )


def train_environment(scratch: Path, **extra: str) -> dict:
    """The parent's environment, TensorFlow's C++ log quiet, no GPU, throwaway files under `scratch`."""
    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "TMPDIR": str(scratch)}
    environment.pop("TF_CONFIG", None)
    return {**environment, **extra}


def timed_run(commands: list[tuple[list[str], dict]], logs: Path) -> float:
    """Start every (arguments, environment) `python -m train` at once -> wall seconds until all exit; exit if one fails."""
    started = time.monotonic()
    running = []
    for arguments, environment in commands:
        log_path = logs / f"train-{len(list(logs.iterdir()))}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "train", *arguments],
                cwd=PROJECT_ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        running.append((process, log_path))
    failed = [(process.wait(), log_path) for process, log_path in running]
    seconds = time.monotonic() - started
    for code, log_path in failed:
        if code:
            last = (log_path.read_text(errors="replace").strip().splitlines() or ["(no output)"])[-1]
            raise SystemExit(f"error: a training process exited with {code}: {last}")
    return seconds


def bench(data: list[str], scratch: Path) -> dict:
    """The three runs -> {strategy: {"seconds", "test_accuracy", "processes", "replicas"}}."""
    logs = scratch / "logs"
    logs.mkdir()
    results = {}

    def record(name: str, seconds: float, out: Path, processes: int, replicas: int) -> None:
        metrics = json.loads((out / METRICS_FILENAME).read_text())
        results[name] = {
            "seconds": round(seconds, 1),
            "test_accuracy": metrics["test_accuracy"],
            "epochs_run": metrics["epochs_run"],
            "processes": processes,
            "replicas": replicas,
        }
        print(f"{name:>12}: {seconds:6.1f} s wall, MNIST test accuracy {metrics['test_accuracy']:.4f}", flush=True)

    out = scratch / "default"
    seconds = timed_run([([*data, "--out", str(out)], train_environment(scratch))], logs)
    record("default", seconds, out, 1, 1)

    out = scratch / "mirrored"
    seconds = timed_run(
        [
            (
                [*data, "--strategy", "mirrored", "--out", str(out)],
                train_environment(scratch, MNIST_TRAIN_CPU_REPLICAS=str(WORKERS)),
            )
        ],
        logs,
    )
    record("mirrored", seconds, out, 1, WORKERS)

    ports = free_ports(WORKERS)
    outs = [scratch / f"worker-{index}" for index in range(WORKERS)]
    commands = [
        (
            [*data, "--strategy", "multiworker", "--out", str(outs[index])],
            train_environment(scratch, TF_CONFIG=local_tf_config(ports, index)),
        )
        for index in range(WORKERS)
    ]
    seconds = timed_run(commands, logs)
    record("multiworker", seconds, outs[0], WORKERS, WORKERS)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.distribute", description=__doc__.split("\n\n")[0], formatter_class=HelpFormatter
    )
    parser.add_argument("--data", metavar="DIR", help="folder with the MNIST IDX files (also $MNIST_DATA_DIR)")
    parser.add_argument("--limit", type=int, default=4096, metavar="N", help="MNIST training images")
    parser.add_argument("--epochs", type=int, default=4, metavar="N", help="epochs of each run")
    parser.add_argument("--out", type=Path, default=RESULTS_PATH, metavar="FILE", help="where the numbers are written")
    args = parser.parse_args(argv)

    data = smoke_arguments(args.limit, args.epochs)
    if args.data:
        data = ["--data", args.data, *data]
    with tempfile.TemporaryDirectory(prefix="bench-distribute-") as scratch:
        runs = bench(data, Path(scratch))
    result = {
        "machine": machine_record(),
        "configuration": {"limit": args.limit, "epochs": args.epochs, "batch_size": 32, "workers": WORKERS},
        "runs": runs,
        "slowdown": {
            name: round(run["seconds"] / runs["default"]["seconds"], 2)
            for name, run in runs.items()
            if name != "default"
        },
    }
    write_json_atomically(args.out, result)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
