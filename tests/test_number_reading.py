"""mnist_draw/number_reading.py: a number's groups inked alone as the canvas inks them, read in one batch per model."""

from __future__ import annotations

import numpy as np
import pytest

from digit_data.non_digits import make_non_digits
from digit_data.numbers import compose_numbers
from mnist_draw import adapt, number, pen_path
from mnist_draw.held_out_writers import held_out
from mnist_draw.inference import load_model, model_path_from_env, predict_outputs
from mnist_draw.number_reading import (
    group_drawing,
    group_ink,
    ink_rectangle,
    read_candidates,
    read_groups,
    read_number,
)
from mnist_draw.preprocess import preprocess_ink
from mnist_draw.render import render_canvas_strokes
from mnist_draw.stroke_inference import load_stroke_reader, read_digit
from train.not_a_digit import clean_zero_strokes

HELD_OUT_SEED = 11  # numbers neither the grouping's tuning nor these models saw: held-out writers only


@pytest.fixture(scope="module")
def models():
    path = model_path_from_env()
    return load_model(path), load_stroke_reader(path)


@pytest.fixture(scope="module")
def numbers(pen_digits):
    return compose_numbers(held_out(pen_digits), 60, seed=HELD_OUT_SEED)


def test_the_ink_rectangle_is_the_pages():
    # numberRead.js inkAlone: floor(x0 - reach), ceil(x1 + reach), reach = pen / 2 + 2.
    assert ink_rectangle((100.5, 20.25, 150.0, 200.75), 22) == (87, 7, 76, 207)
    assert ink_rectangle((13.0, 13.0, 13.0, 13.0), 22) == (0, 0, 26, 26)


@pytest.mark.parametrize("pen_width", [14, 22, 34.5])
def test_a_group_inked_alone_is_the_canvas_rectangle_of_its_strokes(numbers, pen_width):
    """Moving a group by whole pixels keeps the canvas's pixel grid: its ink is the canvas's, pixel for pixel."""
    for composed in numbers[:6]:
        for group in number.group_strokes(composed.strokes):
            strokes = [composed.strokes[index] for index in group.stroke_indices]
            # A canvas wider than the number's, so that no ink is cut off at its right or bottom edge.
            canvas = render_canvas_strokes(strokes, pen_width, canvas_size=int(composed.width) + 50)
            left, top, width, height = ink_rectangle(group.box, pen_width)
            ink = group_ink(strokes, group.box, pen_width)
            assert ink.shape == (height, width)
            # Where the rectangle reaches past the canvas's left or top edge, the canvas has no pixels to compare.
            inside = ink[max(-top, 0) :, max(-left, 0) :]
            np.testing.assert_array_equal(inside, canvas[max(top, 0) : top + height, max(left, 0) : left + width])
            if left >= 0 and top >= 0:  # all the canvas's ink is inside the rectangle
                assert ink.sum() == pytest.approx(canvas.sum(), abs=1e-6)


def test_held_out_numbers_are_read_digit_for_digit(models, numbers):
    model, reader = models
    readings = [read_number(model, reader, composed.strokes) for composed in numbers]
    exact = sum(reading.text == "".join(map(str, composed.digits)) for composed, reading in zip(numbers, readings))
    assert exact >= 0.9 * len(numbers), f"{exact} of {len(numbers)} numbers read exactly"
    for reading in readings:
        assert len(reading.readings) == len(reading.groups) == len(reading.text) == len(reading.images)


def test_the_readers_choice_groups_held_out_numbers_at_least_as_well_as_geometry(models, numbers):
    model, reader = models
    truths = [list(composed.groups) for composed in numbers]
    geometric = [[group.stroke_indices for group in number.group_strokes(composed.strokes)] for composed in numbers]
    chosen = [[group.stroke_indices for group in read_number(model, reader, c.strokes).groups] for c in numbers]
    assert sum(map(list.__eq__, chosen, truths)) >= sum(map(list.__eq__, geometric, truths))


def test_every_candidate_group_is_read_once_and_the_choice_is_one_of_the_groupings(models, numbers):
    model, reader = models
    for composed in numbers[:10]:
        candidates = read_candidates(model, reader, composed.strokes)
        keys = [group.stroke_indices for group in candidates.groups]
        assert len(set(keys)) == len(keys) == len(candidates.readings) == len(candidates.images)
        assert [keys[index] for index in candidates.groupings[0]] == [
            group.stroke_indices for group in number.group_strokes(composed.strokes)
        ]
        read = read_number(model, reader, composed.strokes)
        chosen = candidates.groupings[candidates.choice()]
        assert [group.stroke_indices for group in read.groups] == [keys[index] for index in chosen]
        assert read.digits == tuple(candidates.readings[index].digit for index in chosen)


