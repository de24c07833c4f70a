"""Drawn digits as model inputs, and how well a model reads the held-out writers' digits.

Strokes (mnist_draw/strokes.py) are rendered the way the page's canvas draws them
(mnist_draw/render.py) and preprocessed exactly as the page and the app do
(mnist_draw/preprocess.py), so an accuracy measured here is the accuracy a person drawing those
strokes would see, up to the renderer's measured difference from Chromium.

The held-out writers (digit_data.pendigits.VALIDATION_WRITERS) are never trained on: training,
the benchmarks and the app's Model tab all measure drawn-digit accuracy on them, each digit
drawn at the three PLACEMENTS the page tests use.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence

import numpy as np

from digit_data.pendigits import is_validation_writer
from mnist_draw.config import IMAGE_SIZE, NUM_CLASSES
from mnist_draw.fusion import split_not_a_digit
from mnist_draw.preprocess import preprocess_ink
from mnist_draw.render import Placement, render_ink
from mnist_draw.strokes import DrawnDigit

# Centred at the default pen; small in a corner with a thin pen; filling the canvas with a thick one.
PLACEMENTS = {
    "centred": Placement(size=0.7, centre_x=0.5, centre_y=0.5, pen_width=22),
    "small_top_left": Placement(size=0.38, centre_x=0.3, centre_y=0.3, pen_width=14),
    "large_thick": Placement(size=0.92, centre_x=0.5, centre_y=0.5, pen_width=34),
}


def held_out(digits: Sequence[DrawnDigit]) -> list[DrawnDigit]:
    """The digits of the held-out (validation) writers, in their order."""
    return [digit for digit in digits if is_validation_writer(digit.writer)]


def training_writers(digits: Sequence[DrawnDigit]) -> list[DrawnDigit]:
    """The digits of every other writer: the only pen digits training may see."""
    return [digit for digit in digits if not is_validation_writer(digit.writer)]


def model_input_uint8(digit: DrawnDigit, placement: Placement) -> np.ndarray:
    """One digit drawn with `placement` -> (28, 28) uint8 model input (0..255)."""
    image = preprocess_ink(render_ink(digit, placement))[..., 0]
    return np.round(image * 255).astype(np.uint8)


def _render_chunk(chunk: list[tuple[DrawnDigit, Placement]]) -> np.ndarray:
    return np.stack([model_input_uint8(digit, placement) for digit, placement in chunk])


def _leave_ctrl_c_to_the_parent() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _new_processes_ignore_ctrl_c():
    """Processes started inside this block ignore SIGINT from their first instruction on.

    A spawned worker starts with nothing blocked and Python's KeyboardInterrupt handler, whatever
    this process blocks; but an ignored SIGINT stays ignored through exec, and Python leaves it so.
    This process ignores it too for those milliseconds (a pool starts in about 10 ms), with SIGINT
    blocked in this thread: a Ctrl+C then waits and raises as the block ends, unless another thread
    that does not block it (TensorFlow's, BLAS's) takes it first, and that one press is lost. Only the
    main thread may set handlers: elsewhere this does nothing.
    """
    handler = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or handler is None:
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def render_model_inputs(jobs: Sequence[tuple[DrawnDigit, Placement]], processes: int | None = None) -> np.ndarray:
    """(digit, placement) pairs -> (N, 28, 28) uint8 model inputs, rendered on every core."""
    if not jobs:
        return np.zeros((0, IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    processes = processes or os.cpu_count() or 1
    size = max(1, -(-len(jobs) // (processes * 4)))
    chunks = [list(jobs[start : start + size]) for start in range(0, len(jobs), size)]
    if processes == 1 or len(chunks) == 1:
        return np.concatenate([_render_chunk(chunk) for chunk in chunks])
    # Fresh interpreters, not forks: a fork copies TensorFlow's locks as its running threads held them
    # (after training, a tf.data iterator's), and the forked worker hung on one at its first collection.
    # The workers leave Ctrl+C to the parent, whose KeyboardInterrupt ends the pool (terminate on exit):
    # one message from the parent instead of a traceback from every worker. They start ignoring it,
    # so one pressed while they still import is theirs to ignore too; the pool's threads, started
    # with SIGINT blocked, never take one. The initializer covers a pool started off the main thread.
    with contextlib.ExitStack() as stack:
        with _new_processes_ignore_ctrl_c():
            pool = stack.enter_context(
                multiprocessing.get_context("spawn").Pool(processes, initializer=_leave_ctrl_c_to_the_parent)
            )
        return np.concatenate(pool.map(_render_chunk, chunks))


def placement_grid(
    digits: Sequence[DrawnDigit],
) -> tuple[list[tuple[DrawnDigit, Placement]], np.ndarray, list[str], list[str]]:
    """Every digit at every PLACEMENTS entry -> (jobs, labels (N,), writers, placement names)."""
    jobs, labels, writers, names = [], [], [], []
    for name, placement in PLACEMENTS.items():
        for digit in digits:
            jobs.append((digit, placement))
            labels.append(digit.label)
            writers.append(digit.writer or "unknown")
            names.append(name)
    return jobs, np.array(labels, dtype=np.int64), writers, names


def drawn_accuracy(
    labels: np.ndarray, probabilities: np.ndarray, writers: Sequence[str], placements: Sequence[str]
) -> dict:
    """(N,) labels, (N, 10 or 11) probabilities, per-digit writer and placement -> the drawn-digit report.

    Which digit each is read as: a model's "not a digit" output (the 11th) is split off first.

    {"accuracy", "errors", "digits", "per_class_accuracy" [10], "per_writer" {writer: accuracy},
    "worst_writer" {"writer", "accuracy"}, "per_placement" {name: accuracy}, "confusion_matrix" 10x10}.
    """
    predicted = split_not_a_digit(probabilities)[0].argmax(axis=1)
    correct = predicted == labels
    matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    writers, placements = np.asarray(writers), np.asarray(placements)
    per_writer = {writer: float(correct[writers == writer].mean()) for writer in sorted(set(writers), key=_natural)}
    worst = min(per_writer, key=per_writer.get)
    return {
        "accuracy": float(correct.mean()),
        "errors": int((~correct).sum()),
        "digits": int(len(labels)),
        "per_class_accuracy": [
            float(correct[labels == digit].mean()) if (labels == digit).any() else None for digit in range(NUM_CLASSES)
        ],
        "per_writer": per_writer,
        "worst_writer": {"writer": worst, "accuracy": per_writer[worst]},
        "per_placement": {name: float(correct[placements == name].mean()) for name in dict.fromkeys(placements)},
        "confusion_matrix": matrix.tolist(),
    }


def _natural(name: str) -> tuple:
    """'pendigits-5' before 'pendigits-10'."""
    head, _, tail = name.rpartition("-")
    return (head, int(tail)) if tail.isdigit() else (name, 0)
