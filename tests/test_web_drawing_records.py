"""The page reads its IndexedDB drawings with web/js/strokes.js checkRecord, the Python reader's twin.

A record that fails (written by an older page, edited in devtools, cut short) is set aside and
counted: it never turns the model status red, never hides the other drawings, the teach buttons
or Download, and never enters a download. Real page, real Chromium, as in tests/test_web_teach.py.
"""

from __future__ import annotations

from mnist_draw.strokes import read_stroke_file
from tests.test_web_teach import COUNT, DOWNLOAD, ITEMS, KEEP, draw, kept_labels, visit, wait_for_count  # noqa: F401

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
