"""mnist_draw/preprocess.py: the golden vectors (shared with web/js/preprocess.js) and its behaviour.

The JavaScript twin reads the same file in tests/js/preprocess.test.mjs (via tests/test_js.py)
and in Chromium (tests/test_web.py). Regenerate with `python -m tests.make_golden`.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from mnist_draw.config import CANVAS_SIZE, FIT_BOX, IMAGE_SIZE, INK_THRESHOLD, STROKE_WIDTH, STROKE_WIDTH_RANGE
from mnist_draw.preprocess import LUMA_WEIGHTS, ink_from_rgba, is_blank, preprocess_canvas
from tests.make_golden import GOLDEN_PATH, decode_canvas, decode_expected, draw_strokes, golden_document, is_up_to_date

GOLDEN = json.loads(GOLDEN_PATH.read_text())
CASES = GOLDEN["cases"]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case["name"])
def test_preprocess_matches_golden(case):
    got = preprocess_canvas(decode_canvas(case["canvas"]))
    np.testing.assert_allclose(got, decode_expected(case), atol=1e-6, err_msg=case["name"])


def test_golden_file_is_up_to_date():
    fresh = golden_document()
    assert GOLDEN["params"] == fresh["params"], "train/config.py changed: run python -m tests.make_golden"
    assert [case["name"] for case in CASES] == [case["name"] for case in fresh["cases"]]
    assert GOLDEN["params"] == {
        "image_size": IMAGE_SIZE,
        "fit_box": FIT_BOX,
        "ink_threshold": INK_THRESHOLD,
        "luma_weights": list(LUMA_WEIGHTS),
    }
    assert is_up_to_date(GOLDEN_PATH, fresh), "the golden canvases or outputs changed: run python -m tests.make_golden"


def canvas_with(strokes, stroke_width=STROKE_WIDTH, size=CANVAS_SIZE):
    return draw_strokes(size, size, strokes, stroke_width)


def ink_mass_centre(image):
    rows, cols = np.indices(image.shape[:2])
    plane = image[..., 0]
    return (rows * plane).sum() / plane.sum(), (cols * plane).sum() / plane.sum()


def test_blank_canvas_maps_to_zeros():
    image = preprocess_canvas(np.zeros((CANVAS_SIZE, CANVAS_SIZE, 4), dtype=np.uint8))
    assert image.shape == (IMAGE_SIZE, IMAGE_SIZE, 1) and image.dtype == np.float32
    assert not image.any() and is_blank(image)


def test_faint_dust_below_threshold_is_blank():
    rgba = np.zeros((CANVAS_SIZE, CANVAS_SIZE, 4), dtype=np.uint8)
    rgba[100:110, 100:110] = (255, 255, 255, int(INK_THRESHOLD * 255 * 0.5))
    assert is_blank(preprocess_canvas(rgba))


def test_output_is_float32_in_unit_range_with_full_intensity():
    image = preprocess_canvas(canvas_with([[(60, 60), (220, 200)]]))
    assert image.dtype == np.float32 and image.min() >= 0.0
    assert image.max() == pytest.approx(1.0)


def test_thin_pen_still_reaches_full_intensity():
    image = preprocess_canvas(canvas_with([[(140, 40), (140, 240)]], stroke_width=STROKE_WIDTH_RANGE[0]))
    assert image.max() == pytest.approx(1.0)


def test_tall_digit_fills_fit_box_height_and_keeps_aspect():
    # A 200-tall, 100-wide rectangle outline -> 20 rows tall and about 10 columns wide.
    image = preprocess_canvas(canvas_with([[(90, 40), (190, 40), (190, 240), (90, 240), (90, 40)]], stroke_width=10))
    rows = np.flatnonzero(image[..., 0].any(axis=1))
    cols = np.flatnonzero(image[..., 0].any(axis=0))
    assert rows.size == FIT_BOX
    assert abs(cols.size - FIT_BOX * 110 / 210) <= 1


def test_off_centre_digit_is_centred_by_mass():
    image = preprocess_canvas(canvas_with([[(30, 30), (30, 110), (80, 110)]]))
    row, col = ink_mass_centre(image)
    centre = (IMAGE_SIZE - 1) / 2
    assert abs(row - centre) <= 1.0 and abs(col - centre) <= 1.0


def test_position_on_canvas_does_not_change_the_result():
    stroke = [(0, 0), (40, 90), (70, 10)]
    left = preprocess_canvas(canvas_with([[(x + 20, y + 30) for x, y in stroke]]))
    right = preprocess_canvas(canvas_with([[(x + 180, y + 160) for x, y in stroke]]))
    np.testing.assert_allclose(left, right, atol=1e-6)


def test_lopsided_digit_is_never_cut_off():
    # An "L" with a heavy blob at one end: centring by mass alone would push ink off the field.
    rgba = canvas_with([[(40, 40), (40, 240), (240, 240)]], stroke_width=12)
    rgba = np.maximum(rgba, canvas_with([[(230, 235)]], stroke_width=70))
    image = preprocess_canvas(rgba)
    rows = np.flatnonzero(image[..., 0].any(axis=1))
    cols = np.flatnonzero(image[..., 0].any(axis=0))
    assert rows.size == FIT_BOX and cols.size == FIT_BOX
    assert rows[0] >= 0 and rows[-1] < IMAGE_SIZE and cols[-1] < IMAGE_SIZE


def test_transparent_and_black_backgrounds_read_the_same():
    strokes = [[(70, 60), (200, 220)]]
    transparent = draw_strokes(CANVAS_SIZE, CANVAS_SIZE, strokes, STROKE_WIDTH)
    opaque = draw_strokes(CANVAS_SIZE, CANVAS_SIZE, strokes, STROKE_WIDTH, background=(0, 0, 0))
    np.testing.assert_allclose(preprocess_canvas(transparent), preprocess_canvas(opaque), atol=1 / 255)


def test_ink_uses_luma_and_alpha():
    rgba = np.array([[[255, 0, 0, 255], [0, 255, 0, 255], [0, 0, 255, 255], [255, 255, 255, 51]]], dtype=np.uint8)
    np.testing.assert_allclose(ink_from_rgba(rgba)[0], [*LUMA_WEIGHTS, 0.2], atol=1e-12)


def test_non_rgba_input_is_refused():
    with pytest.raises(ValueError, match="RGBA"):
        preprocess_canvas(np.zeros((28, 28), dtype=np.uint8))
