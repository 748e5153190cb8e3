"""mode=backfill by numeric article ids: walk downward from the newest, resumable by a cursor.

For a site whose article URLs carry a rising number and a month (Global Times'
/page/YYYYMM/<id>.shtml). The cursor, `<id>:<YYYYMM>` (or `done:<YYYYMM>`), is saved in the
index under archiver.crawl.backfill.cursor_name, and walked by one worker at a time
(archiver/crawl/cursor_claims.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.spidermiddlewares.httperror import HttpError

from archiver.crawl.backfill import cursor_name
from archiver.crawl.spider import ArchiveSpider

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from twisted.python.failure import Failure

# request.meta keys of the walk: a list page whose newest id seeds it, and a probe's state.
SEED = "archiver_backfill_seed"
_WALK = "archiver_backfill_walk"
# How far one run walks at most past ids archived or fetched already.
_MAX_STEPS = 10_000


class IdWalkSpider(ArchiveSpider):
    """Probes the next id below the last one, month by month; archived ids cost no fetch.

    Subclasses implement `id_url()`, `id_of()` and `seed_request()` (a list request carrying
    meta SEED whose parse_list, having found the newest id, yields `walk_from(newest - 1, month)`).
    The walk stops after GAP_SETTING (a setting name) ids in a row are missing.
    """

    GAP_SETTING: ClassVar[str]

    def id_url(self, article_id: int, month: str) -> str:
        """The URL of article `article_id` in month `month` (YYYYMM)."""
        raise NotImplementedError

    def id_of(self, url: str) -> tuple[int, str] | None:
        """(article id, YYYYMM month) of an article URL of the walk, else None."""
        raise NotImplementedError

    def seed_request(self) -> Request:
        """A list request whose parse_list starts the walk below the newest id it lists."""
        raise NotImplementedError

    def backfill_requests(self) -> Iterable[Request]:
        """Resume the id walk at the saved cursor, else start below the seed's newest id."""
        saved = self.cursor_claims.resume(self._cursor_name)
        if saved is None:
            return  # another worker walks it
        if saved:
            article_id, _, month = saved.partition(":")
            if article_id == "done":
                self.logger.info("backfill %s already complete", self._cursor_name)
                return
            yield from self.walk_from(int(article_id), month, misses=0)
            return
        seed = self.seed_request()
        seed.meta[SEED] = True
        yield seed

    @property
    def _cursor_name(self) -> str:
        return cursor_name(self.site, self.args)

    def walk_from(self, article_id: int, month: str, misses: int = 0) -> Iterator[Request]:
        """Probe the next id below: archived ids are passed over without a fetch.

        until= is not applied here: the month of an id is only known once a probe lands, so
        probes are fetched and an article of a month after until is dropped then (`_walked`).
        A probe counts as an article found only once it lands on one.
        """
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        limit = self.settings.getint(self.GAP_SETTING, 30)
        stop = max(0, article_id - _MAX_STEPS)
        for candidate in range(article_id, stop, -1):
            if self.args.since is not None and _month_end(month) < self.args.since:
                self._save_cursor("done", month)
                stats.set_value("archiver/backfill/finished", 1)
                return
            if self.index is not None and self.index.is_archived(self.site, str(candidate)):
                misses = 0  # an id that exists: the gap ends here
                continue
            if self.args.max_articles is not None and self._scheduled >= self.args.max_articles:
                self._save_cursor(str(candidate), month)
                return
            if not self._save_cursor(str(candidate), month):
                return  # another worker took the walk over
            request = self.article_request(self.id_url(candidate, month), forced=True)
            if request is None:
                continue  # fetched already in this run
            # A guessed id is not an article found until it lands on one (`_walked`).
            stats.inc_value("archiver/discovery/articles", -1)
            stats.inc_value("archiver/backfill/probes")
            yield request.replace(
                callback=self._walked,
                errback=self._walk_failed,
                meta={**request.meta, _WALK: (candidate, month, misses, limit, False)},
            )
            return
        # _MAX_STEPS ids in a row archived or fetched already: go on from there next run.
        self._save_cursor(str(stop), month)

    def _walked(self, response: Response) -> Iterator[Any]:
        assert self.crawler.stats is not None
        candidate, month, _, _, _ = response.meta[_WALK]
        landed = self.id_of(response.url)
        landed_month = landed[1] if landed else month
        if self.args.until is not None and _month_start(landed_month) > self.args.until:
            # Archived in the WARC (it was fetched), but no record: after the window.
            self.crawler.stats.inc_value("archiver/backfill/after_until")
        else:
            self.crawler.stats.inc_value("archiver/discovery/articles")
            yield from self._parse_article(response)
        yield from self.walk_from(candidate - 1, landed_month, misses=0)

    def _walk_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        candidate, month, misses, limit, tried_before = request.meta[_WALK]
        error = failure.value
        if not isinstance(error, HttpError) or error.response.status != 404:
            yield from self._article_failed(failure)
            yield from self.walk_from(candidate - 1, month, misses=0)
            return
        if not tried_before:
            # The id may belong to the month before: ids rise with time, so walking down
            # crosses into earlier months.
            earlier = _previous_month(month)
            yield request.replace(
                url=self.id_url(candidate, earlier),
                meta={**request.meta, _WALK: (candidate, earlier, misses, limit, True)},
            )
            return
        later = _next_month(month)  # the month the walk was in before this probe
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("archiver/backfill/missing_ids")
        if misses + 1 >= limit:
            self.logger.info("backfill stops after %d missing ids below %d", limit, candidate)
            self._save_cursor(str(candidate - 1), later)
            return
        yield from self.walk_from(candidate - 1, later, misses=misses + 1)

    def _save_cursor(self, article_id: str, month: str) -> bool:
        # False: the claim on the cursor was taken over, and the walk is another worker's now.
        return self.cursor_claims.save(self._cursor_name, f"{article_id}:{month}")


def _month_start(month: str) -> date:
    return date(int(month[:4]), int(month[4:]), 1)


def _month_end(month: str) -> date:
    year, number = int(month[:4]), int(month[4:])
    return date(year + number // 12, number % 12 + 1, 1) - timedelta(days=1)


def _previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[4:])
    return f"{year - 1}12" if number == 1 else f"{year}{number - 1:02d}"


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[4:])
    return f"{year + 1}01" if number == 12 else f"{year}{number + 1:02d}"
