"""A whole number written left to right -> its digits' stroke groups, left to right.

    python -m mnist_draw.number    # rewrite web/js/numberParams.js from GroupingParams below

Twin: web/js/number.js implements the same numbered steps with the same names (`group_strokes`
<-> `groupStrokes`, `number_text` <-> `numberText`), loop for loop, so both give the same groups
from the same floats. Both are held to the golden cases in tests/golden/number.json
(tests/number_golden.py, written by `python -m tests.make_golden`). The numbers are written once,
here (GroupingParams); the page reads them from web/js/numberParams.js, which
`python -m mnist_draw.number` generates (tests/test_number.py checks it is current).

People write a number digit by digit, left to right, so each digit has its own column, and a
digit's later strokes (a 4's second stroke, a 7's cross, a 5's bar, even one added after the
following digits) land in or right beside that column. Lengths below are in line heights. Steps:
  1. boxes: each stroke's bounding box (x0, y0, x1, y1)
  2. line height: the tallest stroke's height (a digit's main stroke spans the line; a bar, a dot
     or half a 4 does not); 0 -> the widest stroke's width; 0 -> 1 unit
  3. column: a stroke's horizontal extent [x0, x1], widened about its centre to at least
     min_width_share, so a narrow 1, a stem or a dot has a usable width
  4. join by overlap, in pen order: the group whose column shares most of the stroke's (overlap
     over the narrower column; the earliest on a tie) takes it when that share reaches join_share,
     or part_share when the stroke or that group is a part (no taller than part_height: half a 4,
     a bar), since a digit's pieces may sit side by side while whole digits do not
  5. join by nearness, when step 4 did not: a stroke that completes a group - a bar (no taller
     than bar_height) over the group's ink, a stem (no wider than stem_width) where it or the group
     is a part, or anything after a group that is only a bar so far (a 5 begun with its bar) -
     joins the group whose ink comes nearest (point to point, the earliest on a tie) within
     near_distance; a steep stroke (width <= drop_slope * its height) whose top lies stem_drop
     below the group's top (an open 4's down stroke beside its L) may reach drop_distance
  6. otherwise the stroke starts a new group; a group's column is its ink box's, widened as in 3
  7. order: groups left to right by the centre of their ink box, (x0 + x1) / 2, ties in pen order;
     the centre, not the left edge, because a 7's bar or a slanted foot can reach past a
     neighbour's edge while the digit's middle stays in its own column
  8. alternatives (alternative_groupings): a group split where its parts sit side by side, a steep
     stroke or a part joined to its left neighbour, a late stroke moved to a neighbour;
     mnist_draw/number_reading.py reads every group of every
     grouping, all in one batch per model
  9. choice (choose_grouping): an alternative replaces the grouping only when the readers are
     clearly surer of it (choice_margin), since geometry alone cannot tell touching digits from
     one digit, nor an open 4's stem from a 1

Degenerate input is answered deterministically: no strokes -> no groups; a single point or strokes
of zero size -> each widened to the same column, so coincident points form one group. A stroke
without points is a ValueError (a drawn stroke has at least its pen-down point).

Coordinates are the stroke format's (mnist_draw/strokes.py): x right, y down, any units; only
ratios to the line height matter, so canvas pixels and tablet units group alike. The constants were
tuned on numbers composed from the training pen writers (digit_data/numbers.py,
bench/number_grouping.py; docs/numbers.md has the measurements on the held-out writers).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from mnist_draw.config import NOT_A_DIGIT_TEXT, PROJECT_ROOT  # NOT_A_DIGIT_TEXT: a group that is not a digit
from mnist_draw.js_constants import constants_js, write_js

PARAMS_JS_PATH = PROJECT_ROOT / "web" / "js" / "numberParams.js"  # the page's copy, generated below


@dataclass(frozen=True)
class GroupingParams:
    """The grouping's numbers, lengths in line heights (step numbers as in the module docstring)."""

    min_width_share: float = 0.3  # step 3: the narrowest column a stroke is given
    join_share: float = 0.4  # step 4: overlap / the narrower column from which a stroke joins a group
    part_share: float = 0.3  # step 4: the same when the stroke or the group is a part
    part_height: float = 0.75  # steps 4-5: a stroke or group no taller is a part of a digit, not a whole one
    bar_height: float = 0.3  # step 5: a stroke no taller is a bar, a cross or a dot
    stem_width: float = 0.25  # step 5: a stroke no wider is a stem (a 4's down stroke)
    stem_drop: float = 0.3  # step 5: a steep stroke whose top is this far below the group's is a 4's down stroke
    drop_slope: float = 0.5  # step 5: steep = no wider than this times its own height
    drop_distance: float = 0.25  # step 5: the same reach for such a dropped stem
    near_distance: float = 0.12  # step 5: how close a completing stroke's ink must come to the group's
    split_share: float = 0.2  # step 8: two parts of a group sit side by side when their columns share no more
    merge_gap: float = 0.15  # step 8: a one-stroke group this near its left neighbour (or overlapping it) may join it
    max_alternatives: int = 12  # step 8: at most this many alternatives are read, so a long number stays quick
    refused_probability: float = 0.01  # step 9: what a group read as "not a digit" counts as
    choice_margin: float = 4.0  # step 9: an alternative's product must exceed the grouping's this many times


