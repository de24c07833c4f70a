"""Real POSIX signals sent to child processes, as a terminal, `kill` or the kernel sends them.

A plain helper module (no tests in it). Tests get a Signals from the `signals` fixture
(tests/conftest.py), which marks them `signals`: tests/test_train_safety.py, tests/test_distribute.py,
tests/test_export_safety.py and tests/test_pen_training.py stop real children with it.
"""

from __future__ import annotations

import os
import signal


class Signals:
    """Sends signals to a child: a subprocess.Popen, or anything else with a `pid` (tests/train_process.py's TrainProcess)."""

    def send(self, child, signal_number: int) -> None:
        """`signal_number` to the child alone: SIGTERM as `kill PID` sends it, SIGKILL as the kernel's OOM killer does."""
        os.kill(child.pid, signal_number)

    def ctrl_c(self, child) -> None:
        """SIGINT to the child's whole process group, as Ctrl+C in a terminal: its own children get it too.

        The child must lead its group (started with start_new_session=True): otherwise the group is pytest's.
        """
        if os.getpgid(child.pid) != child.pid:
            raise ValueError(
                f"process {child.pid} does not lead its process group: start it with start_new_session=True"
            )
        os.killpg(child.pid, signal.SIGINT)
