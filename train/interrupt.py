"""Ctrl+C (SIGINT) and kill (SIGTERM) during a training run, noticed even where Python drops them.

A signal handler raises its exception wherever the main thread happens to be. When that is a
`__del__` or a weakref callback (TensorFlow frees tensors and tf.data iterators that way), Python
prints "Exception ignored" and carries on, so a Ctrl+C could be lost and the run finish as if
nothing happened. So the handler also records the signal, and `check()` (after every batch and
before the swap) raises it again: once a signal arrived, the run never swaps in its new set.
Python's "Exception ignored" report of that swallowed first raise is itself dropped (a traceback
on stderr where the person expects one line); every other unraisable exception is reported as before.
"""

from __future__ import annotations

import signal
import sys

EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells report for Ctrl+C
EXIT_TERMINATED = 143  # 128 + SIGTERM: `kill`, a service manager or a job scheduler stopping the run

received: list[int] = []  # the signals that arrived, in order


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl+C so it unwinds the same way (one line, the previous set kept)."""


def interruption() -> KeyboardInterrupt:
    return Terminated() if received and received[0] == signal.SIGTERM else KeyboardInterrupt()


def _handle(signal_number, frame) -> None:
    received.append(signal_number)
    raise interruption()


def _drop_swallowed_interruption(unraisable) -> None:
    """sys.unraisablehook: a signal's exception raised in a __del__ or callback is re-raised by check()."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt) and received:
        return
    sys.__unraisablehook__(unraisable)


def install() -> None:
    """Handle SIGINT and SIGTERM in this (the main) thread."""
    signal.signal(signal.SIGINT, _handle)
    signal.signal(signal.SIGTERM, _handle)
    sys.unraisablehook = _drop_swallowed_interruption


def check() -> None:
    """Raise the interruption again if a signal arrived (its first exception may have been swallowed)."""
    if received:
        raise interruption()


def exit_code() -> int:
    return EXIT_TERMINATED if received and received[0] == signal.SIGTERM else EXIT_INTERRUPTED
