"""The committed screenshots show today's page and app: docs/screenshots.json names the markup they were taken of."""

from __future__ import annotations

import pytest

from bench import screenshots


@pytest.mark.parametrize("image", list(screenshots.MARKUP))
def test_screenshot_is_committed(image):
    assert (screenshots.DOCS_DIR / image).is_file(), f"docs/{image} is missing: run {screenshots.COMMAND}"


def test_screenshots_are_not_older_than_the_markup():
    stale = screenshots.stale_screenshots(screenshots.read_record())
    assert not stale, f"screenshots are older than the markup ({', '.join(stale)}): run {screenshots.COMMAND}"


def test_a_changed_markup_file_makes_its_screenshot_stale():
    record = {image: {"markup": screenshots.markup_hashes(image)} for image in screenshots.MARKUP}
    record["screenshot.png"]["markup"]["web/style.css"] = "0" * 64
    assert screenshots.stale_screenshots(record) == ["screenshot.png"]


def test_check_command_fails_on_a_stale_record(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(screenshots, "RECORD_PATH", tmp_path / "screenshots.json")
    assert screenshots.main(["--check"]) == 1
    assert screenshots.COMMAND in capsys.readouterr().err
