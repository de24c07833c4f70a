"""The bound on a drawing (mnist_draw/config.py), held by every reader and writer of strokes.

Its JavaScript twin, web/js/limits.js, is generated from the config (`python -m
mnist_draw.strokes`); the first test fails when the two disagree. The readers refuse anything
past the bound, and anything that is not a regular file, in one line without reading it.
"""

from __future__ import annotations

import os
import threading

import pytest

from mnist_draw import config
from mnist_draw.strokes import (
    FILE_FORMAT,
    LIMITS_JS_PATH,
    StrokeError,
    from_json,
    limits_js,
    make_digit,
    read_stroke_file,
    stroke_file_bytes,
)
from train.kept_drawings import load_drawings


def test_the_javascript_limits_are_generated_from_the_config():
    assert LIMITS_JS_PATH.read_text(encoding="utf-8") == limits_js(), (
        "web/js/limits.js is out of date: run `python -m mnist_draw.strokes`"
    )
    for value in (config.MAX_POINTS_PER_DIGIT, config.MAX_STROKES_PER_DIGIT, config.MAX_DIGITS_PER_FILE):
        assert f": {value}," in limits_js()


def test_a_file_within_every_count_bound_fits_the_byte_bound():
    # The widest point the canvas records: two decimals, dragged far past the canvas edge.
    point = [-500.25, -500.25]
    digit = make_digit(
        [[point] * config.MAX_POINTS_PER_DIGIT], label=8, writer="app", width=280, height=280, drawn_at="x" * 25
    )
    one = len(stroke_file_bytes([digit]))
    assert one * config.MAX_DIGITS_PER_FILE < config.MAX_STROKE_FILE_BYTES


def test_a_digit_past_the_point_bound_is_refused_in_one_line():
    with pytest.raises(StrokeError, match=f"more than the {config.MAX_POINTS_PER_DIGIT} points"):
        make_digit([[(1.0, 2.0)] * (config.MAX_POINTS_PER_DIGIT + 1)])


def test_a_digit_past_the_stroke_bound_is_refused_in_one_line():
    with pytest.raises(StrokeError, match=f"more than the {config.MAX_STROKES_PER_DIGIT} a digit may have"):
        from_json({"canvas": {"width": 1, "height": 1}, "strokes": [[[0, 0]]] * (config.MAX_STROKES_PER_DIGIT + 1)})


def test_a_two_million_point_file_is_refused_at_once(tmp_path):
    path = tmp_path / "huge.json"
    record = {"label": 1, "canvas": {"width": 280, "height": 280}, "strokes": [[[1, 2]] * 2_000_000]}
    import json

    path.write_text(json.dumps({"format": FILE_FORMAT, "version": 1, "digits": [record]}))
    with pytest.raises(StrokeError, match="points") as error:
        read_stroke_file(path)
    assert "\n" not in str(error.value) and str(path) in str(error.value)


def test_too_many_digits_in_one_file_are_refused(tmp_path):
    digit = make_digit([[(1, 2)]], label=1)
    with pytest.raises(StrokeError, match="digits, more than"):
        stroke_file_bytes([digit] * (config.MAX_DIGITS_PER_FILE + 1))


def test_a_file_past_the_byte_bound_is_refused_without_reading_it(tmp_path, monkeypatch):
    monkeypatch.setattr("mnist_draw.strokes.MAX_STROKE_FILE_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 101)
    with pytest.raises(StrokeError, match="101 bytes, more than the 100"):
        read_stroke_file(path)


def test_a_device_is_refused_without_reading_it():
    with pytest.raises(StrokeError, match="not a regular file"):
        read_stroke_file("/dev/zero")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(pytest.raises(StrokeError, read_stroke_file, fifo)))
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading a FIFO waited for a writer"
    assert "not a regular file" in str(outcome[0].value)


def test_a_folder_named_like_a_stroke_file_is_refused(tmp_path):
    folder = tmp_path / "x.json"
    folder.mkdir()
    with pytest.raises(StrokeError, match="a folder, not a stroke file"):
        read_stroke_file(folder)


def test_drawings_skips_devices_pipes_and_oversized_files_with_one_warning_each(tmp_path):
    good = tmp_path / "good.json"
    good.write_bytes(stroke_file_bytes([make_digit([[(1, 2), (30, 40)]], label=3, width=280, height=280)]))
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    (tmp_path / "dir.json").mkdir()
    warnings = []
    digits, record = load_drawings([tmp_path, "/dev/zero"], warn=warnings.append)
    assert [digit.label for digit in digits] == [3] and record["files"] == [str(good)]
    assert len(warnings) == 3 and all("\n" not in line and "not a regular file" in line for line in warnings)
