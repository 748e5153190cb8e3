"""Backfills sharing an index: a cursor is walked by one crawl at a time, and a killed crawl's
cursor is taken over and resumed by the next."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.layout import this_host
from archiver.mirror import MirrorServer
from archiver.store.index.archive_index import ArchiveIndex
from tests.crawling import REPO, TEST_SETTINGS, CrawlResult, run_crawl

pytestmark = pytest.mark.crawl

BACKFILL = {"mode": "backfill", "since": "2026-09-01"}
CURSOR = "backfill:globaltimes:2026-09-01:None"


def _start(root: Path, mirror_url: str, **settings: str) -> subprocess.Popen[str]:
    merged = {**TEST_SETTINGS, "ARCHIVER_DIR": str(root), "ARCHIVER_MIRROR": mirror_url}
    command = [sys.executable, "-m", "scrapy", "crawl", "globaltimes"]
    for name, value in {**merged, **settings}.items():
        command += ["-s", f"{name}={value}"]
    for name, value in BACKFILL.items():
        command += ["-a", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "archiver.settings"}
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _finish(process: subprocess.Popen[str], root: Path) -> CrawlResult:
    out, _ = process.communicate(timeout=240)
    [report] = (root / "runs").glob("globaltimes-*.json")
    stats = json.loads(report.read_text(encoding="utf-8"))["stats"]
    return CrawlResult(process.returncode, out, root, stats)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[dict[str, str], Path | str]:
    """The index the crawls share (settings, location): a file, or a PostgreSQL database (as
    crawls on several machines share it)."""
    if request.param == "sqlite":
        path = tmp_path / "shared.sqlite3"
        return {"ARCHIVER_INDEX_PATH": str(path)}, path
    from tests.postgres_server import fresh_database

    url = fresh_database(
        request.getfixturevalue("postgres_url"), f"backfill_{os.getpid()}_{time.monotonic_ns()}"
    )
    return {"ARCHIVER_INDEX_URL": url}, url


def _once_each(records: list[dict[str, object]]) -> None:
    counts = Counter((r["article_id"], r["version"]) for r in records)
    assert counts and set(counts.values()) == {1}, counts.most_common(3)


def test_two_backfills_sharing_an_index_walk_each_id_once(
    tmp_path: Path, shared: tuple[dict[str, str], Path | str]
) -> None:
    index_settings, index_path = shared
    # Slow enough that the second crawl starts while the first walks.
    settings = {
        **index_settings,
        "ARCHIVER_GLOBALTIMES_BACKFILL_GAP": "10",
        "DOWNLOAD_DELAY": "0.5",
    }
    roots = [tmp_path / "one", tmp_path / "two"]
    with MirrorServer() as mirror:
        crawls = [_start(root, mirror.url, **settings) for root in roots]
        results = [_finish(crawl, root) for crawl, root in zip(crawls, roots, strict=True)]
    for result in results:
        assert result.returncode == 0, result.log[-3000:]
    left = [r for r in results if r.stats.get("archiver/backfill/claimed_elsewhere")]
    walked = [r for r in results if r.stats.get("archiver/backfill/probes")]
    assert len(left) == 1 and len(walked) == 1, [r.log[-1500:] for r in results]
    walker = crawls[results.index(walked[0])]
    holder = f"{this_host()}-{walker.pid}"
    assert f"backfill {CURSOR} is walked by {holder}" in left[0].log
    assert f"backfill walked by {holder}: this run left it to that worker" in left[0].log
    assert "run failed" not in left[0].log
    probed = Counter(r.path for r in mirror.requests if "/page/" in r.path)
    assert probed and max(probed.values()) == 1, probed.most_common(3)
    _once_each([record for result in results for record in result.records("globaltimes")])
    with ArchiveIndex(tmp_path, index_path) as index:
        assert index.cursor_holder(CURSOR) is None  # released at the end


def _cursor(root: Path, location: Path | str) -> str | None:
    with ArchiveIndex(root, location) as index:
        return index.cursor(CURSOR)


def _kill_after_probes(process: subprocess.Popen[str], root: Path, location: Path | str) -> str:
    """SIGKILL the crawl once its walk saved its cursor a few times; the cursor it left."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        exists = isinstance(location, str) or location.exists()
        cursor = _cursor(root, location) if exists else None
        # The walk starts below the sitemap's newest id, 1371612.
        if cursor is not None and int(cursor.split(":")[0]) <= 1371609:
            break
        time.sleep(0.2)
    assert process.poll() is None, "the crawl ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    cursor = _cursor(root, location)
    assert cursor is not None
    return cursor


