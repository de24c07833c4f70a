"""Made-up pen paths that are not digits: the stroke model's "not a digit" class, and a fair test of it.

`make_non_digits(count, rng, split, digits)` draws `count` NonDigit items of six families, each
drawn the way a person draws with a pen or a mouse, in the stroke format (x right, y down, canvas
pixels, about 0..280; mnist_draw/strokes.py):
  scribble  tangles, hatching, coils of loops (unseen: scrawls, cross-hatching, scribble balls)
  letter    capital and small letters from stroke templates, none that can pass for a digit
  shape     triangles, stars, zigzags, waves (unseen: hearts, arrows, smileys, #, spirals, ...); no
            squares or diamonds: a hand rounds their corners, and a rounded one is a 0
  dot       a single point, a 1-3 point tap, a few specks (unseen: ..., :, a smudge)
  line      dashes and diagonals at least 40 degrees from vertical, = (unseen: ~, three bars, - - -)
  crammed   2-3 digits of one writer squeezed side by side, or overlapping, into one digit's box
`turned_digits(digits, count, rng)` makes a seventh, for training only: real digits turned on
their side (TURNS), the nearest thing to a digit that is none.
Every template is a few strokes in a unit box; `draw` then draws it with a Hand: the corners
rounded and the path wobbling like a hand's, the pen sampled a few pixels apart in time rather
than in space (so points crowd where the pen slows, at corners and at both ends of a stroke, as a
browser pointer or a tablet records them), each sample shaken by a pixel or so. Before that each
item is slanted, stretched, turned, sized and placed at random, and its strokes may come in
another order or direction than the template's.

Letters left out because in someone's hand they pass for a digit:
O o D Q (0), I l i j J L (1; L also a 7 turned over), S s (5), Z z (2), B b (8, 6), G g (6, 9),
q y a d (9, 4), r t (1 with a flag, 4, +), ε & (3, 8), Φ (0 struck through), Г (7); the small
c k u v w x are left to their capitals. Kept though close: C (its mouth opens at least
100 degrees, wider than a sloppy 0's), T (its stem hangs from the middle of the bar, not from an
end like a 7's), F (a 7 is never drawn with the stem at the left of the bar), P (a 9's stem is to
the right of its loop), U and n (open, a 0 is closed), Y (a stem straight below the fork, where
an open 4 crosses its bar). A plain circle (0), a near-vertical line (1) and a check mark (a V or
a 7) are no shape here; a line is at least 40 degrees from vertical.

How the "unseen" set is made, and why it is fair as "never seen in training":
  - Every family's templates are split in two: the "unseen" letters (P U V Y e h m n Ж И Я),
    shapes, scribbles, dots and lines are other kinds than the training ones, listed in KINDS, and
    no kind is in both (tests/test_non_digits.py checks it). A model that learnt only "these 12
    letters and these 6 shapes are not digits" fails on them; one that learnt what digits look
    like and calls everything else "not a digit" passes.
  - Crammed digits come from the digits the caller passes: training writers' for "training",
    held-out writers' (digit_data/pendigits.py VALIDATION_WRITERS) for "unseen", so neither the
    hands nor the digits are the training ones. Their kinds ("2 digits", "3 digits") are shared;
    the writers are what differs. Unseen crams 3 digits more often and overlaps them more.
  - The hand that draws them differs too (UNSEEN_HAND against TRAINING_HAND): wider ranges of
    pen-sample spacing, shake, wobble, corner rounding, slant and turn, and a different speed
    profile, so the unseen set is not the training generator with other templates plugged in.

pen_path.py normalises size away, so a tap of 2-3 samples reaches the stroke model as a short
straight or bent line blown up to full size, at a random angle: upright, it is a 1 drawn
straight. Half the taps are therefore single points (what the canvas keeps of a still finger);
telling the rest from a 1 needs the drawing's size, which only the canvas knows.

Determinism: everything random comes from the `rng` passed in, so one seed gives one set.
Speed: about 0.3 ms an item on one core (NumPy on small arrays), thousands a second.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

import numpy as np

from digit_data.geometry import random_affine
from mnist_draw.config import CANVAS_SIZE, MAX_POINTS_PER_DIGIT, MIN_POINT_DISTANCE

Strokes = list[np.ndarray]  # each (k >= 1, 2) float64, x right, y down

SPLITS = ("training", "unseen")
FAMILIES = ("scribble", "letter", "shape", "dot", "line", "crammed")
# How often each family comes up beyond the one of each that every set of 6 or more gets.
FAMILY_WEIGHTS = {"scribble": 0.2, "letter": 0.25, "shape": 0.2, "dot": 0.1, "line": 0.1, "crammed": 0.15}
POINT_BUDGET = min(800, MAX_POINTS_PER_DIGIT)  # a slow, careful digit has ~300; the format allows 2,000


@dataclasses.dataclass(frozen=True)
class NonDigit:
    """One made-up drawing that is not a digit."""

    strokes: list[np.ndarray]  # each (k >= 1, 2) float64, x right, y down, canvas pixels (about 0..280)
    family: str  # one of FAMILIES, or "turned" (turned_digits, training only)
    kind: str = ""  # the template within the family, e.g. "A", "star", "tangle", "2 digits"


@dataclasses.dataclass(frozen=True)
class Hand:
    """How a person's drawing varies; lengths in canvas pixels unless said to be shares of the item's size."""

    size_range: tuple[float, float]  # the item's longer side, pixels
    spacing_range: tuple[float, float]  # mean distance between pen samples, pixels (log-uniform)
    jitter_range: tuple[float, float]  # standard deviation of each sample's shake, pixels
    wobble_range: tuple[float, float]  # slow drift of the path, share of the size
    rounding_range: tuple[float, float]  # corner rounding (Gaussian sigma), share of the size
    slant: float  # most x shear per unit of y
    aspect: float  # log of the most width-to-height stretch
    rotation_degrees: float  # most turn of letters and shapes
    corner_slowdown: float  # pixels: how much the pen slows in a bend (speed 1 / (1 + this * curvature))
    end_slowdown: float  # the pen's relative speed where a stroke starts and ends (1: no slowing)
    reorder_probability: float  # chance that a multi-stroke template's strokes come in another order
    reverse_probability: float  # chance per stroke of being drawn from its other end


TRAINING_HAND = Hand(
    size_range=(70.0, 220.0),
    spacing_range=(2.0, 6.0),
    jitter_range=(0.2, 0.7),
    wobble_range=(0.0, 0.015),
    rounding_range=(0.004, 0.02),
    slant=0.3,
    aspect=0.25,
    rotation_degrees=15.0,
    corner_slowdown=10.0,
    end_slowdown=0.35,
    reorder_probability=0.2,
    reverse_probability=0.15,
)
UNSEEN_HAND = Hand(
    size_range=(50.0, 240.0),
    spacing_range=(1.5, 9.0),
    jitter_range=(0.1, 1.2),
    wobble_range=(0.0, 0.025),
    rounding_range=(0.002, 0.03),
    slant=0.35,
    aspect=0.3,
    rotation_degrees=20.0,
    corner_slowdown=16.0,
    end_slowdown=0.2,
    reorder_probability=0.3,
    reverse_probability=0.25,
)
HANDS = {"training": TRAINING_HAND, "unseen": UNSEEN_HAND}


# --- Template helpers: strokes in a unit box, x right, y down ----------------------------------


def poly(*points: tuple[float, float]) -> np.ndarray:
    return np.array(points, dtype=np.float64)


def arc(cx: float, cy: float, rx: float, ry: float, start: float, end: float) -> np.ndarray:
    """Points on an ellipse from `start` to `end` degrees, counter-clockwise as seen (90 is the top)."""
    count = max(int(abs(end - start) / 8), 2) + 1
    angles = np.radians(np.linspace(start, end, count))
    return np.stack([cx + rx * np.cos(angles), cy - ry * np.sin(angles)], axis=1)


def chain(*pieces: np.ndarray) -> np.ndarray:
    """Pieces joined into one stroke (a piece's first point repeating the last one's end is fine)."""
    return np.concatenate(pieces)


def closed(vertices: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A closed polygon from a random vertex, in a random direction, back to that vertex."""
    start = int(rng.integers(len(vertices)))
    ordered = np.roll(vertices, -start, axis=0)
    if rng.random() < 0.5:
        ordered = np.concatenate([ordered[:1], ordered[:0:-1]])
    return np.concatenate([ordered, ordered[:1]])


