"""The UCI pen digits as the project reads them (digit_data/pendigits.py), from the real file.

The real training-writer file comes from tests/conftest.py's pen_dir: $PENDIGITS_DATA_DIR or
../shared/pendigits beside the project (missing: skipped locally, failed in CI). Broken copies of it are made in tmp_path the
ways a download or a disk breaks files; each must fail with one PenDataError line naming the file.
The download path (fetch_pendigits, the .Z decompressor) is in tests/test_pendigits_fetch.py.
"""

from __future__ import annotations

import collections
import gzip
from pathlib import Path

import pytest

from digit_data.pendigits import (
    DIGIT_COUNT,
    PEN_DATA_ENV,
    TABLET_SIZE,
    TRAINING_FILE,
    VALIDATION_WRITERS,
    WRITERS,
    PenDataError,
    is_validation_writer,
    load_pendigits,
    parse_unipen,
    read_pen_file,
    writer_name,
)

# Digits per label in the training writers' file, as the data set's documentation lists them.
LABEL_COUNTS = {0: 780, 1: 779, 2: 780, 3: 719, 4: 780, 5: 720, 6: 720, 7: 778, 8: 719, 9: 719}


@pytest.fixture(scope="session")
def pen_gz(pen_dir, pen_text) -> bytes:
    """The real file gzipped: the shared .gz itself when there is one."""
    packed = pen_dir / f"{TRAINING_FILE}.gz"
    return packed.read_bytes() if packed.is_file() else gzip.compress(pen_text, compresslevel=1)


def assert_one_line_naming(error: pytest.ExceptionInfo, path: Path) -> None:
    message = str(error.value)
    assert "\n" not in message, message
    assert str(path) in message, message


def test_real_file_has_7494_digits_by_30_writers(pen_digits):
    writers = collections.Counter(digit.writer for digit in pen_digits)
    assert len(pen_digits) == DIGIT_COUNT == 7494
    assert set(writers) == {writer_name(number) for number in range(1, WRITERS + 1)}
    assert min(writers.values()) >= 240, writers


def test_real_file_has_the_documented_label_counts(pen_digits):
    assert collections.Counter(digit.label for digit in pen_digits) == LABEL_COUNTS


def test_digits_are_in_the_tablet_box_with_y_pointing_down(pen_digits, pen_text):
    first = pen_digits[0]
    # The file's first digit is an 8 by writer 12 whose first pen-down point is "267 333" (y up).
    assert (first.label, first.writer, first.width, first.height) == (8, "pendigits-12", TABLET_SIZE, TABLET_SIZE)
    assert b".PEN_DOWN\n 267  333\n" in pen_text
    assert first.strokes[0][0] == (267.0, TABLET_SIZE - 333.0)
    assert all(
        0 <= x <= TABLET_SIZE and 0 <= y <= TABLET_SIZE
        for digit in pen_digits
        for stroke in digit.strokes
        for x, y in stroke
    )


def test_a_one_is_taller_than_wide_and_written_top_down(pen_digits):
    ones = [digit for digit in pen_digits if digit.label == 1 and len(digit.strokes) == 1]
    top_down = sum(digit.strokes[0][0][1] < digit.strokes[0][-1][1] for digit in ones)
    # With y down a 1 starts at a smaller y than it ends; flipped data would reverse nearly all.
    assert top_down > 0.8 * len(ones), f"{top_down} of {len(ones)}"


def test_multi_stroke_digits_keep_their_strokes(pen_digits):
    counts = collections.Counter(len(digit.strokes) for digit in pen_digits)
    assert counts[1] > 5000 and counts[2] > 1000, counts
    fours = [digit for digit in pen_digits if digit.label == 4]
    assert sum(len(digit.strokes) > 1 for digit in fours) > len(fours) / 2


def test_validation_writers_are_disjoint_from_training_writers(pen_digits):
    validation = {digit.writer for digit in pen_digits if is_validation_writer(digit.writer)}
    training = {digit.writer for digit in pen_digits if not is_validation_writer(digit.writer)}
    assert validation == {writer_name(number) for number in VALIDATION_WRITERS}
    assert not validation & training
    assert len(validation) + len(training) == WRITERS
    assert {digit.label for digit in pen_digits if digit.writer in validation} == set(range(10))


def test_plain_and_gzipped_file_read_the_same(tmp_path, pen_gz, pen_text, pen_digits):
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / TRAINING_FILE).write_bytes(pen_text)
    (tmp_path / "packed").mkdir()
    (tmp_path / "packed" / f"{TRAINING_FILE}.gz").write_bytes(pen_gz)
    assert load_pendigits(tmp_path / "plain") == load_pendigits(tmp_path / "packed") == pen_digits


def test_data_dir_argument_wins_over_environment(tmp_path, monkeypatch, pen_dir):
    monkeypatch.setenv(PEN_DATA_ENV, str(tmp_path / "elsewhere"))
    assert len(load_pendigits(pen_dir)) == DIGIT_COUNT


def test_environment_names_the_folder_when_no_argument(monkeypatch, pen_dir):
    monkeypatch.setenv(PEN_DATA_ENV, str(pen_dir))
    assert len(load_pendigits()) == DIGIT_COUNT


