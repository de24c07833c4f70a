"""bench/numbers.py: how its numbers are scored, which drawings each reader gets, and its Python part
on the real models and the real held-out pen writers, at tiny counts.

The full run (1,000 numbers, the page in Chromium, the app) takes about ten minutes; these check
what decides what its numbers mean, in seconds.
"""

from __future__ import annotations

import json

import pytest

from bench import numbers
from digit_data.non_digits import FAMILIES
from mnist_draw.held_out_writers import PLACEMENTS, held_out

TINY = {
    "numbers": 8,
    "four_digit": 3,
    "non_digits": 12,
    "digits": 30,
    "page_numbers": 0,
    "page_four_digit": 0,
    "page_digits": 0,
    "page_non_digits": 0,
    "app_numbers": 0,
}


def test_a_digit_split_in_two_or_merged_counts_against_the_number():
    report = numbers.numbers_report(["123", "45", "67", "89"], ["123", "4?5", "6", "98"])
    assert report["exact"] == 0.25
    # matched in order: 3 + 2 + 1 + 1 of slots 3 + 3 + 2 + 2
    assert report["digits_read"] == pytest.approx(7 / 10, abs=1e-5)
    assert report["refused"] == 1 and report["wrong_length"] == 2
    assert report["by_length"]["2"]["numbers"] == 3 and report["by_length"]["3"]["exact"] == 1.0


def test_digits_matched_is_the_longest_common_subsequence():
    assert numbers.digits_matched("4071", "4071") == 4
    assert numbers.digits_matched("4071", "40?71") == 4
    assert numbers.digits_matched("4071", "1704") == 1
    assert numbers.digits_matched("4071", "") == 0


def test_the_page_sample_spreads_over_all_and_keeps_the_placements_in_turn():
    chosen = numbers.page_sample(1499, 100, len(PLACEMENTS))
    assert len(set(chosen)) == 100 and max(chosen) < 1499 and chosen[-1] > 1400
    assert [index % 3 for index in chosen[:6]] == [0, 1, 2, 0, 1, 2]
    with pytest.raises(ValueError):
        numbers.page_sample(5, 6, 3)


def test_the_drawings_are_the_held_out_writers_own(pen_digits):
    drawings = numbers.make_drawings(pen_digits, TINY)
    writers = {digit.writer for digit in held_out(pen_digits)}
    assert len(writers) == 6
    assert {number.writer for number in drawings.numbers + drawings.four_digit} <= writers
    assert {len(number.digits) for number in drawings.four_digit} == {4}
    assert {digit.writer for digit, _ in drawings.digits} == writers  # spread over all six
    assert [name for _, name in drawings.digits[:3]] == list(PLACEMENTS)
    assert {item.family for item in drawings.non_digits} == set(FAMILIES)
    again = numbers.make_drawings(pen_digits, TINY)
    assert [n.strokes for n in again.numbers] == [n.strokes for n in drawings.numbers]  # seeded


def test_python_reads_held_out_numbers_digits_and_non_digits(pen_dir, tmp_path):
    out = tmp_path / "numbers.json"
    assert (
        numbers.main(
            ["--pen-data", str(pen_dir), "--out", str(out), "--no-page", "--no-app"]
            + [
                f"--{key.replace('_', '-')}={value}"
                for key, value in TINY.items()
                if not key.startswith(("page", "app"))
            ]
        )
        == 0
    )
    document = json.loads(out.read_text())
    python = document["readers"]["python"]
    assert set(document["readers"]) == {"python"}
    assert python["numbers"]["numbers"] == 8 and len(python["answers"]["numbers"]) == 8
    # The held-out writers' numbers are read well: 97% is the target, 6 of 8 a floor for so few.
    assert python["numbers"]["exact"] >= 0.75 and python["numbers"]["digits_read"] >= 0.9
    assert python["digits_alone"]["refused"]["items"] == 30 and python["digits_alone"]["accuracy"] >= 0.9
    assert python["non_digits_alone"]["items"] == 12
    assert set(python["non_digits_alone"]["per_family"]) == set(FAMILIES)
    assert 0 <= python["non_digits_alone"]["share"] <= 1
    assert set(document["targets_met"]["python"]) == {
        "numbers_exact",
        "digits_read",
        "digits_refused",
        "non_digits_caught",
    }
    assert document["models"]["python_stroke_model"]["not_a_digit_threshold"] is not None
