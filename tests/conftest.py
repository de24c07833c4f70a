"""Shared fixtures: real MNIST files, and the real Node and Chromium the cross-runtime tests need.

Locally a missing Node or data file skips those tests with the reason; in CI (CI=true) it fails
them, so a broken install step can never turn into a green run. A missing Chromium fails the
browser tests everywhere: they are the only proof that the page and the app draw and answer, and
a skipped one reads like a pass. Finding and launching Chromium lives in browser/chromium.py,
shared with the benchmarks.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from browser import chromium
from browser.static_page import ServerError, static_server
from digit_data.pendigits import PEN_DATA_ENV
from mnist_draw.config import DATA_DIR_ENV, PROJECT_ROOT, WEB_MODEL_DIR

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# What a test needs, read from the fixtures it asks for (directly or through another fixture), so
# no test is marked by hand: the fast tier (`make check`) leaves out what takes minutes or a browser.
NEEDS = {
    "browser": "browser",  # a real Chromium
    "server_url": "browser",
    "mnist_dir": "mnist",  # the real MNIST files: training or a full evaluation
    "node_binary": "node",  # Node with the npm packages (TF.js)
    "pen_dir": "pen_data",  # the real pen digits
    "trainer": "training",  # fits a model for real, here or in a `python -m train` child
    "cluster": "cluster",  # two `python -m train` workers on 127.0.0.1
    "signals": "signals",  # real POSIX signals sent to a child process
    "exporter": "export",  # a real SavedModel and TF.js conversion
}


def needs_of(fixture_names) -> list[str]:
    """The markers NEEDS gives a test that asks for `fixture_names` (its whole fixture closure), sorted."""
    return sorted({NEEDS[name] for name in fixture_names if name in NEEDS})


def pytest_collection_modifyitems(config, items):
    for item in items:
        for need in needs_of(getattr(item, "fixturenames", ())):
            item.add_marker(need)


def missing(reason: str):
    """Fail in CI, skip elsewhere: the one place that decides what a missing tool means."""
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)", pytrace=False)
    pytest.skip(reason)


def find_mnist_dir() -> Path | None:
    """The IDX folder from $MNIST_DATA_DIR, else ../shared/mnist beside the project, else None."""
    candidates = [os.environ.get(DATA_DIR_ENV), PROJECT_ROOT.parent / "shared" / "mnist"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "t10k-images-idx3-ubyte.gz").is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    """Folder holding the four canonical MNIST IDX .gz files."""
    found = find_mnist_dir()
    if found is None:
        missing(f"real MNIST files not found: set {DATA_DIR_ENV} or place them in ../shared/mnist")
    return found


def find_pen_dir() -> Path | None:
    """The pen-digit folder from $PENDIGITS_DATA_DIR, else ../shared/pendigits beside the project, else None."""
    for candidate in (os.environ.get(PEN_DATA_ENV), PROJECT_ROOT.parent / "shared" / "pendigits"):
        if candidate and any(
            (Path(candidate) / name).is_file() for name in ("pendigits-orig.tra.gz", "pendigits-orig.tra")
        ):
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def pen_dir() -> Path:
    """Folder holding the UCI pen digits' training-writer file."""
    found = find_pen_dir()
    if found is None:
        missing(f"pen digits not found: set {PEN_DATA_ENV} or place pendigits-orig.tra.gz in ../shared/pendigits")
    return found


@pytest.fixture(scope="session")
def pen_digits(pen_dir):
    """All 7,494 training-file digits (30 writers), read once per session."""
    from digit_data.pendigits import load_pendigits

    return load_pendigits(pen_dir)


@pytest.fixture(scope="session")
def node_binary() -> str:
    """Path of `node`, with the project's npm packages installed (`npm ci`)."""
    node = shutil.which("node")
    if node is None:
        missing("node is not installed")
    if not (PROJECT_ROOT / "node_modules" / "@tensorflow" / "tfjs").is_dir():
        missing("npm packages are not installed: run `npm ci`")
    return node