def hatch(passes: int, rng: np.random.Generator) -> np.ndarray:
    """Back-and-forth strokes across the unit box in one pen-down, drifting sideways."""
    xs = np.linspace(0.0, 1.0, passes + 1) + rng.normal(0, 0.3 / passes, passes + 1)
    ys = np.where(np.arange(passes + 1) % 2 == 0, 0.0, 1.0) + rng.normal(0, 0.06, passes + 1)
    return np.stack([xs, ys], axis=1)


def mirror(stroke: np.ndarray) -> np.ndarray:
    return np.stack([1.0 - stroke[:, 0], stroke[:, 1]], axis=1)


def turn(stroke: np.ndarray, degrees: float, centre=(0.5, 0.5)) -> np.ndarray:
    angle = math.radians(degrees)
    matrix = np.array([[math.cos(angle), math.sin(angle)], [-math.sin(angle), math.cos(angle)]])
    return (stroke - centre) @ matrix + centre


# --- Letters (none that can pass for a digit: see the module docstring) -------------------------


def bowl(top: float, bottom: float, left: float, right: float) -> np.ndarray:
    """The round part of P, R: from (left, top) out to the right and back to (left, bottom)."""
    middle = (top + bottom) / 2
    radius_y = (bottom - top) / 2
    return chain(poly((left, top)), arc(right - radius_y, middle, radius_y, radius_y, 90, -90), poly((left, bottom)))


