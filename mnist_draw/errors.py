"""Errors as the one line a person reads: CLIs and the app print nothing longer."""

from __future__ import annotations


def one_line(error: BaseException) -> str:
    """The first line of an exception's message, or its type name if it has none."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
