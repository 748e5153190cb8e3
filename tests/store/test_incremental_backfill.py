"""mode=backfill: Global Times walks ids downward past gaps, saves a cursor, resumes from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.mirror import MirrorServer, bundled_root
from archiver.store.index.archive_index import ArchiveIndex
from tests.crawling import run_crawl

pytestmark = pytest.mark.crawl

BACKFILL = {"mode": "backfill", "since": "2026-09-01"}
SETTINGS = {"ARCHIVER_GLOBALTIMES_BACKFILL_GAP": "60"}
CURSOR = "backfill:globaltimes:2026-09-01:None"


def test_global_times_backfill_walks_ids_and_resumes(tmp_path: Path) -> None:
    with MirrorServer() as mirror:
        first = run_crawl("globaltimes", tmp_path, mirror.url, args=BACKFILL, settings=SETTINGS)
        with ArchiveIndex(tmp_path) as index:
            # 1371412 is on no list and in no sitemap: only the id walk finds it.
            assert index.is_archived("globaltimes", "1371412")
            cursor = index.cursor(CURSOR)
        second = run_crawl(
            "globaltimes",
            tmp_path,
            mirror.url,
            args=BACKFILL,
            settings={"ARCHIVER_GLOBALTIMES_BACKFILL_GAP": "10"},
        )
        with ArchiveIndex(tmp_path) as index:
            resumed = index.cursor(CURSOR)
    assert first.returncode == 0, first.log[-3000:]
    assert first.stats["archiver/versions/new_articles"] == 6  # 5 from the sitemap, 1 walked
    assert cursor is not None
    stopped_at = int(cursor.split(":")[0])
    assert stopped_at < 1371412
    assert cursor.endswith(":202609")
    assert second.returncode == 0, second.log[-3000:]
    assert "archiver/versions/new_articles" not in second.stats
    assert resumed is not None
    assert int(resumed.split(":")[0]) == stopped_at - 10
    walked = [r for r in mirror.requests if "/page/" in r.path]
    assert any(r.path.startswith("/page/202608/") for r in walked)  # the month before, probed


CD_BACKFILL = {"mode": "backfill", "since": "2000-01-01"}
CD_SETTINGS = {"ARCHIVER_CHINADAILY_SECTIONS": "world/china-us"}
CD_CURSOR = "backfill:chinadaily:2000-01-01:None:https://www.chinadaily.com.cn/world/china-us"


def _cd_archived(root: Path) -> set[str]:
    with ArchiveIndex(root) as index:
        rows = index.conn.execute(
            "SELECT article_id FROM articles WHERE site = 'chinadaily' AND archived = 1"
        ).fetchall()
    return {str(row[0]) for row in rows}


def _cd_cursor(root: Path) -> str | None:
    with ArchiveIndex(root) as index:
        return index.cursor(CD_CURSOR)


def test_china_daily_backfill_stopped_and_resumed_loses_no_article(tmp_path: Path) -> None:
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    with MirrorServer() as mirror:
        full = run_crawl("chinadaily", whole, mirror.url, args=CD_BACKFILL, settings=CD_SETTINGS)
        # Stopped early (as a time box would): robots.txt, the first list page, two articles.
        stopped = run_crawl(
            "chinadaily",
            parts,
            mirror.url,
            args=CD_BACKFILL,
            settings={**CD_SETTINGS, "CLOSESPIDER_PAGECOUNT": "4", "CONCURRENT_REQUESTS": "1"},
        )
        cursor, archived_then = _cd_cursor(parts), _cd_archived(parts)
        resumed = run_crawl("chinadaily", parts, mirror.url, args=CD_BACKFILL, settings=CD_SETTINGS)
    assert full.returncode == 0, full.log[-3000:]
    assert _cd_cursor(whole) == "done"
    expected = _cd_archived(whole)
    assert len(expected) > 4
    assert stopped.stats.get("finish_reason") == "closespider_pagecount", stopped.log[-2000:]
    # Page 1's articles were not all fetched (they come before list page 2): cursor on page 1.
    assert cursor == "1"
    assert 0 < len(archived_then) < len(expected)
    assert resumed.returncode in (0, 3), resumed.log[-3000:]
    assert _cd_archived(parts) == expected
    assert _cd_cursor(parts) == "done"


def test_china_daily_backfill_page_limit_keeps_the_cursor(tmp_path: Path) -> None:
    one_page = {**CD_BACKFILL, "list_pages": "1"}
    with MirrorServer() as mirror:
        first = run_crawl("chinadaily", tmp_path, mirror.url, args=one_page, settings=CD_SETTINGS)
        after_first = _cd_cursor(tmp_path)
        second = run_crawl("chinadaily", tmp_path, mirror.url, args=one_page, settings=CD_SETTINGS)
    assert first.returncode == 0, first.log[-3000:]
    # The limit is not the end of the list: the next run goes on at page 2.
    assert after_first == "2"
    assert second.returncode in (0, 3), second.log[-3000:]
    assert any(r.path == "/world/china-us/page_2.html" for r in mirror.requests)
    assert _cd_cursor(tmp_path) == "done"


def test_global_times_backfill_with_until_walks_down_to_the_window(tmp_path: Path) -> None:
    # One August article below September's ids, at an id no list or sitemap names.
    overlay = tmp_path / "overlay"
    august = overlay / "site" / "www.globaltimes.cn" / "page" / "202608"
    august.mkdir(parents=True)
    september = bundled_root() / "site" / "www.globaltimes.cn" / "page" / "202609"
    (august / "1371400.shtml").write_bytes((september / "1371412.shtml").read_bytes())
    args = {"mode": "backfill", "since": "2026-08-01", "until": "2026-08-31"}
    root = tmp_path / "archive"
    with MirrorServer(overlays=[overlay]) as mirror:
        result = run_crawl("globaltimes", root, mirror.url, args=args, settings=SETTINGS)
    assert result.returncode in (0, 3), result.log[-3000:]
    stats = result.stats
    assert stats["archiver/backfill/probes"] > 6
    # The September articles below the sitemap's newest were fetched, then dropped.
    assert stats["archiver/backfill/after_until"] == 5
    assert stats["archiver/discovery/articles"] == 1
    assert [r["article_id"] for r in result.records("globaltimes")] == ["1371400"]
    with ArchiveIndex(root) as index:
        cursor = index.cursor("backfill:globaltimes:2026-08-01:2026-08-31")
    assert cursor is not None and int(cursor.split(":")[0]) < 1371400


def test_china_daily_backfill_time_boxed_then_resumed(tmp_path: Path) -> None:
    # The scheduler's time box is CLOSESPIDER_TIMEOUT: a clean stop mid-backfill.
    whole, boxed = tmp_path / "whole", tmp_path / "boxed"
    slow = {**CD_SETTINGS, "DOWNLOAD_DELAY": "1", "CLOSESPIDER_TIMEOUT": "2"}
    with MirrorServer() as mirror:
        full = run_crawl("chinadaily", whole, mirror.url, args=CD_BACKFILL, settings=CD_SETTINGS)
        stopped = run_crawl("chinadaily", boxed, mirror.url, args=CD_BACKFILL, settings=slow)
        cursor = _cd_cursor(boxed)
        resumed = run_crawl("chinadaily", boxed, mirror.url, args=CD_BACKFILL, settings=CD_SETTINGS)
    assert full.returncode == 0, full.log[-3000:]
    assert stopped.stats.get("finish_reason") == "closespider_timeout", stopped.log[-2000:]
    assert not list(boxed.glob("warc/**/*.open"))  # the WARC file was closed cleanly
    assert cursor not in (None, "done")
    assert resumed.returncode in (0, 3), resumed.log[-3000:]
    assert _cd_archived(boxed) == _cd_archived(whole)
    assert _cd_cursor(boxed) == "done"
