"""A number's strokes -> one Reading per digit written, read the way the page's number mode reads them.

Twin of web/js/numberRead.js. mnist_draw/number.py groups the strokes into digits, left to
right; each group is then read exactly as digit mode reads a whole drawing: its strokes inked
alone with the same pen on the canvas's own pixel grid (mnist_draw/render.py), preprocessed
(mnist_draw/preprocess.py), its pen path read by the stroke model beside the image model
(mnist_draw/stroke_inference.py) and the two fused. Both models read all the groups in one batch
each. The geometric grouping competes with a few alternatives (number.alternative_groupings),
every group of every one read in that same batch, and gives way only when the readers are clearly
surer of one (number.choose_grouping). Used by the app's number mode (streamlit_app.py) and
`python -m mnist_draw.predict --number`.
Importing this module does not import TensorFlow.

Inking a group alone: the page inks the group's strokes into the rectangle that holds their ink
(the box of their points widened by pen width / 2 + ANTIALIAS_MARGIN, its corner floored to whole
pixels) and preprocesses that rectangle. Here the strokes are moved by that corner, a whole
number of pixels, so every point keeps its place within its pixel and the antialiasing falls as
it did on the canvas; the renderer's square is as big as the rectangle's longer side, and the
extra black is cut off by preprocessing's crop to the ink.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np

from mnist_draw import fusion, number, pen_path
from mnist_draw.config import INPUT_SHAPE, STROKE_WIDTH
from mnist_draw.preprocess import preprocess_ink
from mnist_draw.render import render_canvas_strokes
from mnist_draw.stroke_inference import Reading, StrokeReader, adapt_reading, fused_readings

# As in web/js/canvas.js: antialiasing shades up to about a pixel past a stroke's edge; two keep a margin.
ANTIALIAS_MARGIN = 2


@dataclasses.dataclass(frozen=True)
class NumberReading:
    """A number read: its digit groups left to right and one Reading per group."""

    groups: tuple[number.DigitGroup, ...]  # stroke indices in pen order, box (x0, y0, x1, y1) of their points
    readings: tuple[Reading, ...]  # one per group, after the kept drawings' vote where one was given
    adapted: tuple[bool, ...]  # per group: the kept drawings changed the answer shown
    images: np.ndarray  # (groups, 28, 28, 1) float32 in [0, 1]: what the image model read

    @property
    def digits(self) -> tuple[int | None, ...]:
        """Each group's digit 0-9, None for "not a digit"."""
        return tuple(reading.digit for reading in self.readings)

    @property
    def text(self) -> str:
        """The number as every front end shows it: one character per group, "?" for not a digit; "" for none."""
        return number.number_text(self.digits)


def ink_rectangle(box: Sequence[float], pen_width: float) -> tuple[int, int, int, int]:
    """A group's box of points (x0, y0, x1, y1) and the pen width, in canvas pixels ->
    (left, top, width, height) whole canvas pixels of the rectangle that holds its ink (numberRead.js inkAlone)."""
    reach = pen_width / 2 + ANTIALIAS_MARGIN
    left, top = math.floor(box[0] - reach), math.floor(box[1] - reach)
    return left, top, math.ceil(box[2] + reach) - left, math.ceil(box[3] + reach) - top


def moved(strokes: Sequence, dx: float, dy: float) -> list[np.ndarray]:
    """Strokes ([x, y] points each) moved by (dx, dy) -> (k, 2) float64 arrays."""
    return [np.asarray(stroke, dtype=np.float64).reshape(-1, 2) + (dx, dy) for stroke in strokes]


def group_ink(strokes: Sequence, box: Sequence[float], pen_width: float = STROKE_WIDTH) -> np.ndarray:
    """One group's strokes (canvas pixels) inked alone -> (height, width) float64 ink in [0, 1] of
    its ink rectangle (ink_rectangle), pixel for pixel what the canvas shows there for those strokes."""
    left, top, width, height = ink_rectangle(box, pen_width)
    ink = render_canvas_strokes(moved(strokes, -left, -top), pen_width, canvas_size=max(width, height))
    return ink[:height, :width]


def group_images(strokes: Sequence, groups: Sequence[number.DigitGroup], pen_width: float = STROKE_WIDTH) -> np.ndarray:
    """The drawing's strokes and its groups -> (groups, 28, 28, 1) float32 model inputs in [0, 1]."""
    images = np.zeros((len(groups), *INPUT_SHAPE), dtype=np.float32)
    for index, group in enumerate(groups):
        images[index] = preprocess_ink(group_ink([strokes[i] for i in group.stroke_indices], group.box, pen_width))
    return images


def predict_batch(model, inputs: np.ndarray) -> np.ndarray:
    """(n, ...) float32 inputs -> the model's (n, classes) float32 outputs, in one call.

    The batch is padded with zeros to a power of two: Keras traces its predict function again for
    every new batch size (hundreds of ms each), so a server reading numbers of every length
    traces it a handful of times instead of once per length.
    """
    padded = np.zeros((1 << max(len(inputs) - 1, 0).bit_length(), *inputs.shape[1:]), dtype=np.float32)
    padded[: len(inputs)] = inputs
    return np.asarray(model.predict_on_batch(padded), dtype=np.float32)[: len(inputs)]


