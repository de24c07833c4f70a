"""The stroke format (mnist_draw/strokes.py): checked digits, the JSON record, the stroke file.

Files are real files in tmp_path, written by write_stroke_file or broken by hand the ways a
download or an editor breaks them; every failure must be one StrokeError line naming the file.
"""

from __future__ import annotations

import json
import math

import pytest

from mnist_draw.strokes import (
    FILE_FORMAT,
    DrawnDigit,
    StrokeError,
    from_json,
    make_digit,
    read_stroke_file,
    to_json,
    write_stroke_file,
)

SEVEN = make_digit(
    [[(20.5, 30.0), (250.0, 30.0), (120.25, 260.0)]],
    label=7,
    writer="anna",
    width=280,
    height=280,
    drawn_at="2024-05-01T12:00:00Z",
)
FOUR = make_digit([[(60, 20), (50, 160), (220, 160)], [(180, 30), (180, 270)]], label=4, width=280, height=280)
UNLABELLED_DOT = make_digit([[(140, 140)]], width=280, height=280)


def assert_one_line_naming(error: pytest.ExceptionInfo, path) -> None:
    message = str(error.value)
    assert "\n" not in message, message
    assert str(path) in message, message


def valid_payload() -> dict:
    return {"format": FILE_FORMAT, "version": 1, "digits": [to_json(SEVEN), to_json(FOUR)]}


def test_make_digit_keeps_points_as_float_pairs():
    digit = make_digit([[[1, 2], [3, 4]]], label=0, width=10, height=20)
    assert digit.strokes == (((1.0, 2.0), (3.0, 4.0)),)
    assert (digit.width, digit.height, digit.bounds(), digit.point_count()) == (10.0, 20.0, (1.0, 2.0, 3.0, 4.0), 2)


@pytest.mark.parametrize(
    ("strokes", "options"),
    [
        ([], {}),
        ([[]], {}),
        ([[(1, 2, 3)]], {}),
        ([[(1, math.nan)]], {}),
        ([[(math.inf, 1)]], {}),
        ([[(1, 2)]], {"label": 10}),
        ([[(1, 2)]], {"label": True}),
        ([[(1, 2)]], {"width": 0}),
    ],
    ids=["no_strokes", "empty_stroke", "three_coordinates", "nan", "infinity", "label_10", "label_bool", "zero_width"],
)
def test_make_digit_refuses_malformed_strokes_with_one_line(strokes, options):
    with pytest.raises(StrokeError) as error:
        make_digit(strokes, **options)
    assert "\n" not in str(error.value)


def test_json_record_round_trips_every_field():
    for digit in (SEVEN, FOUR, UNLABELLED_DOT):
        record = json.loads(json.dumps(to_json(digit)))
        assert from_json(record) == digit


def test_json_record_has_the_documented_keys():
    assert to_json(SEVEN) == {
        "label": 7,
        "writer": "anna",
        "canvas": {"width": 280.0, "height": 280.0},
        "drawn_at": "2024-05-01T12:00:00Z",
        "strokes": [[[20.5, 30.0], [250.0, 30.0], [120.25, 260.0]]],
    }


def test_json_record_may_leave_out_optional_fields_and_add_unknown_ones():
    record = {"canvas": {"width": 280, "height": 280}, "strokes": [[[1, 2]]], "pen_width": 22}
    assert from_json(record) == make_digit([[(1, 2)]], width=280, height=280)


def test_stroke_file_round_trips_digits_in_order(tmp_path):
    path = tmp_path / "mine.json"
    write_stroke_file(path, [SEVEN, FOUR, UNLABELLED_DOT])
    assert read_stroke_file(path) == [SEVEN, FOUR, UNLABELLED_DOT]


def test_stroke_file_is_plain_json_with_the_format_tag(tmp_path):
    path = tmp_path / "mine.json"
    write_stroke_file(path, [SEVEN])
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert (payload["format"], payload["version"], payload["digits"]) == (FILE_FORMAT, 1, [to_json(SEVEN)])


