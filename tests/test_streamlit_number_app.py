"""The app's number mode in an AppTest: the mode switch, the "Number" metric, correcting one digit and keeping it.

AppTest cannot draw on the canvas (a v2 component), but it can hand the component's state the
strokes the canvas would send, [[x, y], ...] canvas pixels of the 840 x 280 number canvas, and
this browser's visitor id: the rest of the app runs for real on the shipped models. Drawing with
the mouse in real Chromium is tests/test_streamlit_number.py.
"""

from __future__ import annotations

import pytest

from digit_data.numbers import compose_numbers
from mnist_draw import kept_drawings, number_reading
from mnist_draw.held_out_writers import held_out
from mnist_draw.inference import load_model, model_path_from_env
from mnist_draw.kept_drawings import DRAWINGS_DIR_ENV
from mnist_draw.stroke_inference import load_stroke_reader

VISITOR = "0123456789abcdef0123456789abcdef"
OTHER_VISITOR = "fedcba9876543210fedcba9876543210"
HELD_OUT_SEED = 53


@pytest.fixture(scope="module")
def numbers(pen_digits):
    """Held-out writers' numbers as the canvas sends them: strokes of [x, y] lists."""
    return compose_numbers(held_out(pen_digits), 3, seed=HELD_OUT_SEED, lengths=range(3, 6))


@pytest.fixture(scope="module")
def models():
    path = model_path_from_env()
    return load_model(path), load_stroke_reader(path)


@pytest.fixture
def drawings(tmp_path, monkeypatch):
    folder = tmp_path / "drawings"
    monkeypatch.setenv(DRAWINGS_DIR_ENV, str(folder))
    return folder


def number_metric(at) -> str:
    values = [metric.value for metric in at.metric if metric.label == "Number"]
    assert len(values) == 1, values
    return values[0]


def write(at, strokes, visitor: str = VISITOR):
    """Number mode, with `strokes` on its canvas as the canvas sends them -> the app run on them."""
    at.session_state["mode"] = "Number"
    at.session_state["number-canvas"] = {"strokes": [[list(point) for point in s] for s in strokes], "visitor": visitor}
    at.run()
    assert not at.exception
    return at


def test_digit_mode_is_the_default_and_number_mode_starts_empty(trained_app):
    at = trained_app.run()
    assert at.button_group(key="mode").value == "Digit"
    assert "Number" not in [metric.label for metric in at.metric]
    at.button_group(key="mode").set_value("Number").run()
    assert not at.exception
    assert number_metric(at) == ""
    assert any("Write a number" in info.value for info in at.info)


def test_a_written_number_is_read_as_the_library_reads_it(trained_app, numbers, models, drawings):
    """The app's "Number" is number_reading's answer for the same strokes, and most are the digits written."""
    right = 0
    for composed in numbers:
        at = write(trained_app, composed.strokes)
        expected = number_reading.read_number(*models, composed.strokes).text
        assert number_metric(at) == expected
        right += expected == "".join(map(str, composed.digits))
        # One caption per digit: its answer and confidence.
        captions = [caption for image in at.get("image") for caption in image.captions or []]
        assert [caption[0] for caption in captions if caption.endswith("%")] == list(expected)
    assert right >= len(numbers) - 1


def test_a_corrected_digit_is_kept_for_that_visitor_and_read_with_it(trained_app, numbers, models, drawings):
    composed = numbers[0]
    at = write(trained_app, composed.strokes)
    read = number_metric(at)
    groups = number_reading.read_number(*models, composed.strokes).groups  # the groups the app shows
    wrong = str((int(read[0]) + 1) % 10) if read[0].isdigit() else "1"
    chooser = next(widget for widget in at.get("button_group") if widget.key.startswith("group-"))
    chooser.set_value(0).run()
    meant = next(widget for widget in at.get("button_group") if widget.key.startswith("group-meant-"))
    meant.set_value(wrong).run()
    keep = next(button for button in at.button if button.key.startswith("keep-group-"))
    assert keep.label == f"Keep digit #1 as a {wrong}"
    keep.click().run()
    assert not at.exception
    kept, problems = kept_drawings.list_drawings(VISITOR, drawings)
    assert problems == [] and [digit.label for _, digit in kept] == [int(wrong)]
    # Its own strokes only, moved by whole pixels (to the middle of a square as big as digit mode's canvas).
    expected, side = number_reading.group_drawing(composed.strokes, groups[0], 280)
    assert [list(map(tuple, stroke)) for stroke in kept[0][1].strokes] == expected
    assert (kept[0][1].width, kept[0][1].height) == (side, side)
    assert any("kept as a" in success.value for success in at.success)
    # The kept drawing votes on that group: the same number now reads the corrected digit first.
    assert number_metric(at) == wrong + read[1:]
    assert any("From your drawings" in caption.value for caption in at.caption)
    # The switch brings back the plain models' answer.
    at.toggle(key="adapt").set_value(False).run()
    assert number_metric(at) == read


def test_another_visitor_is_not_read_with_someone_elses_drawings(trained_app, numbers, models, drawings):
    composed = numbers[0]
    plain = number_reading.read_number(*models, composed.strokes)
    group = plain.groups[0]
    strokes, side = number_reading.group_drawing(composed.strokes, group, 280)
    wrong = (plain.digits[0] + 1) % 10 if plain.digits[0] is not None else 1
    digit = kept_drawings.drawing_from_strokes(strokes, wrong, canvas_size=side)
    kept_drawings.save_drawing(digit, VISITOR, drawings)
    assert number_metric(write(trained_app, composed.strokes, OTHER_VISITOR)) == plain.text


def test_digit_mode_shows_a_question_mark_for_a_drawing_that_is_no_digit(trained_app, models, drawings):
    """A made-up scrawl (a kind training never saw) in digit mode: "Prediction" is "?", as the library reads it."""
    import numpy as np

    from digit_data.non_digits import make_non_digits
    from mnist_draw.inference import predict_probabilities
    from mnist_draw.preprocess import preprocess_ink
    from mnist_draw.render import render_canvas_strokes
    from mnist_draw.stroke_inference import read_digit

    scrawls = make_non_digits(12, np.random.default_rng(5), "unseen", families=("scribble",))
    model, reader = models
    refused = [
        item.strokes
        for item in scrawls
        if read_digit(
            predict_probabilities(model, preprocess_ink(render_canvas_strokes(item.strokes))), reader, item.strokes
        ).digit
        is None
    ]
    assert len(refused) >= 9, f"only {len(refused)} of 12 scrawls read as not a digit"
    at = trained_app
    at.session_state["canvas"] = {"strokes": [[list(point) for point in s] for s in refused[0]], "visitor": VISITOR}
    at.run()
    assert not at.exception
    assert [metric.value for metric in at.metric if metric.label == "Prediction"] == ["?"]
    assert any("does not look like a digit" in info.value for info in at.info)


def test_the_address_keeps_the_mode(trained_app):
    """?mode=number opens number mode (a link, a reload); switching writes the mode into the address."""
    at = trained_app
    at.query_params["mode"] = "number"
    at.run()
    assert not at.exception and at.button_group(key="mode").value == "Number"
    assert number_metric(at) == ""
    at.button_group(key="mode").set_value("Digit").run()
    assert "mode" not in at.query_params
    at.button_group(key="mode").set_value("Number").run()
    assert at.query_params["mode"] == "number"