LETTERS: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "A": lambda rng: [poly((0, 1), (0.5, 0), (1, 1)), poly((0.22, 0.62), (0.78, 0.62))]
    if rng.random() < 0.7
    else [poly((0.5, 0), (0, 1)), poly((0.5, 0), (1, 1)), poly((0.22, 0.62), (0.78, 0.62))],
    "C": lambda rng: [arc(0.55, 0.5, 0.5, 0.5, rng.uniform(45, 60), rng.uniform(300, 315))],
    "E": lambda rng: [poly((1, 0), (0, 0), (0, 1), (1, 1)), poly((0, 0.5), (0.75, 0.5))]
    if rng.random() < 0.6
    else [poly((0, 0), (0, 1)), poly((0, 0), (1, 0)), poly((0, 0.5), (0.75, 0.5)), poly((0, 1), (1, 1))],
    "F": lambda rng: [poly((0, 1), (0, 0), (1, 0)), poly((0, 0.48), (0.7, 0.48))]
    if rng.random() < 0.5
    else [poly((0, 0), (0, 1)), poly((0, 0), (1, 0)), poly((0, 0.48), (0.7, 0.48))],
    "H": lambda rng: [poly((0, 0), (0, 1)), poly((1, 0), (1, 1)), poly((0, 0.5), (1, 0.5))]
    if rng.random() < 0.7
    else [poly((0, 0), (0, 1)), poly((0, 0.5), (1, 0.5)), poly((1, 0), (1, 1))],
    "K": lambda rng: [poly((0, 0), (0, 1)), poly((0.9, 0), (0.02, 0.58), (1, 1))]
    if rng.random() < 0.6
    else [poly((0, 0), (0, 1)), poly((0.9, 0), (0.02, 0.6)), poly((0.3, 0.42), (1, 1))],
    "M": lambda rng: [poly((0, 1), (0.05, 0), (0.5, 0.65), (0.95, 0), (1, 1))],
    "N": lambda rng: [poly((0, 1), (0, 0), (1, 1), (1, 0))]
    if rng.random() < 0.7
    else [poly((0, 1), (0, 0)), poly((0, 0), (1, 1), (1, 0))],
    "R": lambda rng: [poly((0, 1), (0, 0)), chain(bowl(0, 0.5, 0, 0.85), poly((1, 1)))]
    if rng.random() < 0.6
    else [chain(poly((0, 1)), bowl(0, 0.5, 0, 0.85), poly((1, 1)))],
    "T": lambda rng: [poly((0, 0), (1, 0)), poly((0.5, 0), (0.5, 1))],
    "W": lambda rng: [poly((0, 0), (0.25, 1), (0.5, 0.3), (0.75, 1), (1, 0))],
    "X": lambda rng: [poly((0, 0), (1, 1)), poly((1, 0), (0, 1))],
    # Unseen ones.
    "P": lambda rng: [poly((0, 1), (0, 0)), bowl(0, 0.5, 0, 0.75)]
    if rng.random() < 0.5
    else [chain(poly((0, 1)), bowl(0, 0.5, 0, 0.75))],
    "U": lambda rng: [chain(poly((0, 0)), arc(0.5, 0.55, 0.5, 0.45, 180, 360), poly((1, 0)))],
    "V": lambda rng: [poly((0, 0), (0.5, 1), (1, 0))],
    "Y": lambda rng: [poly((0, 0), (0.5, 0.5), (0.5, 1)), poly((1, 0), (0.5, 0.5))]
    if rng.random() < 0.5
    else [poly((0, 0), (0.5, 0.5)), poly((1, 0), (0.5, 0.5), (0.5, 1))],
    "e": lambda rng: [chain(poly((0.03, 0.55)), arc(0.5, 0.5, 0.48, 0.48, 0, rng.uniform(300, 330)))],
    "h": lambda rng: [chain(poly((0, 0), (0, 1), (0, 0.6)), arc(0.5, 0.6, 0.5, 0.32, 180, 0), poly((1, 1)))],
    "m": lambda rng: [
        chain(
            poly((0, 1), (0, 0.3)),
            arc(0.25, 0.3, 0.25, 0.25, 180, 0),
            poly((0.5, 1), (0.5, 0.3)),
            arc(0.75, 0.3, 0.25, 0.25, 180, 0),
            poly((1, 1)),
        )
    ],
    "n": lambda rng: [chain(poly((0, 0.2), (0, 1), (0, 0.45)), arc(0.5, 0.45, 0.5, 0.45, 180, 0), poly((1, 1)))],
    "Ж": lambda rng: [poly((0, 0), (0.45, 0.5), (0, 1)), poly((0.5, 0), (0.5, 1)), poly((1, 0), (0.55, 0.5), (1, 1))],
    "И": lambda rng: [poly((0, 0), (0, 1), (1, 0), (1, 1))],
    "Я": lambda rng: [mirror(chain(poly((0, 1)), bowl(0, 0.5, 0, 0.85), poly((1, 1))))],
}


# --- Shapes: no plain circle or ellipse (a 0), no near-vertical line (a 1), no check mark ---------


def wobbly(vertices, rng: np.random.Generator, spread: float = 0.05) -> np.ndarray:
    return np.asarray(vertices, dtype=np.float64) + rng.normal(0.0, spread, (len(vertices), 2))


def triangle(rng: np.random.Generator) -> Strokes:
    vertices = wobbly([(0.5, 0), (1, 1), (0, 1)], rng)
    if rng.random() < 0.8:
        return [closed(vertices, rng)]
    return [vertices[[0, 1]], vertices[[1, 2]], vertices[[2, 0]]]


def star(rng: np.random.Generator) -> Strokes:
    angles = np.radians(90 + 144 * np.arange(5) + rng.normal(0, 3, 5))
    vertices = np.stack([0.5 + 0.5 * np.cos(angles), 0.5 - 0.5 * np.sin(angles)], axis=1)
    return [closed(vertices, rng)]


def zigzag(rng: np.random.Generator) -> Strokes:
    teeth = int(rng.integers(3, 7))
    amplitude = rng.uniform(0.12, 0.4)
    xs = np.linspace(0, 1, 2 * teeth + 1)
    ys = 0.5 + np.where(np.arange(2 * teeth + 1) % 2 == 0, amplitude, -amplitude)
    return [turn(np.stack([xs, ys], axis=1) + rng.normal(0, 0.015, (len(xs), 2)), rng.uniform(-30, 30))]


def wave(rng: np.random.Generator) -> Strokes:
    periods = rng.uniform(2.0, 3.5)
    xs = np.linspace(0, 1, int(periods * 16) + 1)
    ys = 0.5 + rng.uniform(0.12, 0.3) * np.sin(2 * np.pi * periods * xs + rng.uniform(0, 2 * np.pi))
    return [turn(np.stack([xs, ys], axis=1), rng.uniform(-20, 20))]


