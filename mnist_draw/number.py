"""A whole number written left to right -> its digits' stroke groups, left to right.

    python -m mnist_draw.number    # rewrite web/js/numberParams.js from the constants below

Twin: web/js/number.js implements the same numbered steps with the same names (`group_strokes`
<-> `groupStrokes`, `number_text` <-> `numberText`), loop for loop, so both give the same groups
from the same floats. Both are held to the golden cases in tests/golden/number.json
(tests/number_golden.py, written by `python -m tests.make_golden`). The numbers are written once,
here; the page reads them from web/js/numberParams.js, which `python -m mnist_draw.number`
generates (tests/test_number.py checks it is current).

Each stroke joins the digit it lies over: people write a number digit by digit, left to right,
so digits occupy separate columns, and a digit's later strokes (a 4's second stroke, a 7's cross,
a 5's bar, even when it is added after the following digits) land inside its column. The steps:
  1. boxes: each stroke's bounding box (x0, y0, x1, y1)
  2. line height: the tallest stroke's height (a digit's main stroke spans the line; a bar, a dot
     or a 4's half does not, and none is taller); 0 -> the widest stroke's width; 0 -> 1 unit
  3. column: a stroke's horizontal extent [x0, x1], widened about its centre to at least
     MIN_WIDTH_SHARE * line height, so a narrow 1, a vertical bar or a dot has a usable width
  4. join, in pen order: the share of a stroke's column that overlaps a group's column, over the
     narrower of the two, is computed for every group so far; the stroke joins the group with the
     largest share (the earliest on a tie) when that share is >= JOIN_SHARE, and the group's
     column becomes the union of both; otherwise the stroke starts a new group
  5. order: groups left to right by the centre of their ink box, (x0 + x1) / 2, ties by their
     first stroke; the centre, not the left edge, because a 7's long bar or a slanted 1's foot
     can reach left past a neighbour's edge while the digit's middle stays in its own column

Degenerate input is answered deterministically: no strokes -> no groups; a single point or
strokes of zero size -> each widened to the same column, so coincident points form one group.
A stroke without points is a ValueError (a drawn stroke has at least its pen-down point).

Coordinates are the stroke format's (mnist_draw/strokes.py): x right, y down, any units; only
ratios to the line height matter, so canvas pixels and tablet units group alike.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

from mnist_draw.config import PROJECT_ROOT

# Tuned on composed numbers of the 24 training pen writers (bench/number_grouping.py, docs/numbers.md).
MIN_WIDTH_SHARE = 0.3  # of the line height: the narrowest column a stroke is given
JOIN_SHARE = 0.5  # overlap / the narrower column at and above which a stroke joins a group
NOT_A_DIGIT_TEXT = "?"  # what a group that is not a digit shows in the number read

PARAMS_JS_PATH = PROJECT_ROOT / "web" / "js" / "numberParams.js"  # the page's copy, generated below


@dataclass(frozen=True)
class DigitGroup:
    """One digit's strokes: their indices in pen order, and the box of their points (x0, y0, x1, y1)."""

    stroke_indices: tuple[int, ...]
    box: tuple[float, float, float, float]


def grouping_parameters(min_width_share: float = MIN_WIDTH_SHARE, join_share: float = JOIN_SHARE) -> dict:
    """The numbers the JS twin needs, under the names it reads them by (also the golden file's "params")."""
    return {"minWidthShare": min_width_share, "joinShare": join_share}


def stroke_boxes(strokes: Sequence) -> list[tuple[float, float, float, float]]:
    """Step 1. Strokes (each >= 1 [x, y] point) -> one (x0, y0, x1, y1) per stroke, float."""
    boxes = []
    for index, stroke in enumerate(strokes):
        points = [(float(point[0]), float(point[1])) for point in stroke]
        if not points:
            raise ValueError(f"stroke {index} has no points")
        xs = [x for x, _ in points]
        ys = [y for _, y in points]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


def line_height(boxes: Sequence[tuple[float, float, float, float]]) -> float:
    """Step 2. Stroke boxes -> the line height, > 0: tallest stroke, else widest, else 1."""
    tallest = max((box[3] - box[1] for box in boxes), default=0.0)
    if tallest > 0:
        return tallest
    widest = max((box[2] - box[0] for box in boxes), default=0.0)
    return widest if widest > 0 else 1.0


def column(box: tuple[float, float, float, float], min_width: float) -> tuple[float, float]:
    """Step 3. A box -> its horizontal extent (left, right), widened about its centre to min_width."""
    left, right = box[0], box[2]
    if right - left >= min_width:
        return left, right
    centre = (left + right) / 2
    return centre - min_width / 2, centre + min_width / 2


def group_strokes(
    strokes: Sequence, min_width_share: float = MIN_WIDTH_SHARE, join_share: float = JOIN_SHARE
) -> list[DigitGroup]:
    """Strokes in pen order -> the digits' groups, left to right.

    strokes: a sequence of strokes, each (k >= 1, 2) [x, y] points (a list or an array), x right,
    y down, any units. Returns DigitGroup(stroke_indices in pen order, box (x0, y0, x1, y1) in the
    strokes' units); every stroke index is in exactly one group. ValueError for a stroke without points.
    """
    boxes = stroke_boxes(strokes)
    if not boxes:
        return []
    min_width = min_width_share * line_height(boxes)
    members: list[list[int]] = []
    columns: list[tuple[float, float]] = []
    for index, box in enumerate(boxes):
        left, right = column(box, min_width)
        best, best_share = -1, 0.0
        for group, (group_left, group_right) in enumerate(columns):
            overlap = min(right, group_right) - max(left, group_left)
            if overlap <= 0:
                continue
            share = overlap / min(right - left, group_right - group_left)
            if share > best_share:
                best, best_share = group, share
        if best >= 0 and best_share >= join_share:
            members[best].append(index)
            columns[best] = (min(left, columns[best][0]), max(right, columns[best][1]))
        else:
            members.append([index])
            columns.append((left, right))
    groups = [DigitGroup(tuple(indices), union_box([boxes[index] for index in indices])) for indices in members]
    # Step 5; sorted() is stable and so is the JS sort, so equal centres keep pen order in both.
    return sorted(groups, key=lambda group: (group.box[0] + group.box[2]) / 2)


def union_box(boxes: Sequence[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    """Boxes -> the smallest box holding them all."""
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def number_text(digits: Sequence[int | None]) -> str:
    """Each group's answer (0..9, or None for not a digit) -> the number as shown, e.g. "4?7"."""
    return "".join(NOT_A_DIGIT_TEXT if digit is None else str(int(digit)) for digit in digits)


def params_js() -> str:
    """The text of web/js/numberParams.js: the grouping's numbers, for the page."""
    body = "\n".join(f"  {name}: {value!r}," for name, value in grouping_parameters().items())
    return (
        "// Generated by `python -m mnist_draw.number` from mnist_draw/number.py; do not edit.\n"
        "// How strokes are grouped into digits (tests/test_number.py checks it is current).\n"
        f"export const NUMBER_PARAMS = Object.freeze({{\n{body}\n}});\n"
        f"export const NOT_A_DIGIT_TEXT = {NOT_A_DIGIT_TEXT!r};\n"
    )


def main() -> int:
    PARAMS_JS_PATH.write_text(params_js(), encoding="utf-8")
    print(f"wrote {PARAMS_JS_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
