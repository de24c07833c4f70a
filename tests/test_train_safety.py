"""Training never loses work: the artifacts set is replaced whole or not at all, and never by a clearly worse model.

The slow tests start `python -m train` as a real child process (the `trainer` fixture) and
stop it with real signals (the `signals` fixture): SIGINT mid-fit, SIGKILL while the new set waits to be swapped in
and while the swap is half done (the $MNIST_TRAIN_PAUSE_* test hooks hold the run there).
The fast ones drive train/artifacts.py and train/gate.py directly.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from mnist_draw.config import ARTIFACTS_DIR, METRICS_FILENAME, MODEL_FILENAME, PROJECT_ROOT
from tests.train_process import PLAIN, TINY, last_line, leftovers, snapshot, write_fake_set
from train import artifacts, gate
from train.__main__ import main

# --- the swap, without TensorFlow ----------------------------------------------------------


def staged(out, tag):
    """Claim `out` and fill the staging folder with a set saying `tag`."""
    claim = artifacts.claim(out, log=lambda message: None)
    write_fake_set(claim.staging, tag)
    return claim


def test_swap_replaces_every_member_and_nothing_of_the_old_set_survives(tmp_path):
    write_fake_set(tmp_path, "old")
    (tmp_path / "plots" / "drawn_misclassified.png").write_bytes(b"old only")
    (tmp_path / "saved_model").mkdir()  # export's output lives beside the set and is not part of it
    claim = staged(tmp_path, "new")
    expected = snapshot(claim.staging)
    artifacts.swap_in(claim)
    claim.release()
    assert snapshot(tmp_path) == expected  # the old set's extra plot went with the old plots/
    assert leftovers(tmp_path) == [] and (tmp_path / "saved_model").is_dir()


def test_a_second_run_into_the_same_out_is_refused(tmp_path):
    first = artifacts.claim(tmp_path, log=lambda message: None)
    with pytest.raises(artifacts.OutputError, match="another `python -m train` is writing to"):
        artifacts.claim(tmp_path)
    first.release()
    artifacts.claim(tmp_path).release()  # free again once the first run let go


def test_failed_run_leaves_no_staging_folder_and_no_new_out(tmp_path):
    out = tmp_path / "new-out"
    claim = artifacts.claim(out)
    write_fake_set(claim.staging, "half")
    claim.release()
    assert not out.exists()


SWAP_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tests.train_process import write_fake_set
    from train import artifacts
    claim = artifacts.claim(Path(sys.argv[1]))
    write_fake_set(claim.staging, "new")
    artifacts.swap_in(claim, pause_mid_swap=120)
    """
)


