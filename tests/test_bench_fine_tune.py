"""bench/fine_tune.py: the person's digits chosen fairly, changes counted both ways, and a real smoke run.

The smoke run fine-tunes the shipped model (read only) on three digits of the least accurate
held-out writer with the real `python -m train` subprocess, one epoch on 200 MNIST images.
"""

from __future__ import annotations

import json
import shlex
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from bench import fine_tune
from mnist_draw.checksums import sha256_of
from mnist_draw.config import ARTIFACTS_DIR, METRICS_FILENAME, MODEL_FILENAME, STROKE_DIR_NAME
from mnist_draw.kept_drawings import APP_WRITER
from mnist_draw.strokes import read_stroke_file


def test_choice_is_seeded_and_even_over_labels():
    labels = [label for label in range(10) for _ in range(25)]
    chosen = fine_tune.choose_digits(labels, 50, seed=42)
    assert chosen == sorted(set(chosen)) and len(chosen) == 50
    assert np.bincount([labels[index] for index in chosen], minlength=10).tolist() == [5] * 10
    assert (
        fine_tune.choose_digits(labels, 50, seed=42) == chosen and fine_tune.choose_digits(labels, 50, seed=7) != chosen
    )


def test_a_label_short_of_digits_leaves_its_share_to_the_others():
    labels = [3, 3] + [label for label in range(10) if label != 3 for _ in range(10)]
    counts = np.bincount([labels[index] for index in fine_tune.choose_digits(labels, 29, seed=1)], minlength=10)
    assert counts[3] == 2 and set(np.delete(counts, 3)) == {3}


def test_choosing_more_digits_than_there_are_is_an_error():
    with pytest.raises(ValueError, match="cannot choose 4 of 3 digits"):
        fine_tune.choose_digits([1, 2, 3], 4, seed=0)


def test_the_least_accurate_writers_are_the_people_unless_some_are_named():
    accuracy = {"pendigits-5": 1.0, "pendigits-10": 0.98, "pendigits-15": 0.98, "pendigits-20": 0.99}
    assert fine_tune.pick_writers(accuracy, None, 1) == ["pendigits-10"]
    assert fine_tune.pick_writers(accuracy, None, 3) == ["pendigits-10", "pendigits-15", "pendigits-20"]
    assert fine_tune.pick_writers(accuracy, ["pendigits-20", "pendigits-5", "pendigits-20"], 1) == [
        "pendigits-20",
        "pendigits-5",
    ]
    with pytest.raises(ValueError, match="--writer pendigits-7 is not a measured held-out writer"):
        fine_tune.pick_writers(accuracy, ["pendigits-5", "pendigits-7"], 3)


def test_a_session_keeps_every_misread_digit_and_fills_up_with_confirmed_ones():
    labels = [index % 10 for index in range(40)]
    digits = [SimpleNamespace(writer="pendigits-5", label=label) for label in labels]
    digits += [SimpleNamespace(writer="pendigits-10", label=label) for label in labels]
    misread = {3, 17, 25, 41}  # 25 is drawn after pendigits-5's session, 41 is another writer's
    args = SimpleNamespace(choice="session", digits=10, seed=0)
    lesson = fine_tune.lesson_for(args, digits, "pendigits-5", misread)
    assert {3, 17} <= set(lesson["taught"]) and len(lesson["taught"]) == 10
    assert set(lesson["taught"]) <= set(range(20)) and lesson["measured"] == list(range(20, 40))
    confirmed = set(lesson["taught"]) - {3, 17}
    assert len({digits[index].label for index in confirmed}) == 8  # confirmations even over the labels

    balanced = fine_tune.lesson_for(
        SimpleNamespace(choice="balanced", digits=10, seed=0), digits, "pendigits-5", misread
    )
    assert len(balanced["taught"]) == 10 and sorted(balanced["taught"] + balanced["measured"]) == list(range(40))
    with pytest.raises(ValueError, match="pendigits-5 drew 20 digits in the session: cannot keep --digits 21"):
        fine_tune.lesson_for(SimpleNamespace(choice="session", digits=21, seed=0), digits, "pendigits-5", misread)


def person(writer: str, own: tuple[int, int], others: tuple[int, int], mnist_after: float, seconds: float) -> dict:
    """One person's run as verdicts reads it: (errors before, after) on their digits, (fixed, broken) elsewhere."""
    fixed, broken = others
    other = {"fixed": fixed, "broken": broken, "sign_test_p": fine_tune.sign_test(fixed, broken)}
    mnist = {"fixed": 0, "broken": 0, "sign_test_p": 1.0, "accuracy_after": mnist_after}
    sets = {
        "writer_other_digits": {"errors_before": own[0], "errors_after": own[1], "fixed": own[0] - own[1], "broken": 0},
        "writer_trained_digits": {"fixed": 0, "broken": 9, "sign_test_p": 0.004},  # never judged: it was taught
        "other_writers": other,
        "pendigits-30": other,
        "mnist_test": mnist,
    }
    held_out = {name: sets[name] for name in ("writer_other_digits", "writer_trained_digits", "other_writers")}
    return {"writer": writer, "sets": sets, "readings": {"stroke": held_out, "fused": held_out}, "seconds": seconds}