@pytest.fixture(scope="session")
def browser():
    """A real headless Chromium driven by Playwright (browser.chromium.launch), shared by the whole session."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = chromium.launch(playwright)
        except PlaywrightError as error:
            pytest.fail(
                f"Chromium not found or does not start ({str(error).splitlines()[0]}): {chromium.INSTALL_HINT}",
                pytrace=False,
            )
        yield browser
        browser.close()


# The export the page tests load: web/model unless $WEB_TEST_MODEL_DIR names another.
MODEL_DIR = Path(os.environ.get("WEB_TEST_MODEL_DIR", WEB_MODEL_DIR))


@pytest.fixture(scope="session")
def server_url(node_binary):
    """Base URL of `node web/serve.mjs --port 0` serving the built page with MODEL_DIR; stopped after the session."""
    if not (MODEL_DIR / "metadata.json").is_file():
        missing(f"no exported model in {MODEL_DIR}: run `python -m export`")
    try:
        with static_server(MODEL_DIR, node_binary) as url:
            yield url
    except ServerError as error:
        pytest.fail(str(error))


@pytest.fixture
def page(browser, server_url):
    """A fresh context and tab with the page loaded and the model ready; fails the test on any page or console error."""
    from tests.web_page import open_tab

    context, tab, errors = open_tab(browser, server_url)
    yield tab
    context.close()
    assert not errors, f"errors in the page: {errors}"


@pytest.fixture
def visit(browser, server_url):
    """A fresh context (empty IndexedDB) with the page ready (tests/web_page.py Visit); fails the test on any page or console error."""
    from tests.web_page import Visit

    visit = Visit(browser, server_url)
    yield visit
    visit.context.close()
    assert not visit.errors, f"errors in the page: {visit.errors}"


@pytest.fixture(scope="session")
def untrained_model_path(tmp_path_factory) -> Path:
    """A seeded, untrained build_model() saved as .keras, made once per session: for the tests that
    need a model file to load, convert or serve but never its accuracy. Read it, never change it:
    a test that damages a model does so to its own copy."""
    import keras

    from train.model import build_model

    keras.utils.set_random_seed(0)
    path = tmp_path_factory.mktemp("untrained-model") / "untrained.keras"
    build_model().save(path)
    return path


@pytest.fixture(scope="session")
def untrained_eleven_class_model_path(tmp_path_factory) -> Path:
    """As untrained_model_path, with the head widened to 11 outputs, the 11th "not a digit": an image
    model as `python -m train` makes one with that class. Read it, never change it."""
    import keras

    from train.model import build_model, with_not_a_digit

    keras.utils.set_random_seed(0)
    path = tmp_path_factory.mktemp("untrained-eleven") / "untrained.keras"
    with_not_a_digit(build_model()).save(path)
    return path


@pytest.fixture
def trainer(tmp_path, monkeypatch):
    """`python -m train` for real (tests/train_process.py Trainer): in this process or as children, its
    rendered pen digits cached in this test's own folder ($MNIST_DRAW_CACHE). A test that trains
    through another entry point (train.training.run, a stroke stage, bench.fine_tune) asks for it too."""
    from tests.train_process import Trainer

    cache = tmp_path / "cache"
    monkeypatch.setenv("MNIST_DRAW_CACHE", str(cache))
    return Trainer(cache)


@pytest.fixture
def cluster(trainer, tmp_path):
    """Two `python -m train --strategy multiworker` workers on 127.0.0.1 (tests/train_process.py Cluster)."""
    from tests.train_process import Cluster

    return Cluster(trainer, tmp_path)


@pytest.fixture(scope="session")
def signals():
    """Real POSIX signals for child processes (tests/signals.py Signals)."""
    from tests.signals import Signals

    if not hasattr(os, "killpg"):
        missing("POSIX signals are not available on this platform")
    return Signals()


@pytest.fixture(scope="session")
def exporter():
    """The real export, `python -m export` and its conversions (tests/export_files.py Exporter)."""
    from tests.export_files import Exporter

    return Exporter()


@pytest.fixture
def trained_app():
    """The Streamlit app in an AppTest on the shipped model, as `streamlit run` starts it ($MNIST_MODEL_PATH, if set, picks another)."""
    from streamlit.testing.v1 import AppTest

    from mnist_draw.inference import model_path_from_env
    from tests.apptest import APP_FILE

    model_path = model_path_from_env()
    if not model_path.is_file():
        pytest.fail(f"{model_path} is missing: the trained model is committed; make it with `python -m train`")
    return AppTest.from_file(APP_FILE, default_timeout=60)


@pytest.fixture(scope="session")
def first_test_digits(mnist_dir):
    """The first MNIST test digit of 0, 1, 2 and 7 as (uint8 (28, 28) white on black, label)."""
    import numpy as np

    from digit_data.mnist import MNIST_FILES, read_idx

    images = read_idx(mnist_dir / MNIST_FILES["test_images"][0], 3)
    labels = read_idx(mnist_dir / MNIST_FILES["test_labels"][0], 1)
    return [(images[int(np.flatnonzero(labels == digit)[0])], str(digit)) for digit in (0, 1, 2, 7)]


@pytest.fixture(scope="session")
def pen_text(pen_dir) -> bytes:
    """The decompressed UNIPEN text of the real training-writer file in pen_dir, gzipped or not."""
    import gzip

    from digit_data.pendigits import TRAINING_FILE

    packed = pen_dir / f"{TRAINING_FILE}.gz"
    return gzip.decompress(packed.read_bytes()) if packed.is_file() else (pen_dir / TRAINING_FILE).read_bytes()
