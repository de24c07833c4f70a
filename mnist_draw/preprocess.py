"""Canvas pixels -> the 28x28 image the model sees, following the MNIST procedure.

Twin: web/js/preprocess.js implements the same numbered steps with the same names
(`preprocess_canvas` <-> `preprocessCanvas`). Both are checked against the shared golden
vectors in tests/golden/preprocess.json (regenerate with `python -m tests.make_golden`),
so a change here must be made there too.

The steps:
  1. alpha/grey to ink: composite over black, take luminance, 0..1
  2. crop to the bounding box of ink above INK_THRESHOLD (blank -> all zeros)
  3. box-downsample into FIT_BOX x FIT_BOX keeping the aspect ratio, peak ink scaled to 1
  4. paste into IMAGE_SIZE x IMAGE_SIZE ...
  5. ... at the offset that puts the centre of mass at the centre (never cutting ink off)
  6. float32 in [0, 1], shape (28, 28, 1)

No PIL or canvas resizing: their filters differ between libraries and browsers, so the box
average is written out by hand here and in the twin.
"""

from __future__ import annotations

import math

import numpy as np

from mnist_draw.config import FIT_BOX, IMAGE_SIZE, INK_THRESHOLD

# ITU-R BT.601 luma weights; the JS twin uses the same three numbers.
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def preprocess_parameters() -> dict:
    """The numbers the JS twin needs (metadata.json's "preprocess" block, the golden file's "params")."""
    return {
        "image_size": IMAGE_SIZE,
        "fit_box": FIT_BOX,
        "ink_threshold": INK_THRESHOLD,
        "luma_weights": list(LUMA_WEIGHTS),
    }


def ink_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """Step 1. (H, W, 4) uint8 RGBA -> (H, W) float64 ink in [0, 1].

    Compositing over black makes white-on-transparent and white-on-black canvases read the
    same; dark-on-light images must be inverted by the caller first.
    """
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"expected an (H, W, 4) RGBA array, got shape {rgba.shape}")
    pixels = rgba.astype(np.float64) / 255.0
    luma = pixels[..., 0] * LUMA_WEIGHTS[0] + pixels[..., 1] * LUMA_WEIGHTS[1] + pixels[..., 2] * LUMA_WEIGHTS[2]
    return luma * pixels[..., 3]


def bounding_box(ink: np.ndarray) -> tuple[int, int, int, int] | None:
    """Step 2. (H, W) ink -> (top, left, bottom, right) with exclusive ends, or None if blank."""
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def area_weights(source_size: int, target_size: int) -> np.ndarray:
    """(target_size, source_size) matrix averaging source pixels over each target pixel's span.

    Target pixel i covers source interval [i * s, (i + 1) * s) with s = source/target; each
    weight is the overlap length divided by s, so every row sums to 1.
    """
    span = source_size / target_size
    weights = np.zeros((target_size, source_size))
    for target in range(target_size):
        start, end = target * span, (target + 1) * span
        for source in range(math.floor(start), min(math.ceil(end), source_size)):
            overlap = min(end, source + 1) - max(start, source)
            if overlap > 0:
                weights[target, source] = overlap / span
    return weights


def fit_to_box(crop: np.ndarray) -> np.ndarray:
    """Step 3. (h, w) ink crop -> (bh, bw) with max(bh, bw) == FIT_BOX, peak value 1."""
    height, width = crop.shape
    scale = FIT_BOX / max(height, width)
    # floor(x + 0.5) rather than round(): Python rounds halves to even, JavaScript does not.
    box_height = max(1, math.floor(height * scale + 0.5))
    box_width = max(1, math.floor(width * scale + 0.5))
    box = area_weights(height, box_height) @ crop @ area_weights(width, box_width).T
    # MNIST digits always reach full intensity; a thin pen averages down to grey otherwise.
    return box / box.max()


def centre_offset(box: np.ndarray) -> tuple[int, int]:
    """Steps 4-5. Top-left offset in the 28x28 field that puts the box's centre of mass at the centre.

    Clamped so the whole box stays inside the field: a lopsided digit is never cut off.
    """
    total = box.sum()
    rows, cols = np.indices(box.shape)
    centre = (IMAGE_SIZE - 1) / 2
    offsets = []
    for coordinates, size in ((rows, box.shape[0]), (cols, box.shape[1])):
        mass_centre = (coordinates * box).sum() / total
        offset = math.floor(centre - mass_centre + 0.5)
        offsets.append(min(max(offset, 0), IMAGE_SIZE - size))
    return offsets[0], offsets[1]


def preprocess_ink(ink: np.ndarray) -> np.ndarray:
    """Steps 2-6. (H, W) ink in [0, 1] -> (28, 28, 1) float32 in [0, 1]; blank -> zeros."""
    image = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float64)
    box_bounds = bounding_box(ink)
    if box_bounds is not None:
        top, left, bottom, right = box_bounds
        box = fit_to_box(ink[top:bottom, left:right])
        row, col = centre_offset(box)
        image[row : row + box.shape[0], col : col + box.shape[1]] = box
    return np.clip(image, 0.0, 1.0).astype(np.float32)[..., np.newaxis]


def preprocess_canvas(rgba: np.ndarray) -> np.ndarray:
    """(H, W, 4) uint8 RGBA canvas (white ink) -> (28, 28, 1) float32 model input in [0, 1]."""
    return preprocess_ink(ink_from_rgba(rgba))


def is_blank(image: np.ndarray) -> bool:
    """True for a preprocessed image with no ink: nothing to predict."""
    return not bool(np.any(image > 0))