def heart(rng: np.random.Generator) -> Strokes:
    def side(start: float, end: float) -> np.ndarray:
        t = np.linspace(start, end, 40)
        return np.stack(
            [16 * np.sin(t) ** 3, -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))], axis=1
        )

    if rng.random() < 0.35:  # both halves from the dip down to the tip
        return [side(0, -np.pi), side(0, np.pi)]
    start = 0.0 if rng.random() < 0.6 else np.pi  # from the dip, or from the tip
    return [side(start, start + 2 * np.pi)]


def arrow(rng: np.random.Generator) -> Strokes:
    # Pointing at least 40 degrees away from up or down, so the shaft never stands like a 1.
    angle = rng.uniform(-50, 50) + (180 if rng.random() < 0.4 else 0)
    head = rng.uniform(0.2, 0.35)
    tip, wings = (1.0, 0.5), [(1 - head, 0.5 - head * 0.8), (1 - head, 0.5 + head * 0.8)]
    if rng.random() < 0.6:
        strokes = [poly((0, 0.5), tip), poly(wings[0], tip, wings[1])]
    else:
        strokes = [poly((0, 0.5), tip, wings[0]), poly(tip, wings[1])]
    return [turn(stroke, angle) for stroke in strokes]


def smiley(rng: np.random.Generator) -> Strokes:
    start = rng.uniform(0, 360)
    face = arc(0.5, 0.5, 0.5, rng.uniform(0.45, 0.55), start, start + rng.choice([-1, 1]) * rng.uniform(345, 375))
    eyes = [poly((x, 0.37), (x + 0.005, 0.39)) for x in (0.33 + rng.normal(0, 0.02), 0.67 + rng.normal(0, 0.02))]
    mouth = arc(0.5, 0.52, 0.27, rng.uniform(0.12, 0.25), 200, 340)
    return [face, *eyes, mouth] if rng.random() < 0.8 else [*eyes, mouth, face]


def hash_sign(rng: np.random.Generator) -> Strokes:
    lean = rng.uniform(0.0, 0.15)
    verticals = [poly((x + lean, 0), (x - lean, 1)) for x in (0.33, 0.67)]
    bars = [poly((0, y), (1, y - 0.03)) for y in (0.35, 0.67)]
    return verticals + bars if rng.random() < 0.6 else bars + verticals


def spiral(rng: np.random.Generator) -> Strokes:
    turns = rng.uniform(2.2, 3.5)
    angles = np.linspace(0, 2 * np.pi * turns, int(turns * 36) + 1)
    radius = 0.05 + 0.45 * angles / angles[-1]
    stroke = np.stack([0.5 + radius * np.cos(angles), 0.5 - radius * np.sin(angles)], axis=1)
    return [mirror(stroke) if rng.random() < 0.5 else stroke]


def cloud(rng: np.random.Generator) -> Strokes:
    bumps = int(rng.integers(5, 8))
    start = rng.uniform(0, 2 * np.pi)
    angles = start + np.linspace(0, 2 * np.pi, bumps * 12 + 1)
    radius = 1 + rng.uniform(0.3, 0.45) * np.abs(np.sin(bumps * (angles - start) / 2))
    return [np.stack([0.5 + 0.5 * radius * np.cos(angles), 0.5 - 0.33 * radius * np.sin(angles)], axis=1)]


def house(rng: np.random.Generator) -> Strokes:
    eaves = rng.uniform(0.3, 0.5)
    if rng.random() < 0.5:
        body = closed(wobbly([(0, eaves), (1, eaves), (1, 1), (0, 1)], rng, 0.02), rng)
        return [body, poly((0, eaves), (0.5, 0), (1, eaves))]
    return [poly((0, eaves), (0, 1), (1, 1), (1, eaves), (0.5, 0), (0, eaves), (1, eaves))]


SHAPES: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "triangle": triangle,
    "star": star,
    "zigzag": zigzag,
    "wave": wave,
    # Unseen ones.
    "heart": heart,
    "arrow": arrow,
    "smiley": smiley,
    "hash": hash_sign,
    "spiral": spiral,
    "cloud": cloud,
    "house": house,
}


# --- Scribbles ----------------------------------------------------------------------------------


