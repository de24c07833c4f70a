"""train/stroke_data.py augmentation and train/stroke_model.py: shapes, ranges, invariances, a smoke fit."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_draw.config import NUM_CLASSES
from mnist_draw.pen_path import FEATURE_NAMES, path_features
from mnist_draw.strokes import make_digit
from train.stroke_data import NO_AUGMENTATION, Augmentation, augment, resample_stroke, training_arrays, vary_order

SEVEN = [[(30.0, 28.0), (112.0, 28.5), (62.0, 128.0)], [(55.5, 80.0), (100.25, 78.0)]]
FOUR = [[(60.0, 20.0), (40.0, 110.0), (120.0, 108.0)], [(100.0, 30.0), (101.0, 190.0)]]


def digits(count: int = 20) -> list:
    return [make_digit(SEVEN if index % 2 else FOUR, label=7 if index % 2 else 4) for index in range(count)]


def test_augmented_digit_keeps_its_features_shape_and_ranges():
    rng = np.random.default_rng(0)
    for _ in range(50):
        features = path_features(augment(SEVEN, rng))
        assert features.shape == (32, len(FEATURE_NAMES)) and np.isfinite(features).all()
        assert np.abs(features[:, :2]).max() <= 1.0 + 1e-6


def test_no_augmentation_leaves_the_features_alone():
    rng = np.random.default_rng(0)
    np.testing.assert_allclose(path_features(augment(SEVEN, rng, NO_AUGMENTATION)), path_features(SEVEN), atol=1e-6)


def test_augmentation_changes_the_digit_but_not_too_much():
    rng = np.random.default_rng(1)
    plain = path_features(SEVEN)
    distances = [np.abs(path_features(augment(SEVEN, rng))[:, :2] - plain[:, :2]).mean() for _ in range(30)]
    assert 0.005 < np.median(distances) < 0.3


def test_augmentation_is_reproducible_from_the_seed():
    first = augment(FOUR, np.random.default_rng(7))
    second = augment(FOUR, np.random.default_rng(7))
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_resampling_a_stroke_keeps_its_ends_and_spacing():
    stroke = np.array([[0.0, 0.0], [10.0, 0.0]])
    resampled = resample_stroke(stroke, 2.5)
    np.testing.assert_allclose(resampled[[0, -1]], stroke)
    np.testing.assert_allclose(np.diff(resampled[:, 0]), 2.5)
    np.testing.assert_array_equal(resample_stroke(np.array([[3.0, 4.0], [3.0, 4.0]]), 1.0), [[3.0, 4.0]])


def test_joining_strokes_keeps_every_point_in_order():
    always_join = Augmentation(
        join_probability=1.0,
        reorder_probability=0.0,
        reverse_probability=0.0,
        main_reverse_probability=0.0,
        split_probability=0.0,
    )
    joined = vary_order([np.asarray(stroke) for stroke in SEVEN], np.random.default_rng(0), always_join)
    assert len(joined) == 1
    np.testing.assert_array_equal(joined[0], np.concatenate([np.asarray(stroke) for stroke in SEVEN]))


def test_reversal_spares_the_longest_stroke():
    always_reverse = Augmentation(
        join_probability=0.0,
        reorder_probability=0.0,
        reverse_probability=1.0,
        main_reverse_probability=0.0,
        split_probability=0.0,
    )
    strokes = vary_order([np.asarray(stroke) for stroke in SEVEN], np.random.default_rng(0), always_reverse)
    np.testing.assert_array_equal(strokes[0], SEVEN[0])
    np.testing.assert_array_equal(strokes[1], np.asarray(SEVEN[1])[::-1])


def test_splitting_lifts_the_pen_once_inside_the_main_stroke():
    always_split = Augmentation(
        join_probability=0.0, reorder_probability=0.0, main_reverse_probability=0.0, split_probability=1.0
    )
    loop = [np.array([[np.cos(t), np.sin(t)] for t in np.linspace(0, 6, 20)])]
    halves = vary_order(loop, np.random.default_rng(0), always_split)
    assert len(halves) == 2 and 6 <= len(halves[0]) <= 14
    np.testing.assert_array_equal(np.concatenate(halves), loop[0])


@pytest.mark.parametrize("strokes", [[[(5.0, 5.0)]], [[(5.0, 5.0), (5.0, 5.0)], [(5.0, 5.0)]]], ids=["dot", "dots"])
def test_degenerate_digits_survive_augmentation(strokes):
    features = path_features(augment(strokes, np.random.default_rng(0)))
    assert np.isfinite(features).all()


def test_training_arrays_make_one_fresh_copy_per_round():
    features, labels = training_arrays(digits(4), copies=3, seed=0)
    assert features.shape == (12, 32, len(FEATURE_NAMES)) and features.dtype == np.float32
    assert labels.tolist() == [4, 7] * 6
    assert not np.array_equal(features[0], features[4])
    plain, _ = training_arrays(digits(2), copies=2, seed=0, augmentation=None, n_points=16)
    np.testing.assert_array_equal(plain[0], plain[2])


def test_stroke_model_smoke_trains_and_outputs_probabilities():
    import keras

    from train.stroke_model import StrokeModelConfig, build_stroke_model, compile_stroke_model

    keras.utils.set_random_seed(0)
    config = StrokeModelConfig(n_points=16, num_filters=8, epochs=2, batch_size=8)
    features, labels = training_arrays(digits(16), copies=1, seed=0, n_points=16)
    model = compile_stroke_model(build_stroke_model(config), config, steps_per_epoch=2)
    history = model.fit(features, labels, epochs=config.epochs, batch_size=config.batch_size, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    probabilities = model.predict(features[:3], verbose=0)
    assert probabilities.shape == (3, NUM_CLASSES)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert {type(layer).__name__ for layer in model.layers} <= {
        "InputLayer",
        "Conv1D",
        "MaxPooling1D",
        "GlobalAveragePooling1D",
        "GlobalMaxPooling1D",
        "Concatenate",
        "Dropout",
        "Dense",
    }


def test_smoothing_keeps_a_strokes_ends_and_length_and_takes_out_its_wobble():
    from train.stroke_data import smooth

    rng = np.random.default_rng(0)
    line = np.stack([np.linspace(0, 100, 40), np.zeros(40)], axis=1)
    shaky = line + np.stack([np.zeros(40), rng.normal(0, 2, 40)], axis=1)
    (smoothed,) = smooth([shaky], np.random.default_rng(1), Augmentation(smooth_probability=1.0))
    assert len(smoothed) == len(shaky)
    np.testing.assert_array_equal(smoothed[[0, -1]], shaky[[0, -1]])
    assert np.abs(smoothed[1:-1, 1]).std() < np.abs(shaky[1:-1, 1]).std()
    assert smooth([shaky], rng, Augmentation(smooth_probability=0.0))[0] is shaky
