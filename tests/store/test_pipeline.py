"""ExtractionPipeline with a real pebble pool: timeouts and dead workers cost one record only."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.test import get_crawler

from archiver.mirror.server import BUNDLED_ROOT
from archiver.page import CapturedPage
from archiver.record import Article
from archiver.sites.extract import extract_article
from archiver.store.items import ArticlePages
from archiver.store.pipeline import ExtractionPipeline

pytestmark = pytest.mark.unit

ARTICLE = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
BODY = BUNDLED_ROOT / "site/www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"


def hanging_or_dying_extract(pages: list[CapturedPage]) -> Article:
    """extract_article, except that a page whose body says so hangs or kills its worker."""
    if pages[0].body == b"hang":
        time.sleep(60)
    if pages[0].body == b"die":
        os._exit(9)
    return extract_article(pages)


@pytest.fixture()
def pipeline(tmp_path: Path) -> Iterator[ExtractionPipeline]:
    stats = StatsCollector(get_crawler())
    built = ExtractionPipeline(
        stats,
        root=tmp_path,
        workers=1,
        timeout=2.0,
        run_name="chinadaily",
        extract=hanging_or_dying_extract,
    )
    yield built
    built.close()


def _item(body: bytes) -> ArticlePages:
    page = CapturedPage(url=ARTICLE, body=body, headers=[("Content-Type", "text/html")])
    return ArticlePages("chinadaily", "WS664167f4a31082fc043c6af7", [page])


def _process(pipeline: ExtractionPipeline, body: bytes) -> object:
    return asyncio.run(pipeline.process_item(_item(body)))


def _records(root: Path) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for path in sorted(root.glob("records/*/*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


@pytest.mark.parametrize(("body", "reason"), [(b"hang", "timeout"), (b"die", "crash")])
def test_lost_worker_fails_one_item_and_the_next_extracts(
    pipeline: ExtractionPipeline, tmp_path: Path, body: bytes, reason: str
) -> None:
    with pytest.raises(DropItem):
        _process(pipeline, body)
    stats = pipeline.stats.get_stats()
    assert stats["archiver/extract/failed"] == 1
    assert stats[f"archiver/extract/failed/{reason}"] == 1
    assert _records(tmp_path) == []
    record = _process(pipeline, BODY.read_bytes())
    assert isinstance(record, Article) and record.url == ARTICLE
    assert [r["url"] for r in _records(tmp_path)] == [ARTICLE]
    assert pipeline.stats.get_value("archiver/records/written") == 1
