"""pywb's own virtualenv: found, created and pinned apart from the Scrapy environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


def setup_env(env: ReplayEnv, *, announce: Callable[[str], None] | None = None) -> ReplayEnv:
    """Create (or complete) the pywb virtualenv at `env.path`; returns it ready.

    Idempotent: an environment already holding the tools is left as it is. Before the slow
    part, `announce` (if given) is told what is installed where. Raises ArchiverError when no
    suitable Python exists or pip fails (its output is shown).
    """
    if env.ready:
        return env
    python, version = find_python()
    # setuptools named explicitly: Python 3.12's venv has none, and pywb needs pkg_resources.
    pins = [f"pywb=={PYWB_FOR_PYTHON[version]}", *TOOLS, "setuptools<82"]
    constraints = ["-c", str(constraints_file(version))]
    steps = [
        [python, "-m", "venv", str(env.path)],
        [str(env.bin("python")), "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
        [str(env.bin("python")), "-m", "pip", "install", "--quiet", *constraints, *pins],
    ]
    if announce is not None:
        announce(
            f"setting up pywb in {env.path} (Python {version[0]}.{version[1]}: {', '.join(pins)})"
        )
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise ArchiverError(f"{' '.join(step[:4])} failed: {' | '.join(detail)}")
    if not env.ready:
        raise ArchiverError(f"pip finished but {env.path} lacks wayback, cdxj-indexer or wacz")
    return env
