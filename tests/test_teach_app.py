"""Teach it, in the app: say which digit you meant, the strokes are kept, listed, deleted, downloaded.

mnist_draw/kept_drawings.py on its own, and the real `streamlit run` in real Chromium: a digit drawn
with the mouse, corrected, saved as a stroke file from the strokes the canvas sent, read back
with the stroke-file reader, shown in the "Your drawings" tab and downloaded as one file.
"""

from __future__ import annotations

import numpy as np
import pytest

from browser import app_driver as driver
from browser.digits import APP_DIGITS
from browser.mouse import draw_digit, surface_placement
from mnist_draw import kept_drawings
from mnist_draw.inference import MODEL_PATH_ENV, model_path_from_env
from mnist_draw.kept_drawings import DRAWINGS_DIR_ENV
from mnist_draw.render import to_canvas
from mnist_draw.strokes import StrokeError, make_digit, read_stroke_file

# Two strokes as the app's canvas sends them: [x, y] canvas pixels, pen down first.
STROKES = [
    [[49.98, 49.98], [50, 50], [60, 70], [80, 100], [150.02, 89.98]],
    [[120, 40]],
]


def test_canvas_strokes_become_a_stamped_app_drawing():
    digit = kept_drawings.drawing_from_strokes(STROKES, label=7)
    assert digit.strokes == (((49.98, 49.98), (50, 50), (60, 70), (80, 100), (150.02, 89.98)), ((120, 40),))
    assert (digit.label, digit.writer, digit.width, digit.height) == (7, "app", 280, 280) and digit.drawn_at


def test_an_empty_canvas_cannot_be_kept():
    with pytest.raises(StrokeError, match="at least one stroke"):
        kept_drawings.drawing_from_strokes([], label=3)


VISITOR = "0123456789abcdef0123456789abcdef"
OTHER_VISITOR = "fedcba9876543210fedcba9876543210"


def test_saved_drawings_are_listed_deleted_and_bundled(tmp_path):
    first = kept_drawings.save_drawing(kept_drawings.drawing_from_strokes(STROKES, label=7), VISITOR, tmp_path)
    kept_drawings.save_drawing(make_digit([[(1, 1), (5, 9)]], label=1, width=280, height=280), VISITOR, tmp_path)
    folder = kept_drawings.visitor_folder(VISITOR, tmp_path)
    (folder / "notes.txt").write_text("not a drawing")
    (folder / "drawing-20260101T000000Z-0000beef.json").write_text("{broken")
    kept, problems = kept_drawings.list_drawings(VISITOR, tmp_path)
    assert sorted(digit.label for _, digit in kept) == [1, 7] and len(problems) == 1 and "0000beef" in problems[0]
    assert str(tmp_path) not in problems[0]  # a visitor is never shown the server's folders
    bundle = tmp_path / "all.json"
    bundle.write_bytes(kept_drawings.bundle_bytes([digit for _, digit in kept]))
    assert [digit.label for digit in read_stroke_file(bundle)] == [digit.label for _, digit in kept]
    kept_drawings.delete_drawing(first, VISITOR, tmp_path)
    assert not (folder / first).exists()
    with pytest.raises(kept_drawings.DrawingsError, match="not the name of a saved drawing"):
        kept_drawings.delete_drawing("notes.txt", VISITOR, tmp_path)


def test_a_visitor_lists_and_deletes_only_their_own_drawings(tmp_path):
    mine = kept_drawings.save_drawing(kept_drawings.drawing_from_strokes(STROKES, label=7), VISITOR, tmp_path)
    assert kept_drawings.list_drawings(OTHER_VISITOR, tmp_path) == ([], [])
    kept_drawings.delete_drawing(mine, OTHER_VISITOR, tmp_path)  # not theirs: nothing of theirs by that name
    assert [name for name, _ in kept_drawings.list_drawings(VISITOR, tmp_path)[0]] == [mine]
    # The folder is named by a hash: the id, which is the visitor's only key, is nowhere on disk.
    assert VISITOR not in str(kept_drawings.visitor_folder(VISITOR, tmp_path))


@pytest.mark.parametrize("visitor", [None, "", "../../etc", "0123456789ABCDEF0123456789ABCDEF", "ab" * 17, 42])
def test_a_malformed_visitor_id_finds_no_drawings(tmp_path, visitor):
    assert not kept_drawings.is_visitor(visitor)
    with pytest.raises(kept_drawings.DrawingsError, match="no valid visitor id"):
        kept_drawings.list_drawings(visitor, tmp_path)


