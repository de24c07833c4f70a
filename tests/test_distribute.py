"""Training past one machine: --strategy mirrored and multiworker, run for real.

MultiWorkerMirroredStrategy runs as two `python -m train` processes on 127.0.0.1, each with
its own $TF_CONFIG, exactly as on two machines; MirroredStrategy runs on two logical CPUs
($MNIST_TRAIN_CPU_REPLICAS=2). The smoke configuration trains for 512 steps: fewer leave BatchNorm's
moving averages so far from converged that a saved model's accuracy is a coin toss (the lone and
the two-worker runs' test accuracies, each run repeating exactly: 94.1% and 96.8% after 512 steps,
71.7% and 83.2% after 384, 60.7% and 38.1% after 256).
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from bench.distribute import free_ports, local_tf_config, smoke_arguments
from mnist_draw.config import METRICS_FILENAME
from tests.train_process import PLAIN, TINY, last_line, leftovers, snapshot, write_fake_set
from train import distribute

# 4,096 MNIST images, 4 epochs of 128 steps; plain images, so the two runs differ only by distribution.
SMOKE = smoke_arguments(limit=4096, epochs=4)
ACCURACY_NOISE = 0.05  # two smoke runs' test accuracies differ by a few points: BatchNorm statistics after 512 steps
# A child's environment in which `--strategy mirrored` splits the CPU into two replicas.
TWO_CPUS = {"MNIST_TRAIN_CPU_REPLICAS": "2"}


# --- the cluster from $TF_CONFIG --------------------------------------------------------------


def test_worker_zero_is_the_chief_when_the_cluster_has_none():
    ports = [1111, 2222, 3333]
    tasks = [distribute.cluster_task("multiworker", {"TF_CONFIG": local_tf_config(ports, index)}) for index in range(3)]
    assert [task.is_chief for task in tasks] == [True, False, False]
    assert [task.name for task in tasks] == ["worker 0", "worker 1", "worker 2"] and {task.count for task in tasks} == {
        3
    }


def test_a_chief_task_is_the_chief():
    cluster = {"chief": ["a:1"], "worker": ["b:1", "c:1"]}
    chief = distribute.cluster_task(
        "multiworker", {"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "chief", "index": 0}})}
    )
    worker = distribute.cluster_task(
        "multiworker", {"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 0}})}
    )
    assert chief.is_chief and not worker.is_chief and chief.count == worker.count == 3


@pytest.mark.parametrize(
    "raw, message",
    [
        ("{not json", "is not a cluster description"),
        ('{"cluster": {"worker": ["a:1"]}}', "is not a cluster description (KeyError"),
        (
            '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}',
            "task worker 3 is not in its cluster",
        ),
    ],
)
def test_a_malformed_tf_config_is_one_line(raw, message):
    with pytest.raises(distribute.ClusterError, match=r"^\$TF_CONFIG") as raised:
        distribute.cluster_task("multiworker", {"TF_CONFIG": raw})
    assert message in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize("raw", ["0", "two", "-1"])
def test_a_malformed_cpu_replica_count_is_one_line(raw, monkeypatch, capsys):
    from train.__main__ import main

    monkeypatch.setenv(distribute.CPU_REPLICAS_ENV, raw)
    with pytest.raises(SystemExit) as exited:
        main(["--strategy", "mirrored"])
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert (
        exited.value.code == 2
        and f"$MNIST_TRAIN_CPU_REPLICAS must be a whole number of at least 1, got {raw!r}" in error
    )


def test_single_machine_strategies_ignore_tf_config():
    assert distribute.cluster_task("mirrored", {"TF_CONFIG": "{not json"}) == distribute.SINGLE


def test_a_peer_whose_port_refuses_is_named_as_the_lost_worker(monkeypatch):
    import socket

    import tensorflow as tf

    from train.distribute import cluster_failure

    chief_port, alive_port, dead_port = free_ports(3)
    with socket.socket() as alive:
        alive.bind(("127.0.0.1", alive_port))
        alive.listen()
        config = json.loads(local_tf_config([chief_port, alive_port, dead_port], 0))
        assert distribute.unreachable_tasks({"TF_CONFIG": json.dumps(config)}) == ["/job:worker/replica:0/task:2"]
        # Collectives often fail with a bare reset connection before the heartbeat check names the task.
        monkeypatch.setenv("TF_CONFIG", json.dumps(config))
        reset = tf.errors.UnavailableError(None, None, "Collective ops is aborted by: Connection reset by peer")
        assert cluster_failure(reset) == (
            "a worker stopped responding (/job:worker/replica:0/task:2): it crashed or was killed"
        )
    assert distribute.unreachable_tasks({}) == [] and distribute.unreachable_tasks({"TF_CONFIG": "{not json"}) == []


# --- real runs ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_workers_train_together_and_only_the_chief_writes(tmp_path, mnist_dir, trainer, cluster):
    data = ["--data", str(mnist_dir), *SMOKE]
    started = time.monotonic()
    code, _, stderr = trainer.run([*data, "--out", str(tmp_path / "single")], tmp_path / "stderr-single")
    single_seconds = time.monotonic() - started
    assert code == 0, stderr

    started = time.monotonic()
    chief, worker = cluster.start(lambda index: [*data, "--out", str(tmp_path / ("chief" if index == 0 else "worker"))])
    assert chief.finish() == 0, chief.stderr()
    assert worker.finish() == 0, worker.stderr()
    cluster_seconds = time.monotonic() - started

    assert (
        "strategy: multiworker, 2 workers, 2 replicas in all; this is worker 0 (chief: writes the artifacts)"
        in chief.output()
    )
    assert "worker 1: training done; the chief evaluates and writes the artifacts" in worker.output()
    assert not (tmp_path / "worker").exists()  # its --out: never created
    assert not any((tmp_path / "tmp-1").iterdir())  # its throwaway checkpoints, logs and backups: gone
    assert sorted(snapshot(tmp_path / "chief")) == sorted(snapshot(tmp_path / "single"))
    assert list((tmp_path / "chief" / "tensorboard").rglob("events.out.tfevents.*"))
    together = json.loads((tmp_path / "chief" / METRICS_FILENAME).read_text())
    alone = json.loads((tmp_path / "single" / METRICS_FILENAME).read_text())
    print(
        f"\nsame smoke run: one process {single_seconds:.0f}s wall, test acc {alone['test_accuracy']:.4f}; two workers on this machine {cluster_seconds:.0f}s, {together['test_accuracy']:.4f}"
    )
    assert together["strategy"] == "multiworker" and together["epochs_run"] == alone["epochs_run"] == 4
    # Same global batches in the same order: each worker's loss is the cluster's average, close to the lone run's.
    assert abs(together["history"]["loss"][-1] - alone["history"]["loss"][-1]) < 0.1
    assert abs(together["test_accuracy"] - alone["test_accuracy"]) < ACCURACY_NOISE, (
        together["test_accuracy"],
        alone["test_accuracy"],
    )


@pytest.mark.slow
def test_a_dead_worker_fails_the_run_in_one_line_and_resume_restarts_the_cluster(tmp_path, mnist_dir, cluster, signals):
    out = tmp_path / "shared-out"  # as on a shared disk: every worker reads the chief's resume backup
    write_fake_set(out, "previous")
    before = snapshot(out)
    # Killed as epoch 3 starts: the two epochs after it leave the chief steps that need the lost worker.
    arguments = ["--data", str(mnist_dir), "--out", str(out), "--epochs", "5", "--set", "patience=20", *PLAIN, *TINY]
    chief, worker = cluster.start(lambda index: arguments)
    chief.wait_for("Epoch 3/5")
    signals.send(worker, signal.SIGKILL)
    worker.finish()
    assert chief.finish(timeout=300) == 1
    stderr = chief.stderr()
    assert "Traceback" not in stderr
    assert last_line(stderr).startswith(
        "error: training stopped: a worker stopped responding (/job:worker/replica:0/task:1): it crashed or was killed; nothing was written"
    )
    assert snapshot(out) == before and leftovers(out) == []

    # A worker whose --out is not the chief's cannot see the backup: nobody trains on two different models.
    elsewhere = [*arguments, "--resume", "--out", str(tmp_path / "not-shared")]
    chief, worker = cluster.start(lambda index: [*arguments, "--resume"] if index == 0 else elsewhere)
    assert chief.finish() == 1 and worker.finish() == 1
    for process in (chief, worker):
        assert last_line(process.stderr()).startswith("error: cannot resume: the workers restored different epochs")
    assert snapshot(out) == before

    chief, worker = cluster.start(lambda index: [*arguments, "--resume"])
    assert chief.finish() == 0, chief.stderr()
    assert worker.finish() == 0, worker.stderr()
    for process in (chief, worker):
        assert "resuming after epoch " in process.output() and "Epoch 1/5" not in process.output()
    metrics = json.loads((out / METRICS_FILENAME).read_text())
    assert metrics["epochs_run"] == 5 and metrics["strategy"] == "multiworker" and leftovers(out) == []


@pytest.mark.slow
def test_mirrored_on_two_logical_cpus_trains_and_resumes(tmp_path, mnist_dir, trainer, signals):
    out = tmp_path / "out"
    arguments = [
        "--data",
        str(mnist_dir),
        "--out",
        str(out),
        "--epochs",
        "6",
        "--set",
        "patience=20",
        *PLAIN,
        *TINY,
        "--strategy",
        "mirrored",
    ]
    child = trainer.start(arguments, tmp_path / "stderr-1", **TWO_CPUS)
    child.wait_for("Epoch 3/6")
    signals.send(child, signal.SIGINT)
    assert child.finish(timeout=120) == 130
    assert "strategy: mirrored, 2 replicas" in child.output() and not out.joinpath(METRICS_FILENAME).exists()

    code, printed, stderr = trainer.run([*arguments, "--resume"], tmp_path / "stderr-2", **TWO_CPUS)
    assert code == 0, stderr
    assert "resuming after epoch " in printed and "Epoch 1/6" not in printed
    metrics = json.loads((out / METRICS_FILENAME).read_text())
    assert metrics["strategy"] == "mirrored" and metrics["epochs_run"] == 6


@pytest.mark.slow
def test_a_distilling_fine_tune_runs_mirrored(tmp_path, mnist_dir, trainer):
    # Its targets are (batch, 10) probabilities, not labels: the state built before fit must say so.
    out = tmp_path / "out"
    arguments = ["--data", str(mnist_dir), "--out", str(out), "--fine-tune", "--epochs", "1", *TINY]
    arguments += ["--strategy", "mirrored"]
    code, printed, stderr = trainer.run(arguments, tmp_path / "stderr", **TWO_CPUS)
    assert code == 0, stderr
    metrics = json.loads((out / METRICS_FILENAME).read_text())
    assert metrics["strategy"] == "mirrored" and metrics["config"]["distill"] == 1.0
    assert metrics["test_accuracy"] > 0.98  # it started from the shipped model and kept its outputs


@pytest.mark.slow
def test_a_batch_that_does_not_split_over_the_replicas_is_one_line(tmp_path, mnist_dir, trainer):
    arguments = [
        "--data",
        str(mnist_dir),
        "--out",
        str(tmp_path / "out"),
        "--epochs",
        "1",
        *PLAIN,
        *TINY,
        "--batch-size",
        "33",
        "--strategy",
        "mirrored",
    ]
    code, _, stderr = trainer.run(arguments, tmp_path / "stderr", **TWO_CPUS)
    assert code == 1 and last_line(stderr) == "error: --batch-size 33 does not split evenly over 2 replicas"
    assert not (tmp_path / "out").exists()
