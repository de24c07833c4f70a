"""Teach it, in the app: say which digit you meant, the strokes are kept, listed, deleted, downloaded.

mnist_draw/drawings.py on its own, and the real `streamlit run` in real Chromium: a digit drawn
with the mouse, corrected, saved as a stroke file from the strokes the canvas sent, read back
with the stroke-file reader, shown in the "Your drawings" tab and downloaded as one file.
"""

from __future__ import annotations

import numpy as np
import pytest

from browser import streamlit_app as driver
from browser.digits import APP_DIGITS
from browser.draw import draw_digit, surface_placement
from mnist_draw import drawings
from mnist_draw.drawings import DRAWINGS_DIR_ENV
from mnist_draw.inference import MODEL_PATH_ENV, model_path_from_env
from mnist_draw.render import to_canvas
from mnist_draw.strokes import StrokeError, make_digit, read_stroke_file

# Two strokes as the app's canvas sends them: [x, y] canvas pixels, pen down first.
STROKES = [
    [[49.98, 49.98], [50, 50], [60, 70], [80, 100], [150.02, 89.98]],
    [[120, 40]],
]


def test_canvas_strokes_become_a_stamped_app_drawing():
    digit = drawings.drawing_from_strokes(STROKES, label=7)
    assert digit.strokes == (((49.98, 49.98), (50, 50), (60, 70), (80, 100), (150.02, 89.98)), ((120, 40),))
    assert (digit.label, digit.writer, digit.width, digit.height) == (7, "app", 280, 280) and digit.drawn_at


def test_an_empty_canvas_cannot_be_kept():
    with pytest.raises(StrokeError, match="at least one stroke"):
        drawings.drawing_from_strokes([], label=3)


def test_saved_drawings_are_listed_deleted_and_bundled(tmp_path):
    first = drawings.save_drawing(drawings.drawing_from_strokes(STROKES, label=7), tmp_path)
    drawings.save_drawing(make_digit([[(1, 1), (5, 9)]], label=1, width=280, height=280), tmp_path)
    (tmp_path / "notes.txt").write_text("not a drawing")
    (tmp_path / "drawing-20260101T000000Z-0000beef.json").write_text("{broken")
    kept, problems = drawings.list_drawings(tmp_path)
    assert sorted(digit.label for _, digit in kept) == [1, 7] and len(problems) == 1 and "0000beef" in problems[0]
    bundle = tmp_path / "all.json"
    bundle.write_bytes(drawings.bundle_bytes([digit for _, digit in kept]))
    assert [digit.label for digit in read_stroke_file(bundle)] == [digit.label for _, digit in kept]
    drawings.delete_drawing(first, tmp_path)
    assert not first.exists()
    with pytest.raises(ValueError, match="not a saved drawing"):
        drawings.delete_drawing(tmp_path / "notes.txt", tmp_path)


def test_a_corrected_drawing_is_kept_listed_and_downloaded(browser, tmp_path):
    folder = tmp_path / "drawings"
    env = {MODEL_PATH_ENV: str(model_path_from_env()), DRAWINGS_DIR_ENV: str(folder)}
    with driver.streamlit_server(env=env) as url:
        page = driver.open_app(browser, url)
        seven = APP_DIGITS["7"]
        placement = surface_placement(seven, 0.6)
        draw_digit(page, driver.CANVAS, seven, placement)
        assert driver.wait_for_prediction(page) == "7"
        # Say it was meant as a 1 (a correction), then keep it.
        page.get_by_role("radio", name="1", exact=True).click()
        page.get_by_role("button", name="Keep this drawing as a 1").click()
        page.get_by_text("Kept in").wait_for(timeout=30_000)
        (saved,) = folder.iterdir()
        (digit,) = read_stroke_file(saved)
        assert digit.label == 1 and digit.writer == "app" and digit.width == 280 and digit.point_count() >= 3
        # What was kept is where the mouse went, in canvas pixels: one point per move.
        mouse = to_canvas(seven, placement)
        assert [len(stroke) for stroke in digit.strokes] == [len(stroke) for stroke in mouse]
        np.testing.assert_allclose(np.concatenate(digit.strokes), np.concatenate(mouse), atol=1.0)

        page.get_by_role("tab", name="Your drawings").click()
        page.get_by_text("a 1", exact=True).wait_for(timeout=30_000)
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download all as one stroke file").click()
        downloaded = tmp_path / "download.json"
        download_info.value.save_as(downloaded)
        assert [(d.label, d.strokes) for d in read_stroke_file(downloaded)] == [(digit.label, digit.strokes)]
        page.get_by_role("button", name="Delete").click()
        page.get_by_text("None yet").wait_for(timeout=30_000)
        assert not list(folder.iterdir())
        page.close()
