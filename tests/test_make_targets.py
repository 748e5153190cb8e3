"""The Makefile: its test targets name test files that exist (a rename must not empty them), and
`make demo` installs only the runtime while `make test` installs everything, after a demo or not."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _fault_tests() -> list[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"^FAULT_TESTS :=(.*)$", text, flags=re.M)
    assert match, "Makefile has no FAULT_TESTS"
    return match.group(1).split()


@pytest.mark.unit
def test_every_fault_test_path_exists() -> None:
    paths = _fault_tests()
    assert len(paths) >= 10
    missing = [p for p in paths if not (REPO / p).exists()]
    assert missing == []


def _dry_run(folder: Path, target: str) -> str:
    """What `make -n TARGET` would run in `folder` (a copy of the Makefile and pyproject)."""
    done = subprocess.run(
        ["make", "-n", target], cwd=folder, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy2(REPO / name, tmp_path / name)
    return tmp_path


def _installs(commands: str) -> list[str]:
    return [line for line in commands.splitlines() if "pip install" in line]


@pytest.mark.crawl
def test_demo_installs_the_runtime_only_and_shows_pips_progress(checkout: Path) -> None:
    commands = _dry_run(checkout, "demo")
    assert "-m venv .venv" in commands
    installs = _installs(commands)
    assert any(line.endswith("pip install -e .") for line in installs), installs
    assert not any("[test]" in line for line in installs), installs
    # The project install is the slow step: pip's own lines are its progress.
    assert not any("--quiet" in line and " -e " in line for line in installs), installs
    assert ".venv/bin/archiver demo" in commands


@pytest.mark.crawl
def test_test_on_a_fresh_clone_installs_everything(checkout: Path) -> None:
    installs = _installs(_dry_run(checkout, "test"))
    assert any(line.endswith("pip install -e .") for line in installs), installs
    assert any(line.endswith("pip install -e '.[test]'") for line in installs), installs


@pytest.mark.crawl
def test_test_after_demo_adds_the_test_extras_only(checkout: Path) -> None:
    # What `make demo` leaves: the runtime stamp, newer than pyproject.toml.
    (checkout / ".venv").mkdir()
    stamp = checkout / ".venv" / ".installed-runtime"
    stamp.touch()
    later = (checkout / "pyproject.toml").stat().st_mtime + 10
    os.utime(stamp, (later, later))
    commands = _dry_run(checkout, "test")
    assert "-m venv" not in commands
    assert _installs(commands) == [".venv/bin/pip install -e '.[test]'"]
    for target in ("lint", "test-unit", "test-faults"):
        assert "'.[test]'" in _dry_run(checkout, target), target
