"""A previous version of this repository, checked out beside it, for the benchmarks that compare against one.

bench/web.py (the page before the lean build) and bench/streamlit.py (the app before its drawing
area became a fragment) take a --baseline-ref: a git ref, by default the commit just before
the change being measured, which `commit_before` finds in the history.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from mnist_draw.config import PROJECT_ROOT


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True)


def short_commit(ref: str) -> str:
    """The short commit id `ref` names; SystemExit with git's one-line reason when it names none."""
    result = git("rev-parse", "--short", "--verify", f"{ref}^{{commit}}")
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["not a commit"])[-1]
        raise SystemExit(f"error: --baseline-ref {ref}: {reason}")
    return result.stdout.strip()


def commit_before(change: str, *log_args: str) -> str:
    """The ref of the commit before the oldest one `git log <log_args>` lists: the last version without `change`.

    e.g. commit_before("the lean build", "--diff-filter=A", "--", "web/kernels.mjs"). SystemExit
    naming `change` when no commit matches (a shallow clone, or the history was rewritten).
    """
    commits = git("log", "--format=%H", *log_args).stdout.split()
    if not commits:
        raise SystemExit(f"error: no commit here introduces {change}; pass --baseline-ref")
    return f"{commits[-1]}~"


@contextlib.contextmanager
def worktree(ref: str) -> Iterator[Path]:
    """`ref` checked out (detached) with `git worktree add` into a temporary folder -> that folder.

    The worktree is removed on exit, changes made in it included, so a benchmark may build or
    delete files there.
    """
    short_commit(ref)
    folder = Path(tempfile.mkdtemp(prefix="mnist-draw-baseline-"))
    checkout = folder / "checkout"
    added = git("worktree", "add", "--detach", str(checkout), ref)
    if added.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise SystemExit(f"error: git worktree add {ref} failed: {added.stderr.strip()}")
    try:
        yield checkout
    finally:
        git("worktree", "remove", "--force", str(checkout))
        shutil.rmtree(folder, ignore_errors=True)
        git("worktree", "prune")


def add_arguments(parser: argparse.ArgumentParser, thing: str, default: str) -> None:
    """--baseline-ref REF and --no-baseline, for a benchmark that compares this checkout's `thing` with an earlier one."""
    parser.add_argument(
        "--baseline-ref", metavar="REF", help=f"git commit of the {thing} to compare with (default: {default})"
    )
    parser.add_argument("--no-baseline", action="store_true", help=f"measure this checkout's {thing} only")


def chosen_ref(args: argparse.Namespace, default_ref: Callable[[], str]) -> str | None:
    """The ref those arguments ask for: None with --no-baseline, else --baseline-ref or default_ref()."""
    return None if args.no_baseline else (args.baseline_ref or default_ref())