def tangle(rng: np.random.Generator) -> Strokes:
    """A long smooth wander that loops: turning rate with memory, steered back when it leaves the box.

    Walks that turn less than four full turns in all are walked again: a short, calm one can
    come out as a 9, a 6 or a 2.
    """
    while True:
        steps = int(rng.integers(130, 200))
        x, y = rng.uniform(0.2, 0.8, 2).tolist()
        heading, turning, turned = rng.uniform(0, 2 * np.pi), 0.0, 0.0
        points = [(x, y)]
        for noise in rng.normal(0, 0.07, steps).tolist():
            # Bends no tighter than a tenth of the box, so it loops rather than curls into knots.
            turning = min(max(0.9 * turning + noise, -0.35), 0.35)
            steer = 0.0
            if max(abs(x - 0.5), abs(y - 0.5)) > 0.45:
                steer = 0.25 * math.remainder(math.atan2(0.5 - y, 0.5 - x) - heading, 2 * math.pi)
            heading += turning + steer
            turned += abs(turning + steer)
            x, y = x + 0.035 * math.cos(heading), y + 0.035 * math.sin(heading)
            points.append((x, y))
        if turned >= 8 * math.pi:
            break
    stroke = np.array(points)
    if rng.random() < 0.25:  # lifted once halfway
        cut = int(rng.integers(len(stroke) // 3, 2 * len(stroke) // 3))
        return [stroke[:cut], stroke[cut:]]
    return [stroke]


def hatching(rng: np.random.Generator) -> Strokes:
    return [turn(hatch(int(rng.integers(5, 11)), rng), rng.uniform(0, 180))]


def coil(rng: np.random.Generator) -> Strokes:
    loops = int(rng.integers(3, 7))
    t = np.linspace(0, 2 * np.pi * loops, loops * 20 + 1) + np.pi / 2
    advance = 1.0 / (2 * np.pi * loops)
    radius = advance * rng.uniform(1.6, 3.0)
    stroke = np.stack([advance * t - radius * np.cos(t), 0.5 - rng.uniform(1.0, 2.0) * radius * np.sin(t)], axis=1)
    return [turn(stroke, rng.uniform(-25, 25))]


def scrawl(rng: np.random.Generator) -> Strokes:
    """A jagged line through 12-20 random points of the box: enough corners never to read as a letter or a digit."""
    return [rng.uniform(0, 1, (int(rng.integers(12, 21)), 2))]


def cross_hatching(rng: np.random.Generator) -> Strokes:
    angle = rng.uniform(0, 180)
    first = turn(hatch(int(rng.integers(4, 8)), rng), angle)
    second = turn(hatch(int(rng.integers(4, 8)), rng), angle + rng.uniform(60, 120)) + rng.normal(0, 0.1, 2)
    return [first, second]


def scribble_ball(rng: np.random.Generator) -> Strokes:
    """Circling round and round off-centre, as when scribbling something out: a circle carried on a circle.

    The second circle turns at a frequency that is no whole multiple of the first, so the loops
    never stack into a traced-over 0.
    """
    turns = rng.uniform(4, 7)
    angles = np.linspace(0, 2 * np.pi * turns, int(turns * 24) + 1)
    ratio, carried = rng.uniform(0.25, 0.45), rng.uniform(0.6, 1.0)
    phase = rng.uniform(0, 2 * np.pi)
    xs = np.cos(angles) + carried * np.cos(ratio * angles + phase)
    ys = -np.sin(angles) - carried * np.sin(ratio * angles + phase)
    stroke = np.stack([xs, rng.uniform(0.6, 1.0) * ys], axis=1) + rng.normal(0, 0.3, 2) * (angles / angles[-1])[:, None]
    return [mirror(stroke) if rng.random() < 0.5 else stroke]


SCRIBBLES: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "tangle": tangle,
    "hatching": hatching,
    "coil": coil,
    # Unseen ones.
    "scrawl": scrawl,
    "cross-hatching": cross_hatching,
    "scribble ball": scribble_ball,
}


# --- Lines: drawn at their own angle, so no slant or turn is added afterwards --------------------


def direction(degrees_from_horizontal: float) -> np.ndarray:
    angle = math.radians(degrees_from_horizontal)
    return np.array([math.cos(angle), math.sin(angle)])


def bar(start: np.ndarray, along: np.ndarray, length: float, rng: np.random.Generator) -> np.ndarray:
    """A straight-ish line with a slight bow in the middle."""
    across = np.array([-along[1], along[0]])
    middle = start + along * length / 2 + across * rng.normal(0, 0.02) * length
    return np.stack([start, middle, start + along * length])


def dash(rng: np.random.Generator) -> Strokes:
    return [bar(np.zeros(2), direction(rng.uniform(-15, 15)), 1.0, rng)]


def diagonal(rng: np.random.Generator) -> Strokes:
    from_vertical = rng.uniform(40, 75) * rng.choice([-1, 1])
    return [bar(np.zeros(2), direction(90 - from_vertical), 1.0, rng)]


def bars(count: int, rng: np.random.Generator, tilt: float) -> Strokes:
    """`count` parallel-ish dashes one under the other: = or three bars."""
    angle, gap = rng.uniform(-tilt, tilt), rng.uniform(0.15, 0.4)
    return [
        bar(np.array([rng.normal(0, 0.05), index * gap]), direction(angle + rng.normal(0, 3)), rng.uniform(0.8, 1), rng)
        for index in range(count)
    ]


def wavy_dash(rng: np.random.Generator) -> Strokes:
    periods = rng.uniform(1.0, 2.5)
    xs = np.linspace(0, 1, int(periods * 12) + 2)
    ys = rng.uniform(0.04, 0.1) * np.sin(2 * np.pi * periods * xs + rng.uniform(0, 2 * np.pi))
    return [turn(np.stack([xs, ys], axis=1), rng.uniform(-20, 20), centre=(0.5, 0.0))]


def dashed(rng: np.random.Generator) -> Strokes:
    pieces = int(rng.integers(3, 6))
    along = direction(rng.uniform(-25, 25))
    share = rng.uniform(0.4, 0.75)  # of each step, how much is ink
    return [bar(along * index, along, share, rng) for index in range(pieces)]


LINES: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "dash": dash,
    "diagonal": diagonal,
    "equals": lambda rng: bars(2, rng, 10),
    # Unseen ones.
    "wavy dash": wavy_dash,
    "three bars": lambda rng: bars(3, rng, 10),
    "dashed": dashed,
}

KINDS: dict[str, dict[str, tuple[str, ...]]] = {
    "training": {
        "scribble": ("tangle", "hatching", "coil"),
        "letter": ("A", "C", "E", "F", "H", "K", "M", "N", "R", "T", "W", "X"),
        "shape": ("triangle", "star", "zigzag", "wave"),
        "dot": ("point", "tap", "specks"),
        "line": ("dash", "diagonal", "equals"),
        "crammed": ("2 digits", "3 digits"),
    },
    "unseen": {
        "scribble": ("scrawl", "cross-hatching", "scribble ball"),
        "letter": ("P", "U", "V", "Y", "e", "h", "m", "n", "Ж", "И", "Я"),
        "shape": ("heart", "arrow", "smiley", "hash", "spiral", "cloud", "house"),
        "dot": ("ellipsis", "colon", "smudge"),
        "line": ("wavy dash", "three bars", "dashed"),
        "crammed": ("2 digits", "3 digits"),
    },
}
TEMPLATES = {"scribble": SCRIBBLES, "letter": LETTERS, "shape": SHAPES, "line": LINES}


