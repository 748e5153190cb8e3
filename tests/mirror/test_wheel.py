"""The wheel ships the mirror's server and pages but no generator, and `archiver demo` runs from it.

The wheel is built from a copy of the checkout that includes tools/, so that leaving the
generator out is the packaging's doing. It is installed without dependencies into a fresh venv
that sees the test venv's dependencies but not the checkout (tests/venvs.py). Every command runs
from an empty directory and the test checks that `archiver` is imported from the installed wheel.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crawling import REPO
from tests.venvs import bare_venv, build_wheel, clean_env, install_wheel, run

pytestmark = pytest.mark.crawl


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel, built once per module, installed into a fresh venv."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(tmp)
    venv = bare_venv(tmp / "venv")
    install_wheel(wheel, venv)
    return Installed(wheel, venv)


def test_wheel_has_no_generator_and_demo_runs_from_it(installed: Installed, tmp_path: Path) -> None:
    wheel, venv = installed.wheel, installed.venv
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not [n for n in names if n.startswith("tools/")]
    assert not [n for n in names if n.rsplit("/", 1)[-1] in ("build.py", "content.py")]
    assert not [n for n in names if "/templates/" in n]
    mirror = {"__init__.py", "__main__.py", "server.py", "manifest.json", "routes.json"}
    assert {f"archiver/mirror/{n}" for n in mirror} <= names
    pages = {n for n in names if n.startswith("archiver/mirror/site/")}
    committed = {p for p in (REPO / "archiver/mirror/site").rglob("*") if p.is_file()}
    assert len(pages) == len(committed) > 40

    empty = tmp_path / "empty"
    empty.mkdir()
    env = clean_env()
    origin = run([str(venv / "bin/python"), "-c",
                   "import archiver, spiders; print(archiver.__file__); print(spiders.__file__)"],
                  empty, env)  # fmt: skip
    for line in origin.split():
        assert Path(line).is_relative_to(venv), origin

    run([str(venv / "bin/archiver"), "demo"], empty, env)
    archive = empty / "archive"
    for spider in ("chinadaily", "globaltimes"):
        assert list((archive / "warc" / spider).glob("*.warc.gz")), spider
        records = list((archive / "records" / spider).glob("*.jsonl"))
        assert records and all(r.stat().st_size > 0 for r in records), spider
