"""Model inputs and activation grids as images people can look at.

Nearest-neighbour on purpose: the browser's smooth scaling would hide what the model sees.
"""

from __future__ import annotations

import numpy as np

from mnist_draw.config import IMAGE_SIZE


def enlarge_grid(grid: np.ndarray, scale: int) -> np.ndarray:
    """2-D float in [0, 1] -> uint8 image `scale` times larger, nearest-neighbour (sharp pixels)."""
    grey = np.round(np.clip(grid, 0.0, 1.0) * 255).astype(np.uint8)
    return np.repeat(np.repeat(grey, scale, axis=0), scale, axis=1)


def enlarge(image: np.ndarray, scale: int = 10) -> np.ndarray:
    """(28, 28, 1) float in [0, 1] -> (28*scale, 28*scale) uint8, each pixel a sharp square."""
    return enlarge_grid(image.reshape(IMAGE_SIZE, IMAGE_SIZE), scale)
