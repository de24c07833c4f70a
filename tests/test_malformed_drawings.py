"""Malformed stroke files of any shape get one line from every reader, never a traceback.

The readers are mnist_draw.strokes.read_stroke_file (the format), train.kept_drawings.load_drawings
(`python -m train --drawings`, which skips a bad file with a warning) and
mnist_draw.kept_drawings.list_drawings (the app's "Your drawings", which lists the rest).
"""

from __future__ import annotations

import json

import pytest

from mnist_draw import kept_drawings
from mnist_draw.strokes import FILE_FORMAT, StrokeError, make_digit, read_stroke_file, stroke_file_bytes
from train.kept_drawings import load_drawings

VISITOR = "0123456789abcdef0123456789abcdef"
GOOD = {"label": 3, "canvas": {"width": 280, "height": 280}, "strokes": [[[1, 2], [30, 40]]]}


def stroke_file(*records) -> str:
    return json.dumps({"format": FILE_FORMAT, "version": 1, "digits": list(records)})


MALFORMED = {
    "nested-1000-levels": "[" * 1000 + "]" * 1000,
    "nested-object-1000-levels": '{"a":' * 1000 + "1" + "}" * 1000,
    "digits-nested-1000-levels": stroke_file({**GOOD, "strokes": json.loads("[" * 900 + "]" * 900)}),
    "version-nested-deeply": '{"format": "mnist-draw-strokes", "version": ' + "[" * 900 + "]" * 900 + "}",
    "width-past-float": stroke_file({**GOOD, "canvas": {"width": 10**400, "height": 280}}),
    "point-past-float": stroke_file({**GOOD, "strokes": [[[10**400, 1]]]}),
    "point-is-object": stroke_file({**GOOD, "strokes": [[{"x": 1, "y": 2}]]}),
    "stroke-is-number": stroke_file({**GOOD, "strokes": [7]}),
    "strokes-is-text": stroke_file({**GOOD, "strokes": "[[1, 2]]"}),
    "label-is-object": stroke_file({**GOOD, "label": {"digit": 3}}),
    "label-is-float": stroke_file({**GOOD, "label": 3.5}),
    "canvas-is-list": stroke_file({**GOOD, "canvas": [280, 280]}),
    "writer-is-list": stroke_file({**GOOD, "writer": ["anna"]}),
    "digit-is-null": stroke_file(None),
    "digits-is-object": json.dumps({"format": FILE_FORMAT, "version": 1, "digits": {"0": GOOD}}),
    "top-level-number": "3",
    "lone-surrogate": stroke_file({**GOOD, "writer": "\ud800"}),
    "not-utf8": b"\xff\xfe{",
}


def write(path, content) -> None:
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_file_is_one_stroke_error_line(tmp_path, name):
    path = tmp_path / f"{name}.json"
    write(path, MALFORMED[name])
    try:
        digits = read_stroke_file(path)
    except StrokeError as error:
        assert "\n" not in str(error) and str(path) in str(error) and len(str(error)) < 300, str(error)
    else:  # a shape that is valid after all (a writer of odd text) must at least be whole digits
        assert all(digit.strokes for digit in digits), name


def test_a_fine_tune_skips_a_deeply_nested_file_with_one_warning(tmp_path):
    write(tmp_path / "nested.json", MALFORMED["nested-1000-levels"])
    (tmp_path / "good.json").write_bytes(stroke_file_bytes([make_digit([[(1, 2), (30, 40)]], label=3)]))
    warnings = []
    digits, record = load_drawings([tmp_path], warn=warnings.append)
    assert len(digits) == 1 and len(warnings) == 1 and "nested too deeply" in warnings[0]


def test_the_apps_list_skips_a_deeply_nested_file_and_lists_the_rest(tmp_path):
    kept = kept_drawings.save_drawing(
        make_digit([[(1, 2), (30, 40)]], label=3, width=280, height=280), VISITOR, tmp_path
    )
    folder = kept_drawings.visitor_folder(VISITOR, tmp_path)
    write(folder / "drawing-20260101T000000Z-0000dead.json", MALFORMED["nested-1000-levels"])
    found, problems = kept_drawings.list_drawings(VISITOR, tmp_path)
    assert [name for name, _ in found] == [kept]
    assert len(problems) == 1 and "nested too deeply" in problems[0] and "\n" not in problems[0]


def test_a_training_folder_reads_every_visitors_subfolder(tmp_path):
    for visitor in (VISITOR, "f" * 32):
        kept_drawings.save_drawing(make_digit([[(1, 2), (30, 40)]], label=3, width=280, height=280), visitor, tmp_path)
    digits, record = load_drawings([tmp_path], warn=pytest.fail)
    assert len(digits) == 2 and len(record["files"]) == 2