def test_verdicts_pool_the_peoples_errors_and_hold_every_run_to_the_rest():
    people = [
        person("pendigits-15", (8, 6), (1, 1), 0.9967, 90.0),
        person("pendigits-20", (9, 2), (2, 3), 0.9961, 120.0),
    ]
    checks = fine_tune.verdicts(people, cores=2)
    assert checks["writer_errors_removed"]["met"] is True  # 9 of 17 gone, though pendigits-15 alone lost only 2
    assert "9 of the people's 17 errors" in checks["writer_errors_removed"]["says"]
    assert checks["mnist_test_accuracy"]["met"] is True and "99.61%" in checks["mnist_test_accuracy"]["says"]
    assert checks["fine_tune_seconds"]["met"] is True and "120s" in checks["fine_tune_seconds"]["says"]
    assert checks["nothing_else_worse"]["met"] is True
    assert checks["fused_errors_removed"]["met"] is True and checks["stroke_nothing_else_worse"]["met"] is True
    assert checks["fused_errors_removed"]["says"].startswith("fused: 9 of the people's 17 errors")
    assert fine_tune.verdicts(people, cores=4)["fine_tune_seconds"]["met"] is None
    people[0]["readings"] = {"stroke": None, "fused": None}  # a set without a stroke model: no pen-path verdicts
    assert not any(name.startswith(("stroke", "fused")) for name in fine_tune.verdicts(people, cores=2))
    people[0]["readings"] = {"stroke": people[1]["readings"]["stroke"], "fused": people[1]["readings"]["fused"]}

    people.append(person("pendigits-30", (5, 5), (0, 9), 0.9958, 310.0))
    checks = fine_tune.verdicts(people, cores=2)
    assert checks["writer_errors_removed"]["met"] is False  # 9 of 22
    assert not checks["mnist_test_accuracy"]["met"] and not checks["fine_tune_seconds"]["met"]
    assert checks["nothing_else_worse"]["met"] is False and checks["fused_nothing_else_worse"]["met"] is False
    assert (
        "other_writers (teaching pendigits-30), pendigits-30 (teaching pendigits-30)"
        in checks["nothing_else_worse"]["says"]
    )


def test_changes_are_counted_both_ways_with_a_sign_test():
    labels = np.array([0, 1, 2, 3, 4, 5, 6, 7])
    before = np.array([0, 1, 2, 3, 9, 9, 9, 7])
    after = np.array([0, 9, 2, 3, 4, 5, 8, 7])
    row = fine_tune.compare(labels, before, after, np.ones(8, dtype=bool))
    assert (row["errors_before"], row["errors_after"], row["fixed"], row["broken"]) == (3, 2, 2, 1)
    assert row["predictions_changed"] == 4 and row["sign_test_p"] == 1.0
    assert row["fixed_from"] == {"4 as 9": 1, "5 as 9": 1} and row["broken_as"] == {"1 as 9": 1}
    assert fine_tune.trades(row) == "fixed 4 as 9 (1), 5 as 9 (1); broke 1 as 9 (1)"
    assert fine_tune.sign_test(0, 0) == 1.0 and fine_tune.sign_test(6, 0) == pytest.approx(2 / 64)


def test_a_refused_fine_tune_is_measured_from_the_set_put_aside(tmp_path):
    (tmp_path / "rejected-20250101-000000").mkdir()
    (tmp_path / "rejected-20250101-000000" / MODEL_FILENAME).write_bytes(b"model")
    refusal = f"error: kept {tmp_path / MODEL_FILENAME}: the new model is clearly worse (MNIST test accuracy 0.9800 vs 0.9950); its set is in {tmp_path}/rejected-20250101-000000/ (--force replaces anyway)"
    path, reason = fine_tune.fine_tuned_model(tmp_path, 1, ["epoch 1", refusal])
    assert path == tmp_path / "rejected-20250101-000000" / MODEL_FILENAME
    assert reason == "MNIST test accuracy 0.9800 vs 0.9950"
    assert fine_tune.fine_tuned_model(tmp_path, 0, []) == (tmp_path / MODEL_FILENAME, None)
    with pytest.raises(RuntimeError, match="exit code 1; its last lines:\nerror: no usable drawings"):
        fine_tune.fine_tuned_model(tmp_path, 1, ["error: no usable drawings"])


def test_flags_the_benchmark_sets_are_refused_after_the_dashes(capsys):
    with pytest.raises(SystemExit) as exited:
        fine_tune.parse(["--digits", "5", "--", "--epochs", "1", "--out=/tmp/elsewhere"])
    assert exited.value.code == 2 and "--out=/tmp/elsewhere: set by this script" in capsys.readouterr().err


def test_a_writer_who_is_not_held_out_is_refused(capsys):
    with pytest.raises(SystemExit) as exited:
        fine_tune.parse(["--writer", "pendigits-7"])
    assert (
        exited.value.code == 2
        and "--writer pendigits-7 is not a held-out writer (pendigits-5, " in capsys.readouterr().err
    )