# --- Dots: made straight in canvas pixels, too small for a hand's wobble ------------------------


def tap(centre: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A pen touching down and lifting: one sample, or 2-3 if it slid, each at least the canvas's minimum apart.

    A still finger gives one point, as the canvas drops moves under MIN_POINT_DISTANCE.
    """
    count = 1 if rng.random() < 0.5 else int(rng.integers(2, 4))
    steps = rng.normal(0, 1, (count - 1, 2))
    steps *= (MIN_POINT_DISTANCE + rng.uniform(0, 1.2, (count - 1, 1))) / np.maximum(np.hypot(*steps.T), 1e-9)[:, None]
    return centre + np.cumsum(np.concatenate([np.zeros((1, 2)), steps]), axis=0)


def taps_along(count: int, along: np.ndarray, spacing: float, rng: np.random.Generator) -> Strokes:
    return [tap(along * spacing * index + rng.normal(0, spacing * 0.1, 2), rng) for index in range(count)]


DOTS: dict[str, Callable[[np.random.Generator], Strokes]] = {
    "point": lambda rng: [np.zeros((1, 2))],
    "tap": lambda rng: [tap(np.zeros(2), rng)],
    "specks": lambda rng: [
        tap(position, rng) for position in rng.uniform(0, rng.uniform(15, 150), (int(rng.integers(2, 7)), 2))
    ],
    # Unseen ones.
    "ellipsis": lambda rng: taps_along(3, direction(rng.uniform(-15, 15)), rng.uniform(6, 25), rng),
    "colon": lambda rng: taps_along(2, direction(90 + rng.uniform(-15, 15)), rng.uniform(8, 40), rng),
    "smudge": lambda rng: [np.cumsum(rng.normal(0, rng.uniform(0.8, 2.0), (int(rng.integers(5, 16)), 2)), axis=0)],
}


# --- Crammed digits -------------------------------------------------------------------------------


def digit_strokes(digit) -> Strokes:
    """A pen digit record (anything with `.strokes`) or a plain list of strokes -> (k, 2) float64 arrays."""
    strokes = getattr(digit, "strokes", digit)
    return [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) for stroke in strokes if len(stroke)]


def by_writer(digits: Sequence) -> list[list]:
    """Digits grouped by their `.writer` (one group where there is none), in first-seen order.

    The records are kept as they are; only the few that get crammed are turned into arrays.
    """
    groups: dict = {}
    for digit in digits:
        groups.setdefault(getattr(digit, "writer", None), []).append(digit)
    return list(groups.values())


def cram(writers: list[list], rng: np.random.Generator, split: str) -> tuple[Strokes, str]:
    """2-3 digits of one writer, each scaled to about one height, side by side or overlapping, squeezed into one box."""
    unseen = split == "unseen"
    count = 3 if rng.random() < (0.5 if unseen else 0.3) else 2
    fitting = [group for group in writers if len(group) >= count] or writers
    group = fitting[int(rng.integers(len(fitting)))]
    chosen = rng.choice(len(group), size=count, replace=len(group) < count)
    placed: Strokes = []
    previous_right = previous_centre = None
    closest = math.inf  # the least distance between neighbouring digits' centres, in heights
    for index in chosen:
        strokes = digit_strokes(group[int(index)])
        points = np.concatenate(strokes)
        low, high = points.min(axis=0), points.max(axis=0)
        height = max(high[1] - low[1], 0.3 * (high[0] - low[0]), 1e-6)
        scale = rng.uniform(0.85, 1.15) / height
        strokes = [(stroke - low) * scale for stroke in strokes]
        width = (high[0] - low[0]) * scale
        shift_x = 0.0
        if previous_right is not None:
            gap = rng.uniform(-0.45, 0.1) if unseen else rng.uniform(-0.3, 0.12)
            shift_x = previous_right + gap
            # Two digits on top of each other would read as one: keep their centres apart.
            shift_x = max(shift_x, previous_centre + 0.35 - width / 2)
            closest = min(closest, shift_x + width / 2 - previous_centre)
        offset = np.array([shift_x, rng.normal(0, 0.08)])
        placed += [stroke + offset for stroke in strokes]
        previous_right, previous_centre = shift_x + width, shift_x + width / 2
    points = np.concatenate(placed)
    low, high = points.min(axis=0), points.max(axis=0)
    ratio = (high[0] - low[0]) / max(high[1] - low[1], 1e-6)
    target = rng.uniform(0.5, 1.6) if unseen else rng.uniform(0.6, 1.4)
    # Squeezed, never stretched, and never so far that one digit sits on top of the other.
    squeeze = max(target / ratio, 0.25 / closest)
    if squeeze < 1:
        placed = [np.stack([(stroke[:, 0] - low[0]) * squeeze, stroke[:, 1]], axis=1) for stroke in placed]
    return placed, f"{count} digits"


# --- Turned digits: a real digit on its side -------------------------------------------------------

# Which digits each turn makes into no digit, in degrees clockwise. Nobody writes a digit on its
# side, and a digit turned is as near the digits as a drawing gets: every line and curve of it is
# a real writer's, only its direction is wrong. Left out: 0 and 8 (still a 0, or an 8 on its side
# is an infinity a hand may mean as 8), 1 (a dash, a line already), and upside down every digit
# but 4 (6 and 9 swap, 2 and 5 stay themselves, 3 becomes an ε, 7 an L: all pass for a digit).
# No mirror images either: a child's reversed 2 or 7 is still read as that digit.
TURNS = {90: (2, 3, 4, 5, 6, 7, 9), -90: (2, 3, 4, 5, 6, 7, 9), 180: (4,)}
TURN_SPREAD_DEGREES = 15.0  # each turn varies this much either way


def turned_digits(digits: Sequence, count: int, rng: np.random.Generator) -> list[NonDigit]:
    """`count` of `digits` (pen digits with `.label` and `.strokes`) turned into no digit, as TURNS allows.

    Each item is one random turn of one random digit of a label that turn allows, about its box
    centre, so it stays where the digit was, in the digits' own units. Family
    "turned", kind e.g. "7 turned 90". Only the shape changes: the caller augments it as it
    augments digits, so the class cannot tell turned digits from digits by how they were drawn.
    ValueError (one line) when no digit of a turnable label is given and count > 0.
    """
    by_label: dict[int, list] = {}
    for digit in digits:
        by_label.setdefault(digit.label, []).append(digit)
    turns = [(degrees, label) for degrees, labels in TURNS.items() for label in labels if by_label.get(label)]
    if count and not turns:
        raise ValueError(f"turned non-digits need pen digits of some of {sorted(set().union(*TURNS.values()))}")
    items = []
    for _ in range(count):
        degrees, label = turns[int(rng.integers(len(turns)))]
        group = by_label[label]
        strokes = digit_strokes(group[int(rng.integers(len(group)))])
        angle = degrees + rng.uniform(-TURN_SPREAD_DEGREES, TURN_SPREAD_DEGREES)  # clockwise on a y-down canvas
        points = np.concatenate(strokes)
        centre = (points.min(axis=0) + points.max(axis=0)) / 2
        items.append(
            NonDigit([turn(stroke, angle, centre) for stroke in strokes], "turned", f"{label} turned {degrees}")
        )
    return items


# --- The hand: turn a template into what a pointer records ---------------------------------------


def vary_order(strokes: Strokes, rng: np.random.Generator, hand: Hand) -> Strokes:
    """Another stroke order, sometimes, and each stroke maybe drawn from its other end."""
    if len(strokes) > 1 and rng.random() < hand.reorder_probability:
        strokes = [strokes[index] for index in rng.permutation(len(strokes))]
    return [stroke[::-1] if rng.random() < hand.reverse_probability else stroke for stroke in strokes]


def place(strokes: Strokes, size: float, rng: np.random.Generator) -> Strokes:
    """Scale the item's longer side to `size` pixels and put it somewhere on the canvas, wholly inside."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = float((high - low).max())
    scale = size / extent if extent > 0 else 1.0
    box = (high - low) * scale
    margin = 5.0
    corner = np.array([rng.uniform(margin, max(margin, CANVAS_SIZE - margin - side)) for side in box])
    return [(stroke - low) * scale + corner for stroke in strokes]


def smooth(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing along the first axis of (n,) or (n, 2) values, `sigma` in samples; the ends held."""
    radius = min(int(3 * sigma), len(values) - 1)
    if sigma < 0.5 or radius < 1:
        return values
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    padded = np.concatenate([np.repeat(values[:1], radius, axis=0), values, np.repeat(values[-1:], radius, axis=0)])
    if values.ndim == 1:
        return np.convolve(padded, kernel, mode="valid")
    return np.stack([np.convolve(padded[:, axis], kernel, mode="valid") for axis in range(2)], axis=1)


def thin(points: np.ndarray, minimum: float) -> np.ndarray:
    """Drop samples closer than `minimum` to the last kept one, as the page's canvas does."""
    gaps = np.hypot(*(points[1:] - points[:-1]).T)
    if len(points) < 2 or gaps.min() >= minimum:
        return points
    listed = points.tolist()
    keep, (last_x, last_y) = [0], listed[0]
    for index, (x, y) in enumerate(listed[1:], start=1):
        if math.hypot(x - last_x, y - last_y) >= minimum:
            keep.append(index)
            last_x, last_y = x, y
    return points[keep]


@dataclasses.dataclass(frozen=True)
class Pen:
    """One item's draw from a Hand: every stroke of the item is drawn with the same pen and pace."""

    spacing: float  # pixels between samples on average
    jitter: float  # pixels
    wobble: float  # pixels
    wobble_wavelength: float  # pixels
    rounding: float  # pixels
    corner_slowdown: float  # pixels
    end_slowdown: float


def pick_pen(hand: Hand, size: float, rng: np.random.Generator) -> Pen:
    low, high = hand.spacing_range
    return Pen(
        spacing=math.exp(rng.uniform(math.log(low), math.log(high))),
        jitter=rng.uniform(*hand.jitter_range),
        wobble=rng.uniform(*hand.wobble_range) * size,
        wobble_wavelength=rng.uniform(0.4, 1.5) * size,
        rounding=rng.uniform(*hand.rounding_range) * size,
        corner_slowdown=hand.corner_slowdown,
        end_slowdown=hand.end_slowdown,
    )


def draw_stroke(points: np.ndarray, pen: Pen, rng: np.random.Generator) -> np.ndarray:
    """A template stroke in pixels -> the samples a pointer records drawing it: (k >= 1, 2) float64."""
    lengths = np.hypot(*(points[1:] - points[:-1]).T) if len(points) > 1 else np.zeros(0)
    total = float(lengths.sum())
    if total < 1e-9:
        return points[:1] + rng.normal(0, pen.jitter, (1, 2))
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    step = max(min(1.5, pen.spacing / 2), total / 2000)  # fine enough to round corners smoothly
    grid = np.linspace(0, total, int(total / step) + 2)
    dense = np.stack([np.interp(grid, cumulative, points[:, axis]) for axis in range(2)], axis=1)
    dense = smooth(dense, pen.rounding / (grid[1] - grid[0]))
    if pen.wobble > 0:  # a slow drift, as a hand never follows its intention exactly
        phases = rng.uniform(0, 2 * np.pi, 2)
        dense = dense + pen.wobble * np.sin(2 * np.pi * grid[:, None] / pen.wobble_wavelength + phases)
    # The pen slows in bends and at both ends; samples come at equal times, so they crowd there.
    delta = dense[1:] - dense[:-1]
    segment = np.hypot(delta[:, 0], delta[:, 1])
    heading = np.arctan2(delta[:, 1], delta[:, 0])
    bend = np.abs(np.remainder(np.diff(heading) + np.pi, 2 * np.pi) - np.pi)
    curvature = np.concatenate([[0.0], bend]) / max(grid[1] - grid[0], 1e-9)
    curvature = smooth(curvature, 3.0)
    along = np.concatenate([[0.0], np.cumsum(segment)])
    middle = (along[1:] + along[:-1]) / 2
    ramp = min(along[-1] / 4, 12.0)
    to_end = np.minimum(middle, along[-1] - middle) / max(ramp, 1e-9)
    speed = (pen.end_slowdown + (1 - pen.end_slowdown) * np.clip(to_end, 0, 1)) / (1 + pen.corner_slowdown * curvature)
    time = np.concatenate([[0.0], np.cumsum(segment / speed)])
    samples = np.linspace(0, time[-1], max(int(round(along[-1] / pen.spacing)), 1) + 1)
    drawn = np.stack([np.interp(samples, time, dense[:, axis]) for axis in range(2)], axis=1)
    drawn += rng.normal(0, pen.jitter, drawn.shape)
    return thin(drawn, MIN_POINT_DISTANCE)


def draw(strokes: Strokes, size: float, rng: np.random.Generator, hand: Hand) -> Strokes:
    """Template strokes already placed in pixels -> pointer samples, within POINT_BUDGET points in all."""
    pen = pick_pen(hand, size, rng)
    total = sum(float(np.hypot(*(stroke[1:] - stroke[:-1]).T).sum()) for stroke in strokes if len(stroke) > 1)
    # Slow pens on long scribbles would pass the budget: sample them coarser, as a faster hand.
    budget = POINT_BUDGET - 2 * len(strokes)
    if total / pen.spacing > 0.6 * budget:
        pen = dataclasses.replace(pen, spacing=total / (0.6 * budget))
    return [draw_stroke(stroke, pen, rng) for stroke in strokes]


# --- The sets -------------------------------------------------------------------------------------


def plan(count: int, families: Sequence[str], rng: np.random.Generator) -> list[str]:
    """Which family each item is: one of each first (when count allows), the rest by FAMILY_WEIGHTS, shuffled."""
    first = list(families) if count >= len(families) else []
    weights = np.array([FAMILY_WEIGHTS[family] for family in families])
    rest = rng.choice(len(families), size=count - len(first), p=weights / weights.sum())
    chosen = first + [families[index] for index in rest]
    return [chosen[index] for index in rng.permutation(len(chosen))]


def make_one(family: str, split: str, rng: np.random.Generator, writers: list[list]) -> NonDigit:
    hand = HANDS[split]
    kinds = KINDS[split][family]
    if family == "dot":
        kind = kinds[int(rng.integers(len(kinds)))]
        strokes = DOTS[kind](rng)
        points = np.concatenate(strokes)
        corner = rng.uniform(20, CANVAS_SIZE - 20 - (points.max(axis=0) - points.min(axis=0)), 2)
        return NonDigit([stroke - points.min(axis=0) + corner for stroke in strokes], family, kind)
    if family == "crammed":
        strokes, kind = cram(writers, rng, split)
        strokes = random_affine(strokes, rng, hand.slant, hand.aspect, hand.rotation_degrees / 2)
    else:
        kind = kinds[int(rng.integers(len(kinds)))]
        strokes = vary_order(
            [np.asarray(stroke, dtype=np.float64) for stroke in TEMPLATES[family][kind](rng)], rng, hand
        )
        if family != "line":  # a line's angle is its template's; a slant could stand it up like a 1
            strokes = random_affine(strokes, rng, hand.slant, hand.aspect, hand.rotation_degrees)
    size = rng.uniform(*hand.size_range)
    return NonDigit(draw(place(strokes, size, rng), size, rng, hand), family, kind)


def make_non_digits(
    count: int,
    rng: np.random.Generator,
    split: str = "training",
    digits: Sequence = (),
    *,
    families: Sequence[str] = FAMILIES,
) -> list[NonDigit]:
    """`count` made-up drawings that are not digits, of every family in `families` (each at least once if count allows).

    split: "training" or "unseen" (other templates, another hand; see the module docstring).
    digits: pen digits (anything with `.strokes`, and `.writer` to group them; digit_data/pendigits.py's
    DrawnDigit) for the "crammed" family: the training writers' for "training", held-out writers' for
    "unseen". ValueError (one line) if "crammed" is asked for without them; leave it out of
    `families` to make the others alone. Deterministic for a given rng state.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    unknown = [family for family in families if family not in FAMILIES]
    if unknown or not families:
        raise ValueError(f"families must be some of {FAMILIES}, got {tuple(families)!r}")
    writers = by_writer(digits) if "crammed" in families else []
    if "crammed" in families and not writers:
        raise ValueError("crammed non-digits need pen digits: pass digits=..., or leave 'crammed' out of families")
    if any(not len(getattr(digit, "strokes", digit)) for group in writers for digit in group):
        raise ValueError("every pen digit to cram needs at least one stroke")
    return [make_one(family, split, rng, writers) for family in plan(count, tuple(families), rng)]
