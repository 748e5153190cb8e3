"""mode=backfill: Global Times walks ids downward past gaps, saves a cursor, resumes from it."""

from __future__ import annotations

from pathlib import Path

from archiver.index.store import ArchiveIndex
from archiver.mirror import MirrorServer
from tests.crawling import run_crawl

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