def test_sigkill_mid_swap_then_the_next_claim_completes_the_new_set(tmp_path, signals):
    write_fake_set(tmp_path, "old")
    child = subprocess.Popen(
        [sys.executable, "-c", SWAP_SCRIPT, str(tmp_path)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    assert "pausing" in child.stdout.readline()
    new_set = snapshot(next(tmp_path.glob(".tmp-train-staging-*")))
    signals.send(child, signal.SIGKILL)
    child.wait()
    assert (tmp_path / MODEL_FILENAME).read_bytes() == b"model of new" and json.loads(
        (tmp_path / METRICS_FILENAME).read_text()
    ) == {"run": "old"}

    messages = []
    artifacts.claim(tmp_path, log=messages.append).release()
    new_set[MODEL_FILENAME] = b"model of new"
    assert snapshot(tmp_path) == new_set and leftovers(tmp_path) == []
    assert messages and "finished the swap an interrupted run had begun" in messages[0]


# --- what "clearly worse" means ------------------------------------------------------------


def measured(mnist, drawn=None):
    return {"test_accuracy": mnist, "held_out_writers": None if drawn is None else {"accuracy": drawn}}


@pytest.mark.parametrize(
    "new, old, worse",
    [
        (measured(0.9900), measured(0.9940), False),  # 0.4 points: noise
        (measured(0.9880), measured(0.9940), True),  # 0.6 points
        (measured(0.9990), measured(0.9940), False),
        (measured(0.9940, 0.905), measured(0.9940, 0.910), False),  # 0.5 drawn points: noise
        (measured(0.9940, 0.890), measured(0.9940, 0.910), True),  # 2 drawn points
        (measured(0.9940, None), measured(0.9940, 0.910), False),  # drawn only counts when both have it
    ],
)
def test_clearly_worse_is_half_a_point_of_mnist_or_a_point_of_drawn_digits(new, old, worse):
    assert (gate.clearly_worse(new, old) is not None) == worse


# --- real runs, in this process ------------------------------------------------------------


WARNING_LINES = ("/", "  ")  # a Python warning: "path:line: Category: text", then the source line, indented


def tiny_arguments(mnist_dir, out, *extra):
    return ["--data", str(mnist_dir), "--out", str(out), "--epochs", "1", *PLAIN, *TINY, *extra]


@pytest.mark.slow
def test_smoke_run_does_not_replace_a_better_model_and_force_does(tmp_path, mnist_dir, trainer, capsys):
    out = tmp_path / "artifacts"
    shutil.copytree(ARTIFACTS_DIR / "plots", out / "plots")  # the shipped set, copied
    for name in (MODEL_FILENAME, METRICS_FILENAME, "history.csv"):
        shutil.copy2(ARTIFACTS_DIR / name, out / name)
    shipped = snapshot(out)

    assert trainer.main(tiny_arguments(mnist_dir, out)) == 1
    stderr = capsys.readouterr().err
    error = [line for line in stderr.splitlines() if not line.startswith(WARNING_LINES)]  # Keras's own UserWarnings
    assert (
        "Traceback" not in stderr
        and len(error) == 1
        and error[0].startswith(
            f"error: kept {out / MODEL_FILENAME}: the new model is clearly worse (MNIST test accuracy "
        )
    )
    assert snapshot(out) == shipped and leftovers(out) == []
    rejected = list(out.glob("rejected-*"))
    assert len(rejected) == 1 and str(rejected[0]) in error[0] and "--force" in error[0]
    assert sorted(path.name for path in rejected[0].iterdir()) == [
        "history.csv",
        METRICS_FILENAME,
        MODEL_FILENAME,
        "plots",
    ]
    assert json.loads((rejected[0] / METRICS_FILENAME).read_text())["replaced_model"]["test_accuracy"] > 0.99

    assert trainer.main(tiny_arguments(mnist_dir, out, "--force")) == 0
    assert "note: --force: replacing although the new model is clearly worse" in capsys.readouterr().out
    assert snapshot(out) != shipped and json.loads((out / METRICS_FILENAME).read_text())["config"]["limit"] == 120


@pytest.mark.slow
def test_diverging_training_stops_with_one_line_and_writes_nothing(tmp_path, mnist_dir, trainer, capsys):
    import dataclasses

    from train import training
    from train.config import RunOptions, TrainConfig

    write_fake_set(tmp_path, "previous")
    before = snapshot(tmp_path)
    # No flag allows this rate (--learning-rate stops at 1): it is the surest way to a NaN loss.
    config = dataclasses.replace(
        TrainConfig(), epochs=3, learning_rate=1e30, limit=120, pen_share=0.0, validation_size=200, batch_size=32
    )
    with pytest.raises(
        training.TrainingError, match=r"^training diverged: the loss became nan in epoch 1; nothing was written"
    ):
        training.run(config, RunOptions(out=tmp_path, data=mnist_dir))
    assert "Epoch 2/3" not in capsys.readouterr().out  # TerminateOnNaN stopped the first epoch
    assert (
        snapshot(tmp_path) == before
        and leftovers(tmp_path) == []
        and not (tmp_path / "checkpoints" / "resume").exists()
    )


def test_unwritable_out_is_one_line(tmp_path, mnist_dir, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["--data", str(mnist_dir), "--out", str(tmp_path / "a-file" / "out")]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [  # the first stage's folder, under --out
        f"error: cannot write to {tmp_path / 'a-file' / 'out' / 'mnist-only'} (Not a directory)"
    ]


# --- real runs, real signals ---------------------------------------------------------------


# A signalled run's epochs: the signal is sent as epoch 3 starts, and the epochs after it (each a
# checkpoint write) leave it time to land mid-fit even on a busy machine.
SIGNALLED_EPOCHS = 6


def signal_mid_fit(tmp_path, mnist_dir, trainer, signals, signal_number: int) -> tuple:
    """A SIGNALLED_EPOCHS-epoch tiny run into an --out holding a previous set, sent `signal_number` during epoch 3.

    -> (out, snapshot of the previous set, the run's arguments, the finished child).
    """
    out = tmp_path / "out"
    write_fake_set(out, "previous")
    before = snapshot(out)
    arguments = ["--data", str(mnist_dir), "--out", str(out), "--epochs", str(SIGNALLED_EPOCHS)]
    arguments += ["--set", "patience=20", *PLAIN, *TINY]
    child = trainer.start(arguments, tmp_path / "stderr-signalled")
    child.wait_for(f"Epoch 3/{SIGNALLED_EPOCHS}")
    signals.send(child, signal_number)
    child.finish(timeout=120)
    return out, before, arguments, child


@pytest.mark.slow
def test_kill_mid_fit_is_one_line_and_keeps_the_previous_set(tmp_path, mnist_dir, trainer, signals):
    # SIGTERM: what `kill PID`, systemd or a job scheduler sends
    out, before, _, child = signal_mid_fit(tmp_path, mnist_dir, trainer, signals, signal.SIGTERM)
    assert child.process.returncode == 143
    stderr = child.stderr()
    assert "Traceback" not in stderr and last_line(stderr).startswith(f"interrupted: {out} keeps the set it had")
    assert snapshot(out) == before and leftovers(out) == []


@pytest.mark.slow
def test_ctrl_c_mid_fit_keeps_the_previous_set_and_resume_finishes_the_run(tmp_path, mnist_dir, trainer, signals):
    out, before, arguments, child = signal_mid_fit(tmp_path, mnist_dir, trainer, signals, signal.SIGINT)
    assert child.process.returncode == 130
    stderr = child.stderr()
    assert (
        "Traceback" not in stderr
        and last_line(stderr)
        == f"interrupted: {out} keeps the set it had; --resume continues from the last finished epoch"
    )
    assert (
        snapshot(out) == before and leftovers(out) == []
    )  # history.csv too: the interrupted run wrote only into its staging folder

    code, printed, stderr = trainer.run([*arguments, "--resume"], tmp_path / "stderr-2")
    assert code == 0, stderr
    resumed_after = int(printed.split("resuming after epoch ")[1].split()[0])
    epochs = SIGNALLED_EPOCHS
    assert (
        resumed_after >= 2 and f"Epoch 1/{epochs}" not in printed and f"Epoch {resumed_after + 1}/{epochs}" in printed
    )
    metrics = json.loads((out / METRICS_FILENAME).read_text())
    assert metrics["epochs_run"] == epochs and len((out / "history.csv").read_text().splitlines()) == 1 + epochs
    assert "note: the model in place cannot be read" in printed  # the stand-in set's "model" is not a model
    assert not (out / "checkpoints" / "resume").exists() and leftovers(out) == []


@pytest.mark.slow
def test_sigkill_before_the_swap_keeps_the_previous_set_the_next_run_tidies_up_and_resume_only_saves(
    tmp_path, mnist_dir, trainer, signals
):
    out = tmp_path / "out"
    write_fake_set(out, "previous")
    before = snapshot(out)
    child = trainer.start(
        ["--data", str(mnist_dir), "--out", str(out), "--epochs", "1", *PLAIN, *TINY],
        tmp_path / "stderr-1",
        MNIST_TRAIN_PAUSE_BEFORE_SWAP="300",
    )
    child.wait_for("pausing 300s with the new set staged, before the swap")
    staging = next(out.glob(".tmp-train-staging-*"))
    assert sorted(path.name for path in staging.iterdir()) == ["history.csv", METRICS_FILENAME, MODEL_FILENAME, "plots"]
    signals.send(child, signal.SIGKILL)
    child.finish()
    assert snapshot(out) == before

    next_run = ["--data", str(tmp_path / "no-mnist-here"), "--out", str(out), *PLAIN]  # the same command again
    code, printed, stderr = trainer.run(next_run, tmp_path / "stderr-2")
    assert code == 1 and last_line(stderr).startswith("error: MNIST folder")
    assert f"removed {staging.name}, the unfinished set of an interrupted run" in printed
    assert snapshot(out) == before and leftovers(out) == []

    resumed = ["--data", str(mnist_dir), "--out", str(out), "--epochs", "1", *PLAIN, *TINY, "--resume"]
    code, printed, stderr = trainer.run(resumed, tmp_path / "stderr-3")
    assert code == 0, stderr
    assert (
        "resuming a run whose training had finished (all 1 epochs" in printed and "step" not in printed
    )  # no training
    assert json.loads((out / METRICS_FILENAME).read_text())["config"]["limit"] == 120 and leftovers(out) == []


@pytest.mark.slow
def test_sigkill_mid_swap_and_the_next_run_completes_the_new_set(tmp_path, mnist_dir, trainer, signals):
    out = tmp_path / "out"
    write_fake_set(out, "previous")
    child = trainer.start(
        ["--data", str(mnist_dir), "--out", str(out), "--epochs", "1", *PLAIN, *TINY],
        tmp_path / "stderr-1",
        MNIST_TRAIN_PAUSE_MID_SWAP="300",
    )
    child.wait_for("pausing 300s with the new model in place")
    staging = next(out.glob(".tmp-train-staging-*"))
    new_set = {**snapshot(staging), MODEL_FILENAME: (out / MODEL_FILENAME).read_bytes()}
    signals.send(child, signal.SIGKILL)
    child.finish()
    assert json.loads((out / METRICS_FILENAME).read_text()) == {"run": "previous"}  # half swapped until the next start

    next_run = ["--data", str(tmp_path / "no-mnist-here"), "--out", str(out), *PLAIN]  # the same command again
    code, printed, _ = trainer.run(next_run, tmp_path / "stderr-2")
    assert (
        code == 1
        and f"finished the swap an interrupted run had begun: {out} now holds that run's complete set" in printed
    )
    assert snapshot(out) == new_set and leftovers(out) == []
    assert json.loads((out / METRICS_FILENAME).read_text())["config"]["limit"] == 120
