"""Training on more than one device or machine: the tf.distribute strategy and what it changes.

- default: one device (the CPU, or the first GPU).
- mirrored: every GPU of this machine, each with a copy of the model, gradients averaged each
  step (MirroredStrategy). $MNIST_TRAIN_CPU_REPLICAS=N splits the CPU into N logical devices
  instead, which proves the distributed code path on any machine (the tests do) but is no faster.
- multiworker: several machines (or processes), each with its local devices, gradients averaged
  over the network (MultiWorkerMirroredStrategy). The cluster comes from $TF_CONFIG, the same
  command runs on every machine; the chief (task "chief", or worker 0 when there is none)
  writes the artifacts, the others write only into a throwaway folder.

--batch-size is the global batch: each step takes that many images in all, split evenly over
the replicas, so the gradient of a step is the same average as on one device and the learning
rate stays as given. Data sharding: the arrays are in memory (from_tensor_slices), with no
files to split, so each worker reads the whole pipeline and keeps its own share of every batch
(AutoShardPolicy.DATA); all workers shuffle with the same seed, so their shares never overlap.

When a worker dies mid-fit, cluster_failure turns TensorFlow's error into one line naming it.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import socket
from typing import TYPE_CHECKING

from mnist_draw.errors import one_line

if TYPE_CHECKING:
    import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multiworker")
TF_CONFIG_ENV = "TF_CONFIG"


class ClusterError(Exception):
    """$TF_CONFIG (or $MNIST_TRAIN_CPU_REPLICAS) is missing or malformed; the message is one line."""


@dataclasses.dataclass(frozen=True)
class Task:
    """This process's place in the cluster."""

    index: int  # position among all tasks, chief first
    count: int  # processes in the cluster
    is_chief: bool  # writes the artifacts, TensorBoard logs and checkpoints
    name: str  # e.g. "worker 1"


SINGLE = Task(index=0, count=1, is_chief=True, name="chief")


def cluster_members(environ=os.environ) -> tuple[list[tuple[str, int, str]], tuple[str, int]]:
    """$TF_CONFIG -> (every chief and worker as (kind, index, address), chief first; this task's (kind, index)).

    ClusterError (one line) when it is missing, malformed or names a task outside its cluster.
    """
    raw = environ.get(TF_CONFIG_ENV)
    if not raw:
        raise ClusterError(
            f"--strategy multiworker needs ${TF_CONFIG_ENV} naming the cluster and this task (see --help)"
        )
    try:
        config = json.loads(raw)
        cluster, task = config["cluster"], config["task"]
        kind, number = task["type"], int(task["index"])
        chiefs, workers = list(cluster.get("chief", [])), list(cluster.get("worker", []))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ClusterError(f"${TF_CONFIG_ENV} is not a cluster description ({type(error).__name__}: {error})") from None
    members = [("chief", index, address) for index, address in enumerate(chiefs)]
    members += [("worker", index, address) for index, address in enumerate(workers)]
    if (kind, number) not in [(member_kind, index) for member_kind, index, _ in members]:
        raise ClusterError(
            f"${TF_CONFIG_ENV}: task {kind} {number} is not in its cluster ({len(chiefs)} chief, {len(workers)} workers)"
        )
    return members, (kind, number)


def cluster_task(strategy: str, environ=os.environ) -> Task:
    """The task this process is, from $TF_CONFIG under multiworker (else the only one); ClusterError if unusable."""
    if strategy != "multiworker":
        return SINGLE
    members, (kind, number) = cluster_members(environ)
    position = [(member_kind, index) for member_kind, index, _ in members].index((kind, number))
    return Task(index=position, count=len(members), is_chief=position == 0, name=f"{kind} {number}")


def unreachable_tasks(environ=os.environ, timeout: float = 1.0) -> list[str]:
    """The other tasks of $TF_CONFIG's cluster whose address no longer accepts a connection.

    Returns TensorFlow's names for them (e.g. "/job:worker/replica:0/task:1"); empty when every
    peer answers or there is no cluster. When a worker dies mid-step, the collective on the
    survivors often fails with a bare "Connection reset by peer" before the heartbeat check
    names the task, so the dead one is found by asking each peer's port: a killed process's
    port refuses at once.
    """
    try:
        members, me = cluster_members(environ)
    except ClusterError:
        return []
    lost = []
    for kind, index, address in members:
        if (kind, index) == me:
            continue
        host, _, port = str(address).rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=timeout):
                pass
        except (OSError, ValueError):
            lost.append(f"/job:{kind}/replica:0/task:{index}")
    return lost


