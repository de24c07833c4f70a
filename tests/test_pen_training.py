"""train/pen.py and train/data.py's drawing augmentation: the pen-digit mix and how it is made."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from digit_data.pendigits import VALIDATION_WRITERS, writer_name
from mnist_draw import held_out_writers
from mnist_draw.config import CANVAS_SIZE, PROJECT_ROOT, STROKE_WIDTH_RANGE
from train import pen


def test_random_placements_stay_on_the_canvas_with_a_plausible_pen():
    rng = np.random.default_rng(0)
    for _ in range(500):
        placement = pen.random_placement(rng)
        assert pen.SIZE_RANGE[0] <= placement.size <= pen.SIZE_RANGE[1]
        assert placement.size / 2 <= placement.centre_x <= 1 - placement.size / 2
        assert placement.size / 2 <= placement.centre_y <= 1 - placement.size / 2
        assert STROKE_WIDTH_RANGE[0] <= placement.pen_width <= STROKE_WIDTH_RANGE[1]
        assert (
            placement.pen_width <= max(STROKE_WIDTH_RANGE[0], pen.MAX_PEN_TO_SIZE * placement.size * CANVAS_SIZE) + 1e-9
        )


@pytest.mark.parametrize("share", [0.0, 0.25, 0.5])
def test_mix_gives_pen_digits_their_share(share):
    images, labels = np.zeros((300, 28, 28), np.uint8), np.zeros(300, np.uint8)
    pen_images, pen_labels = np.ones((40, 28, 28), np.uint8), np.full(40, 7, np.uint8)
    mixed, mixed_labels = pen.mix(images, labels, pen_images, pen_labels, share, seed=0)
    pen_count = int((mixed_labels == 7).sum())
    assert pen_count == round(share / (1 - share) * 300)
    assert (mixed[:300] == 0).all() and (mixed[300:] == 1).all()


def test_mix_refuses_a_share_of_one():
    with pytest.raises(ValueError, match="pen share"):
        pen.mix(np.zeros((3, 28, 28)), np.zeros(3), np.zeros((3, 28, 28)), np.zeros(3), 1.0, seed=0)


def test_held_out_writers_are_never_rendered_for_training(pen_digits):
    with pytest.raises(ValueError, match="held-out"):
        pen.render_training_images(held_out_writers.held_out(pen_digits)[:1], renders=1, seed=0)


def test_training_and_held_out_writers_split_all_thirty(pen_digits):
    training = {digit.writer for digit in held_out_writers.training_writers(pen_digits)}
    held_out = {digit.writer for digit in held_out_writers.held_out(pen_digits)}
    assert held_out == {writer_name(number) for number in VALIDATION_WRITERS}
    assert not training & held_out and len(training | held_out) == 30


def test_rendered_training_images_are_cached(pen_digits, tmp_path, monkeypatch):
    monkeypatch.setenv(pen.CACHE_DIR_ENV, str(tmp_path))
    digits = held_out_writers.training_writers(pen_digits)[:6]
    messages = []
    first, labels = pen.render_training_images(digits, renders=2, seed=1, log=messages.append)
    again, _ = pen.render_training_images(digits, renders=2, seed=1, log=messages.append)
    assert first.shape == (12, 28, 28) and first.dtype == np.uint8 and first.max() == 255
    assert labels.tolist() == [digit.label for digit in digits] * 2
    np.testing.assert_array_equal(first, again)
    assert "rendered 12" in messages[0] and "from the cache" in messages[1]


def test_drawn_accuracy_reports_classes_writers_and_placements():
    labels = np.array([1, 1, 7, 7])
    probabilities = np.eye(10)[[1, 7, 7, 7]]
    report = held_out_writers.drawn_accuracy(labels, probabilities, ["w-1", "w-2", "w-1", "w-2"], ["a", "a", "b", "b"])
    assert report["accuracy"] == 0.75 and report["errors"] == 1 and report["digits"] == 4
    assert (
        report["per_class_accuracy"][1] == 0.5
        and report["per_class_accuracy"][7] == 1.0
        and report["per_class_accuracy"][0] is None
    )
    assert report["per_writer"] == {"w-1": 1.0, "w-2": 0.5} and report["worst_writer"] == {
        "writer": "w-2",
        "accuracy": 0.5,
    }
    assert report["per_placement"] == {"a": 0.5, "b": 1.0}
    assert report["confusion_matrix"][1][7] == 1


CTRL_C_WHILE_RENDERING = """
import sys
from mnist_draw import held_out_writers
from mnist_draw.render import Placement
from mnist_draw.strokes import make_digit
digit = make_digit([[(0.1 * i, 0.05 * i * i) for i in range(40)]], label=2)
jobs = [(digit, Placement())] * 200_000
print("rendering", flush=True)
try:
    held_out_writers.render_model_inputs(jobs, processes=2)
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
    sys.exit(130)
