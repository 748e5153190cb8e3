"""A record line written whole while the index write after it met a full disk: the line must
reach the index at the next start, or the article is fetched again and gets a second version 1
that `archiver verify` cannot reproduce (re-extraction numbers from the first)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.test import get_crawler

from archiver.durable import FIRST_ERROR_STAT
from archiver.mirror.server import BUNDLED_ROOT
from archiver.page import CapturedPage
from archiver.record import Article, CaptureRef
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import sync
from archiver.store.items import ArticlePages
from archiver.store.pipeline import ExtractionPipeline
from tests.tmpfs import fill, small_disk

pytestmark = pytest.mark.unit

ARTICLE_ID = "WS664167f4a31082fc043c6af7"
ARTICLE = f"https://www.chinadaily.com.cn/a/202405/13/{ARTICLE_ID}.html"
BODY = BUNDLED_ROOT / f"site/www.chinadaily.com.cn/a/202405/13/{ARTICLE_ID}.html"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", "4m") as mount:
        yield mount


def _item() -> ArticlePages:
    capture = CaptureRef(
        url=ARTICLE,
        warc_file="warc/chinadaily/chinadaily-20260925000000-00001-host-1.warc.gz",
        warc_offset=0,
        warc_record_id="<urn:uuid:00000000-0000-4000-8000-000000000001>",
        fetched_at=datetime(2026, 9, 25, tzinfo=UTC),
        status=200,
    )
    page = CapturedPage(
        url=ARTICLE,
        body=BODY.read_bytes(),
        headers=[("Content-Type", "text/html")],
        fetched_at=capture.fetched_at,
        capture=capture,
    )
    return ArticlePages("chinadaily", ARTICLE_ID, [page])


def _store_with_the_disk_filling_after_the_line(
    disk: Path, root: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """One article through the pipeline; the disk fills between its record line and the index
    write, and space returns before the run closes. Returns the records file."""
    crawler = get_crawler()
    stats = crawler.stats if crawler.stats is not None else StatsCollector(crawler)
    index = ArchiveIndex(root)
    pipeline = ExtractionPipeline(
        stats, root=root, workers=1, timeout=60.0, run_name="chinadaily", index=index
    )
    pipeline.crawler = crawler
    real = index.record_version
    fillers: list[Path] = []

    def on_a_full_disk(record: Article, record_file: str, *args: Any, **kwargs: Any) -> None:
        fillers.append(fill(disk))
        real(record, record_file, *args, **kwargs)

    monkeypatch.setattr(index, "record_version", on_a_full_disk)
    try:
        with pytest.raises(DropItem, match="not stored"):
            asyncio.run(pipeline.process_item(_item()))
        # The index met the full disk for real (SQLite's own error), not a stand-in.
        first_error = str(stats.get_value(FIRST_ERROR_STAT))
        assert "database or disk is full" in first_error, first_error
        [filler] = fillers
        filler.unlink()  # space returns: marking the run's files complete at close succeeds
    finally:
        pipeline.close()
        index.close()
    [path] = pipeline.writer.paths.values()
    return path


def test_a_record_the_index_missed_is_read_again_at_the_next_start(
    disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = disk / "archive"
    path = _store_with_the_disk_filling_after_the_line(disk, root, monkeypatch)
    [line] = path.read_text(encoding="utf-8").splitlines()  # the line was written whole
    with ArchiveIndex(root) as index:
        assert index.current_record("chinadaily", ARTICLE_ID) is None  # the index missed it
        report = sync(index)
        assert report.records == 1, report
        # Archived now: the rerun neither fetches it again nor writes a second version 1.
        assert index.is_archived("chinadaily", ARTICLE_ID)
        current = index.current_record("chinadaily", ARTICLE_ID)
        assert current is not None
        assert current.to_json_line() == line
