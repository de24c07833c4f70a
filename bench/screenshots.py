"""The screenshots in README.md and docs/, taken from the real page and the real app with a drawn 7.

    uv run python -m bench.screenshots          # write docs/screenshot.png, docs/screenshot-app.png
    uv run python -m bench.screenshots --check  # exit 1 when they are older than the markup

The page is built and served as `npm start` serves it (browser/static_page.py) with the exported
model in web/model/; the app is a real `streamlit run streamlit_app.py` on the shipped model
(browser/app_driver.py). In each, the real mouse draws the same hand-made 7 the browser tests
draw (browser/digits.py), and the screenshot waits for its prediction.

docs/screenshots.json records the SHA-256 of the files whose markup each screenshot shows
(MARKUP below). tests/test_screenshots.py compares them with today's files, so a change to the
page's or the app's look fails the tests until this script has been run again.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mnist_draw.atomic import write_json_atomically
from mnist_draw.checksums import sha256_of
from mnist_draw.cli import HelpFormatter
from mnist_draw.config import PROJECT_ROOT, WEB_MODEL_DIR

DOCS_DIR = PROJECT_ROOT / "docs"
RECORD_PATH = DOCS_DIR / "screenshots.json"
COMMAND = "uv run python -m bench.screenshots"

# Each screenshot -> the files that decide what it shows; a change to any of them makes it stale.
MARKUP: dict[str, list[str]] = {
    "screenshot.png": ["web/index.html", "web/style.css", "web/canvas.css"],
    "screenshot-app.png": [
        "streamlit_app.py",
        "app/drawing_canvas.py",
        "app/drawing_canvas.js",
        "app/drawing_canvas.css",
        "web/canvas.css",
    ],
}
PAGE_VIEWPORT = {"width": 1040, "height": 800}  # a laptop window: the canvas and the bars side by side
PREDICTION_TIMEOUT_MS = 60_000


def markup_hashes(image: str) -> dict[str, str]:
    """A screenshot's name -> {repo-relative path: SHA-256 hex} of the files its markup comes from."""
    return {path: sha256_of(PROJECT_ROOT / path) for path in MARKUP[image]}


def stale_screenshots(record: dict) -> list[str]:
    """docs/screenshots.json's content -> the names of screenshots whose markup changed since (all, when unrecorded)."""
    return [image for image in MARKUP if record.get(image, {}).get("markup") != markup_hashes(image)]


def read_record() -> dict:
    """docs/screenshots.json as a dict ({} when there is none yet)."""
    return json.loads(RECORD_PATH.read_text()) if RECORD_PATH.is_file() else {}


def page_screenshot(browser, path: Path) -> None:
    """Serve the built page, draw a 7 and save the whole page at laptop size to path."""
    from browser.digits import PAGE_CENTRED, PAGE_DIGITS
    from browser.mouse import draw_digit
    from browser.static_page import CANVAS, PREDICTION, READY, static_server

    with static_server(WEB_MODEL_DIR) as url:
        context = browser.new_context(viewport=PAGE_VIEWPORT, device_scale_factor=1)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(READY, timeout=PREDICTION_TIMEOUT_MS)
        draw_digit(page, CANVAS, PAGE_DIGITS["7"], PAGE_CENTRED["7"])
        page.wait_for_function(
            "selector => document.querySelector(selector).textContent !== ''",
            arg=PREDICTION,
            timeout=PREDICTION_TIMEOUT_MS,
        )
        # The probability bars animate into place after the digit is shown.
        page.wait_for_timeout(500)
        page.screenshot(path=str(path), full_page=True)
        context.close()


def app_screenshot(browser, path: Path) -> None:
    """Run the Streamlit app, draw a 7 and save what its window shows to path."""
    from browser.app_driver import CANVAS, open_app, streamlit_server, wait_for_prediction, wait_until_idle
    from browser.digits import APP_CENTRED, APP_DIGITS
    from browser.mouse import draw_digit

    with streamlit_server() as url:
        page = open_app(browser, url)
        draw_digit(page, CANVAS, APP_DIGITS["7"], APP_CENTRED["7"])
        wait_for_prediction(page, timeout_ms=PREDICTION_TIMEOUT_MS)
        wait_until_idle(page)
        # The chart's bars grow in after the rerun; a screenshot mid-animation would show them short.
        page.wait_for_timeout(1000)
        page.screenshot(path=str(path))
        page.close()


def take_screenshots() -> dict:
    """Both screenshots into docs/ -> the record written to docs/screenshots.json."""
    from playwright.sync_api import sync_playwright

    from browser import chromium

    record = {}
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            for image, take in (("screenshot.png", page_screenshot), ("screenshot-app.png", app_screenshot)):
                take(browser, DOCS_DIR / image)
                record[image] = {"shows": "a hand-drawn 7 and its prediction", "markup": markup_hashes(image)}
                print(f"wrote docs/{image}")
        finally:
            browser.close()
    write_json_atomically(RECORD_PATH, record)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.screenshots", description=__doc__.split("\n\n")[0], formatter_class=HelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="take nothing; exit 1 when a screenshot is older than its markup"
    )
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_screenshots(read_record())
        if stale:
            print(f"error: {', '.join(stale)} older than the markup: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    take_screenshots()
    return 0


if __name__ == "__main__":
    sys.exit(main())
