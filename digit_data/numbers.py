"""Written numbers composed from one pen writer's own digits, for tuning and benchmarking number mode.

A person writing a number on the page's wide canvas writes it digit by digit, left to right, in
one hand: the digits share a line height (each a little taller or shorter), a baseline (a little
tilted and wobbly) and a slant, and sit at uneven gaps, some wide, some tight, some touching or
slightly overlapping. A 5's bar, a 7's cross or a 4's second stroke is sometimes added late,
after the following digits. `compose_number` builds such a number from real digits
(digit_data/pendigits.py: every digit's strokes with its writer), `compose_numbers` many of
them, seeded, each from ONE writer's digits; pick the writers with
mnist_draw/held_out_writers.py (`training_writers` to tune on, `held_out` to measure).

Units: canvas pixels on the number canvas (ComposeConfig: 840 x 280 by default; x right, y
down), line height 180-240 px before a number too long for the canvas is scaled down to fit.
The gaps are measured between the digits' cells: a digit's ink box, widened about its centre to
at least MIN_ADVANCE line heights, because people space a narrow 1 about like other digits.

Used by bench/number_grouping.py (tuning mnist_draw/number.py's constants and its measured
rate), tests/test_number.py and tests/number_golden.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from mnist_draw.strokes import DrawnDigit

# A stroke this far (in the digit's heights) from the rest of its digit is a slip of the capture, not
# writing: two of the 7,494 pen digits have one (a dot far below a 0, one beside a 5); they are left out.
SLIP_DISTANCE = 0.3
LATE_STROKE_LABELS = (4, 5, 7)  # digits whose last stroke (a 4's second stroke, a 5's bar, a 7's cross) may come late


@dataclass(frozen=True)
class ComposeConfig:
    """How numbers are written; lengths in line heights unless said otherwise."""

    canvas_width: float = 840.0  # px, the page's number canvas
    canvas_height: float = 280.0  # px
    margin: float = 12.0  # px left free at every canvas edge
    line_height: tuple[float, float] = (180.0, 240.0)  # px, uniform per number, before fitting
    size_spread: float = 0.06  # sd of each digit's height factor around 1
    wobble: float = 0.03  # sd of each digit's baseline offset
    tilt_degrees: float = 2.0  # sd of the whole baseline's tilt
    # Extra shear per number, uniform, on top of the writer's own slant: x += slant * height above baseline.
    slant: tuple[float, float] = (-0.12, 0.12)
    min_advance: float = 0.35  # narrowest cell a digit takes
    # Gap kinds, each gap drawn independently: (share, low, high), uniform in [low, high).
    gap_kinds: dict = field(
        default_factory=lambda: {
            "normal": (0.5, 0.1, 0.45),
            "tight": (0.3, 0.0, 0.1),
            "touching": (0.2, -0.08, 0.0),
        }
    )
    late_share: float = 0.3  # share of numbers with a late stroke, where a digit allows one


@dataclass(frozen=True)
class ComposedNumber:
    """One written number.

    strokes: pen order, each a tuple of (x, y) canvas pixels (2 decimals). digits: the labels left
    to right. groups: per digit, left to right, its stroke indices in pen order (what
    mnist_draw.number.group_strokes should answer). gap_kinds: per neighbouring pair, "normal",
    "tight" or "touching"; gaps: the same gaps in line heights. late: a digit's last stroke comes
    after the following digits. line_height: px after fitting.
    """

    strokes: tuple[tuple[tuple[float, float], ...], ...]
    digits: tuple[int, ...]
    groups: tuple[tuple[int, ...], ...]
    writer: str | None
    gaps: tuple[float, ...]
    gap_kinds: tuple[str, ...]
    late: bool
    line_height: float
    width: float
    height: float


def has_slip(digit: DrawnDigit) -> bool:
    """Whether one of the digit's strokes lies farther than SLIP_DISTANCE heights from all its others."""
    if len(digit.strokes) < 2:
        return False
    left, top, right, bottom = digit.bounds()
    limit = SLIP_DISTANCE * (bottom - top or right - left or 1.0)
    arrays = [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in digit.strokes]
    for index, points in enumerate(arrays):
        others = np.concatenate(arrays[:index] + arrays[index + 1 :])
        if np.sqrt(((points[:, None] - others[None]) ** 2).sum(-1)).min() > limit:
            return True
    return False


def digit_on_baseline(digit: DrawnDigit, height: float, slant: float) -> np.ndarray:
    """Step 1. A digit -> its strokes' points as one (p, 2) array scaled to `height`, bottom at y = 0,
    sheared by `slant`, leftmost ink at x = 0 (per-stroke lengths: [len(s) for s in digit.strokes])."""
    points = np.concatenate([np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in digit.strokes])
    low, high = points.min(axis=0), points.max(axis=0)
    extent = high[1] - low[1] or high[0] - low[0] or 1.0
    scaled = (points - [low[0], high[1]]) * (height / extent)
    scaled[:, 0] -= slant * scaled[:, 1]  # y <= 0 above the baseline: the top leans right for slant > 0
    scaled[:, 0] -= scaled[:, 0].min()
    return scaled


def draw_gap(rng: np.random.Generator, config: ComposeConfig) -> tuple[float, str]:
    """A gap between two cells, in line heights, and its kind."""
    names = list(config.gap_kinds)
    shares = np.array([config.gap_kinds[name][0] for name in names])
    kind = names[int(rng.choice(len(names), p=shares / shares.sum()))]
    _, low, high = config.gap_kinds[kind]
    return float(rng.uniform(low, high)), kind


