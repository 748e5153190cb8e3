"""Item pipeline: extract each archived article in worker processes and write its JSON record."""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pebble import ProcessExpired, ProcessPool
from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from archiver.durable import describe, fsync_path, is_storage_error, stop_on_io_error
from archiver.layout import OPEN_SUFFIX, ArchiveLayout, root_from_settings, run_stem, this_host
from archiver.page import CapturedPage
from archiver.sites.extract import ExtractionError, NotAnArticle, extract_article
from archiver.sites.urls import parse_article_url
from archiver.store.events import ArticleEvent
from archiver.store.index.archive_index import CLAIM_STALE
from archiver.store.index.crawl import SETTINGS_DEFAULTS, crawl_index, not_article_key
from archiver.store.items import ArticleGone, ArticlePages
from archiver.store.jsonl import JsonLinesWriter
from archiver.store.run_health import FIELDS_FILLED, FIELDS_RECORDS, agreement_stat
from archiver.store.versions import content_of, fingerprint, is_rebaseline, next_version

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Self, TypeVar

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from archiver.record import Article, CaptureRef
    from archiver.store.index.archive_index import ArchiveIndex

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    T = TypeVar("T")


class ExtractionPipeline:
    """Turns ArticlePages into Article records, never on the reactor thread.

    trafilatura holds the GIL for tens of milliseconds a page and has no timeout of its own, so
    extraction runs in a pebble process pool, each article with a timeout after which its worker
    is killed. The WARC records were written before the item got here (archive first): a failed
    extraction only costs the JSON record, and is logged with the URL and counted in stats under
    `archiver/extract/failed/<reason>`.

    With the archive index, a record is written only when the article is new (version 1) or
    its extracted content changed (the next version, see archiver.store.versions); it is indexed
    (marked archived) only after it is written. An ArticleGone item for an archived article
    becomes a deletion event under ARCHIVER_DIR/events/, and so does an archived article whose
    page is now a soft-404 (status 200, reason "soft-404"). Stats: archiver/versions/{new_articles,
    new_versions,unchanged}, archiver/articles/deleted.

    Archive first: with WARC writing on (`require_captures`), an item any page of which has no
    WARC capture (the write failed) gets no record and is not marked archived, so the next run
    fetches it again (archiver/extract/failed/not-archived). An incomplete item (a later page
    could not be fetched) gets no record either, neither a first one nor a new version, and is
    not marked archived (archiver/records/skipped/incomplete): the next run fetches it again. A
    worker that dies is counted archiver/extract/failed/crash, a timeout .../timeout.

    Durability: a record line is written only after the WARC files its captures lie in are
    fsynced, and indexed only after the line itself is fsynced. A failed write of a record or
    event line or of the index (disk full, I/O error) stops the crawl (reason `io_error`, one
    line in the log, archiver.durable.stop_on_io_error); that article is not marked archived.
    When the line was written whole and only the index write after it failed, its file is not
    marked complete at close (`unindexed`): the next start's sync reads the line into the
    index, so the article is archived from then on, not fetched again for a second version 1.

    Settings: ARCHIVER_EXTRACT_WORKERS (processes, default: CPU count, at most 4),
    ARCHIVER_EXTRACT_TIMEOUT (seconds per article, default 60), ARCHIVER_DIR (output root).
    """

    def __init__(
        self,
        stats: StatsCollector,
        root: Path,
        workers: int,
        timeout: float,
        run_name: str,
        index: ArchiveIndex | None = None,
        require_captures: bool = False,
        extract: Callable[[list[CapturedPage]], Article] = extract_article,
    ) -> None:
        self.stats = stats
        self.require_captures = require_captures
        self.extract = extract
        self.timeout = timeout
        self.root = root
        self.layout = ArchiveLayout(root)
        self.index = index
        stem = run_stem(run_name, datetime.now(UTC))
        self.worker = f"{this_host()}-{os.getpid()}"
        """`<host>-<pid>`: who claims a version in the index (claim_version)."""
        self.claim_stale = CLAIM_STALE
        """A claim this old whose record was never written: its worker died, take it over."""
        self.writer = JsonLinesWriter(self.layout.records_dir, stem)
        self.events = JsonLinesWriter(self.layout.events_dir, stem)
        self.workers = workers
        self.pool = ProcessPool(max_workers=workers)
        # The fsyncs (WARC files, then the line) wait on the disk for milliseconds: one thread
        # does them, in the order the records come, while the reactor goes on crawling.
        self.durable = ThreadPoolExecutor(max_workers=1, thread_name_prefix="archiver-durable")
        self.crawler: Crawler | None = None
        """Set by from_crawler: a failed write stops the crawl through it."""
        self.unindexed: set[Path] = set()
        """Records and events files holding a line the index failed to take (disk full):
        never marked complete in the index, so the next start reads them again."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.getbool("ARCHIVER_EXTRACT_ENABLED", True):
            raise NotConfigured
        assert crawler.stats is not None
        workers = settings.getint("ARCHIVER_EXTRACT_WORKERS") or min(4, os.cpu_count() or 1)
        pipeline = cls(
            crawler.stats,
            root=root_from_settings(settings),
            workers=workers,
            timeout=settings.getfloat("ARCHIVER_EXTRACT_TIMEOUT", 60.0),
            run_name=crawler.spidercls.name,
            index=crawl_index(crawler),
            require_captures=settings.getbool("ARCHIVER_WARC_ENABLED", True),
        )
        pipeline.crawler = crawler
        pipeline.claim_stale = timedelta(
            seconds=settings.getfloat(
                "ARCHIVER_INDEX_CLAIM_STALE", SETTINGS_DEFAULTS["ARCHIVER_INDEX_CLAIM_STALE"]
            )
        )
        crawler.signals.connect(pipeline.close, signal=signals.spider_closed)
        return pipeline

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, ArticleGone):
            await self._gone(item)
            raise DropItem(f"{item.url} is gone ({item.status})", log_level="DEBUG")
        if not isinstance(item, ArticlePages):
            return item
        url = item.pages[0].url if item.pages else "?"
        missing = [page.url for page in item.pages if page.capture is None]
        if self.require_captures and missing:
            # Archive first: no record for what is not in a WARC file; not marked archived, so
            # the next run fetches the article again.
            self._failed(url, "not-archived", f"no WARC capture of {', '.join(missing)}")
            raise DropItem(f"{url} not archived", log_level="DEBUG")
        if item.incomplete:
            # Half an article would pass for an edit of the archived one (pages and images
            # "changed"), or be marked archived and never completed.
            self.stats.inc_value("archiver/records/skipped/incomplete")
            logger.warning(
                "article %s incomplete (%d pages fetched): no record; fetched again next run",
                url,
                len(item.pages),
            )
            raise DropItem(f"{url} incomplete", log_level="DEBUG")
        future = self._schedule(item)
        try:
            record: Article = await asyncio.wrap_future(future)
        except NotAnArticle as exc:
            if exc.reason == "soft-404" and self._archived(item):
                await self._gone(self._soft_404(item))
            else:
                self._failed(url, exc.reason, str(exc))
                if self.index is not None and item.pages and item.pages[0].capture is not None:
                    # Seen, not an article: later latest runs skip it for a while.
                    with self._writing(self.index.path):
                        self.index.mark_skip(
                            not_article_key(item.site, item.article_id),
                            "not_article",
                            item.pages[0].capture.fetched_at,
                        )
        except ExtractionError as exc:
            self._failed(url, exc.reason, str(exc))
        except FutureTimeout:
            self._failed(url, "timeout", f"extraction took over {self.timeout:g}s")
        except ProcessExpired as exc:
            self._failed(url, "crash", f"extraction worker died ({exc})")
        except Exception as exc:
            # A parser bug on one page must not stop the crawl; the capture is already safe.
            self._failed(url, type(exc).__name__, repr(exc))
        else:
            self._count_fields(record)
            versioned = await self._store(record)
            if versioned is not None:
                return versioned
            raise DropItem(f"{url} unchanged", log_level="DEBUG")
        raise DropItem(f"no record for {url}", log_level="DEBUG")

    def _count_fields(self, record: Article) -> None:
        # Fill rates per field are the run's template-change detector (archiver.store.run_health).
        self.stats.inc_value(FIELDS_RECORDS)
        self.stats.inc_value(agreement_stat(record.extractor.agreement))
        for name, value in content_of(record).items():
            if value not in (None, "", [], {}):
                self.stats.inc_value(f"{FIELDS_FILLED}{name}")

    async def _store(self, record: Article) -> Article | None:
        # Durable in this order: the WARC captures, the record line, then the index saying
        # "archived"; so after a kill or power loss at any point the index never says archived
        # for a capture or record not on disk (it may lag: the page is then fetched again).
        previous = self.index.current_record(record.site, record.article_id) if self.index else None
        versioned = next_version(previous, record)
        if versioned is None:
            self.stats.inc_value("archiver/versions/unchanged")
            if self.index is not None:
                with self._writing(self.index.path):
                    self.index.touch(record.site, record.article_id)
            return None
        # Computed once for the claim and the index (pydantic dumps cost the reactor thread).
        content = fingerprint(versioned) if self.index is not None else ""
        if self.index is not None and not await self._claimed(versioned, content):
            return None
        line = versioned.to_json_line()
        with self._writing(self.writer.path(versioned.site)):
            path = await self._durably(self._write_line, versioned, line)
        self.stats.inc_value("archiver/records/written")
        self.stats.inc_value(f"archiver/records/written/{record.site}")
        self.stats.set_value("archiver/records/last_file", str(path))
        if versioned.version == 1:
            self.stats.inc_value("archiver/versions/new_articles")
        elif is_rebaseline(versioned):
            # Another extractor made the previous record: a new baseline, not an edit.
            self.stats.inc_value("archiver/versions/rebaselined")
        else:
            self.stats.inc_value("archiver/versions/new_versions")
            logger.info(
                "article %s changed (version %d): %s",
                versioned.url,
                versioned.version,
                ", ".join(versioned.changes),
            )
        if self.index is not None:
            with self._indexing(path), self._writing(self.index.path):
                self.index.record_version(
                    versioned, self.layout.relative(path), line=line, content=content
                )
        return versioned

    async def _claimed(self, record: Article, content: str) -> bool:
        # Crawls on other machines may share the index (PostgreSQL): of two workers that find
        # the same new article or the same edit at once, one writes the record.
        assert self.index is not None
        with self._writing(self.index.path):
            claim = self.index.claim_version(
                record, self.worker, datetime.now(UTC), self.claim_stale, content
            )
        if claim == "mine":
            return True
        if claim == "duplicate":
            self.stats.inc_value("archiver/versions/claimed_by_another_worker")
        else:
            self.stats.inc_value("archiver/versions/conflict")
            logger.warning(
                "article %s: version %d was taken by another worker with other content; "
                "compared again by a later run",
                record.url,
                record.version,
            )
        return False

    def _write_line(self, record: Article, line: str) -> Path:
        # On the durable thread: the WARC files the record points into, then its line.
        fsync_open_warcs(self.root, record.captures)
        return self.writer.write(record.site, line)

    async def _durably(self, write: Callable[..., T], *args: Any) -> T:
        """`write(*args)` on the pipeline's one durable-write thread, after every write asked
        for before it; its exception (an OSError on a full disk) is raised here."""
        return await asyncio.wrap_future(self.durable.submit(write, *args))

    @contextmanager
    def _writing(self, path: Path | str) -> Iterator[None]:
        # A failed write (disk full, I/O error) stops the crawl in one line; the item gets no
        # record and is not marked archived, so a later run fetches it again.
        try:
            yield
        except Exception as exc:
            if not is_storage_error(exc) or self.crawler is None:
                raise
            stop_on_io_error(self.crawler, exc, path)
            raise DropItem(f"not stored: {describe(exc, path)}", log_level="DEBUG") from None

    @contextmanager
    def _indexing(self, line_file: Path) -> Iterator[None]:
        # The line is already in `line_file`; if the index does not take it, marking the file
        # complete at close would hide the line from the next start's sync for good: the
        # article would look never recorded, be fetched again and get a second version 1.
        try:
            yield
        except BaseException:
            self.unindexed.add(line_file)
            raise

    def _archived(self, item: ArticlePages) -> bool:
        return (
            self.index is not None
            and self.index.current_record(item.site, item.article_id) is not None
        )

    def _soft_404(self, item: ArticlePages) -> ArticleGone:
        page = item.pages[0]
        article = parse_article_url(page.url)
        return ArticleGone(
            item.site,
            item.article_id,
            article.canonical if article is not None else page.url,
            page.status,
            None,
            page.capture,
            reason="soft-404",
        )

    async def _gone(self, item: ArticleGone) -> None:
        if self.require_captures and item.capture is None:
            # Archive first: a deletion is recorded only with the WARC record that shows it.
            self.stats.inc_value("archiver/articles/gone_not_archived")
            logger.warning("article %s looks gone (%s) but was not archived", item.url, item.status)
            return
        if self.index is None or self.index.current_record(item.site, item.article_id) is None:
            self.stats.inc_value("archiver/articles/gone_unknown")
            return
        at = item.capture.fetched_at if item.capture is not None else datetime.now(UTC)
        with self._writing(self.index.path):
            # One worker records a deletion, however many find it at once (shared index).
            first = self.index.claim_deletion(item.site, item.article_id, at)
        if not first:
            self.stats.inc_value("archiver/articles/still_deleted")
            return
        event = ArticleEvent(
            kind="deleted",
            site=item.site,
            article_id=item.article_id,
            url=item.url,
            at=at,
            status=item.status,
            location=item.location,
            reason=item.reason,
            capture=item.capture,
        )
        with self._writing(self.events.path(event.site)):
            await self._durably(self._write_event, event)
        with self._indexing(self.events.path(event.site)), self._writing(self.index.path):
            self.index.record_event(event)
        self.stats.inc_value("archiver/articles/deleted")
        logger.warning(
            "article %s deleted on the site (%s%s%s)",
            item.url,
            item.status,
            f" {item.reason}" if item.reason else "",
            f" to {item.location}" if item.location else "",
        )

    def _write_event(self, event: ArticleEvent) -> None:
        fsync_open_warcs(self.root, [event.capture])
        self.events.write(event.site, event.model_dump_json())

    def _schedule(self, item: ArticlePages) -> Any:
        try:
            return self.pool.schedule(self.extract, args=(item.pages,), timeout=self.timeout)
        except RuntimeError:
            # pebble refuses work once its pool broke (a worker died in a way it could not
            # recover from): start a fresh pool rather than fail every later article.
            logger.error("extraction pool broke; starting a new one")
            self.stats.inc_value("archiver/extract/pool_restarts")
            self.pool.stop()  # type: ignore[no-untyped-call]
            self.pool = ProcessPool(max_workers=self.workers)
            return self.pool.schedule(self.extract, args=(item.pages,), timeout=self.timeout)

    def _failed(self, url: str, reason: str, detail: str) -> None:
        self.stats.inc_value("archiver/extract/failed")
        self.stats.inc_value(f"archiver/extract/failed/{reason}")
        logger.warning(
            "extraction failed for %s (%s): %s; the page stays archived", url, reason, detail
        )

    def close(self) -> None:
        self.pool.close()  # type: ignore[no-untyped-call]
        self.pool.join(timeout=self.timeout)
        self.durable.shutdown(wait=True)
        self.writer.close()
        self.events.close()
        if self.index is not None:
            # Everything in these files is indexed: the next run need not read them again. A
            # file with a line the index missed is left unmarked: the next start reads it.
            written = [*self.writer.paths.values(), *self.events.paths.values()]
            written = [path for path in written if path not in self.unindexed]
            try:
                for path in written:
                    self.index.mark_file(self.layout.relative(path), path.stat().st_size)
            except Exception as exc:
                if not is_storage_error(exc):
                    raise
                # Costs only a re-read of these files at the next start.
                logger.error("index not told the record files are complete: %s", describe(exc))


def fsync_open_warcs(root: Path, captures: Sequence[CaptureRef | None]) -> list[Path]:
    """fsync the WARC files still being written (`.open`) that `captures` lie in; returns them.

    The WARC writer writes each pair in one write but fsyncs a file only when it closes it (an
    fsync per exchange would pay for every list page, robots.txt and image): the files a record
    or event line points into are made durable here, once per line, before the line is written.
    A closed file was fsynced before its rename.
    """
    synced: list[Path] = []
    for name in sorted({c.warc_file for c in captures if c is not None}):
        still_open = root / (name + OPEN_SUFFIX)
        try:
            fsync_path(still_open)
        except FileNotFoundError:
            # Closed (fsynced, then renamed) before or while we looked: durable already.
            continue
        synced.append(still_open)
    return synced
