"""mnist_draw.activations: first-layer filters, block activations of the shipped model, and tile()."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_draw import activations, pixels
from mnist_draw.config import BLOCK_OUTPUT_NAMES
from mnist_draw.inference import load_model, model_path_from_env


@pytest.fixture(scope="module")
def model():
    """The committed, trained model (what the app shows)."""
    model_path = model_path_from_env()
    if not model_path.is_file():
        pytest.fail(f"{model_path} is missing: the trained model is committed; make it with `python -m train`")
    return load_model(model_path)


@pytest.fixture(scope="module")
def test_digit(mnist_dir) -> np.ndarray:
    """The first real MNIST test digit as model input: (28, 28, 1) float32 in [0, 1]."""
    from digit_data.mnist import load_mnist, to_model_input

    _, (x_test, _) = load_mnist(mnist_dir)
    return to_model_input(x_test[:1])[0]


def test_first_conv_filters_are_the_32_learned_3x3_kernels(model):
    filters = activations.first_conv_filters(model)
    assert filters.shape == (32, 3, 3) and filters.dtype == np.float32
    kernel = model.get_layer("block1_a_conv").get_weights()[0]  # (3, 3, 1, 32)
    np.testing.assert_array_equal(filters[5], kernel[:, :, 0, 5])
    assert filters.std() > 0  # learned, not a constant


def test_block_activations_of_a_real_digit_have_the_block_shapes(model, test_digit):
    maps = activations.block_activations(activations.activation_model(model), test_digit)
    assert list(maps) == list(BLOCK_OUTPUT_NAMES)
    assert maps["block1"].shape == (12, 12, 32) and maps["block2"].shape == (4, 4, 64)
    for values in maps.values():
        assert values.dtype == np.float32 and values.min() >= 0 and values.max() > 0  # post-ReLU, not dead


def test_block_activations_equal_a_single_layer_model(model, test_digit):
    import keras

    maps = activations.block_activations(activations.activation_model(model), test_digit)
    for name in BLOCK_OUTPUT_NAMES:
        reference = keras.Model(model.input, model.get_layer(name).output).predict_on_batch(test_digit[np.newaxis])[0]
        np.testing.assert_allclose(maps[name], reference, rtol=0, atol=1e-6, err_msg=name)


def test_block_activations_reject_a_wrong_shape(model):
    with pytest.raises(ValueError, match="shape"):
        activations.block_activations(activations.activation_model(model), np.zeros((28, 28), np.float32))


def test_tile_scales_each_map_to_0_1_and_leaves_1px_gaps():
    rng = np.random.default_rng(0)
    maps = rng.normal(size=(10, 3, 3)).astype(np.float32) * np.arange(1, 11)[:, None, None]  # different ranges
    maps[9] = 7.0  # a constant map must not divide by zero
    grid = activations.tile(maps, columns=4, background=0.5)
    assert grid.shape == (3 * 3 + 2, 4 * 3 + 3) and grid.dtype == np.float32
    assert grid.min() >= 0 and grid.max() <= 1
    first = grid[0:3, 0:3]
    assert first.min() == 0 and first.max() == 1  # each map uses the full range
    assert np.all(grid[3, :] == 0.5) and np.all(grid[:, 3] == 0.5)  # the 1-px gaps
    np.testing.assert_array_equal(grid[8:11, 4:7], 0)  # map 9 (constant) -> 0
    np.testing.assert_array_equal(grid[8:11, 8:11], 0.5)  # unused cells keep the background


def test_tile_default_grid_is_near_square():
    assert activations.tile(np.ones((32, 12, 12))).shape == (6 * 12 + 5, 6 * 12 + 5)  # 6 columns, ceil(32 / 6) = 6 rows
    assert activations.tile(np.ones((64, 4, 4))).shape == (8 * 4 + 7, 8 * 4 + 7)
    with pytest.raises(ValueError):
        activations.tile(np.ones((12, 12)))


def test_enlarge_grid_is_nearest_neighbour_uint8():
    big = pixels.enlarge_grid(np.array([[0.0, 1.0]], np.float32), scale=3)
    assert big.dtype == np.uint8 and big.shape == (3, 6)
    assert (big[:, :3] == 0).all() and (big[:, 3:] == 255).all()


def test_tile_scale_enlarges_each_map_but_not_the_gaps():
    maps = np.stack([np.eye(3), np.ones((3, 3))]).astype(np.float32)
    grid = activations.tile(maps, columns=2, gap=1, scale=4)
    assert grid.shape == (12, 25)
    np.testing.assert_array_equal(grid[:, :12], np.kron(np.eye(3), np.ones((4, 4))))
    assert np.all(grid[:, 12] == 0.5)
