"""train/interrupt.py: a signal that lands in a __del__ is re-raised by check(), without Python's traceback of it."""

from __future__ import annotations

import subprocess
import sys

from mnist_draw.config import PROJECT_ROOT

# The SIGINT arrives while a __del__ runs, as it can while TensorFlow or JAX frees objects; a
# second object's __del__ fails in its own way, which must still be reported.
SCRIPT = """
import os, signal
from train import interrupt

interrupt.install()

class InterruptedWhileFreed:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGINT)
        sum(range(1000))  # the handler runs between these bytecodes, inside __del__

class FailsWhileFreed:
    def __del__(self):
        raise ValueError("a real fault while freeing")

InterruptedWhileFreed()  # freed at once: no name holds it
freed = FailsWhileFreed()
del freed
try:
    interrupt.check()
except KeyboardInterrupt:
    print("interrupted", interrupt.exit_code())
"""


def test_a_swallowed_interruption_is_raised_again_and_not_reported_as_a_traceback():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "interrupted 130\n"
    assert "KeyboardInterrupt" not in done.stderr
    assert "ValueError: a real fault while freeing" in done.stderr