def pen_order(
    digits: Sequence[DrawnDigit], rng: np.random.Generator, config: ComposeConfig
) -> tuple[list[tuple[int, int]], bool]:
    """Step 3. -> (digit position, stroke index) in the order drawn, and whether one stroke comes late."""
    order = [(position, stroke) for position, digit in enumerate(digits) for stroke in range(len(digit.strokes))]
    eligible = [
        position
        for position, digit in enumerate(digits[:-1])
        if digit.label in LATE_STROKE_LABELS and len(digit.strokes) >= 2
    ]
    if not eligible or rng.random() >= config.late_share:
        return order, False
    position = eligible[int(rng.integers(len(eligible)))]
    after = int(rng.integers(position + 1, len(digits)))  # drawn once digit `after` is finished
    late = (position, len(digits[position].strokes) - 1)
    order.remove(late)
    last_of_after = max(index for index, (owner, _) in enumerate(order) if owner == after)
    order.insert(last_of_after + 1, late)
    return order, True


def compose_number(
    digits: Sequence[DrawnDigit], rng: np.random.Generator, config: ComposeConfig | None = None
) -> ComposedNumber:
    """The digits (left to right, one writer's, any units) -> one number written on the canvas.

    Steps: 1. each digit scaled to the line height times its own size factor, sheared by the
    number's slant; 2. laid out left to right in cells at drawn gaps, baselines tilted and
    wobbling, the whole scaled down to fit the canvas if too wide or tall and placed at random
    inside it; 3. the pen order, digit by digit, maybe with one late stroke.
    """
    config = config or ComposeConfig()
    if not digits:
        raise ValueError("a number needs at least one digit")
    line = float(rng.uniform(*config.line_height))
    slant = float(rng.uniform(*config.slant))
    tilt = math.tan(math.radians(float(rng.normal(0, config.tilt_degrees))))
    placed, gaps, kinds, cursor = [], [], [], 0.0
    for position, digit in enumerate(digits):
        height = line * float(np.clip(rng.normal(1, config.size_spread), 0.8, 1.2))
        points = digit_on_baseline(digit, height, slant)
        ink_width = float(points[:, 0].max())
        cell = max(ink_width, config.min_advance * line)
        points[:, 0] += cursor + (cell - ink_width) / 2
        baseline = float(rng.normal(0, config.wobble)) * line
        points[:, 1] += baseline + tilt * (cursor + cell / 2)
        placed.append(points)
        cursor += cell
        if position < len(digits) - 1:
            gap, kind = draw_gap(rng, config)
            gaps.append(gap)
            kinds.append(kind)
            cursor += gap * line
    everything = np.concatenate(placed)
    low, high = everything.min(axis=0), everything.max(axis=0)
    room = np.array([config.canvas_width, config.canvas_height]) - 2 * config.margin
    scale = float(min(1.0, *(room / np.maximum(high - low, 1e-9))))
    free = room - (high - low) * scale
    origin = config.margin + rng.uniform(0, 1, 2) * free
    order, late = pen_order(digits, rng, config)
    strokes, groups = [], [[] for _ in digits]
    for position, stroke in order:
        start = sum(len(points) for points in digits[position].strokes[:stroke])
        points = placed[position][start : start + len(digits[position].strokes[stroke])]
        canvas = np.round((points - low) * scale + origin, 2)
        groups[position].append(len(strokes))
        strokes.append(tuple((float(x), float(y)) for x, y in canvas))
    return ComposedNumber(
        strokes=tuple(strokes),
        digits=tuple(int(digit.label) if digit.label is not None else -1 for digit in digits),
        groups=tuple(tuple(group) for group in groups),
        writer=digits[0].writer,
        gaps=tuple(gaps),
        gap_kinds=tuple(kinds),
        late=late,
        line_height=line * scale,
        width=config.canvas_width,
        height=config.canvas_height,
    )


def compose_numbers(
    digits: Sequence[DrawnDigit],
    count: int,
    seed: int = 0,
    lengths: Sequence[int] = range(2, 9),
    config: ComposeConfig | None = None,
) -> list[ComposedNumber]:
    """`count` numbers, each from one writer's digits (the writer, length and labels uniform) -> list.

    digits: labelled DrawnDigits with writers (e.g. digit_data.pendigits.load_pendigits() filtered
    by mnist_draw.held_out_writers.held_out or training_writers). Within a number a writer's
    instances of a digit are not repeated while others remain; digits with a capture slip
    (`has_slip`) are left out. Same inputs and seed, same numbers.
    """
    by_writer: dict[str | None, dict[int, list[DrawnDigit]]] = {}
    for digit in digits:
        if has_slip(digit):
            continue
        by_writer.setdefault(digit.writer, {}).setdefault(digit.label, []).append(digit)
    writers = sorted((writer for writer, labels in by_writer.items() if labels), key=str)
    if not writers:
        raise ValueError("no digits to compose numbers from")
    rng = np.random.default_rng(seed)
    numbers = []
    for _ in range(count):
        own = by_writer[writers[int(rng.integers(len(writers)))]]
        labels = sorted(own)
        length = int(lengths[int(rng.integers(len(lengths)))])
        chosen, used = [], set()
        for _ in range(length):
            label = labels[int(rng.integers(len(labels)))]
            fresh = [index for index in range(len(own[label])) if (label, index) not in used] or list(
                range(len(own[label]))
            )
            index = fresh[int(rng.integers(len(fresh)))]
            used.add((label, index))
            chosen.append(own[label][index])
        numbers.append(compose_number(chosen, rng, config))
    return numbers
