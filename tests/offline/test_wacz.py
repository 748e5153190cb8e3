"""`archiver export wacz`: a package `wacz validate` accepts, with one titled page per article."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archiver.replay.env import ReplayEnv
from tests.crawling import REPO
from tests.replaying import records

pytestmark = [pytest.mark.crawl, pytest.mark.replay]


def _export(root: Path, env: ReplayEnv, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "archiver", "export", "wacz", "--dir", str(root)]
    command += ["--env", str(env.path), "--out", str(out), *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def _pages(package: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(package) as wacz:
        lines = wacz.read("pages/pages.jsonl").decode().splitlines()
    return [json.loads(line) for line in lines[1:]]


def test_export_validates_with_one_page_per_article(
    archive: Path, env: ReplayEnv, tmp_path: Path
) -> None:
    out = tmp_path / "all.wacz"
    done = _export(archive, env, out)
    assert done.returncode == 0, done.stderr
    check = subprocess.run(
        [str(env.bin("wacz")), "validate", "-f", str(out)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Validation succeeded" in check.stdout
    pages = _pages(out)
    expected = {r["captures"][0]["url"]: r["title"] for r in records(archive)}
    assert {p["url"]: p["title"] for p in pages} == expected
    with zipfile.ZipFile(out) as wacz:
        names = wacz.namelist()
    warcs = sorted(n.split("/")[-1] for n in names if n.startswith("archive/"))
    assert warcs == sorted(p.name for p in archive.glob("warc/*/*.warc.gz"))
    assert "indexes/index.cdx.gz" in names and "datapackage.json" in names


def test_site_filter_packs_only_that_site(archive: Path, env: ReplayEnv, tmp_path: Path) -> None:
    out = tmp_path / "gt.wacz"
    done = _export(archive, env, out, "--site", "globaltimes")
    assert done.returncode == 0, done.stderr
    assert {p["url"] for p in _pages(out)} == {
        r["captures"][0]["url"] for r in records(archive) if r["site"] == "globaltimes"
    }
    with zipfile.ZipFile(out) as wacz:
        assert all("globaltimes" in n for n in wacz.namelist() if n.startswith("archive/"))


def test_nothing_selected_is_an_error(archive: Path, env: ReplayEnv, tmp_path: Path) -> None:
    done = _export(archive, env, tmp_path / "none.wacz", "--since", "2999-01-01")
    assert done.returncode == 1
    assert done.stderr.startswith("archiver: error: no article records")
    assert not (tmp_path / "none.wacz").exists()


def test_since_selects_articles_first_captured_on_or_after_it(
    archive: Path, env: ReplayEnv, tmp_path: Path
) -> None:
    # China Daily was crawled before Global Times: an ISO time between the two picks one site.
    gt = [r for r in records(archive) if r["site"] == "globaltimes"]
    since = min(r["captures"][0]["fetched_at"] for r in gt)
    out = tmp_path / "since.wacz"
    done = _export(archive, env, out, "--since", since)
    assert done.returncode == 0, done.stderr
    assert {p["url"] for p in _pages(out)} == {r["captures"][0]["url"] for r in gt}
    check = subprocess.run(
        [str(env.bin("wacz")), "validate", "-f", str(out)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