@dataclass(frozen=True)
class DigitGroup:
    """One digit's strokes: their indices in pen order, and the box of their points (x0, y0, x1, y1)."""

    stroke_indices: tuple[int, ...]
    box: tuple[float, float, float, float]


def grouping_parameters(params: GroupingParams | None = None) -> dict:
    """The numbers the JS twin needs, under the names it reads them by (also the golden file's "params")."""
    return {camel_case(name): value for name, value in asdict(params or GroupingParams()).items()}


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def stroke_points(strokes: Sequence) -> list[list[tuple[float, float]]]:
    """Strokes (each >= 1 [x, y] point, lists or arrays) -> lists of float pairs; ValueError for an empty one."""
    points = []
    for index, stroke in enumerate(strokes):
        pairs = [(float(point[0]), float(point[1])) for point in stroke]
        if not pairs:
            raise ValueError(f"stroke {index} has no points")
        points.append(pairs)
    return points


def stroke_box(stroke: Sequence[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Step 1. One stroke's points -> (x0, y0, x1, y1)."""
    xs = [x for x, _ in stroke]
    ys = [y for _, y in stroke]
    return min(xs), min(ys), max(xs), max(ys)


def union_box(boxes: Sequence[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    """Boxes -> the smallest box holding them all."""
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


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


def squared_gap(points: Sequence[tuple[float, float]], others: Sequence[tuple[float, float]]) -> float:
    """The smallest squared distance between a point of `points` and one of `others`."""
    best = float("inf")
    for x, y in points:
        for other_x, other_y in others:
            dx, dy = x - other_x, y - other_y
            squared = dx * dx + dy * dy
            if squared < best:
                best = squared
    return best


def group_strokes(strokes: Sequence, params: GroupingParams | None = None) -> list[DigitGroup]:
    """Strokes in pen order -> the digits' groups, left to right (steps in the module docstring).

    strokes: a sequence of strokes, each (k >= 1, 2) [x, y] points (a list or an array), x right,
    y down, any units. Returns DigitGroup(stroke_indices in pen order, box (x0, y0, x1, y1) in the
    strokes' units); every stroke index is in exactly one group. ValueError for a stroke without points.
    """
    params = params or GroupingParams()
    points = stroke_points(strokes)
    boxes = [stroke_box(stroke) for stroke in points]
    if not boxes:
        return []
    height = line_height(boxes)
    min_width = params.min_width_share * height
    part = params.part_height * height
    members: list[list[int]] = []
    columns: list[tuple[float, float]] = []
    group_boxes: list[tuple[float, float, float, float]] = []
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
        if best >= 0:
            is_part = box[3] - box[1] <= part or group_boxes[best][3] - group_boxes[best][1] <= part
            if best_share < (params.part_share if is_part else params.join_share):
                best = -1
        if best < 0:
            best = nearest_completed(index, points, boxes, members, group_boxes, height, params)
        if best >= 0:
            members[best].append(index)
            group_boxes[best] = union_box([group_boxes[best], box])
            columns[best] = column(group_boxes[best], min_width)
        else:
            members.append([index])
            columns.append((left, right))
            group_boxes.append(box)
    groups = [DigitGroup(tuple(indices), group_boxes[group]) for group, indices in enumerate(members)]
    # Step 7; sorted() is stable and so is the JS sort, so equal centres keep pen order in both.
    return in_order(groups)


def nearest_completed(index, points, boxes, members, group_boxes, height, params: GroupingParams) -> int:
    """Step 5. The group stroke `index` completes whose ink comes nearest, within reach -> its index, else -1."""
    box = boxes[index]
    stroke_height, stroke_width = box[3] - box[1], box[2] - box[0]
    is_bar = stroke_height <= params.bar_height * height
    is_stem = stroke_width <= params.stem_width * height
    is_steep = stroke_width <= params.drop_slope * stroke_height
    best, best_squared = -1, float("inf")
    for group, group_box in enumerate(group_boxes):
        group_height = group_box[3] - group_box[1]
        over = min(box[2], group_box[2]) > max(box[0], group_box[0])
        drops = is_steep and box[1] - group_box[1] >= params.stem_drop * height
        completes = (
            (is_bar and over)
            or (
                is_stem
                and (stroke_height <= params.part_height * height or group_height <= params.part_height * height)
            )
            or group_height <= params.bar_height * height
        )
        if not (completes or drops):
            continue
        reach = max(params.near_distance, params.drop_distance) if drops else params.near_distance
        reach *= height
        # Boxes farther apart than the reach cannot hold ink that close: skip the point pairs.
        apart_x = max(group_box[0] - box[2], box[0] - group_box[2])
        apart_y = max(group_box[1] - box[3], box[1] - group_box[3])
        if apart_x > reach or apart_y > reach:
            continue
        for member in members[group]:
            squared = squared_gap(points[index], points[member])
            if squared <= reach * reach and squared < best_squared:
                best, best_squared = group, squared
    return best


def alternative_groupings(
    strokes: Sequence, groups: Sequence[DigitGroup], params: GroupingParams | None = None
) -> list[list[DigitGroup]]:
    """Step 8. The geometric grouping and a few alternatives for the readers to choose from (step 9).

    strokes: as group_strokes takes them; groups: group_strokes' answer for them. Returns groupings,
    each a list of DigitGroup left to right (ordered as in step 7): `groups` itself first, then
      - each group of >= 2 strokes split at a pen-order boundary (its earlier strokes / its later
        ones) where the two parts sit side by side: their columns (step 3) share at most
        split_share of the narrower, so two touching digits come apart while a digit whose strokes
        cross (a 4, a 7, a 5's bar over its bowl) does not; a single stroke is never cut;
      - each one-stroke group that is steep (no wider than drop_slope times its height) or a part
        (no taller than part_height) joined to its left neighbour when their boxes overlap
        horizontally or lie at most merge_gap apart (an open 4's stem standing alone beside its L),
      - each group's last-drawn stroke (of >= 2) moved to its left, then its right neighbour when
        their boxes overlap horizontally or lie at most merge_gap apart (a late stroke that went
        to the wrong digit),
    left to right, splits, then joins, then moves, at most max_alternatives of them.
    """
    params = params or GroupingParams()
    boxes = [stroke_box(stroke) for stroke in stroke_points(strokes)]
    if not boxes:
        return [list(groups)]
    height = line_height(boxes)
    alternatives = [
        *split_groupings(groups, boxes, params.min_width_share * height, params),
        *joined_groupings(groups, height, params),
        *moved_groupings(groups, boxes, height, params),
    ]
    return [list(groups), *alternatives[: params.max_alternatives]]


def horizontal_gap(box: Sequence[float], other: Sequence[float]) -> float:
    """How far apart two boxes lie horizontally; negative when they overlap."""
    return max(box[0], other[0]) - min(box[2], other[2])


def split_groupings(groups, boxes, min_width: float, params: GroupingParams) -> list[list[DigitGroup]]:
    """Step 8, splits: each group cut at each pen-order boundary where its two parts sit side by side."""
    alternatives = []
    for index, group in enumerate(groups):
        indices = group.stroke_indices
        for cut in range(1, len(indices)):
            first = DigitGroup(indices[:cut], union_box([boxes[i] for i in indices[:cut]]))
            second = DigitGroup(indices[cut:], union_box([boxes[i] for i in indices[cut:]]))
            first_left, first_right = column(first.box, min_width)
            second_left, second_right = column(second.box, min_width)
            overlap = min(first_right, second_right) - max(first_left, second_left)
            narrower = min(first_right - first_left, second_right - second_left)
            if overlap <= params.split_share * narrower:
                alternatives.append(in_order([*groups[:index], first, second, *groups[index + 1 :]]))
    return alternatives


def joined_groupings(groups, height: float, params: GroupingParams) -> list[list[DigitGroup]]:
    """Step 8, joins: each steep or short one-stroke group joined to its near left neighbour."""
    alternatives = []
    for index in range(1, len(groups)):
        left, right = groups[index - 1], groups[index]
        steep = right.box[2] - right.box[0] <= params.drop_slope * (right.box[3] - right.box[1])
        short = right.box[3] - right.box[1] <= params.part_height * height
        near = horizontal_gap(left.box, right.box) <= params.merge_gap * height
        if len(right.stroke_indices) == 1 and (steep or short) and near:
            indices = tuple(sorted(left.stroke_indices + right.stroke_indices))
            joined = DigitGroup(indices, union_box([left.box, right.box]))
            alternatives.append(in_order([*groups[: index - 1], joined, *groups[index + 1 :]]))
    return alternatives


def moved_groupings(groups, boxes, height: float, params: GroupingParams) -> list[list[DigitGroup]]:
    """Step 8, moves: each group's last-drawn stroke (of >= 2) moved to a near neighbour, left first."""
    alternatives = []
    for index, group in enumerate(groups):
        if len(group.stroke_indices) < 2:
            continue
        late = max(group.stroke_indices)
        rest = tuple(i for i in group.stroke_indices if i != late)
        for other in (index - 1, index + 1):
            if not 0 <= other < len(groups):
                continue
            target = groups[other]
            if horizontal_gap(boxes[late], target.box) <= params.merge_gap * height:
                moved = DigitGroup(tuple(sorted((*target.stroke_indices, late))), union_box([target.box, boxes[late]]))
                changed = {index: DigitGroup(rest, union_box([boxes[i] for i in rest])), other: moved}
                alternatives.append(in_order([changed.get(i, g) for i, g in enumerate(groups)]))
    return alternatives


def in_order(groups: Sequence[DigitGroup]) -> list[DigitGroup]:
    """Step 7 on finished groups: left to right by the centre of their box, ties in the given order."""
    return sorted(groups, key=lambda group: (group.box[0] + group.box[2]) / 2)


def choose_grouping(
    groupings: Sequence[Sequence[int]], readings: Sequence[tuple[bool, float]], params: GroupingParams | None = None
) -> int:
    """Step 9. Which grouping the readers are surest of -> its index in `groupings`.

    groupings: each a list of indices into `readings`, the first the geometric grouping (step 8
    lists them); readings: per group read, (is a digit, the shown answer's probability in [0, 1]).
    A grouping scores the product of its groups' probabilities, a group read as "not a digit"
    counting refused_probability (two digits merged into one box often read so). An alternative
    is kept only when its score exceeds choice_margin times the first grouping's, the best one
    (the earliest on a tie): geometry is right far more often than not, so the readers must be
    clearly surer to overrule it. Products, not sums of logarithms: multiplication is exact IEEE
    arithmetic in both twins, where logarithms may differ in the last bit.
    """
    params = params or GroupingParams()
    scores = []
    for grouping in groupings:
        score = 1.0
        for index in grouping:
            is_digit, probability = readings[index]
            score *= float(probability) if is_digit else params.refused_probability
        scores.append(score)
    best = 0
    for index in range(1, len(scores)):
        if scores[index] > params.choice_margin * scores[0] and (best == 0 or scores[index] > scores[best]):
            best = index
    return best


def number_text(digits: Sequence[int | None]) -> str:
    """Each group's answer (0..9, or None for not a digit) -> the number as shown, e.g. "4?7"."""
    return "".join(NOT_A_DIGIT_TEXT if digit is None else str(int(digit)) for digit in digits)


def params_js() -> str:
    """The text of web/js/numberParams.js: the grouping's numbers, for the page."""
    return constants_js(
        "mnist_draw.number",
        "mnist_draw/number.py",
        "How strokes are grouped into digits (tests/test_number.py checks it is current).",
        NUMBER_PARAMS=grouping_parameters(),
        NOT_A_DIGIT_TEXT=NOT_A_DIGIT_TEXT,
    )


def main() -> int:
    return write_js(PARAMS_JS_PATH, params_js())


if __name__ == "__main__":
    sys.exit(main())
