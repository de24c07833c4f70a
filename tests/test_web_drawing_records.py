"""The page reads its IndexedDB drawings with web/js/strokes.js checkRecord, the Python reader's twin.

A record that fails (written by an older page, edited in devtools, cut short) is set aside and
counted: it never turns the model status red, never hides the other drawings, the teach buttons
or Download, and never enters a download. Real page, real Chromium, as in tests/test_web_teach.py.
"""

from __future__ import annotations

from playwright.sync_api import expect

from browser.static_page import CANVAS
from mnist_draw.config import MAX_POINTS_PER_DIGIT
from mnist_draw.strokes import read_stroke_file
from tests.web_page import COUNT, DOWNLOAD, ITEMS, KEEP, draw, kept_labels, meant, wait_for_count

CANVAS_NOTE = '[data-testid="canvas-note"]'

GOOD = {
    "label": 4,
    "writer": None,
    "canvas": {"width": 280, "height": 280},
    "drawn_at": "2024-05-01T12:00:00Z",
    "strokes": [[[60, 20], [50, 160], [220, 160]], [[180, 30], [180, 270]]],
}
# The page's own store (web/js/drawings.js): database "mnist-draw", version 1, store "drawings".
PUT_RECORDS = """async (records) => {
  const database = await new Promise((resolve, reject) => {
    const request = indexedDB.open('mnist-draw', 1);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise((resolve, reject) => {
    const transaction = database.transaction('drawings', 'readwrite');
    for (const record of records) transaction.objectStore('drawings').add(record);
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
  });
  database.close();
}"""


READ_RECORDS = """() => new Promise((resolve, reject) => {
  const request = indexedDB.open('mnist-draw', 1);
  request.onsuccess = () => {
    const all = request.result.transaction('drawings').objectStore('drawings').getAll();
    all.onsuccess = () => resolve(all.result);
    all.onerror = () => reject(all.error);
  };
  request.onerror = () => reject(request.error);
})"""


def test_a_malformed_record_is_set_aside_and_counted_and_the_page_works(visit, tmp_path):
    tab = visit.tab
    tab.evaluate(PUT_RECORDS, [GOOD, {"label": 3, "drawn_at": "2024-05-01T12:00:00Z"}])
    visit.reload()  # waits for the ready status: the bad record did not stop the model
    wait_for_count(tab, 1)
    assert "1 drawing could not be read" in tab.locator(COUNT).inner_text()
    draw(tab, "7")
    tab.locator(KEEP).click()
    wait_for_count(tab, 2)
    assert kept_labels(tab) == ["7", "4"]
    with tab.expect_download() as download_info:
        tab.locator(DOWNLOAD).click()
    download_info.value.save_as(tmp_path / "drawings.json")
    assert [digit.label for digit in read_stroke_file(tmp_path / "drawings.json")] == [4, 7]
    assert tab.locator(ITEMS).count() == 2


# 100,000 pointer moves in one stroke, as a stuck pen or a script would send them, then pointer-up.
SCRIBBLE = """(count) => {
  const canvas = document.querySelector('[data-testid="draw-canvas"]');
  const box = canvas.getBoundingClientRect();
  const at = (index) => ({
    clientX: box.left + 20 + (index % 200) * (box.width / 300),
    clientY: box.top + 20 + (Math.floor(index / 200) % 200) * (box.height / 300),
  });
  const event = (type, index) =>
    new PointerEvent(type, { pointerId: 7, pointerType: 'pen', isPrimary: true, bubbles: true, cancelable: true, button: 0, buttons: 1, ...at(index) });
  canvas.dispatchEvent(event('pointerdown', 0));
  for (let index = 1; index < count; index++) canvas.dispatchEvent(event('pointermove', index));
  canvas.dispatchEvent(event('pointerup', count - 1));
}"""


def test_a_scribble_of_100000_moves_stops_at_the_bound_with_a_message(visit):
    tab = visit.tab
    tab.locator(CANVAS).evaluate(
        "canvas => (canvas.setPointerCapture = () => {})"
    )  # synthetic pointers have no capture
    tab.evaluate(SCRIBBLE, 100_000)
    expect(tab.locator(CANVAS_NOTE)).to_contain_text(f"limit of {MAX_POINTS_PER_DIGIT} points")
    tab.locator(KEEP).wait_for(state="visible")
    meant(tab, "8").click()
    tab.locator(KEEP).click()
    wait_for_count(tab, 1)
    (record,) = tab.evaluate(READ_RECORDS)
    assert sum(len(stroke) for stroke in record["strokes"]) == MAX_POINTS_PER_DIGIT