def snapshot(folder):
    """Every file under `folder` -> (size, modification time), to prove nothing there changed."""
    return {str(path): (path.stat().st_size, path.stat().st_mtime_ns) for path in folder.rglob("*") if path.is_file()}


@pytest.mark.slow
def test_smoke_benchmark_fine_tunes_for_real_and_leaves_artifacts_alone(tmp_path, mnist_dir, pen_dir, trainer):
    shipped, artifacts_before = sha256_of(ARTIFACTS_DIR / MODEL_FILENAME), snapshot(ARTIFACTS_DIR)
    work, results = tmp_path / "work", tmp_path / "fine_tune.json"
    arguments = [
        "--per-writer",
        "6",
        "--digits",
        "3",
        "--people",
        "2",
        "--data",
        str(mnist_dir),
        "--pen-data",
        str(pen_dir),
    ]
    arguments += ["--keep", str(work), "--out", str(results), "--stroke-epochs", "1"]
    arguments += ["--", "--set", "pen_share=0", "--epochs", "1", "--limit", "200", "--set", "validation_size=500"]
    assert fine_tune.main([*arguments, "--set", "drawing_renders=2"]) == 0

    document = json.loads(results.read_text())
    before, people = document["accuracy_before_per_writer"], document["people"]
    assert len(before) == 6 and [person["writer"] for person in people] == sorted(before, key=before.get)[:2]
    for person in people:
        writer, used, sets = person["writer"], person["digits_used"], person["sets"]
        assert [item["index"] for item in used] == [0, 1, 2]  # the session: the first half of their 6
        assert person["digits_measured"] == 3
        assert sets["writer_trained_digits"]["images"] == 3 * 3 and sets["writer_other_digits"]["images"] == 3 * 3
        assert sets["other_writers"]["images"] == 5 * 6 * 3 and sets["mnist_test"]["images"] == 10_000
        fused = person["readings"]["fused"]  # what the app shows: the people are those it reads worst
        person_errors = fused["writer_trained_digits"]["errors_before"] + fused["writer_other_digits"]["errors_before"]
        assert person_errors == round((1 - before[writer]) * 6 * 3)
        for reading, rows in {"image": sets, **person["readings"]}.items():
            assert rows["writer_other_digits"]["images"] == sets["writer_other_digits"]["images"], reading
            assert rows["other_writers"]["images"] == sets["other_writers"]["images"], reading
            for name, row in rows.items():
                assert row["errors_before"] - row["errors_after"] == row["fixed"] - row["broken"], (reading, name)
        assert sets["mnist_test"]["accuracy_before"] > 0.99 and sets["mnist_test"]["accuracy_after"] > 0.98

        run = person["fine_tune"]
        # The start set: the shipped image model and a stroke model that never saw the held-out writers.
        assert run["command"].startswith(
            f"{sys.executable} -m train --fine-tune --model {work / 'start' / MODEL_FILENAME} --drawings {work / writer}/"
        )
        assert shlex.join(fine_tune.STRANGERS_ONLY) in run["command"]
        assert run["seconds"] > 0 and run["model_sha256"] != shipped and document["model_sha256"] == shipped
        (stroke_file,) = (work / writer).glob("*.json")
        taught = read_stroke_file(stroke_file)
        assert [digit.label for digit in taught] == [item["label"] for item in used]
        assert {digit.writer for digit in taught} == {APP_WRITER}
        (metrics_file,) = [
            path
            for path in (work / writer).glob("out/**/metrics.json")
            if "checkpoints" not in path.parts and STROKE_DIR_NAME not in path.parts
        ]
        metrics = json.loads(metrics_file.read_text())
        assert metrics["drawings"]["digits"] == 3 and metrics["fine_tuned_from"]["model_sha256"] == shipped
        # The stroke model learnt the same drawings' pen paths, beside the image model.
        stroke = json.loads((metrics_file.parent / STROKE_DIR_NAME / METRICS_FILENAME).read_text())
        assert stroke["fine_tuned_from"] is not None and stroke["drawings"] is not None
        assert stroke["config"]["learn_held_out"] is False
    assert set(document["verdicts"]) == {
        "writer_errors_removed",
        "mnist_test_accuracy",
        "fine_tune_seconds",
        "nothing_else_worse",
        "stroke_errors_removed",
        "stroke_nothing_else_worse",
        "fused_errors_removed",
        "fused_nothing_else_worse",
    }
    assert snapshot(ARTIFACTS_DIR) == artifacts_before
    start = json.loads((work / "start" / STROKE_DIR_NAME / METRICS_FILENAME).read_text())
    shipped_stroke = json.loads((ARTIFACTS_DIR / STROKE_DIR_NAME / METRICS_FILENAME).read_text())
    assert start["config"]["learn_held_out"] is False and start["config"]["epochs"] == 1
    assert start["stroke_weight"] == shipped_stroke["stroke_weight"]
    assert start["training_digits"] < shipped_stroke["training_digits"]
    assert document["model"] == str(ARTIFACTS_DIR / MODEL_FILENAME) and document["stroke_model"]
