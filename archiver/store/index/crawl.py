"""The index shared by a crawl's components: opened (and synced) once per crawler, then closed."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from scrapy import signals

from archiver.errors import ArchiverError
from archiver.layout import ArchiveLayout, root_from_settings
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.database import PostgresDatabase
from archiver.store.index.heal import MOVED_ASIDE
from archiver.store.index.ingest import sync
from archiver.store.index.location import IndexLocation, is_index_url, redact

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

# Settings, with their defaults: crawl_index reads the first three, the spiders' skips
# (archiver/crawl/spider.py) the next ones, the backfill's cursor claims
# (archiver/crawl/cursor_claims.py) the last.
SETTINGS_DEFAULTS: dict[str, Any] = {
    # Switch: False runs without an index (no revisits, every article is new, no versions).
    "ARCHIVER_INDEX_ENABLED": True,
    # SQLite file; None means $ARCHIVER_INDEX_PATH if set, else ARCHIVER_DIR/index.sqlite3
    # (`archiver changes` and `archiver index rebuild` resolve it the same way, or take --index).
    "ARCHIVER_INDEX_PATH": None,
    # A postgresql:// URL (or $ARCHIVER_INDEX_URL): the index shared by crawls on several
    # machines, in place of the SQLite file (needs `archiver[postgres]`).
    "ARCHIVER_INDEX_URL": None,
    # Seconds a crawl tries to reach a shared (PostgreSQL) index again after losing it before
    # it stops (exit status of a failed write); SQLite has no server to lose.
    "ARCHIVER_INDEX_RECONNECT_SECONDS": 30,
    # Seconds after which a version claimed by a worker that wrote no record is taken over
    # (its worker died; see ArchiveIndex.claim_version). The pipeline reads it.
    "ARCHIVER_INDEX_CLAIM_STALE": 600,
    # Days a page refused as not an article (video, gallery, soft 404) is not fetched again by
    # latest/backfill runs (urls= and refresh still fetch it); 0 disables the skip.
    "ARCHIVER_INDEX_NOT_ARTICLE_DAYS": 30,
    # A section or list URL that answered 404/410 this many runs in a row is not fetched
    # again for ARCHIVER_INDEX_MISSING_LIST_DAYS days (0 disables).
    "ARCHIVER_INDEX_MISSING_LIST_RUNS": 3,
    "ARCHIVER_INDEX_MISSING_LIST_DAYS": 7,
    # Seconds after which a backfill cursor's claim whose worker saved nothing is stale (its
    # worker died): another worker, or the next run, takes the cursor over and resumes it.
    "ARCHIVER_BACKFILL_CLAIM_STALE": 300,
}


def not_article_key(site: str, article_id: str) -> str:
    """The skips key of an article refused as not an article."""
    return f"{site}:{article_id}"


_OPEN: WeakKeyDictionary[Crawler, _CrawlIndex] = WeakKeyDictionary()


class _CrawlIndex:
    # Holds the index for one crawler and closes it when the engine stops. Kept alive by _OPEN:
    # Scrapy holds signal receivers weakly.
    def __init__(self, index: ArchiveIndex) -> None:
        self.index = index

    def engine_stopped(self) -> None:
        self.index.close()


def crawl_index_path(settings: BaseSettings) -> IndexLocation:
    """The index a crawl with `settings` uses: ARCHIVER_INDEX_URL, $ARCHIVER_INDEX_URL (a
    PostgreSQL URL), else the file ARCHIVER_INDEX_PATH, $ARCHIVER_INDEX_PATH, else
    ARCHIVER_DIR/index.sqlite3."""
    url = settings.get("ARCHIVER_INDEX_URL") or os.environ.get("ARCHIVER_INDEX_URL")
    if url:
        if not is_index_url(str(url)):
            raise ArchiverError(
                f"ARCHIVER_INDEX_URL is not a postgresql:// URL: {redact(str(url))}"
            )
        return str(url)
    configured = settings.get(
        "ARCHIVER_INDEX_PATH", SETTINGS_DEFAULTS["ARCHIVER_INDEX_PATH"]
    ) or os.environ.get("ARCHIVER_INDEX_PATH")
    return (
        Path(configured) if configured else ArchiveLayout(root_from_settings(settings)).index_path
    )


_PREOPENED: dict[str, ArchiveIndex] = {}


def _key(location: IndexLocation) -> str:
    return location if isinstance(location, str) else str(location.absolute())


def open_before_crawl(settings: BaseSettings) -> None:
    """Open the crawl's index before Scrapy starts (the `crawl` command, holding the site's
    lock): a damaged one is moved aside and replaced now, and an index of a newer archiver
    raises IndexTooNew (one line) before anything runs. `crawl_index` takes this one over."""
    if not settings.getbool("ARCHIVER_INDEX_ENABLED", SETTINGS_DEFAULTS["ARCHIVER_INDEX_ENABLED"]):
        return
    path = crawl_index_path(settings)
    if _key(path) not in _PREOPENED:
        _PREOPENED[_key(path)] = ArchiveIndex(root_from_settings(settings), path)


def crawl_index(crawler: Crawler) -> ArchiveIndex | None:
    """The crawl's ArchiveIndex, or None when ARCHIVER_INDEX_ENABLED is False.

    The first call opens it and syncs it with the files (recovering WARC files a killed crawl
    left open), counting what it found in stats `archiver/index/sync/<what>`.
    """
    settings = crawler.settings
    if not settings.getbool("ARCHIVER_INDEX_ENABLED", SETTINGS_DEFAULTS["ARCHIVER_INDEX_ENABLED"]):
        return None
    held = _OPEN.get(crawler)
    if held is not None:
        return held.index
    root, path = root_from_settings(settings), crawl_index_path(settings)
    index = _PREOPENED.pop(_key(path), None) or ArchiveIndex(root, path)
    if isinstance(index.db, PostgresDatabase):
        index.db.reconnect_seconds = settings.getfloat(
            "ARCHIVER_INDEX_RECONNECT_SECONDS",
            SETTINGS_DEFAULTS["ARCHIVER_INDEX_RECONNECT_SECONDS"],
        )
    report = sync(index)
    if crawler.stats is not None:
        for name, value in (
            ("files", report.files),
            ("captures", report.captures),
            ("records", report.records),
            ("events", report.events),
            ("recovered_warcs", len(report.recovered)),
            ("problems", len(report.problems)),
        ):
            if value:
                crawler.stats.set_value(f"archiver/index/sync/{name}", value)
    moved = MOVED_ASIDE.get(path.absolute()) if isinstance(path, Path) else None
    if moved is not None and crawler.stats is not None:
        # The warning went to the log when the index was opened; the stats keep it too.
        crawler.stats.set_value("archiver/index/moved_aside", moved.name)
    for problem in report.problems:
        logger.warning("index sync: %s", problem)
    held = _CrawlIndex(index)
    _OPEN[crawler] = held
    crawler.signals.connect(held.engine_stopped, signal=signals.engine_stopped)
    return index
