"""README.md and docs/*.md: every relative link and image resolves, and the README stays short.

Links are checked the way GitHub renders them: a path relative to the Markdown file, and a
`#anchor` must be the slug of a heading in the file it points into.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mnist_draw.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
DOCS = sorted((PROJECT_ROOT / "docs").glob("*.md"))
MAX_README_LINES = 200

FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def prose(markdown: str) -> str:
    """The Markdown without fenced code blocks and inline code, where links are not links."""
    return INLINE_CODE.sub("", FENCE.sub("", markdown))


def slug(heading: str) -> str:
    """A heading's text -> GitHub's anchor for it: link text kept, lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor in a Markdown file; a repeated heading gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(path: Path) -> list[str]:
    """Every link and image target in the file that is not a URL with a scheme (http:, mailto:, ...)."""
    return [target for target in LINK.findall(prose(path.read_text())) if not re.match(r"^[a-z][a-z0-9+.-]*:", target)]


def broken_links(path: Path) -> list[str]:
    """The file's relative links whose file, folder or heading does not exist, each with why."""
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    return broken


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_every_relative_link_and_image_resolves(path):
    broken = broken_links(path)
    assert not broken, f"{path.relative_to(PROJECT_ROOT)} has broken links:\n" + "\n".join(broken)


def test_readme_is_at_most_200_lines():
    lines = len(README.read_text().splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines; move details into docs/"


def test_every_doc_is_linked_from_the_readme_or_another_doc():
    linked = set()
    for path in [README, *DOCS]:
        for target in relative_links(path):
            file_part = target.partition("#")[0]
            if file_part:
                linked.add((path.parent / file_part).resolve())
    orphans = [str(doc.relative_to(PROJECT_ROOT)) for doc in DOCS if doc.resolve() not in linked]
    assert not orphans, f"no link leads to {orphans}"


def layout_block() -> str:
    """The code block under README.md's "## Layout" heading."""
    section = README.read_text().split("\n## Layout\n", 1)[1]
    return re.search(r"```\n(.*?)```", section, re.DOTALL).group(1)


def test_readme_layout_names_every_tracked_top_level_folder():
    if shutil.which("git") is None or not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    folders = {path.split("/", 1)[0] for path in tracked if "/" in path}
    block = layout_block()
    missing = sorted(folder for folder in folders if not re.search(rf"(^|\s){re.escape(folder)}/", block, re.MULTILINE))
    assert not missing, f"README.md's Layout does not mention {missing}"


def test_readme_layout_lists_only_paths_that_exist():
    entries = re.findall(r"^(\S+)", layout_block(), re.MULTILINE)
    gone = [entry for entry in entries if not (PROJECT_ROOT / entry).exists()]
    assert not gone, f"README.md's Layout lists paths that do not exist: {gone}"


def test_link_checker_catches_a_missing_file_and_a_missing_heading(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[ok](#title) [gone](missing.md) [no heading](#nowhere) `[code](skipped.md)`\n")
    assert broken_links(page) == ["missing.md: no such file", "#nowhere: no heading #nowhere in page.md"]


def test_slug_follows_github():
    assert slug("Does teaching help? Yes, measured") == "does-teaching-help-yes-measured"
    assert slug("Keras and TF.js agree") == "keras-and-tfjs-agree"
    assert slug("The `--set` option") == "the---set-option"
