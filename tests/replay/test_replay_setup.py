"""`archiver replay --setup` says what it is doing: a line per step, the commands' own lines, and
a "still running" line when a command is silent for a while."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from archiver.cli import main
from archiver.errors import ArchiverError
from archiver.replay.env import ReplayEnv, SetupStep, constraints_file, run_step, setup_steps


@pytest.mark.unit
def test_steps_say_what_they_do_and_pip_is_not_quiet(tmp_path: Path) -> None:
    env = ReplayEnv(tmp_path / "pywb")
    steps = setup_steps(env, "/usr/bin/python3.11", (3, 11))
    assert [s.what.split()[0] for s in steps] == ["creating", "upgrading", "installing"]
    assert str(env.path) in steps[0].what and "Python 3.11" in steps[0].what
    install = steps[-1]
    assert "pywb==2.9.1" in install.what
    assert constraints_file((3, 11)).name in install.what  # with its pinned constraints
    at = install.command.index("-c")
    assert install.command[at + 1] == str(constraints_file((3, 11)))
    assert all("--quiet" not in s.command and "-q" not in s.command for s in steps)


@pytest.mark.unit
def test_setup_of_a_ready_environment_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = ReplayEnv(tmp_path / "pywb")
    (env.path / "bin").mkdir(parents=True)
    for name in ("wayback", "cdxj-indexer", "wacz"):
        env.bin(name).touch()
    assert main(["replay", "--setup", "--env", str(env.path)]) == 0
    assert capsys.readouterr().out == f"pywb environment ready: {env.path} (already set up)\n"


@pytest.mark.crawl
def test_a_step_passes_its_lines_on_and_says_when_it_is_silent() -> None:
    script = "import time; print('Collecting pywb', flush=True); time.sleep(0.8); print('done')"
    seen: list[str] = []
    run_step(SetupStep("installing", [sys.executable, "-c", script]), seen.append, quiet_for=0.3)
    assert seen[0] == "Collecting pywb"
    assert seen[-1] == "done"
    still = seen[1:-1]
    assert still and all(line.startswith("... still running (") for line in still), seen


@pytest.mark.crawl
def test_a_failed_step_names_its_last_lines() -> None:
    script = "import sys; print('ERROR: No matching distribution for pywb'); sys.exit(1)"
    with pytest.raises(ArchiverError, match="No matching distribution for pywb"):
        run_step(SetupStep("installing", [sys.executable, "-c", script]))
    with pytest.raises(ArchiverError, match="cannot run /nonexistent/python"):
        run_step(SetupStep("creating", ["/nonexistent/python", "-m", "venv", "x"]))