def test_the_batch_answers_as_digit_mode_does_one_group_at_a_time(models, numbers):
    model, reader = models
    composed = numbers[0]
    read = read_number(model, reader, composed.strokes)
    for group, image, reading in zip(read.groups, read.images, read.readings):
        strokes = [composed.strokes[index] for index in group.stroke_indices]
        alone = read_digit(predict_outputs(model, image), reader, strokes)
        np.testing.assert_allclose(reading.probabilities, alone.probabilities, atol=1e-4)
        assert reading.not_a_digit == pytest.approx(alone.not_a_digit, abs=1e-4)
        assert reading.digit == alone.digit


def test_a_scribble_is_not_a_digit(models):
    model, reader = models
    scribbles = make_non_digits(30, np.random.default_rng(5), "unseen", families=("scribble",))
    alone = [item.strokes for item in scribbles if len(number.group_strokes(item.strokes)) == 1]
    texts = [read_number(model, reader, strokes).text for strokes in alone]
    assert len(alone) >= 10 and texts.count("?") >= 0.7 * len(alone), texts


def test_nothing_drawn_reads_as_no_number(models):
    read = read_number(*models, [])
    assert (read.groups, read.readings, read.text, read.images.shape) == ((), (), "", (0, 28, 28, 1))


def test_a_kept_drawing_votes_on_its_own_group_only(models, numbers):
    model, reader = models
    composed = numbers[1]
    plain = read_number(model, reader, composed.strokes)
    first = plain.groups[0]
    wrong = (plain.digits[0] + 1) % 10
    kept, _ = group_drawing(composed.strokes, first, 280)
    memory = adapt.kept_memory(pen_path.batch_features([kept] * 3), [wrong] * 3)
    taught = read_number(model, reader, composed.strokes, memory=memory)
    assert taught.digits[0] == wrong and taught.adapted[0]
    assert taught.digits[1:] == plain.digits[1:]


def test_a_kept_group_is_moved_by_whole_pixels_to_the_middle_of_a_square(numbers):
    composed = numbers[2]
    group = number.group_strokes(composed.strokes)[0]
    kept, side = group_drawing(composed.strokes, group, 280)
    assert side == 280
    moved = np.concatenate([np.asarray(stroke) for stroke in kept])
    original = np.concatenate([np.asarray(composed.strokes[index]) for index in group.stroke_indices])
    shift = moved - original
    np.testing.assert_allclose(shift, np.round(shift[0]) + 0 * shift, atol=0.006)
    centre = (moved.min(axis=0) + moved.max(axis=0)) / 2
    assert np.all(np.abs(centre - side / 2) <= 0.5 + 0.006)


def read_alone(models, drawings: list) -> list:
    """Drawings (each a list of strokes in canvas pixels, default pen) -> their Readings, each read
    alone on the digit canvas, both models fused as every front end reads a digit (read_groups)."""
    image_model, reader = models
    images = np.stack([preprocess_ink(render_canvas_strokes(strokes)) for strokes in drawings])
    return read_groups(image_model, reader, images, drawings)


def test_a_round_zero_drawn_slowly_is_a_zero_not_a_refusal(models):
    # A slow mouse draws a 0 as a near-perfect ellipse, which no pen writer does; a model that learnt
    # "clean and round is no digit" refuses it. The threshold is low, so this is its margin.
    readings = read_alone(models, clean_zero_strokes(200, seed=6))
    assert np.mean([reading.probabilities.argmax() == 0 for reading in readings]) == 1.0
    assert np.mean([not reading.is_digit for reading in readings]) <= 0.01


def test_a_tap_of_two_or_three_samples_is_not_a_digit(models):
    # The pen path scales a tap up to full size: a short straight stroke, a 1 to the stroke model.
    # Its picture is a dot, which the image model learnt is no digit, and the fused reading says so.
    rng = np.random.default_rng(3)
    taps = [
        [rng.uniform(60, 220, 2) + np.cumsum(rng.normal(0, 1.5, (samples, 2)), axis=0)]
        for samples in (2, 3)
        for _ in range(20)
    ]
    refused = np.array([not reading.is_digit for reading in read_alone(models, taps)])
    assert refused[:20].all()  # two samples: every one
    assert refused[20:].mean() >= 0.8  # three: a few are a short dash, which may be a 1
