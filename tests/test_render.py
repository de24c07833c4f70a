"""The canvas-faithful renderer (mnist_draw/render.py) on strokes whose pixels can be worked out.

The last tests compare it with `reference_ink`, a direct transcription of web/js/canvas.js's
event handlers (each pointer event one draw call, composited onto the canvas) that computes
every pixel's distance to a densely sampled curve: slow, obviously right, and independent of
the renderer's flattening, windows and batching. How the renderer compares with the real page
is tests/test_render_parity.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mnist_draw.config import MIN_POINT_DISTANCE
from mnist_draw.render import (
    FLATNESS,
    Placement,
    render_canvas_strokes,
    render_ink,
    render_rgba,
    stroke_pieces,
    to_canvas,
)
from mnist_draw.strokes import make_digit

SIZE = 280


def on_canvas(strokes, pen_width: float = 22.0, size: int = SIZE):
    """A digit whose points are canvas pixels already, and the Placement that leaves them there."""
    digit = make_digit(strokes, width=size, height=size)
    left, top, right, bottom = digit.bounds()
    extent = max(right - left, bottom - top)
    placement = Placement(
        size=extent / size if extent else 0.5,
        centre_x=(left + right) / 2 / size,
        centre_y=(top + bottom) / 2 / size,
        pen_width=pen_width,
    )
    return digit, placement


def pixel(ink: np.ndarray, x: float, y: float) -> float:
    """Ink of the pixel that contains canvas point (x, y)."""
    return float(ink[int(math.floor(y)), int(math.floor(x))])


def test_dot_is_a_disc_of_the_pen_width():
    digit, placement = on_canvas([[(140.3, 120.6)]], pen_width=22)
    ink = render_ink(digit, placement)
    assert ink.sum() == pytest.approx(math.pi * 11**2, rel=0.01)
    assert pixel(ink, 140.3, 120.6) == 1.0
    assert pixel(ink, 140.3 + 10, 120.6) == 1.0 and pixel(ink, 140.3 + 12.5, 120.6) == 0.0
    rows, cols = np.nonzero(ink)
    assert (rows * ink[rows, cols]).sum() / ink.sum() + 0.5 == pytest.approx(120.6, abs=0.05)
    assert (cols * ink[rows, cols]).sum() / ink.sum() + 0.5 == pytest.approx(140.3, abs=0.05)


@pytest.mark.parametrize("pen_width", [8, 22, 40])
def test_straight_line_is_as_wide_as_the_pen(pen_width):
    digit, placement = on_canvas([[(60.0, 140.25), (220.0, 140.25)]], pen_width=pen_width)
    # Column 100 is inside the first curve only (the second starts at the midpoint, x = 140).
    column = render_ink(digit, placement)[:, 100]
    # A horizontal edge at a quarter pixel: the ramp gives the edge rows 0.75 and 0.25 (8-bit).
    assert column.sum() == pytest.approx(pen_width, abs=1 / 255)
    assert np.count_nonzero(column == 1.0) == pen_width - 1


def test_line_ends_in_round_caps():
    digit, placement = on_canvas([[(60.5, 140.5), (220.5, 140.5)]], pen_width=22)  # on pixel centres
    ink = render_ink(digit, placement)
    assert pixel(ink, 60.5 - 10, 140.5) == 1.0 and pixel(ink, 60.5 - 12, 140.5) == 0.0
    # Half covered by pointer-down's dot and again by the first curve's cap: 1 - 0.5^2.
    assert pixel(ink, 60.5 - 11, 140.5) == pytest.approx(0.75, abs=1 / 255)
    assert pixel(ink, 60.5 - 9, 140.5 - 9) == 0.0  # a square cap would cover this corner
    assert pixel(ink, 220.5 + 7, 140.5 + 7) == 1.0 and pixel(ink, 220.5 + 9, 140.5 + 9) == 0.0


def test_placement_centres_the_bounding_box_and_sets_its_longer_side():
    digit = make_digit([[(0, 0), (50, 100)]], width=500, height=500)
    placement = Placement(size=0.5, centre_x=0.25, centre_y=0.6, pen_width=10)
    (points,) = to_canvas(digit, placement)
    np.testing.assert_allclose(points, [[70 - 35, 168 - 70], [70 + 35, 168 + 70]])
    rows, cols = np.nonzero(render_ink(digit, placement) > 0.5)
    assert (rows.min(), rows.max() + 1, cols.min(), cols.max() + 1) == (98 - 5, 238 + 5, 35 - 5, 105 + 5)


def test_curves_pass_midway_between_points_not_through_them():
    # canvas.js curves from midpoint to midpoint with the point as control: a sharp "V" comes
    # out rounded, its apex a quarter of the way from the corner to the chord's middle.
    digit, placement = on_canvas([[(40.0, 240.0), (140.0, 40.0), (240.0, 240.0)]], pen_width=8)
    ink = render_ink(digit, placement)
    assert pixel(ink, 140, 90) == 1.0  # 0.25 * 90 + 0.5 * 40 + 0.25 * 140: the curve's apex
    assert pixel(ink, 140, 84) == 0.0 and pixel(ink, 140, 40) == 0.0  # the corner point is left out
    assert pixel(ink, 40, 240) == 1.0 and pixel(ink, 240, 240) == 1.0  # both ends are reached


def test_overlapping_draw_calls_composite_like_the_canvas():
    # Two taps at one spot are two fills: an edge pixel of coverage c becomes 1 - (1 - c)^2.
    once = render_ink(*on_canvas([[(140.0, 140.0)]]))
    twice = render_ink(*on_canvas([[(140.0, 140.0)], [(140.0, 140.0)]]))
    edge = (once > 0.2) & (once < 0.8)
    assert edge.any()
    np.testing.assert_allclose(twice[edge], 1 - (1 - once[edge]) ** 2, atol=1 / 255)
    assert (twice[once == 1.0] == 1.0).all() and (twice[once == 0.0] == 0.0).all()


def test_one_stroke_is_not_composited_over_itself():
    # Within one curve the canvas fills one shape: its flattened pieces must not add up.
    digit, placement = on_canvas([[(60.0, 140.25), (220.0, 140.25)]], pen_width=22)
    starts, _, calls = stroke_pieces(to_canvas(digit, placement)[0])
    joints = starts[calls == 1, 0][1:]  # where pieces of the first curve (60 to 140) meet
    assert len(joints) > 3
    joint = next(x for x in joints if 90 < x < 120)  # away from the dot and the second curve
    assert render_ink(digit, placement)[:, int(joint)].sum() == pytest.approx(22, abs=1 / 255)


def test_strokes_in_canvas_pixels_render_where_they_are():
    # The app's canvas sends strokes in canvas pixels: drawn as they are, like a digit placed there.
    strokes = [[(60.0, 80.0), (120.0, 90.0), (200.0, 200.0)], [(150.0, 40.0)]]
    ink = render_canvas_strokes(strokes, pen_width=14)
    np.testing.assert_allclose(ink, render_ink(*on_canvas(strokes, pen_width=14)), atol=1 / 255)
    assert pixel(ink, 60, 80) == 1.0 and pixel(ink, 122.5, 102.5) == 1.0 and pixel(ink, 150, 40) == 1.0
    assert pixel(ink, 250, 250) == 0.0


def test_no_strokes_render_a_black_canvas():
    assert not render_canvas_strokes([], pen_width=22).any()
    assert render_canvas_strokes([], pen_width=22).shape == (SIZE, SIZE)


def test_pen_standing_still_adds_nothing():
    still = render_ink(*on_canvas([[(140.0, 140.0), (140.0, 140.0), (140.0, 140.0)]]))
    np.testing.assert_array_equal(still, render_ink(*on_canvas([[(140.0, 140.0)]])))
    pause = render_ink(*on_canvas([[(60.0, 140.0), (140.0, 150.0), (140.0, 150.0), (140.0, 150.0), (220.0, 140.0)]]))
    np.testing.assert_array_equal(
        pause, render_ink(*on_canvas([[(60.0, 140.0), (140.0, 150.0), (140.0, 150.0), (220.0, 140.0)]]))
    )


def test_ink_is_in_8_bit_steps_and_rgba_is_opaque_grey():
    digit, placement = on_canvas([[(60.0, 60.3), (200.7, 180.1), (90.2, 230.9)]])
    ink = render_ink(digit, placement)
    assert ink.shape == (SIZE, SIZE) and ink.dtype == np.float64
    assert ink.min() == 0.0 and ink.max() == 1.0
    np.testing.assert_array_equal(ink * 255, np.round(ink * 255))
    rgba = render_rgba(digit, placement)
    assert rgba.dtype == np.uint8 and rgba.shape == (SIZE, SIZE, 4)
    np.testing.assert_array_equal(rgba[..., 0], np.round(ink * 255))
    assert (rgba[..., 3] == 255).all() and (rgba[..., 0] == rgba[..., 2]).all()


def test_ink_beyond_the_canvas_is_cut_off():
    digit = make_digit([[(0, 0), (100, 100)], [(100, 0), (0, 100)]], width=100, height=100)
    inside = render_ink(digit, Placement(size=0.5, centre_x=0.5, centre_y=0.5), canvas_size=SIZE)
    edge = render_ink(digit, Placement(size=0.5, centre_x=0.0, centre_y=0.5), canvas_size=SIZE)
    # Moved left by half the canvas: the right half of the cross is what is left.
    np.testing.assert_array_equal(edge[:, :140], inside[:, 140:])
    assert not edge[:, 140:].any()


def segment_distance(x: np.ndarray, y: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    direction = end - start
    length_squared = float(direction @ direction)
    along = (
        0.0
        if length_squared == 0
        else np.clip(((x - start[0]) * direction[0] + (y - start[1]) * direction[1]) / length_squared, 0, 1)
    )
    return np.hypot(x - start[0] - along * direction[0], y - start[1] - along * direction[1])


def reference_ink(strokes: list[np.ndarray], pen_width: float, size: int) -> np.ndarray:
    """web/js/canvas.js, event by event: every draw call's coverage, composited source-over."""
    y, x = np.mgrid[0:size, 0:size] + 0.5
    radius = pen_width / 2
    clear = np.ones((size, size))

    def draw(distance: np.ndarray) -> None:
        nonlocal clear
        clear = clear * (1 - np.clip(radius + 0.5 - distance, 0, 1))

    def quadratic_curve_to(start, control, end):
        if np.array_equal(start, control) and np.array_equal(control, end):
            return  # a zero-length path: the canvas draws nothing
        t = np.linspace(0, 1, 400)[:, None]
        curve = (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end
        draw(np.min([segment_distance(x, y, a, b) for a, b in zip(curve[:-1], curve[1:])], axis=0))

    for points in strokes:
        last_point = last_midpoint = points[0]  # pointerdown
        draw(np.hypot(x - last_point[0], y - last_point[1]))  # dot()
        kept = [points[0]]  # a move closer than MIN_POINT_DISTANCE to the last kept one is skipped (addsInk)
        for point in points[1:]:
            if np.hypot(*(np.round(point * 100) - np.round(kept[-1] * 100))) / 100 >= MIN_POINT_DISTANCE:
                kept.append(point)
        for point in [*kept[1:], kept[-1]]:  # pointermoves, then pointerup's extendTo
            midpoint = (last_point + point) / 2
            quadratic_curve_to(last_midpoint, last_point, midpoint)
            last_point, last_midpoint = point, midpoint
        # pointerup's lineTo(last point) starts at last_midpoint, which is that point: zero length.
    return np.round((1 - clear) * 255) / 255


REFERENCE_CASES = {
    "tight_curls": ([[(10, 10), (40, 12), (44, 40), (20, 50), (12, 30), (30, 22), (54, 56)]], 6),
    "two_strokes_crossing": ([[(8, 30), (56, 34)], [(30, 6), (26, 30), (34, 58)]], 9),
    "pauses_and_backtracks": ([[(12, 50), (12, 50), (30, 14), (30, 14), (30, 14), (50, 50), (30, 14)]], 4),
    "single_dot": ([[(31.7, 29.2)]], 12),
    "jitter_below_the_point_distance": ([[(20, 20), (20.1, 20.2), (20.3, 19.9), (40, 44), (40.2, 44.1)]], 7),
}


@pytest.mark.parametrize("case", sorted(REFERENCE_CASES))
def test_renderer_matches_a_direct_transcription_of_canvas_js(case):
    strokes, pen_width = REFERENCE_CASES[case]
    size = 64  # small, so the reference's distance to every sample of every curve stays quick
    digit, placement = on_canvas(strokes, pen_width, size)
    got = render_ink(digit, placement, canvas_size=size)
    expected = reference_ink(to_canvas(digit, placement, size), pen_width, size)
    # Flattening may move an edge by FLATNESS pixels, which moves its coverage as much; one more step for rounding.
    np.testing.assert_allclose(got, expected, atol=FLATNESS + 1 / 255, err_msg=case)
    assert np.abs(got - expected).mean() < 0.3 / 255, case
