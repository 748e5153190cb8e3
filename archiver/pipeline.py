"""Item pipeline: extract each archived article in worker processes and write its JSON record."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pebble import ProcessPool
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from archiver.extract import ExtractionError, extract_article
from archiver.items import ArticlePages
from archiver.jsonl import RecordWriter

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from archiver.record import Article

logger = logging.getLogger(__name__)


class ExtractionPipeline:
    """Turns ArticlePages into Article records, never on the reactor thread.

    trafilatura holds the GIL for tens of milliseconds a page and has no timeout of its own, so
    extraction runs in a pebble process pool, each article with a timeout after which its worker
    is killed. The WARC records were written before the item got here (archive first): a failed
    extraction only costs the JSON record, and is logged with the URL and counted in stats under
    `archiver/extract/failed/<reason>`.

    Settings: ARCHIVER_EXTRACT_WORKERS (processes, default: CPU count, at most 4),
    ARCHIVER_EXTRACT_TIMEOUT (seconds per article, default 60), ARCHIVER_DIR (output root).
    """

    def __init__(
        self, stats: StatsCollector, root: Path, workers: int, timeout: float, run_name: str
    ) -> None:
        self.stats = stats
        self.timeout = timeout
        self.writer = RecordWriter(root, run_name)
        self.workers = workers
        self.pool = ProcessPool(max_workers=workers)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVER_EXTRACT_ENABLED", True):
            raise NotConfigured
        assert crawler.stats is not None
        workers = settings.getint("ARCHIVER_EXTRACT_WORKERS") or min(4, os.cpu_count() or 1)
        pipeline = cls(
            crawler.stats,
            root=Path(settings.get("ARCHIVER_DIR", "archive")),
            workers=workers,
            timeout=settings.getfloat("ARCHIVER_EXTRACT_TIMEOUT", 60.0),
            run_name=crawler.spidercls.name,
        )
        crawler.signals.connect(pipeline.close, signal=signals.spider_closed)
        return pipeline

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, ArticlePages):
            return item
        url = item.pages[0].url if item.pages else "?"
        future = self._schedule(item)
        try:
            record: Article = await asyncio.wrap_future(future)
        except ExtractionError as exc:
            self._failed(url, exc.reason, str(exc))
        except FutureTimeout:
            self._failed(url, "timeout", f"extraction took over {self.timeout:g}s")
        except Exception as exc:
            # A parser bug on one page must not stop the crawl; the capture is already safe.
            self._failed(url, type(exc).__name__, repr(exc))
        else:
            path = self.writer.write(record)
            self.stats.inc_value("archiver/records/written")
            self.stats.inc_value(f"archiver/records/written/{record.site}")
            self.stats.set_value("archiver/records/last_file", str(path))
            return record
        raise DropItem(f"no record for {url}", log_level="DEBUG")

    def _schedule(self, item: ArticlePages) -> Any:
        try:
            return self.pool.schedule(extract_article, args=(item.pages,), timeout=self.timeout)
        except RuntimeError:
            # pebble refuses work once its pool broke (a worker died in a way it could not
            # recover from): start a fresh pool rather than fail every later article.
            logger.error("extraction pool broke; starting a new one")
            self.stats.inc_value("archiver/extract/pool_restarts")
            self.pool.stop()  # type: ignore[no-untyped-call]
            self.pool = ProcessPool(max_workers=self.workers)
            return self.pool.schedule(extract_article, args=(item.pages,), timeout=self.timeout)

    def _failed(self, url: str, reason: str, detail: str) -> None:
        self.stats.inc_value("archiver/extract/failed")
        self.stats.inc_value(f"archiver/extract/failed/{reason}")
        logger.warning(
            "extraction failed for %s (%s): %s; the page stays archived", url, reason, detail
        )

    def close(self) -> None:
        self.pool.close()  # type: ignore[no-untyped-call]
        self.pool.join(timeout=self.timeout)
        self.writer.close()
