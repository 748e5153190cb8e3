"""Backfill cursors walked by one worker at a time, and resumed by any.

Workers sharing an index (crawls on several machines sharing a PostgreSQL index, or on one
machine sharing a SQLite file) may run the same backfill. A worker claims a cursor in the index
before walking it and leaves a cursor another live worker holds to that worker. Every save of
the cursor is its holder's heartbeat: a claim with none for ARCHIVER_BACKFILL_CLAIM_STALE
seconds is a dead worker's, and the next worker to claim the cursor takes it over and walks on
from where it was saved. Claims are released when the spider closes (whatever the reason: the
end of the walk, a CLOSESPIDER_* stop, max_articles); a killed worker's goes stale.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from scrapy import signals

from archiver.layout import this_host
from archiver.store.index.crawl import SETTINGS_DEFAULTS as INDEX_SETTINGS
from archiver.store.run_health import BACKFILL_CLAIMED_ELSEWHERE, BACKFILL_WALKED_BY

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

    from archiver.crawl.spider import ArchiveSpider

logger = logging.getLogger(__name__)

STALE_SETTING = "ARCHIVER_BACKFILL_CLAIM_STALE"


class CursorClaims:
    """The backfill cursors one spider holds: claimed, saved as their holder, released at close."""

    def __init__(self, spider: ArchiveSpider) -> None:
        self.spider = spider
        self.worker = f"{this_host()}-{os.getpid()}"
        """`<host>-<pid>`, as the pipeline claims versions: unique among live workers."""
        seconds = spider.settings.getfloat(STALE_SETTING, INDEX_SETTINGS[STALE_SETTING])
        self.stale_after = timedelta(seconds=seconds)
        self.held: set[str] = set()
        self.lost: set[str] = set()
        # Scrapy holds receivers weakly; the spider holds this object.
        spider.crawler.signals.connect(self.release, signal=signals.spider_closed)

    @property
    def _stats(self) -> StatsCollector:
        stats = self.spider.crawler.stats
        assert stats is not None
        return stats

    def resume(self, name: str) -> str | None:
        """Where to walk the cursor `name` from, once this worker holds it: its saved value, ""
        when none is saved, a finished one ("done", "done:<...>") as saved and not claimed;
        None when another live worker walks it (logged and counted), and this one must not."""
        index = self.spider.index
        if index is None:
            return ""
        saved = index.cursor(name)
        if saved is not None and saved.partition(":")[0] == "done":
            return saved
        if not self.take(name):
            return None
        # Read again under the claim: a worker that held it before may have moved it on.
        return index.cursor(name) or ""

    def take(self, name: str) -> bool:
        """Claim the cursor `name`; False when another live worker holds it."""
        index = self.spider.index
        if index is None or name in self.held:
            return True
        holder = index.claim_cursor(name, self.worker, datetime.now(UTC), self.stale_after)
        if holder is None:
            self.held.add(name)
            return True
        self._stats.inc_value(BACKFILL_CLAIMED_ELSEWHERE)
        holders = set(str(self._stats.get_value(BACKFILL_WALKED_BY) or "").split()) | {holder}
        self._stats.set_value(BACKFILL_WALKED_BY, " ".join(sorted(holders)))
        logger.info("backfill %s is walked by %s: not walked here", name, holder)
        return False

    def save(self, name: str, value: str) -> bool:
        """Save the cursor as its holder (the claim's heartbeat). False when this worker does
        not hold it (any longer: another worker took the claim over): stop walking it."""
        index = self.spider.index
        if index is None:
            return True
        if name in self.lost or not self.take(name):
            return False
        if index.set_cursor(name, value, holder=self.worker):
            return True
        # Saved nothing for longer than the stale time (a stalled reactor, a paused machine):
        # another worker took the cursor over and walks it now.
        self.held.discard(name)
        self.lost.add(name)
        self._stats.inc_value("archiver/backfill/claim_lost")
        logger.warning(
            "backfill %s was taken over by %s: this worker stops walking it",
            name,
            index.cursor_holder(name),
        )
        return False

    def release(self) -> None:
        """Give up every claim this spider holds (spider_closed)."""
        if not self.held:
            return
        index = self.spider.index
        if index is not None:
            for name in sorted(self.held):
                index.release_cursor(name, self.worker)
        self.held.clear()