def test_stroke_file_written_by_hand_is_read(tmp_path):
    path = tmp_path / "by-hand.json"
    path.write_text(
        json.dumps(
            {
                "format": "mnist-draw-strokes",
                "version": 1,
                "digits": [{"label": 1, "canvas": {"width": 280, "height": 280}, "strokes": [[[140, 40], [140, 240]]]}],
            }
        )
    )
    assert read_stroke_file(path) == [make_digit([[(140, 40), (140, 240)]], label=1, width=280, height=280)]


def test_writing_no_digits_is_refused_and_leaves_no_file(tmp_path):
    path = tmp_path / "none.json"
    with pytest.raises(StrokeError) as error:
        write_stroke_file(path, [])
    assert_one_line_naming(error, path)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_leaves_the_previous_file_whole(tmp_path):
    path = tmp_path / "mine.json"
    write_stroke_file(path, [SEVEN])
    broken = DrawnDigit(strokes=(((math.nan, 1.0),),), width=280.0, height=280.0)  # bypasses make_digit's checks
    with pytest.raises(StrokeError) as error:
        write_stroke_file(path, [FOUR, broken])
    assert_one_line_naming(error, path)
    assert read_stroke_file(path) == [SEVEN]
    assert [child.name for child in tmp_path.iterdir()] == ["mine.json"]


def truncated(text: str) -> str:
    return text[: len(text) // 2]


BROKEN_FILES = {
    "empty": lambda good: "",
    "whitespace_only": lambda good: "  \n",
    "truncated": truncated,
    "not_json": lambda good: "label,x,y\n7,1,2\n",
    "binary": lambda good: "\udcff\udcfe",
    "json_array": lambda good: "[1, 2, 3]",
    "foreign_format_tag": lambda good: good.replace(FILE_FORMAT, "someone-elses-format"),
    "no_format_tag": lambda good: json.dumps({"digits": valid_payload()["digits"]}),
    "future_version": lambda good: good.replace('"version": 1', '"version": 2'),
    "no_digits": lambda good: json.dumps({"format": FILE_FORMAT, "version": 1, "digits": []}),
    "digits_not_a_list": lambda good: json.dumps({"format": FILE_FORMAT, "version": 1, "digits": {"0": 1}}),
    "nan_coordinate": lambda good: good.replace("250.0", "NaN"),
    "string_coordinate": lambda good: good.replace("250.0", '"250"'),
    "boolean_coordinate": lambda good: good.replace("250.0", "true"),
    "point_with_three_numbers": lambda good: good.replace("[250.0, 30.0]", "[250.0, 30.0, 1.0]"),
    "empty_stroke_in_second_digit": lambda good: good.replace("[[180.0, 30.0], [180.0, 270.0]]", "[]"),
    "label_out_of_range": lambda good: good.replace('"label": 4', '"label": 12'),
    "label_as_text": lambda good: good.replace('"label": 4', '"label": "4"'),
    "no_canvas": lambda good: good.replace('"canvas"', '"surface"'),
    "negative_canvas": lambda good: good.replace('"width": 280.0', '"width": -280.0', 1),
    "writer_as_number": lambda good: good.replace('"writer": "anna"', '"writer": 12'),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN_FILES))
def test_broken_stroke_file_raises_one_line_naming_the_file(tmp_path, breakage):
    good_path = tmp_path / "good.json"
    write_stroke_file(good_path, [SEVEN, FOUR])
    broken = BROKEN_FILES[breakage](good_path.read_text(encoding="utf-8"))
    assert broken != good_path.read_text(encoding="utf-8"), "the breakage must change the file"
    path = tmp_path / f"{breakage}.json"
    path.write_bytes(broken.encode("utf-8", errors="surrogateescape"))
    with pytest.raises(StrokeError) as error:
        read_stroke_file(path)
    assert_one_line_naming(error, path)


def test_error_in_a_later_digit_names_that_digit(tmp_path):
    path = tmp_path / "second-broken.json"
    payload = valid_payload()
    payload["digits"][1]["strokes"][1] = []
    path.write_text(json.dumps(payload))
    with pytest.raises(StrokeError, match=r"digit 1: stroke 1 has no points"):
        read_stroke_file(path)


def test_missing_stroke_file_raises_one_line_naming_it(tmp_path):
    path = tmp_path / "absent.json"
    with pytest.raises(StrokeError) as error:
        read_stroke_file(path)
    assert_one_line_naming(error, path)
