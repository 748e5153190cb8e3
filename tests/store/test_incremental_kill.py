"""A crawl killed with SIGKILL mid-way, then run again: nothing lost, nothing twice, index = files."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Final

import pytest

from archiver.mirror import MirrorServer, load_manifest
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import rebuild
from archiver.warc.consistency import check_file
from tests.crawling import REPO, TEST_SETTINGS, CrawlResult, run_crawl
from tests.store.index_rows import index_rows

pytestmark = pytest.mark.crawl

SITE: Final = "chinadaily"


def _start(root: Path, mirror_url: str, urls: str) -> subprocess.Popen[bytes]:
    settings = {**TEST_SETTINGS, "ARCHIVER_DIR": str(root), "ARCHIVER_MIRROR": mirror_url}
    settings["DOWNLOAD_DELAY"] = "0.4"  # slow enough to be killed in the middle
    command = [sys.executable, "-m", "scrapy", "crawl", SITE, "-a", f"urls={urls}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "archiver.settings"}
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _record_lines(root: Path) -> int:
    return sum(
        p.read_text(encoding="utf-8").count("\n") for p in root.glob(f"records/{SITE}/*.jsonl")
    )


def test_sigkill_then_rerun_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    manifest = load_manifest()
    urls = ",".join(manifest.start_urls(SITE))
    expected = {a.url for a in manifest.articles if a.site == SITE and a.expect == "article"}
    root = tmp_path / "archive"
    with MirrorServer() as mirror:
        process = _start(root, mirror.url, urls)
        deadline = time.monotonic() + 120
        while _record_lines(root) < 3 and process.poll() is None:
            assert time.monotonic() < deadline, "the crawl wrote no records"
            time.sleep(0.05)
        assert process.poll() is None, "the crawl ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert list(root.glob("warc/**/*.open")), "expected a WARC file left open"
        before = _record_lines(root)
        assert 3 <= before < len(expected)
        again = run_crawl(SITE, root, mirror.url, args={"urls": urls})
    assert again.returncode == 0, again.log[-3000:]
    assert again.stats["archiver/index/sync/recovered_warcs"] == 1
    assert not list(root.glob("warc/**/*.open"))
    for path in root.glob("warc/**/*.warc.gz"):
        assert check_file(path) == [], path
    records = CrawlResult(0, "", root, {}).records(SITE)
    assert {str(r["url"]) for r in records} == expected
    counts = Counter((r["url"], r["version"]) for r in records)
    assert set(counts.values()) == {1}
    assert all(r["version"] == 1 for r in records)
    with ArchiveIndex(root) as live:
        expected_index = index_rows(live)
        for record in records:
            assert live.is_archived(SITE, str(record["article_id"]))
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("index.sqlite3*"))
    with ArchiveIndex(copy) as rebuilt:
        rebuild(rebuilt)
        assert index_rows(rebuilt) == expected_index
