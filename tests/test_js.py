"""Runs the JavaScript tests (`node --test` on tests/js/*.test.mjs) as one pytest test.

tests/js/preprocess.test.mjs checks web/js/preprocess.js against the same golden vectors as
tests/test_preprocess.py, so a single `pytest` covers both preprocessing twins. Only files named
*.test.mjs are tests; other .mjs files in tests/js/ are helpers. Node missing:
skipped locally, failed in CI (conftest `node_binary`). The page's JavaScript, HTML and CSS
and these tests follow one style, checked with the pinned prettier (`npm run lint:js`).
"""

from __future__ import annotations

import json
import subprocess

from mnist_draw.config import PROJECT_ROOT
from tests.conftest import missing

JS_TEST_DIR = PROJECT_ROOT / "tests" / "js"


def test_node_test_suite_passes(node_binary):
    test_files = sorted(JS_TEST_DIR.glob("*.test.mjs"))
    assert test_files, f"no *.test.mjs files in {JS_TEST_DIR}"
    result = subprocess.run(
        [node_binary, "--test", *map(str, test_files)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"node --test failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"


def test_js_sources_follow_the_prettier_style(node_binary):
    prettier = PROJECT_ROOT / "node_modules" / "prettier" / "bin" / "prettier.cjs"
    if not prettier.is_file():
        missing("prettier is not installed: run `npm ci`")
    # The file list is package.json's `lint:js` script, so the two never disagree.
    command, *arguments = json.loads((PROJECT_ROOT / "package.json").read_text())["scripts"]["lint:js"].split()
    assert command == "prettier"
    result = subprocess.run(
        [node_binary, str(prettier), *arguments], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"run `npm run format:js`:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
