"""`archiver changes` says so when there is nothing to show, instead of printing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.cli import main

pytestmark = pytest.mark.unit


def test_no_changes_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["changes", "--dir", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "no changes: no article edited or deleted\n"
    assert captured.err == ""


def test_no_changes_names_the_selection(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["changes", "--dir", str(tmp_path), "--since", "2026-11-01", "--site", "chinadaily"]
    assert main(argv) == 0
    expected = "no changes: no article edited or deleted since 2026-11-01 on chinadaily\n"
    assert capsys.readouterr().out == expected


def test_no_changes_with_json_keeps_stdout_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["changes", "--dir", str(tmp_path), "--json"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""  # an empty JSON Lines stream, as a script expects
    assert captured.err == "no changes: no article edited or deleted\n"
