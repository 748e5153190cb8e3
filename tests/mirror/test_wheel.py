"""The wheel ships the mirror's server and pages but no generator, and `archiver demo` runs from it.

The wheel is built from a copy of the checkout that includes tools/, so that leaving the
generator out is the packaging's doing. It is installed without dependencies into a fresh venv;
the dependencies come from the test venv's site-packages, added to the fresh venv's path after
its own (a .pth line, so the checkout's editable install is not loaded). Every command runs from
an empty directory and the test checks that `archiver` is imported from the installed wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.crawling import REPO

pytestmark = pytest.mark.crawl

# What the wheel is built from: the project files of a clean checkout, tools/ included.
SOURCES = ("pyproject.toml", "README.md", "archiver", "spiders", "tools")


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=240
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def _build_wheel(tmp: Path) -> Path:
    source = tmp / "source"
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    out = tmp / "dist"
    # Build isolation, as any build: setuptools comes from PyPI per pyproject's build-system.
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), "."], source)
    (wheel,) = out.glob("archiver-*.whl")
    return wheel


def _install(wheel: Path, tmp: Path) -> Path:
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
          str(wheel)], tmp)  # fmt: skip
    # Dependencies from the test venv, searched after the fresh venv's own site-packages.
    own = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                    tmp).strip())  # fmt: skip
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (own / "test-venv-dependencies.pth").write_text("".join(f"{d}\n" for d in sorted(deps)))
    return venv


def _clean_env() -> dict[str, str]:
    # Nothing that would point at the checkout or an archive elsewhere.
    drop = {
        "PYTHONPATH",
        "ARCHIVER_DIR",
        "ARCHIVER_MIRROR",
        "SCRAPY_SETTINGS_MODULE",
        "VIRTUAL_ENV",
    }
    return {k: v for k, v in os.environ.items() if k not in drop}


def test_wheel_has_no_generator_and_demo_runs_from_it(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not [n for n in names if n.startswith("tools/")]
    assert not [n for n in names if n.rsplit("/", 1)[-1] in ("build.py", "content.py")]
    # The generator's templates stay out; the explorer's page templates and static files ship.
    explorer = ("archiver/explore/templates/", "archiver/explore/static/")
    assert not [n for n in names if "/templates/" in n and not n.startswith(explorer)]
    assert {
        "archiver/explore/templates/base.html",
        "archiver/explore/static/chart.umd.min.js",
        "archiver/explore/static/charts.js",
        "archiver/explore/static/style.css",
    } <= names
    mirror = {"__init__.py", "__main__.py", "server.py", "manifest.json", "routes.json"}
    assert {f"archiver/mirror/{n}" for n in mirror} <= names
    pages = {n for n in names if n.startswith("archiver/mirror/site/")}
    committed = {p for p in (REPO / "archiver/mirror/site").rglob("*") if p.is_file()}
    assert len(pages) == len(committed) > 40

    venv = _install(wheel, tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = _clean_env()
    origin = _run([str(venv / "bin/python"), "-c",
                   "import archiver, spiders; print(archiver.__file__); print(spiders.__file__)"],
                  empty, env)  # fmt: skip
    for line in origin.split():
        assert Path(line).is_relative_to(venv), origin

    _run([str(venv / "bin/archiver"), "demo"], empty, env)
    archive = empty / "archive"
    for spider in ("chinadaily", "globaltimes"):
        assert list((archive / "warc" / spider).glob("*.warc.gz")), spider
        records = list((archive / "records" / spider).glob("*.jsonl"))
        assert records and all(r.stat().st_size > 0 for r in records), spider
