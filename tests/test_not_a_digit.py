"""train/not_a_digit.py: the made-up non-digits a stroke model learns, its threshold, and the alternatives' scores."""

from __future__ import annotations

import numpy as np
import pytest

from digit_data.non_digits import NonDigit
from mnist_draw import held_out_writers
from mnist_draw.config import NOT_A_DIGIT
from mnist_draw.fusion import fuse
from train import mix, not_a_digit, pen
from train.config import TrainConfig


def test_the_share_of_non_digits_per_epoch():
    assert not_a_digit.non_digit_count(0.0, 1000) == 0
    assert not_a_digit.non_digit_count(0.2, 800) == 200  # 200 of 1,000 paths
    assert not_a_digit.non_digit_count(0.5, 10) == 10


def test_the_threshold_is_the_lowest_that_keeps_the_refusals_within_budget():
    p = np.zeros(1000)
    assert not_a_digit.choose_threshold(p, 0.002) == not_a_digit.THRESHOLD_GRID[0]
    p[:5] = 0.95  # five digits of 1,000 look like no digit: 0.5% refused at every cut up to 0.95
    assert not_a_digit.choose_threshold(p, 0.002) == 0.97
    assert not_a_digit.choose_threshold(p, 0.005) == not_a_digit.THRESHOLD_GRID[0]
    assert not_a_digit.choose_threshold(np.ones(10), 0.002) == not_a_digit.THRESHOLD_GRID[-1]


def test_taps_of_several_samples_are_left_out_and_single_points_kept():
    point = NonDigit([np.array([[5.0, 5.0]])], "dot", "tap")
    tap = NonDigit([np.array([[5.0, 5.0], [6.0, 7.0]])], "dot", "tap")
    specks = NonDigit([np.array([[5.0, 5.0]]), np.array([[9.0, 9.0]])], "dot", "specks")
    assert not_a_digit.unambiguous([point, tap, specks]) == [point, specks]


def test_training_features_are_fresh_pen_paths_of_the_asked_count(pen_digits):
    features = not_a_digit.training_features(pen_digits[:60], 40, seed=3, n_points=16)
    assert features.shape == (40, 16, 5) and features.dtype == np.float32
    assert np.abs(features[..., :4]).max() <= 1 + 1e-6 and set(np.unique(features[..., 4])) <= {0.0, 1.0}
    np.testing.assert_array_equal(features, not_a_digit.training_features(pen_digits[:60], 40, seed=3, n_points=16))


def test_energy_is_zero_when_the_models_agree_and_grows_as_they_part():
    same = np.eye(10)[[3]] * 0.9 + 0.01
    other = np.eye(10)[[5]] * 0.9 + 0.01
    assert not_a_digit.energy(same, same, 0.6)[0] == pytest.approx(0, abs=1e-9)
    assert not_a_digit.energy(same, other, 0.6)[0] > 1


def test_the_report_cuts_each_alternative_at_the_same_refusal_budget():
    rng = np.random.default_rng(0)
    digits, others = 2000, 300
    digit_stroke = np.concatenate([rng.dirichlet(np.ones(10) * 0.1, digits) * 0.995, np.full((digits, 1), 0.005)], 1)
    digit_image = digit_stroke[:, :10] / digit_stroke[:, :10].sum(1, keepdims=True)
    other_stroke = np.concatenate([np.full((others, 10), 0.01), np.full((others, 1), 0.9)], 1)
    other_image = rng.dirichlet(np.ones(10), others)
    families = ["scribble"] * 150 + ["letter"] * 150
    result = not_a_digit.report(digit_stroke, digit_image, other_stroke, other_image, families, 0.6, 0.002)
    assert (
        result["threshold"] == not_a_digit.THRESHOLD_GRID[0]
        and result["methods"]["learnt_class"]["non_digits_caught"] == 1.0
    )
    for method in result["methods"].values():
        assert method["digits_refused"] <= 0.002 and set(method["caught_by_family"]) == {"letter", "scribble"}
    # The energy alternative is the fused pair's own normaliser.
    stroke_digits = other_stroke[:, :10] / other_stroke[:, :10].sum(1, keepdims=True)
    mixed = np.exp(0.6 * np.log(stroke_digits) + 0.4 * np.log(other_image))
    np.testing.assert_allclose(not_a_digit.energy(stroke_digits, other_image, 0.6), -np.log(mixed.sum(1)), rtol=1e-6)
    np.testing.assert_allclose(mixed / mixed.sum(1, keepdims=True), fuse(stroke_digits, other_image, 0.6), atol=1e-6)


def test_clean_zeros_are_round_one_stroke_paths_and_none_is_an_empty_batch():
    zeros = not_a_digit.clean_zeros(5, seed=0, n_points=16)
    assert zeros.shape == (5, 16, 5) and zeros.dtype == np.float32
    assert (zeros[..., 4] == 1).all()  # one stroke: the pen never lifts
    assert np.abs(zeros[:, :, :2]).max() <= 1 + 1e-6
    assert not_a_digit.clean_zeros(0, seed=0, n_points=16).shape == (0, 16, 5)


def test_half_the_training_non_digits_are_turned_digits_and_the_rest_made_up(pen_digits):
    items = not_a_digit.training_items(
        held_out_writers.training_writers(pen_digits)[:200], 40, np.random.default_rng(1)
    )
    families = [item.family for item in items]
    assert len(items) == 40 and families.count("turned") == round(not_a_digit.TURNED_SHARE * 40)
    assert len(set(families) - {"turned"}) >= 3  # scribbles, letters, shapes, ...


def test_training_non_digits_are_drawn_as_pen_digits_are_and_kept(pen_digits, tmp_path, monkeypatch):
    monkeypatch.setenv(pen.CACHE_DIR_ENV, str(tmp_path))
    writers = held_out_writers.training_writers(pen_digits)[:200]
    lines = []
    images = not_a_digit.render_training_images(writers, 12, seed=5, log=lines.append)
    assert images.shape == (12, 28, 28) and images.dtype == np.uint8
    assert (images.reshape(12, -1).max(axis=1) > 100).all()  # every one has ink
    again = not_a_digit.render_training_images(writers, 12, seed=5, log=lines.append)
    np.testing.assert_array_equal(images, again)
    assert "rendered 12" in lines[0] and "from the cache" in lines[1]
    with pytest.raises(ValueError, match="held-out"):
        not_a_digit.render_training_images(held_out_writers.held_out(pen_digits)[:50], 4, seed=5)


def test_non_digits_fill_their_share_of_the_mix_with_the_not_a_digit_label(pen_digits, tmp_path, monkeypatch):
    monkeypatch.setenv(pen.CACHE_DIR_ENV, str(tmp_path))
    images, labels = np.zeros((80, 28, 28), np.uint8), np.arange(80, dtype=np.uint8) % 10
    config = TrainConfig(fine_tune=True, non_digit_share=0.2)
    mixed, mixed_labels, record = mix.add_non_digits(config, images, labels, pen_digits)
    assert len(mixed) == 100 and (mixed_labels == NOT_A_DIGIT).sum() == 20 == record["images_per_epoch"]
    np.testing.assert_array_equal(mixed_labels[:80], labels)
    assert mix.add_non_digits(TrainConfig(), images, labels, pen_digits)[2] is None
    without_pen = TrainConfig(fine_tune=True, non_digit_share=0.2, pen_share=0.0)
    assert mix.training_set(without_pen, images, labels, pen_digits)[2] == {"share": 0.0}  # none drawn to mix in
    assert mix.load_pen_digits(without_pen, None) is not None  # but read: the non-digits are made from them
