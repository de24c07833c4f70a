"""The table of stroke-file records both readers follow: mnist_draw/strokes.py here, web/js/strokes.js
`checkRecord` in tests/js/strokes.test.mjs (the page checks its IndexedDB records with it)."""

from __future__ import annotations

import json

import pytest

from mnist_draw.config import MAX_POINTS_PER_DIGIT, MAX_STROKES_PER_DIGIT, PROJECT_ROOT
from mnist_draw.strokes import StrokeError, from_json

CASES = json.loads((PROJECT_ROOT / "tests" / "golden" / "stroke_records.json").read_text())["cases"]


def test_the_table_is_written_for_the_current_bound():
    assert (MAX_POINTS_PER_DIGIT, MAX_STROKES_PER_DIGIT) == (2000, 50), "update the bound cases in the table"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_the_python_reader_follows_the_table(case):
    if case["valid"]:
        from_json(case["record"])
    else:
        with pytest.raises(StrokeError) as error:
            from_json(case["record"])
        assert "\n" not in str(error.value)