def test_a_killed_backfill_is_taken_over_and_resumed(
    tmp_path: Path, shared: tuple[dict[str, str], Path | str]
) -> None:
    index_settings, location = shared
    settings = {**index_settings, "ARCHIVER_GLOBALTIMES_BACKFILL_GAP": "60"}
    # Two workers with directories of their own (two machines), sharing the index.
    first, other = tmp_path / "killed", tmp_path / "other"
    with MirrorServer() as mirror:
        killed = _start(first, mirror.url, **settings, DOWNLOAD_DELAY="0.5")
        cursor = _kill_after_probes(killed, first, location)
        with ArchiveIndex(first, location) as index:
            assert index.cursor_holder(CURSOR) == f"{this_host()}-{killed.pid}"  # left behind
        before = len(mirror.requests)
        time.sleep(1.5)  # the dead claim goes stale
        again = run_crawl(
            "globaltimes",
            other,
            mirror.url,
            args=BACKFILL,
            settings={**settings, "ARCHIVER_BACKFILL_CLAIM_STALE": "1"},
        )
        requested = [r.path for r in mirror.requests[before:]]
    assert again.returncode == 0, again.log[-3000:]
    assert "archiver/backfill/claimed_elsewhere" not in again.stats
    # Resumed at the saved cursor: no sitemap to seed the walk, the cursor's id probed first.
    article_id, _, month = cursor.partition(":")
    assert not any("sitemap" in path for path in requested)
    assert next(p for p in requested if "/page/" in p) == f"/page/{month}/{article_id}.shtml"
    records = again.records("globaltimes")
    _once_each([*CrawlResult(0, "", first, {}).records("globaltimes"), *records])
    assert "1371412" in {r["article_id"] for r in records}  # only the walk finds it
    with ArchiveIndex(other, location) as index:
        assert index.is_archived("globaltimes", "1371412")
        assert index.cursor_holder(CURSOR) is None
        assert int(str(index.cursor(CURSOR)).split(":")[0]) < 1371412


CD_BACKFILL = {"mode": "backfill", "since": "2000-01-01"}
CD_SECTIONS = "world/china-us,world/europe"
CD_CURSOR = "backfill:chinadaily:2000-01-01:None:https://www.chinadaily.com.cn/world/"


def test_china_daily_walks_the_sections_no_other_worker_holds(tmp_path: Path) -> None:
    with ArchiveIndex(tmp_path) as index:
        # A live worker elsewhere walks china-us (its claim is fresh).
        assert index.claim_cursor(f"{CD_CURSOR}china-us", "elsewhere-1", datetime.now(UTC)) is None
    with MirrorServer() as mirror:
        result = run_crawl(
            "chinadaily",
            tmp_path,
            mirror.url,
            args=CD_BACKFILL,
            settings={"ARCHIVER_CHINADAILY_SECTIONS": CD_SECTIONS},
        )
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["archiver/backfill/claimed_elsewhere"] == 1
    assert f"backfill {CD_CURSOR}china-us is walked by elsewhere-1" in result.log
    paths = [r.path for r in mirror.requests]
    assert "/world/europe" in paths
    assert not any(path.startswith("/world/china-us/") for path in paths)
    with ArchiveIndex(tmp_path) as index:
        assert index.cursor_holder(f"{CD_CURSOR}china-us") == "elsewhere-1"
        assert index.cursor_holder(f"{CD_CURSOR}europe") is None  # released at the end
        assert index.cursor(f"{CD_CURSOR}europe") == "done"
