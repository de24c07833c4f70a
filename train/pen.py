"""Pen trajectories -> training images: each training writer's digit drawn as people draw on the page.

Every digit of the training writers (never the held-out ones, digit_data.pendigits.
VALIDATION_WRITERS) is rendered `pen_renders` times on the page's canvas at a random size,
place and pen width (mnist_draw/render.py) and preprocessed like the page (mnist_draw/
preprocess.py), giving 28x28 images in MNIST's form. Rendering takes minutes, so the images are
cached under ~/.cache/mnist-draw, keyed by the pen data, the settings and the renderer's and
preprocessing's source code: change any of them and the cache is rebuilt.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import os
import time
from pathlib import Path

import numpy as np

from mnist_draw import held_out_writers, preprocess, render
from mnist_draw.atomic import write_bytes_atomically
from mnist_draw.config import CANVAS_SIZE, STROKE_WIDTH_RANGE
from mnist_draw.render import Placement
from mnist_draw.strokes import DrawnDigit

CACHE_DIR_ENV = "MNIST_DRAW_CACHE"  # where rendered pen digits are kept (default ~/.cache/mnist-draw)
SIZE_RANGE = (0.3, 0.95)  # the digit's longer side, as a share of the canvas: small corner digits to full
MAX_PEN_TO_SIZE = 0.25  # a pen wider than this share of the digit's size fills its loops: nobody draws so


def random_placement(rng: np.random.Generator) -> Placement:
    """A size, place and pen width a person might use on the page's canvas."""
    size = rng.uniform(*SIZE_RANGE)
    widest_pen = min(STROKE_WIDTH_RANGE[1], MAX_PEN_TO_SIZE * size * CANVAS_SIZE)
    pen_width = rng.uniform(STROKE_WIDTH_RANGE[0], max(STROKE_WIDTH_RANGE[0], widest_pen))
    margin = size / 2
    return Placement(
        size=size,
        centre_x=rng.uniform(margin, 1 - margin),
        centre_y=rng.uniform(margin, 1 - margin),
        pen_width=pen_width,
    )


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_DIR_ENV) or Path.home() / ".cache" / "mnist-draw")


def render_cached(jobs: list[tuple[DrawnDigit, Placement]], name: str, *, log=print) -> np.ndarray:
    """(digit, placement) pairs -> (N, 28, 28) uint8 model inputs, from the cache when it has them."""
    digest = hashlib.sha256()
    for digit, placement in jobs:
        digest.update(repr((digit.label, digit.writer, digit.strokes, placement)).encode())
    for module in (render, preprocess, held_out_writers):
        digest.update(inspect.getsource(module).encode())
    path = cache_dir() / f"{name}-{digest.hexdigest()[:16]}.npz"
    if path.is_file():
        with np.load(path) as cached:
            if cached["images"].shape[0] == len(jobs):
                log(f"{name}: {len(jobs)} drawings from the cache {path}")
                return cached["images"]
    started = time.perf_counter()
    images = held_out_writers.render_model_inputs(jobs)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, images=images)
    write_bytes_atomically(path, buffer.getvalue())
    log(f"{name}: rendered {len(jobs)} drawings in {time.perf_counter() - started:.0f}s (cached in {path.parent})")
    return images


def render_training_images(
    digits: list[DrawnDigit], renders: int, seed: int, *, log=print
) -> tuple[np.ndarray, np.ndarray]:
    """Training writers' digits -> (images (N * renders, 28, 28) uint8, labels (N * renders,) uint8).

    Held-out writers' digits are refused: they are the measure, never the lesson.
    """
    if held_out_writers.held_out(digits):
        raise ValueError("held-out writers' digits must not be rendered for training")
    rng = np.random.default_rng(seed)
    jobs = [(digit, random_placement(rng)) for _ in range(renders) for digit in digits]
    labels = np.array([digit.label for digit, _ in jobs], dtype=np.uint8)
    return render_cached(jobs, "pen-training", log=log), labels


def render_held_out(digits: list[DrawnDigit], *, log=print) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Held-out writers' digits at every held_out_writers.PLACEMENTS entry -> (images uint8, labels, writers, placement names)."""
    jobs, labels, writers, names = held_out_writers.placement_grid(held_out_writers.held_out(digits))
    return render_cached(jobs, "pen-held-out", log=log), labels, writers, names


def mix(
    images: np.ndarray, labels: np.ndarray, pen_images: np.ndarray, pen_labels: np.ndarray, share: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """MNIST (N, 28, 28) + pen renders -> one training set in which pen digits are `share` of the images.

    The pen renders are cycled (or subsampled) to share / (1 - share) * N images, so the mix
    stays the same whatever --limit cuts MNIST to.
    """
    if not 0 <= share < 1:
        raise ValueError(f"pen share must be in [0, 1), got {share}")
    count = round(share / (1 - share) * len(images)) if len(pen_images) else 0
    order = (
        np.resize(np.random.default_rng(seed).permutation(len(pen_images)), count) if count else np.zeros(0, np.int64)
    )
    return np.concatenate([images, pen_images[order]]), np.concatenate([labels, pen_labels[order]])
