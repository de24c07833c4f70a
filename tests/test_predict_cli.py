"""`python -m mnist_draw.predict`: stroke files and photos in, one line (or JSON object) per digit out."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from mnist_draw import held_out_writers
from mnist_draw.config import ARTIFACTS_DIR, MODEL_FILENAME, PROJECT_ROOT
from mnist_draw.inference import load_model, predict_probabilities
from mnist_draw.predict import build_parser, model_inputs
from mnist_draw.preprocess import preprocess_ink
from mnist_draw.render import render_ink, render_rgba
from mnist_draw.stroke_inference import load_stroke_reader, read_digit
from mnist_draw.strokes import write_stroke_file

SAMPLE = 8  # held-out digits in the stroke file: one of each of several labels


@pytest.fixture(scope="module")
def files(tmp_path_factory, pen_digits):
    """A stroke file of held-out digits, a PNG of one more, a broken file and a folder named like a stroke file."""
    folder = tmp_path_factory.mktemp("predict")
    digits = held_out_writers.held_out(pen_digits)[: SAMPLE * 30 : 30]
    write_stroke_file(folder / "drawings.json", digits)
    photo = held_out_writers.held_out(pen_digits)[7]
    rgba = render_rgba(photo)
    Image.fromarray(255 - rgba[..., 0]).save(folder / "photo.png")  # dark ink on white paper, as photographed
    (folder / "broken.json").write_text('{"format": "mnist-draw-strokes", "digits": [')
    (folder / "folder.json").mkdir()
    return folder, digits, photo


def own_lines(stderr: str) -> list[str]:
    """The command's own stderr lines: TensorFlow's C++ start-up notes on a machine without CUDA are not its."""
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith(("error:", "warning:"))]


def run_cli(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mnist_draw.predict", *arguments],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_every_digit_gets_a_line_and_bad_files_one_line_each(files):
    folder, digits, photo = files
    order = ["drawings.json", "broken.json", "photo.png", "folder.json"]
    result = run_cli("--json", *(str(folder / name) for name in order))
    assert result.returncode == 1  # some files could not be read
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(record["file"], record["index"]) for record in records] == [
        *((str(folder / "drawings.json"), index) for index in range(len(digits))),
        (str(folder / "photo.png"), 0),
    ]
    model = load_model(ARTIFACTS_DIR / MODEL_FILENAME)
    reader = load_stroke_reader(ARTIFACTS_DIR / MODEL_FILENAME)
    for record, digit in zip(records, digits, strict=False):
        image = predict_probabilities(model, preprocess_ink(render_ink(digit)))  # the app's kept-drawing path
        expected = read_digit(image, reader, digit.strokes).probabilities
        assert record["digit"] == int(np.argmax(expected)) and record["image_digit"] == int(np.argmax(image))
        assert (record["stroke_digit"] is None) == (reader is None)
        assert record["confidence"] == pytest.approx(float(expected.max()), abs=1e-4)
        assert 0 <= record["confidence"] <= 1 and len(record["probabilities"]) == 10
    right = sum(record["digit"] == digit.label for record, digit in zip(records, digits, strict=False))
    assert right >= len(digits) - 1  # held-out writers' digits: the model reads about 99% of them
    assert records[-1]["digit"] == photo.label and records[-1]["stroke_digit"] is None  # a photo has no pen path
    errors = own_lines(result.stderr)
    assert len(errors) == 2
    assert errors[0].startswith(f"error: {folder / 'broken.json'}: not a stroke file, or truncated")
    assert errors[1].startswith(f"error: {folder / 'folder.json'}: a folder")


@pytest.mark.slow
def test_text_lines_name_the_file_and_position(files):
    folder, digits, _ = files
    result = run_cli(str(folder / "drawings.json"))
    assert result.returncode == 0 and own_lines(result.stderr) == []
    lines = result.stdout.splitlines()
    assert len(lines) == len(digits)
    for index, line in enumerate(lines):
        where, digit, confidence, *unsure = line.split()
        assert where == f"{folder / 'drawings.json'}:{index}" and digit.isdigit() and confidence.endswith("%")
        assert unsure in ([], ["not", "sure"])


def test_a_missing_model_is_one_line(tmp_path):
    result = run_cli("--model", str(tmp_path / "none.keras"), str(tmp_path / "x.json"))
    assert result.returncode == 1
    assert own_lines(result.stderr) == [
        f"error: No model at {tmp_path / 'none.keras'}: train one with `python -m train`."
    ]


def test_a_file_is_required():
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([])
    assert exited.value.code == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.json", None, "file not found"),
        ("empty.json", b"", "empty file, not a stroke file"),
        ("nothing.png", b"\x89PNG\r\n\x1a\n", "PNG"),
        ("gone.png", None, "file not found"),
    ],
)
def test_unreadable_inputs_are_one_line_errors(tmp_path, name, content, message):
    from mnist_draw.predict import InputError

    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as raised:
        model_inputs(path)
    assert str(raised.value).startswith(str(path)) and message in str(raised.value) and "\n" not in str(raised.value)
