"""Runs the JavaScript tests (`node --test` on tests/js/*.test.mjs) as one pytest test.

tests/js/preprocess.test.mjs checks web/js/preprocess.js against the same golden vectors as
tests/test_preprocess.py, so a single `pytest` covers both preprocessing twins. Only files named
*.test.mjs are tests; other .mjs files in tests/js/ are helpers. Node missing:
skipped locally, failed in CI (conftest `node_binary`).
"""

from __future__ import annotations

import subprocess

from mnist_draw.config import PROJECT_ROOT

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
