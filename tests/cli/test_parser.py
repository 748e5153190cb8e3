"""A mistyped option gets its own subcommand's usage; a mistyped command or choice a suggestion."""

from __future__ import annotations

import pytest

from archiver.cli import main

pytestmark = pytest.mark.unit


def _error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_unknown_option_of_a_subcommand_shows_that_subcommands_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _error(capsys, "changes", "--sinse", "2026-01-01")
    assert err.startswith("usage: archiver changes ")
    assert "archiver changes: error: unrecognized arguments: --sinse 2026-01-01" in err
    assert "did you mean --since?" in err
    assert "COMMAND" not in err  # not the top-level usage


def test_unknown_argument_of_a_nested_subcommand_shows_its_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _error(capsys, "index", "rebuild", "--bogus")
    assert err.startswith("usage: archiver index rebuild ")
    assert "archiver index rebuild: error: unrecognized arguments: --bogus" in err
    err = _error(capsys, "verify", "--json", "stray")
    assert err.startswith("usage: archiver verify ")
    assert "unrecognized arguments: stray\n" in err  # no suggestion for a non-option


def test_mistyped_command_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    err = _error(capsys, "chnages")
    assert err.startswith("usage: archiver ")
    assert "invalid choice: 'chnages'" in err
    assert "did you mean 'changes'?" in err
    err = _error(capsys, "zzzz")
    assert "invalid choice: 'zzzz'" in err and "did you mean" not in err


def test_mistyped_choice_of_an_option_gets_a_suggestion(
    capsys: pytest.CaptureFixture[str],
) -> None:
    err = _error(capsys, "changes", "--site", "chinadialy")
    assert err.startswith("usage: archiver changes ")
    assert "did you mean 'chinadaily'?" in err