"""


def wait_until_workers_ignore_ctrl_c(pid: int, count: int, timeout: float = 120) -> None:
    """Wait until `count` multiprocessing pool workers of `pid` are up and ignore SIGINT (Linux /proc).

    A pool worker ignores it from its start (held_out_writers starts them so) and takes its first
    chunk as soon as it has imported: the tasks were queued before the workers started. The pool's
    resource tracker, a child too, ignores SIGINT from its start, so only workers count.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ignoring = 0
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            with contextlib.suppress(OSError):
                if b"spawn_main" not in Path(f"/proc/{child}/cmdline").read_bytes():
                    continue
                status = Path(f"/proc/{child}/status").read_text()
                ignored = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:")), 16)
                ignoring += bool(ignored & (1 << (signal.SIGINT - 1)))
        if ignoring >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{count} pool workers did not start within {timeout:.0f}s")


def test_ctrl_c_while_rendering_is_one_line_not_a_traceback_per_worker(signals):
    # Ctrl+C in a terminal signals the whole foreground process group: the pool's workers too.
    child = subprocess.Popen(
        [sys.executable, "-c", CTRL_C_WHILE_RENDERING],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert child.stdout.readline().strip() == "rendering"
    wait_until_workers_ignore_ctrl_c(child.pid, count=2)  # the pool is up: its workers start drawing
    signals.ctrl_c(child)
    _, stderr = child.communicate(timeout=180)
    assert child.returncode == 130
    assert stderr.strip().splitlines() == ["interrupted"]


# Run as a file, not with -c: every spawned worker imports its parent's main script first
# (as __mp_main__), as `python -m train`'s workers import train/__main__.py and TensorFlow with it.
CTRL_C_WHILE_WORKERS_START = """
import signal
import sys

if __name__ == "__mp_main__":
    # A pool worker still starting: it says so, then waits here as a slow import would.
    print("worker starting", flush=True)
    signal.pause()

from mnist_draw import held_out_writers
from mnist_draw.render import Placement
from mnist_draw.strokes import make_digit

if __name__ == "__main__":
    digit = make_digit([[(0.1 * i, 0.05 * i * i) for i in range(40)]], label=2)
    print("rendering", flush=True)
    try:
        held_out_writers.render_model_inputs([(digit, Placement())] * 200, processes=2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
"""


def test_ctrl_c_while_the_workers_start_is_one_line_not_a_traceback_per_worker(tmp_path, signals):
    script = tmp_path / "render.py"
    script.write_text(CTRL_C_WHILE_WORKERS_START)
    child = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert child.stdout.readline().strip() == "rendering"
    assert [child.stdout.readline().strip() for _ in range(2)] == ["worker starting"] * 2
    signals.ctrl_c(child)  # both workers are inside their start-up, before any code of the pool's runs
    _, stderr = child.communicate(timeout=180)
    assert child.returncode == 130
    assert stderr.strip().splitlines() == ["interrupted"]


RENDER_AFTER_TF_DATA = """
import numpy as np
import tensorflow as tf
from mnist_draw import held_out_writers
from mnist_draw.render import Placement
from mnist_draw.strokes import make_digit
# A live tf.data iterator, as during and after fit: its threads hold TensorFlow's locks now and then.
stream = iter(tf.data.Dataset.range(10**9).map(lambda x: x * 2, num_parallel_calls=tf.data.AUTOTUNE).prefetch(8))
next(stream)
digit = make_digit([[(0.1 * i, 0.05 * i * i) for i in range(40)]], label=2)
for _ in range(3):
    images = held_out_writers.render_model_inputs([(digit, Placement())] * 64, processes=2)
    next(stream)
print(images.shape, int(images.max()))
"""


def test_rendering_on_every_core_works_beside_tensorflow_threads():
    # Forked workers inherited TensorFlow's locks mid-use and hung forever at their first collection.
    result = subprocess.run(
        [sys.executable, "-c", RENDER_AFTER_TF_DATA], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split("\n")[0] == "(64, 28, 28) 255"


def test_training_batches_are_endless_and_an_epoch_reads_every_image_once():
    from train.config import TrainConfig
    from train.data import make_dataset, steps_per_epoch

    config = TrainConfig(batch_size=4, augment=False)
    images = np.arange(12, dtype=np.uint8)[:, None, None] * np.ones((1, 28, 28), np.uint8)
    labels = np.arange(12) % 10
    steps = steps_per_epoch(len(images), config)
    assert steps == 3
    batches = list(make_dataset(images, labels, config, training=True).take(steps * 3))
    assert len(batches) == 9  # a finite dataset would end after 3
    epochs = [
        np.concatenate([image[:, 0, 0, 0].numpy() for image, _ in batches[start : start + steps]])
        for start in (0, 3, 6)
    ]
    for seen in epochs:
        assert sorted(np.round(seen * 255).astype(int)) == list(range(12))
    assert any(not np.array_equal(epochs[0], other) for other in epochs[1:])  # reshuffled each pass
    assert steps_per_epoch(3, config) == 1  # fewer images than a batch still make an epoch
