"""pywb's own virtualenv: found, created and pinned apart from the Scrapy environment."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from archiver.errors import ArchiverError

DEFAULT_ENV = Path(".venv-pywb")
"""ARCHIVER_REPLAY_ENV: where pywb's virtualenv lives (default `.venv-pywb`, relative to the
working directory, like ARCHIVER_DIR). The environment variable of the same name overrides it."""

# pywb pins redis 2.10.6, fakeredis<1, werkzeug and brotlipy (whose `brotli` module clashes with
# the one Scrapy needs), and gevent patches the whole process on import: it cannot share the
# Scrapy environment. These versions are the ones that install and run on each Python.
PYWB_FOR_PYTHON: dict[tuple[int, int], str] = {
    (3, 11): "2.9.1",
    (3, 12): "2.10.0",
    (3, 13): "2.10.0",
}
TOOLS = ("cdxj-indexer==1.5.0", "wacz==0.6.0")
_CANDIDATES = ("python3.11", "python3.12", "python3.13", "python3")
CONSTRAINTS_DIR = Path(__file__).resolve().parent


def constraints_file(version: tuple[int, int]) -> Path:
    """pip constraints for pywb's environment on Python `version`: every dependency pinned.

    pywb pins only its direct requirements; newer releases of the rest break it (pywb 2.9.1
    imports pkg_resources, gone from setuptools >= 82). The files hold `pip freeze --all` of an
    environment known to work, setuptools<82 included.
    """
    return CONSTRAINTS_DIR / f"constraints-py{version[0]}{version[1]}.txt"


@dataclass(frozen=True)
class ReplayEnv:
    """A virtualenv holding pywb (`wayback`), `cdxj-indexer` and `wacz`."""

    path: Path

    def bin(self, name: str) -> Path:
        """Absolute path of console script `name` in the environment (it may not exist)."""
        return self.path.absolute() / "bin" / name

    @property
    def ready(self) -> bool:
        """True when every tool the archiver runs from it is installed."""
        return all(self.bin(n).is_file() for n in ("wayback", "cdxj-indexer", "wacz"))

    def require(self) -> ReplayEnv:
        """self when ready; raises ArchiverError telling how to set it up otherwise."""
        if not self.ready:
            raise ArchiverError(
                f"pywb environment {self.path} is missing or incomplete: run "
                f"`archiver replay --setup --env {self.path}` (or `make pywb`)"
            )
        return self


def replay_env(option: Path | None = None) -> ReplayEnv:
    """The environment named by `option`, else $ARCHIVER_REPLAY_ENV, else `.venv-pywb`."""
    if option is not None:
        return ReplayEnv(option)
    from_env = os.environ.get("ARCHIVER_REPLAY_ENV")
    return ReplayEnv(Path(from_env) if from_env else DEFAULT_ENV)


def find_python(
    current: tuple[int, int] | None = None, path: str | None = None
) -> tuple[str, tuple[int, int]]:
    """An interpreter some pinned pywb runs on: the current one first, then PATH.

    `current` (default: this interpreter's version) and `path` (default: $PATH) are for tests.
    Returns (executable, (major, minor)). Raises ArchiverError naming the supported versions.
    """
    current = current or (sys.version_info[0], sys.version_info[1])
    if current in PYWB_FOR_PYTHON:
        # A venv's own python would nest venvs; its base interpreter makes a clean one.
        base = getattr(sys, "_base_executable", None) or sys.executable
        return base, current
    for name in _CANDIDATES:
        found = shutil.which(name, path=path)
        if found is None:
            continue
        probe = subprocess.run(
            [found, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        parts = probe.stdout.split()
        if probe.returncode == 0 and len(parts) == 2:
            version = (int(parts[0]), int(parts[1]))
            if version in PYWB_FOR_PYTHON:
                return found, version
    supported = ", ".join(f"{a}.{b}" for a, b in PYWB_FOR_PYTHON)
    raise ArchiverError(f"pywb needs Python {supported}; install one of them (none found on PATH)")


@dataclass(frozen=True)
class SetupStep:
    """One step of setting pywb's environment up: what it does (said to the user), the command."""

    what: str
    command: list[str]


def setup_steps(env: ReplayEnv, python: str, version: tuple[int, int]) -> list[SetupStep]:
    """The commands that make pywb's environment at `env.path` with interpreter `python`.

    pip is not quiet (its lines are the progress of the slow step) and shows no progress bar
    (its output is read line by line).
    """
    # setuptools named explicitly: Python 3.12's venv has none, and pywb needs pkg_resources.
    pins = [f"pywb=={PYWB_FOR_PYTHON[version]}", *TOOLS, "setuptools<82"]
    constraints = constraints_file(version)
    pip = [str(env.bin("python")), "-m", "pip"]
    return [
        SetupStep(
            f"creating the environment {env.path} (Python {version[0]}.{version[1]})",
            [python, "-m", "venv", str(env.path)],
        ),
        SetupStep(
            "upgrading pip in it",
            [*pip, "install", "--progress-bar", "off", "--upgrade", "pip"],
        ),
        SetupStep(
            f"installing {', '.join(pins)} with the pinned versions of {constraints.name} "
            "(a minute or two)",
            [*pip, "install", "--progress-bar", "off", "-c", str(constraints), *pins],
        ),
    ]


def run_step(
    step: SetupStep, output: Callable[[str], None] | None = None, *, quiet_for: float = 20.0
) -> None:
    """Run `step.command`, passing each line it prints to `output` (if given), and after every
    `quiet_for` seconds without a line, a "... still running (N s)" line.

    Raises ArchiverError naming the command and its last lines when it fails or cannot start.
    """
    try:
        process = subprocess.Popen(
            step.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    except OSError as exc:
        raise ArchiverError(f"cannot run {step.command[0]}: {exc.strerror or exc}") from None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
    tail: deque[str] = deque(maxlen=5)
    started = time.monotonic()
    while True:
        try:
            line = lines.get(timeout=quiet_for)
        except queue.Empty:
            if output is not None:
                output(f"... still running ({time.monotonic() - started:.0f} s)")
            continue
        if line is None:
            break
        tail.append(line)
        if output is not None:
            output(line)
    if process.wait() != 0:
        detail = " | ".join(line.strip() for line in tail)
        raise ArchiverError(f"{' '.join(step.command[:4])} failed: {detail}")


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    with process.stdout:
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
    lines.put(None)


def setup_env(
    env: ReplayEnv,
    *,
    announce: Callable[[str], None] | None = None,
    output: Callable[[str], None] | None = None,
) -> ReplayEnv:
    """Create (or complete) the pywb virtualenv at `env.path`; returns it ready.

    Idempotent: an environment already holding the tools is left as it is. `announce` (if
    given) is told each step as it starts; `output` gets the lines the commands print (pip's
    progress) and a "still running" line when one is silent for a while. Raises ArchiverError when
    no suitable Python exists or a step fails (with the step's last lines).
    """
    if env.ready:
        return env
    python, version = find_python()
    for step in setup_steps(env, python, version):
        if announce is not None:
            announce(step.what)
        run_step(step, output)
    if announce is not None:
        announce("checking that wayback, cdxj-indexer and wacz are installed")
    if not env.ready:
        raise ArchiverError(f"pip finished but {env.path} lacks wayback, cdxj-indexer or wacz")
    return env
