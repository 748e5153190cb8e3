"""Fresh virtualenvs that see the test venv's dependencies but not the checkout.

A venv made here has no pip and no archiver: the dependencies come from the test venv's
site-packages, added to its path after its own (a .pth line; the .pth files in there, such as
the checkout's editable install, are not run), so `import archiver` finds only what is installed
into it (a wheel) or activated in it (Scrapyd's egg). Copies of the project are made from the
files a checkout holds, so that what the packaging leaves out is its own doing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from tests.crawling import REPO

# A checkout's project files (tools/ included, so that leaving it out is the packaging's doing).
PROJECT_FILES = (
    "pyproject.toml",
    "setup.py",
    "scrapy.cfg",
    "README.md",
    "archiver",
    "spiders",
    "tools",
)


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run `args`; its stdout, or an assertion error with the tail of its output."""
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=240
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def copy_project(dest: Path) -> Path:
    """The project files of the checkout copied to `dest` (no caches, no .egg-info)."""
    dest.mkdir(parents=True)
    for name in PROJECT_FILES:
        path = REPO / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(path, dest / name, ignore=ignore)
        else:
            shutil.copy2(path, dest / name)
    return dest


def build_wheel(tmp: Path) -> Path:
    """The project's wheel, built from a copy of the checkout under `tmp`."""
    source = copy_project(tmp / "source")
    out = tmp / "dist"
    # Build isolation, as any build: setuptools comes from PyPI per pyproject's build-system.
    # Verbose, so setuptools' own warnings reach the output: the package metadata must build
    # without a deprecation warning (an old `license` table warned on every install).
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(out), "."]
    built = subprocess.run(
        command, cwd=source, capture_output=True, text=True, check=False, timeout=240
    )
    output = built.stdout + built.stderr  # the backend's warnings come on stderr
    assert built.returncode == 0, output[-3000:]
    assert "deprecat" not in output.lower(), output
    (wheel,) = out.glob("archiver-*.whl")
    return wheel


def bare_venv(venv: Path) -> Path:
    """A new venv at `venv` without pip or archiver, that imports the test venv's dependencies."""
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], venv.parent)
    python = venv / "bin" / "python"
    own = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                   venv.parent).strip())  # fmt: skip
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (own / "test-venv-dependencies.pth").write_text("".join(f"{d}\n" for d in sorted(deps)))
    return venv


def install_wheel(wheel: Path, venv: Path) -> None:
    """Install `wheel` (no dependencies) into a venv made by bare_venv."""
    run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
         "--no-deps", str(wheel)], venv.parent)  # fmt: skip


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without what would point at the checkout or an archive."""
    drop = {
        "PYTHONPATH",
        "ARCHIVER_DIR",
        "ARCHIVER_MIRROR",
        "SCRAPY_SETTINGS_MODULE",
        "VIRTUAL_ENV",
    }
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}
