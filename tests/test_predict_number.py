"""`python -m mnist_draw.predict --number`: every drawing of a stroke file read as a number, as the page reads it."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from digit_data.non_digits import make_non_digits
from digit_data.numbers import compose_numbers
from mnist_draw import number
from mnist_draw.config import PROJECT_ROOT
from mnist_draw.held_out_writers import held_out
from mnist_draw.strokes import make_digit, write_stroke_file

COUNT = 60  # composed numbers of the held-out writers, 2-8 digits each (97.6% of 500 read exactly)
HELD_OUT_SEED = 31


def run_cli(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mnist_draw.predict", *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def own_lines(stderr: str) -> list[str]:
    """The command's own stderr lines: TensorFlow's C++ start-up notes are not its."""
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith(("error:", "warning:"))]


@pytest.fixture(scope="module")
def files(tmp_path_factory, pen_digits):
    """numbers.json (held-out writers' composed numbers on the 840 x 280 number canvas), scribble.json
    (one scribble alone), a photo and a broken stroke file."""
    folder = tmp_path_factory.mktemp("numbers")
    numbers = compose_numbers(held_out(pen_digits), COUNT, seed=HELD_OUT_SEED)
    write_stroke_file(
        folder / "numbers.json",
        [make_digit(composed.strokes, width=composed.width, height=composed.height) for composed in numbers],
    )
    scribbles = make_non_digits(12, np.random.default_rng(3), "unseen", families=("scribble",))
    alone = [item.strokes for item in scribbles if len(number.group_strokes(item.strokes)) == 1]
    write_stroke_file(folder / "scribble.json", [make_digit(strokes, width=280, height=280) for strokes in alone])
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(folder / "photo.png")
    (folder / "broken.json").write_text('{"format": "mnist-draw-strokes", "digits": [')
    return folder, numbers, len(alone)


@pytest.fixture(scope="module")
def json_run(files):
    folder, _, _ = files
    return run_cli("--number", "--json", str(folder / "numbers.json"), str(folder / "scribble.json"))


def test_held_out_numbers_are_read_exactly(files, json_run):
    _, numbers, _ = files
    assert json_run.returncode == 0 and own_lines(json_run.stderr) == []
    records = [json.loads(line) for line in json_run.stdout.splitlines()]
    read = [record["number"] for record in records if record["file"].endswith("numbers.json")]
    expected = ["".join(map(str, composed.digits)) for composed in numbers]
    exact = sum(got == want for got, want in zip(read, expected, strict=True))
    assert exact >= 0.9 * COUNT, list(zip(read, expected))


def test_json_fields(files, json_run):
    folder, numbers, _ = files
    record = json.loads(json_run.stdout.splitlines()[0])
    assert set(record) == {"file", "index", "number", "digits"}
    assert (record["file"], record["index"]) == (str(folder / "numbers.json"), 0)
    assert len(record["digits"]) == len(record["number"])
    for character, digit in zip(record["number"], record["digits"], strict=True):
        assert set(digit) == {"digit", "confidence", "box", "strokes"}
        assert character == ("?" if digit["digit"] is None else str(digit["digit"]))
        assert 0 <= digit["confidence"] <= 1
        x0, y0, x1, y1 = digit["box"]
        assert 0 <= x0 <= x1 <= numbers[0].width and 0 <= y0 <= y1 <= numbers[0].height
    # Every stroke is in exactly one digit, and the digits run left to right.
    assert sorted(index for digit in record["digits"] for index in digit["strokes"]) == list(
        range(len(numbers[0].strokes))
    )
    centres = [(digit["box"][0] + digit["box"][2]) / 2 for digit in record["digits"]]
    assert centres == sorted(centres)


def test_a_scribble_alone_reads_as_not_a_digit(files, json_run):
    _, _, scribbles = files
    records = [json.loads(line) for line in json_run.stdout.splitlines()]
    read = [record for record in records if record["file"].endswith("scribble.json")]
    assert len(read) == scribbles >= 3
    refused = [record for record in read if record["number"] == "?"]
    assert len(refused) >= 0.7 * len(read), [record["number"] for record in read]
    assert all(record["digits"][0]["digit"] is None for record in refused)


def test_text_lines_name_the_drawing_the_number_and_each_confidence(files):
    folder, numbers, _ = files
    path = folder / "scribble.json"
    result = run_cli("--number", str(path))
    assert result.returncode == 0 and own_lines(result.stderr) == []
    lines = result.stdout.splitlines()
    assert lines and lines[0].startswith(f"{path}:0  ")
    where, text, *confidences = lines[0].split()
    assert len(confidences) == len(text) and all(value.endswith("%") for value in confidences)


def test_a_photo_and_a_broken_file_are_one_line_each(files):
    folder, _, _ = files
    result = run_cli("--number", str(folder / "photo.png"), str(folder / "broken.json"), str(folder / "scribble.json"))
    assert result.returncode == 1
    errors = own_lines(result.stderr)
    assert len(errors) == 2
    assert "photo.png: a photo has no strokes to group into digits" in errors[0]
    assert "broken.json" in errors[1]
    assert result.stdout.splitlines()  # the readable file is still read
