"""Look inside the CNN: the first layer's learned filters and the block activations for one digit.

What the Streamlit app's "Look inside" view shows. The layer names are mnist_draw/config.py's,
which train/model.py gives its layers: FIRST_CONV_NAME is the first Conv2D (32 kernels of 3x3
on the one grey channel) and BLOCK_OUTPUT_NAMES ("block1", "block2") are the ReLU outputs of the
first two convolutional blocks: (12, 12, 32) and (4, 4, 64) for a 28x28 input.
"""

from __future__ import annotations

import math

import numpy as np

from mnist_draw.config import BLOCK_OUTPUT_NAMES, FIRST_CONV_NAME, INPUT_SHAPE


def first_conv_filters(model) -> np.ndarray:
    """The first Conv2D's kernels -> (num_filters, k, k) float32, raw learned weights (any sign).

    Keras stores a Conv2D kernel as (k, k, in_channels, filters); the input is one grey channel.
    """
    kernel = np.asarray(model.get_layer(FIRST_CONV_NAME).get_weights()[0], dtype=np.float32)
    if kernel.ndim != 4 or kernel.shape[2] != 1:
        raise ValueError(f"expected a (k, k, 1, filters) kernel in {FIRST_CONV_NAME}, got {kernel.shape}")
    return np.transpose(kernel[:, :, 0, :], (2, 0, 1))


def activation_model(model):
    """A keras.Model sharing `model`'s weights: (n, 28, 28, 1) -> [block1 (n, 12, 12, 32), block2 (n, 4, 4, 64)].

    Outputs are in BLOCK_OUTPUT_NAMES order. Built once per model (the app caches it): building
    is cheap, but each new Model traces its own predict function on first use.
    """
    import keras  # deferred like mnist_draw.inference: TensorFlow takes seconds to import

    outputs = [model.get_layer(name).output for name in BLOCK_OUTPUT_NAMES]
    return keras.Model(model.input, outputs, name="block_activations")


def block_activations(activations, image: np.ndarray) -> dict[str, np.ndarray]:
    """One (28, 28, 1) float32 image in [0, 1] -> {name: (H, W, C) float32 >= 0 (post-ReLU)}.

    `activations` is the model from activation_model(). predict_on_batch, like
    mnist_draw.inference.predict_probabilities: a few ms, where model.predict costs far more.
    """
    if image.shape != INPUT_SHAPE:
        raise ValueError(f"expected an image of shape {INPUT_SHAPE}, got {image.shape}")
    batch = np.asarray(image, dtype=np.float32)[np.newaxis]
    outputs = activations.predict_on_batch(batch)
    if not isinstance(outputs, (list, tuple)):  # a one-output model returns a bare array
        outputs = [outputs]
    return {name: np.asarray(output, dtype=np.float32)[0] for name, output in zip(BLOCK_OUTPUT_NAMES, outputs)}


def tile(
    maps: np.ndarray, columns: int | None = None, gap: int = 1, background: float = 0.5, scale: int = 1
) -> np.ndarray:
    """(N, h, w) maps -> one 2-D float32 grid image in [0, 1], for display.

    Each map is scaled to [0, 1] on its own (min -> 0, max -> 1; a constant map becomes 0), so
    every filter or channel uses the full grey range. Maps fill `columns` columns (default: a
    near-square grid, ceil(sqrt(N))) row by row, separated by `gap` pixels of `background`
    (mid grey by default, so that mostly black maps stay apart); unused cells are `background` too.
    `scale` > 1 enlarges each map nearest-neighbour first (h, w become h*scale, w*scale) while
    the gaps stay `gap` pixels: enlarging the finished grid would widen the gaps to a whole map
    pixel, and a 3x3 filter then blurs into its neighbours.
    Output shape: (rows*h + (rows-1)*gap, columns*w + (columns-1)*gap), h and w after scaling.
    An (H, W, C) activation goes in as np.moveaxis(act, -1, 0).
    """
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3 or maps.shape[0] == 0:
        raise ValueError(f"expected (N, h, w) maps with N >= 1, got shape {maps.shape}")
    maps = np.repeat(np.repeat(maps, scale, axis=1), scale, axis=2)
    count, height, width = maps.shape
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    low = maps.min(axis=(1, 2), keepdims=True)
    span = maps.max(axis=(1, 2), keepdims=True) - low
    scaled = np.divide(maps - low, span, out=np.zeros_like(maps), where=span > 0)
    shape = (rows * height + (rows - 1) * gap, columns * width + (columns - 1) * gap)
    grid = np.full(shape, np.clip(background, 0.0, 1.0), dtype=np.float32)
    for index, single in enumerate(scaled):
        top, left = (index // columns) * (height + gap), (index % columns) * (width + gap)
        grid[top : top + height, left : left + width] = single
    return grid
