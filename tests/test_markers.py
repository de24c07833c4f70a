"""Markers come from the fixtures a test asks for (tests/conftest.py NEEDS), as pytest's own `-m` sees them."""

from __future__ import annotations

import subprocess
import sys

import pytest
import tomllib

from mnist_draw.config import PROJECT_ROOT
from tests.conftest import NEEDS

# marker -> (files to collect, tests -m MARKER must select there, tests it must leave out). Files
# that import TensorFlow or Keras at the top stay out: each case is one quick `--collect-only`.
KNOWN = {
    "training": (
        ["tests/test_train_safety.py", "tests/test_stroke_training.py", "tests/test_distribute.py"],
        [
            "tests/test_train_safety.py::test_smoke_run_does_not_replace_a_better_model_and_force_does",
            "tests/test_stroke_training.py::test_the_stroke_stage_writes_its_set_and_a_fine_tune_learns_drawings",
            "tests/test_distribute.py::test_a_dead_worker_fails_the_run_in_one_line_and_resume_restarts_the_cluster",
        ],
        ["tests/test_train_safety.py::test_unwritable_out_is_one_line"],
    ),
    "cluster": (
        ["tests/test_distribute.py"],
        [
            "tests/test_distribute.py::test_two_workers_train_together_and_only_the_chief_writes",
            "tests/test_distribute.py::test_a_dead_worker_fails_the_run_in_one_line_and_resume_restarts_the_cluster",
        ],
        ["tests/test_distribute.py::test_mirrored_on_two_logical_cpus_trains_and_resumes"],
    ),
    "signals": (
        ["tests/test_train_safety.py", "tests/test_pen_training.py"],
        [
            "tests/test_train_safety.py::test_ctrl_c_mid_fit_keeps_the_previous_set_and_resume_finishes_the_run",
            "tests/test_pen_training.py::test_ctrl_c_while_the_workers_start_is_one_line_not_a_traceback_per_worker",
        ],
        ["tests/test_train_safety.py::test_smoke_run_does_not_replace_a_better_model_and_force_does"],
    ),
    "export": (
        ["tests/test_export.py"],
        [
            "tests/test_export.py::test_export_without_mnist_writes_float32_only_and_replaces_previous",
            "tests/test_export.py::test_metadata_has_the_schema_the_page_reads",  # through a module fixture
        ],
        ["tests/test_export.py::test_help_explains_every_flag_with_its_default"],
    ),
}


def test_every_need_is_a_registered_marker_and_has_a_known_case():
    registered = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    names = {line.split(":")[0] for line in registered["markers"]}
    assert set(NEEDS.values()) <= names
    assert set(KNOWN) <= set(NEEDS.values())


@pytest.mark.parametrize("marker", sorted(KNOWN))
def test_dash_m_selects_the_tests_whose_fixtures_need_it(marker):
    files, selected, left_out = KNOWN[marker]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-m", marker, *files],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    collected = {line for line in result.stdout.splitlines() if line.startswith("tests/")}
    assert set(selected) <= collected, set(selected) - collected
    assert not set(left_out) & collected
