"""The wheel ships the mirror's server and pages but no generator; from it, `archiver demo`,
`archiver crawl` and `scrapy settings` (with SCRAPY_SETTINGS_MODULE) work in any directory.

The wheel is built once per module from a copy of the checkout that includes tools/, so that
leaving the generator out is the packaging's doing. It is installed without dependencies into a
fresh venv that sees the test venv's dependencies but not the checkout (tests/venvs.py). Every
command runs from an empty directory and the test checks that `archiver` is imported from the
installed wheel.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from archiver.mirror import Manifest, MirrorServer
from tests.crawling import REPO, TEST_SETTINGS
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


def test_archiver_crawl_and_the_polite_settings_from_the_wheel(
    installed: Installed, tmp_path: Path, mirror: MirrorServer, manifest: Manifest
) -> None:
    # Installed use, as the README shows it: no checkout, no scrapy.cfg, no settings module set.
    empty = tmp_path / "empty"
    empty.mkdir()
    env = clean_env()
    archive = tmp_path / "archive"
    settings = {**TEST_SETTINGS, "ARCHIVER_MIRROR": mirror.url, "ARCHIVER_DIR": str(archive)}
    command = [str(installed.venv / "bin/archiver"), "crawl", "globaltimes", "-O", "items.jsonl"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    done = subprocess.run(
        command, cwd=empty, env=env, capture_output=True, text=True, check=False, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert list((archive / "warc" / "globaltimes").glob("globaltimes-*.warc.gz"))
    records = [
        json.loads(line)
        for path in (archive / "records" / "globaltimes").glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    expected = [
        a.url for a in manifest.articles if a.site == "globaltimes" and a.expect == "article"
    ]
    assert sorted(r["url"] for r in records) == sorted(expected)
    assert (empty / "items.jsonl").stat().st_size > 0  # scrapy crawl's -O, passed through
    assert sorted(p.name for p in empty.iterdir()) == ["items.jsonl"]

    # The venv has Scrapy through the test venv's path, not its `scrapy` script: -m is the same.
    get = [
        str(installed.venv / "bin/python"),
        "-m",
        "scrapy",
        "settings",
        "--get",
        "DOWNLOAD_DELAY",
    ]
    with_settings = clean_env(SCRAPY_SETTINGS_MODULE="archiver.settings")
    assert run(get, empty, with_settings).strip() == "2"
    assert run([*get, "-s", "DOWNLOAD_DELAY=5"], empty, with_settings).strip() == "5"