def read_groups(model, reader: StrokeReader | None, images: np.ndarray, paths: list[list]) -> list[Reading]:
    """(g, 28, 28, 1) images and each group's strokes -> g Readings, as stroke_inference.read_digit
    answers for one drawing, with one batch through each model."""
    if not len(images):
        return []
    from_images = predict_batch(model, images).reshape(len(images), -1)  # (g, 10 or 11)
    if reader is None:
        digits, _ = fusion.fuse_reading(None, from_images, 0.0)  # a picture alone is never "not a digit"
        return [Reading(probabilities=probs, image=probs, stroke=None) for probs in digits]
    features = pen_path.batch_features(paths, reader.n_points)  # (g, n_points, 5)
    return fused_readings(reader, from_images, predict_batch(reader.model, features))


@dataclasses.dataclass(frozen=True)
class Candidates:
    """Every grouping the readers choose between (number.alternative_groupings) and each group read once."""

    groups: tuple[number.DigitGroup, ...]  # every distinct group of every grouping, the geometric ones first
    groupings: tuple[tuple[int, ...], ...]  # each grouping left to right, as indices into `groups`; 0: geometric
    readings: tuple[Reading, ...]  # one per group, after the kept drawings' vote where one was given
    adapted: tuple[bool, ...]  # per group: the kept drawings changed the answer shown
    images: np.ndarray  # (groups, 28, 28, 1) float32 in [0, 1]: what the image model read

    def choice(self, params: number.GroupingParams | None = None) -> int:
        """The grouping the readers are surest of (number.choose_grouping) -> its index in `groupings`."""
        answers = [(reading.is_digit, reading.confidence) for reading in self.readings]
        return number.choose_grouping(self.groupings, answers, params)


def read_candidates(
    model,
    reader: StrokeReader | None,
    strokes: Sequence,
    pen_width: float = STROKE_WIDTH,
    memory: dict | None = None,
    params: number.GroupingParams | None = None,
) -> Candidates:
    """The strokes' groupings (geometric and alternatives) with every distinct group read, one batch per model.

    Arguments as read_number's; strokes without points must already be left out.
    """
    groupings, table = [], {}
    for grouping in number.alternative_groupings(strokes, number.group_strokes(strokes, params), params):
        groupings.append(tuple(table.setdefault(group.stroke_indices, (len(table), group))[0] for group in grouping))
    groups = tuple(group for _, group in table.values())
    paths = [[strokes[index] for index in group.stroke_indices] for group in groups]
    images = group_images(strokes, groups, pen_width)
    readings, adapted = [], []
    for reading, path in zip(read_groups(model, reader, images, paths), paths, strict=True):
        reading, changed = adapt_reading(reading, path, memory)
        readings.append(reading)
        adapted.append(changed)
    return Candidates(groups, tuple(groupings), tuple(readings), tuple(adapted), images)


def read_number(
    model,
    reader: StrokeReader | None,
    strokes: Sequence,
    pen_width: float = STROKE_WIDTH,
    memory: dict | None = None,
) -> NumberReading:
    """Read a drawing as a number.

    model: the image model, keras (n, 28, 28, 1) -> (n, 10 or 11); reader: the stroke model
    (stroke_inference.load_stroke_reader), None to read pictures alone. strokes: the canvas's
    strokes in pen order, each (k >= 1, 2) [x, y] canvas pixels (x right, y down); pen_width:
    canvas pixels. memory: the person's kept drawings (adapt.kept_memory), voting on each group
    as on a digit-mode drawing (stroke_inference.adapt_reading); None for the plain models.
    The groups are the geometric grouping's unless the readers are clearly surer of an
    alternative (number.alternative_groupings, number.choose_grouping). No strokes -> no groups and text "".
    """
    strokes = [stroke for stroke in strokes if len(stroke)]
    candidates = read_candidates(model, reader, strokes, pen_width, memory)
    chosen = list(candidates.groupings[candidates.choice()])
    return NumberReading(
        groups=tuple(candidates.groups[index] for index in chosen),
        readings=tuple(candidates.readings[index] for index in chosen),
        adapted=tuple(candidates.adapted[index] for index in chosen),
        images=candidates.images[chosen],
    )


def group_drawing(
    strokes: Sequence, group: number.DigitGroup, canvas_size: float
) -> tuple[list[list[tuple[float, float]]], int]:
    """One group's strokes as a drawing of its own, as the page keeps it (web/js/main.js groupDrawing):
    moved by whole pixels (points kept to 1/100) so that their box is centred on a square as big as
    `canvas_size` (digit mode's canvas) or the group, if larger -> (strokes, the square's side)."""
    x0, y0, x1, y1 = group.box
    side = math.ceil(max(canvas_size, x1 - x0, y1 - y0))
    # JS Math.round: halves go up, where Python's round goes to even.
    dx, dy = math.floor((side - x0 - x1) / 2 + 0.5), math.floor((side - y0 - y1) / 2 + 0.5)
    kept = [
        [(round(float(x) + dx, 2), round(float(y) + dy, 2)) for x, y in strokes[index]]
        for index in group.stroke_indices
    ]
    return kept, side