CPU_REPLICAS_ENV = "MNIST_TRAIN_CPU_REPLICAS"


def cpu_replicas() -> int | None:
    """$MNIST_TRAIN_CPU_REPLICAS as a count of logical CPUs for `mirrored`, or None when unset."""
    text = os.environ.get(CPU_REPLICAS_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise ClusterError(f"${CPU_REPLICAS_ENV} must be a whole number of at least 1, got {text!r}")
    return int(text)


@functools.cache
def make_strategy(name: str):
    """A tf.distribute.Strategy, created once per process and shared by a recipe's stages.

    Create it before any other TensorFlow work: multiworker insists, and TensorFlow's logical
    devices cannot be split again once used.
    """
    import tensorflow as tf

    if name == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored":
        if replicas := cpu_replicas():
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)
            return tf.distribute.MirroredStrategy([device.name for device in tf.config.list_logical_devices("CPU")])
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def describe(name: str, strategy, task: Task) -> str:
    """One line: the strategy, how many replicas, and this process's role."""
    replicas = strategy.num_replicas_in_sync
    if name == "multiworker":
        return f"strategy: multiworker, {task.count} workers, {replicas} replicas in all; this is {task.name}{' (chief: writes the artifacts)' if task.is_chief else ''}"
    return f"strategy: {name}, {replicas} replica{'s' if replicas != 1 else ''}"


def shard_by_data(dataset):
    """Let a distributed pipeline shard by elements: in-memory tensors have no files to shard by."""
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def prepare_for_fit(model, strategy, *, soft_targets: bool = False) -> None:
    """Build the compiled model's loss, metric and optimizer state now, in the strategy's scope.

    Keras 3's fit would build them from a first batch averaged over replicas, which
    MultiWorkerMirroredStrategy cannot reduce (a PerReplica value is not a tensor), so the state
    is built here from a single plain image and fit is told it has nothing left to build. The
    image's target is a label (1,), or with `soft_targets` a distilling run's (1, 2C) for C outputs, as fit's will be.
    """
    import numpy as np

    from mnist_draw.config import INPUT_SHAPE

    target = np.zeros((1, 2 * model.output_shape[-1]), np.float32) if soft_targets else np.zeros((1,), np.int32)
    with strategy.scope():
        model._symbolic_build(data_batch=(np.zeros((1, *INPUT_SHAPE), np.float32), target))
    model._maybe_symbolic_build = lambda iterator=None, data_batch=None: None
    average_metrics_across_workers()


def average_metrics_across_workers() -> None:
    """Make Keras average the per-replica loss and metrics across workers the way it does across GPUs.

    Under MultiWorkerMirroredStrategy Keras 3 reduces each scalar metric along axis 0, which a
    scalar does not have, and fit fails at its first step. The replacement averages over all
    replicas of all workers, so every worker logs, and early stopping decides on, the same values.
    """
    import tensorflow as tf
    from keras.src.backend.tensorflow import trainer

    original = getattr(trainer.reduce_per_replica, "__wrapped__", trainer.reduce_per_replica)

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and trainer._collective_all_reduce_multi_worker(strategy):
            return tf.nest.map_structure(lambda value: strategy.reduce("MEAN", value, axis=None), values)
        return original(values, strategy, reduction)

    reduce_per_replica.__wrapped__ = original
    trainer.reduce_per_replica = reduce_per_replica


def cluster_failure(error: tf.errors.OpError) -> str:
    """A TensorFlow runtime error -> its one meaningful line (which task stopped, when a worker died)."""
    import tensorflow as tf

    lines = [line.strip() for line in str(error.message).splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if "unhealthy" in line or "stopped sending heartbeats" in line:
            return worker_lost([item for item in lines[index + 1 : index + 4] if item.startswith("/job:")])
    if isinstance(error, tf.errors.UnavailableError):
        # A peer's connection dropped mid-collective: name the task that no longer answers, if one.
        lost = unreachable_tasks()
        if lost:
            return worker_lost(lost)
    meaningful = [
        line for line in lines if not line.startswith(("Graph execution error", "Detected at node", "File ", "[["))
    ]
    return f"{type(error).__name__}: {meaningful[0] if meaningful else one_line(error)}"


def worker_lost(tasks: list[str]) -> str:
    """The line for a worker that died, naming its TensorFlow tasks ("/job:worker/replica:0/task:1")."""
    return f"a worker stopped responding ({', '.join(tasks) or 'see its log'}): it crashed or was killed"
