"""Global Times: discover articles from the news sitemap and section index pages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.spidermiddlewares.httperror import HttpError

from archiver.crawl.sitemaps import iter_news_sitemap
from archiver.crawl.spider import ArchiveSpider
from archiver.sites.registry import site_info
from archiver.sites.urls import absolute_url, parse_article_url, without_fragment

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from archiver.record import Site

# Section index pages (/<section>/index.html). Override with ARCHIVER_GLOBALTIMES_SECTIONS.
DEFAULT_SECTIONS = ("china", "opinion", "source", "world", "business", "life", "sport")
SITEMAP_URL = "https://www.globaltimes.cn/sitemap.xml"
# "By Leng Shumei | 2024/5/29 22:41:06" (current lists) and the same date shape on old lists.
_LIST_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
# Old (pre-2020) lists paginate as index2.html#list ... index10.html#list.
_OLD_PAGER = re.compile(r"/index(\d+)\.html$")
_GT_PAGE = re.compile(r"/page/(\d{6})/(\d+)\.shtml$")
# request.meta keys of the backfill walk.
_BACKFILL_SEED = "archiver_backfill_seed"
_WALK = "archiver_backfill_walk"


class GlobalTimesSpider(ArchiveSpider):
    """The Google News sitemap (newest items) plus the section index pages of www.globaltimes.cn."""

    site: ClassVar[Site] = "globaltimes"
    name = site_info(site).spider
    allowed_domains: ClassVar[list[str]] = [site_info(site).domain]

    def default_requests(self) -> Iterable[Request]:
        yield self.list_request(SITEMAP_URL, depth=1)
        sections = self.settings.getlist("ARCHIVER_GLOBALTIMES_SECTIONS") or DEFAULT_SECTIONS
        for section in sections:
            url = (
                section if "://" in section else f"https://www.globaltimes.cn/{section}/index.html"
            )
            yield self.list_request(url, depth=1)

    def parse_list(self, response: Response) -> Iterator[Request]:
        if _is_xml(response):
            newest: tuple[int, str] | None = None
            for entry in iter_news_sitemap(response.body):
                hints = {"sitemap_date": entry.published} if entry.published else {}
                request = self.article_request(entry.url, hints=hints, day=entry.day)
                if request is not None:
                    yield request
                page = _GT_PAGE.search(entry.url)
                if page and (newest is None or int(page[2]) > newest[0]):
                    newest = (int(page[2]), page[1])
            if response.meta.get(_BACKFILL_SEED) and newest is not None:
                yield from self._walk_from(newest[0] - 1, newest[1], misses=0)
            return
        found: dict[str, tuple[date | None, dict[str, str]]] = {}
        for item in response.css("div.list_info, div.row-content > div"):
            stamp = " ".join(item.css("div.source_time ::text").getall())
            day, hints = _list_date(stamp)
            for href in item.css("a::attr(href)").getall():
                found.setdefault(absolute_url(href, response.url), (day, hints))
        for href in response.css("a::attr(href)").getall():
            found.setdefault(absolute_url(href, response.url), (None, {}))
        for url, (day, hints) in found.items():
            if parse_article_url(url) is not None:
                request = self.article_request(url, hints=hints, day=day)
                if request is not None:
                    yield request
        depth = self.list_depth(response)
        if depth < self.args.list_page_limit:
            next_page = _next_old_list_page(response, depth)
            if next_page is not None:
                yield self.list_request(next_page, depth=depth + 1)

    # -- backfill: walk article ids downward ---------------------------------------------------

    def backfill_requests(self) -> Iterable[Request]:
        """Resume the id walk at the saved cursor, else start below the sitemap's newest id."""
        saved = self.index.cursor(self._cursor_name) if self.index is not None else None
        if saved:
            article_id, _, month = saved.partition(":")
            if article_id == "done":
                self.logger.info("backfill %s already complete", self._cursor_name)
                return
            yield from self._walk_from(int(article_id), month, misses=0)
            return
        seed = self.list_request(SITEMAP_URL, depth=1)
        seed.meta[_BACKFILL_SEED] = True
        yield seed

    @property
    def _cursor_name(self) -> str:
        return f"backfill:globaltimes:{self.args.since}:{self.args.until}"

    def _walk_from(self, article_id: int, month: str, misses: int) -> Iterator[Request]:
        """Probe the next id below: archived ids are passed over without a fetch.

        until= is not applied here: the month in /page/YYYYMM/ is only known once a probe
        lands, so probes are fetched and an article of a month after until is dropped then
        (`_walked`). A probe counts as an article found only once it lands on one.
        """
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        limit = self.settings.getint("ARCHIVER_GLOBALTIMES_BACKFILL_GAP", 30)
        stop = max(0, article_id - 10_000)
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
            url = f"https://www.globaltimes.cn/page/{month}/{candidate}.shtml"
            request = self.article_request(url, forced=True)
            if request is None:
                continue  # fetched already in this run
            # A guessed id is not an article found until it lands on one (`_walked`).
            stats.inc_value("archiver/discovery/articles", -1)
            self._save_cursor(str(candidate), month)
            stats.inc_value("archiver/backfill/probes")
            yield request.replace(
                callback=self._walked,
                errback=self._walk_failed,
                meta={**request.meta, _WALK: (candidate, month, misses, limit, False)},
            )
            return
        # 10,000 ids in a row archived or fetched already: go on from there next run.
        self._save_cursor(str(stop), month)

    def _walked(self, response: Response) -> Iterator[Any]:
        assert self.crawler.stats is not None
        candidate, month, _, _, _ = response.meta[_WALK]
        landed = _GT_PAGE.search(response.url)
        landed_month = landed[1] if landed else month
        if self.args.until is not None and _month_start(landed_month) > self.args.until:
            # Archived in the WARC (it was fetched), but no record: after the window.
            self.crawler.stats.inc_value("archiver/backfill/after_until")
        else:
            self.crawler.stats.inc_value("archiver/discovery/articles")
            yield from self._parse_article(response)
        yield from self._walk_from(candidate - 1, landed_month, misses=0)

    def _walk_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        candidate, month, misses, limit, tried_before = request.meta[_WALK]
        error = failure.value
        if not isinstance(error, HttpError) or error.response.status != 404:
            yield from self._article_failed(failure)
            yield from self._walk_from(candidate - 1, month, misses=0)
            return
        if not tried_before:
            # The id may belong to the month before: ids rise with time, so walking down
            # crosses into earlier months.
            earlier = _previous_month(month)
            yield request.replace(
                url=f"https://www.globaltimes.cn/page/{earlier}/{candidate}.shtml",
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
        yield from self._walk_from(candidate - 1, later, misses=misses + 1)

    def _save_cursor(self, article_id: str, month: str) -> None:
        if self.index is not None:
            self.index.set_cursor(self._cursor_name, f"{article_id}:{month}")


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


def _is_xml(response: Response) -> bool:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    return "xml" in content_type or response.url.endswith(".xml")


def _list_date(stamp: str) -> tuple[date | None, dict[str, str]]:
    match = _LIST_DATE.search(stamp)
    if not match:
        return None, {}
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None, {}
    return day, {"list_date": match.group(0)}


def _next_old_list_page(response: Response, depth: int) -> str | None:
    for href in response.css("div.pages a::attr(href)").getall():
        url = without_fragment(absolute_url(href, response.url))
        match = _OLD_PAGER.search(url)
        if match and int(match.group(1)) == depth + 1:
            return url
    return None