def test_missing_folder_raises_one_line_naming_it(tmp_path):
    folder = tmp_path / "no-such-folder"
    with pytest.raises(PenDataError) as error:
        load_pendigits(folder)
    assert_one_line_naming(error, folder)


def test_folder_without_the_file_raises_one_line_naming_it(tmp_path):
    with pytest.raises(PenDataError) as error:
        load_pendigits(tmp_path)
    assert_one_line_naming(error, tmp_path)
    assert TRAINING_FILE in str(error.value)


def edit_one_point(text: bytes) -> bytes:
    return text.replace(b" 267  333\n", b" 267  334\n", 1)


BROKEN_GZ = {
    "truncated_gz": lambda gz, text: gz[: len(gz) // 2],
    "byte_flipped_in_gz": lambda gz, text: gz[:100] + bytes([gz[100] ^ 0x55]) + gz[101:],
    "not_gzip": lambda gz, text: text[:5000],
    "empty": lambda gz, text: b"",
    "one_point_changed": lambda gz, text: gzip.compress(edit_one_point(text), compresslevel=1),
    "last_digit_missing": lambda gz, text: gzip.compress(text[: text.rindex(b".SEGMENT")], compresslevel=1),
}


@pytest.mark.parametrize("breakage", sorted(BROKEN_GZ))
def test_broken_gz_raises_one_line_naming_the_file(tmp_path, pen_gz, pen_text, breakage):
    path = tmp_path / f"{TRAINING_FILE}.gz"
    path.write_bytes(BROKEN_GZ[breakage](pen_gz, pen_text))
    with pytest.raises(PenDataError) as error:
        load_pendigits(tmp_path)
    assert_one_line_naming(error, path)


def test_checksum_catches_a_well_formed_but_edited_file(tmp_path, pen_text):
    path = tmp_path / TRAINING_FILE
    path.write_bytes(edit_one_point(pen_text))
    assert len(read_pen_file(path)) == DIGIT_COUNT  # still valid UNIPEN: only the checksum can tell
    with pytest.raises(PenDataError, match="SHA-256") as error:
        load_pendigits(tmp_path)
    assert_one_line_naming(error, path)


def test_gz_is_preferred_over_plain_file(tmp_path, pen_gz):
    (tmp_path / f"{TRAINING_FILE}.gz").write_bytes(pen_gz)
    (tmp_path / TRAINING_FILE).write_text("not even UNIPEN")
    assert len(load_pendigits(tmp_path)) == DIGIT_COUNT


SMALL_FILE = """.SEGMENT DIGIT 0 ? "7"
.COMMENT 7 3 1
.PEN_DOWN
 10 400
 200 400
 120 100
.PEN_UP
.DT 100
.SEGMENT DIGIT 1 ? "4"
.COMMENT 4 3 2
.PEN_DOWN
 50 450
 30 250
 250 250
.PEN_UP
.PEN_DOWN
 200 440
 200 60
.PEN_UP
"""


def test_small_unipen_text_parses_into_flipped_digits():
    seven, four = parse_unipen(SMALL_FILE)
    assert (seven.label, seven.writer, seven.strokes) == (
        7,
        "pendigits-3",
        (((10.0, 100.0), (200.0, 100.0), (120.0, 400.0)),),
    )
    assert (four.label, len(four.strokes), four.strokes[1]) == (4, 2, ((200.0, 60.0), (200.0, 440.0)))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no digits"),
        (SMALL_FILE.replace('"7"', '"x"'), "bad digit label"),
        (SMALL_FILE.replace('"7"', '"12"'), "not a digit"),
        (SMALL_FILE.replace(" 200 400\n", " 200 four hundred\n"), "unexpected"),
        (SMALL_FILE.replace(" 200 400\n", " 200 4e\n"), "not an 'x y' point"),
        (SMALL_FILE[: SMALL_FILE.rindex(".PEN_UP")], "no .PEN_UP"),
        (SMALL_FILE.replace(".PEN_DOWN\n 10 400\n 200 400\n 120 100\n", ".PEN_DOWN\n"), ".PEN_UP without points"),
        (SMALL_FILE.replace(".PEN_DOWN\n 10 400\n 200 400\n 120 100\n.PEN_UP\n", ""), "has no strokes"),
        (" 10 400\n" + SMALL_FILE, "unexpected"),
    ],
    ids=[
        "empty",
        "label_not_a_number",
        "label_12",
        "words_for_numbers",
        "bad_number",
        "unclosed_stroke",
        "empty_stroke",
        "digit_without_strokes",
        "points_outside_a_digit",
    ],
)
def test_malformed_unipen_raises_one_line_naming_source(tmp_path, text, problem):
    path = tmp_path / "broken.tra"
    path.write_text(text)
    with pytest.raises(PenDataError, match=problem) as error:
        read_pen_file(path)
    assert_one_line_naming(error, path)


def test_non_ascii_file_raises_one_line_naming_it(tmp_path):
    path = tmp_path / "latin.tra"
    path.write_bytes(SMALL_FILE.encode().replace(b"DIGIT 0", b"DIGIT \xe9"))
    with pytest.raises(PenDataError) as error:
        read_pen_file(path)
    assert_one_line_naming(error, path)