def test_a_linked_or_unreadable_drawing_is_skipped_and_its_delete_refused_in_one_line(tmp_path):
    folder = kept_drawings.visitor_folder(VISITOR, tmp_path)
    folder.mkdir(parents=True)
    outside = tmp_path / "outside.json"
    outside.write_bytes(kept_drawings.bundle_bytes([kept_drawings.drawing_from_strokes(STROKES, label=7)]))
    link = folder / "drawing-20260101T000000Z-0000cafe.json"
    link.symlink_to(outside)
    (folder / "drawing-20260101T000000Z-0000dead.json").write_text("[" * 1000 + "]" * 1000)
    kept, problems = kept_drawings.list_drawings(VISITOR, tmp_path)
    assert kept == [] and len(problems) == 2
    assert all("\n" not in problem and str(tmp_path) not in problem for problem in problems)
    with pytest.raises(kept_drawings.DrawingsError, match="not a plain file"):
        kept_drawings.delete_drawing(link.name, VISITOR, tmp_path)
    assert outside.exists() and link.is_symlink()


def test_keeping_stops_at_the_bound_of_one_download(tmp_path, monkeypatch):
    monkeypatch.setattr(kept_drawings, "MAX_DIGITS_PER_FILE", 2)
    for _ in range(2):
        kept_drawings.save_drawing(kept_drawings.drawing_from_strokes(STROKES, label=7), VISITOR, tmp_path)
    with pytest.raises(kept_drawings.DrawingsError, match="the most one download may hold"):
        kept_drawings.save_drawing(kept_drawings.drawing_from_strokes(STROKES, label=7), VISITOR, tmp_path)


@pytest.fixture(scope="module")
def app_with_drawings(tmp_path_factory):
    """A real `streamlit run` keeping drawings in a fresh folder -> (its URL, that folder)."""
    folder = tmp_path_factory.mktemp("app") / "drawings"
    env = {MODEL_PATH_ENV: str(model_path_from_env()), DRAWINGS_DIR_ENV: str(folder)}
    with driver.streamlit_server(env=env) as url:
        yield url, folder


def kept_files(folder):
    return sorted(folder.rglob("drawing-*.json"))


def keep_a_seven(page, meant: str = "7"):
    """Draw a 7 with the mouse, say it was meant as `meant`, keep it -> where the mouse went (canvas pixels)."""
    seven = APP_DIGITS["7"]
    placement = surface_placement(seven, 0.6)
    draw_digit(page, driver.CANVAS, seven, placement)
    assert driver.wait_for_prediction(page) == "7"
    if meant != "7":  # the choice starts at the prediction; clicking it again would unselect it
        page.get_by_role("radio", name=meant, exact=True).click()
    page.get_by_role("button", name=f"Keep this drawing as a {meant}").click()
    page.get_by_text("Kept as a").wait_for(timeout=30_000)
    return to_canvas(seven, placement)


def test_a_corrected_drawing_is_kept_listed_and_downloaded(browser, app_with_drawings, tmp_path):
    url, folder = app_with_drawings
    page = driver.open_app(browser, url)
    before = kept_files(folder)
    mouse = keep_a_seven(page, meant="1")  # a correction: the model said 7
    (saved,) = set(kept_files(folder)) - set(before)
    (digit,) = read_stroke_file(saved)
    assert digit.label == 1 and digit.writer == "app" and digit.width == 280 and digit.point_count() >= 3
    # What was kept is where the mouse went, in canvas pixels: one point per move.
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
    assert not saved.exists()
    page.context.close()


def test_drawings_belong_to_the_browser_that_kept_them(browser, app_with_drawings):
    """Visitor A keeps a drawing; visitor B (another browser) sees none of it; A finds it again after a reload."""
    url, folder = app_with_drawings
    visitor_a = driver.open_app(browser, url)
    keep_a_seven(visitor_a)
    (saved,) = kept_files(folder)

    visitor_b = driver.open_app(browser, url)
    visitor_b.get_by_role("tab", name="Your drawings").click()
    visitor_b.get_by_text("None yet").wait_for(timeout=30_000)
    assert visitor_b.get_by_role("button", name="Delete").count() == 0
    assert visitor_b.get_by_role("button", name="Download all as one stroke file").count() == 0
    assert str(folder) not in visitor_b.locator("body").inner_text()

    visitor_a.reload()
    visitor_a.locator(driver.CANVAS).wait_for(timeout=240_000)
    visitor_a.get_by_role("tab", name="Your drawings").click()
    visitor_a.get_by_text("a 7", exact=True).wait_for(timeout=30_000)
    assert (
        driver.metric_value(visitor_a.locator('[data-testid="stMetric"]').filter(has_text="Drawings kept")).inner_text()
        == "1"
    )
    assert str(folder) not in visitor_a.locator("body").inner_text()
    assert visitor_a.locator(driver.EXCEPTION).count() == visitor_b.locator(driver.EXCEPTION).count() == 0
    assert saved.exists()
    visitor_a.context.close()
    visitor_b.context.close()
