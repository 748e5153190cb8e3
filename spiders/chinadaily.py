"""China Daily: discover articles from section list pages (and URLs given with urls=)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy import Request as ScrapyRequest

from archiver.crawl.spider import ArchiveSpider
from archiver.sites.registry import site_info
from archiver.sites.urls import absolute_url, parse_article_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from archiver.record import Site
    from archiver.sites.urls import ArticleUrl

# Default English sections (list pages /<path>/page_N.html). Override with the
# ARCHIVER_CHINADAILY_SECTIONS setting (a list of paths or absolute URLs).
DEFAULT_SECTIONS = (
    "china/governmentandpolicy",
    "china/society",
    "china/scitech",
    "world/asia_pacific",
    "world/america",
    "world/europe",
    "world/china-us",
    "business/economy",
    "opinion/editorials",
    "opinion/op-ed",
    "culture/art",
    "life/health",
)
_LIST_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:\s+(\d{1,2}):(\d{2}))?")
_PAGE_LINK = re.compile(r"/page_(\d+)\.html$")
# request.meta keys: the section a backfill list page (or an article listed on it) belongs to
# (its cursor's name), the list page number, and the page the run started the section at.
_SECTION = "archiver_backfill_section"
_PAGE = "archiver_backfill_page"
_START = "archiver_backfill_start"


class _SectionProgress:
    """One section's backfill in this run: which list pages still have articles in flight."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.listed = start - 1  # highest list page parsed
        self.finished = False  # no next page, or the list is older than since
        self.pending: dict[int, int] = {}  # list page -> its articles not settled yet

    def cursor(self) -> str:
        """Where a rerun starts: the first page with an unsettled article, else the next page
        to list; "done" only once the list is finished and every article settled."""
        waiting = [page for page, count in self.pending.items() if count > 0]
        if waiting:
            return str(min(waiting))
        if self.finished:
            return "done"
        return str(max(self.start, self.listed + 1))


class ChinaDailySpider(ArchiveSpider):
    """Section lists of www.chinadaily.com.cn; articles on any *.chinadaily.com.cn host."""

    site: ClassVar[Site] = "chinadaily"
    name = site_info(site).spider
    allowed_domains: ClassVar[list[str]] = [site_info(site).domain]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._progress: dict[str, _SectionProgress] = {}

    def default_requests(self) -> Iterable[Request]:
        for url in self._section_urls():
            yield self.list_request(url, depth=1, priority=-1)

    def backfill_requests(self) -> Iterable[Request]:
        """Each section's list from the page an interrupted backfill reached (cursor), deeper.

        The cursor names the first list page some of whose articles are not yet settled
        (fetched, or failed for good), so a stop at any moment (time box, CLOSESPIDER_*,
        kill) loses no article: a rerun lists that page again and skips what is archived.
        List requests have priority -page, below articles (0), so a page's articles are
        fetched before the next list page and the cursor keeps up.
        """
        for url in self._section_urls():
            saved = self.index.cursor(self._cursor_name(url)) if self.index is not None else None
            if saved == "done":
                continue
            page = int(saved) if saved and saved.isdigit() else 1
            self._progress[url] = _SectionProgress(page)
            start = url if page == 1 else f"{url.rstrip('/')}/page_{page}.html"
            request = self.list_request(start, depth=page, priority=-page)
            request.meta.update({_SECTION: url, _START: page})
            yield request

    def _section_urls(self) -> list[str]:
        sections = self.settings.getlist("ARCHIVER_CHINADAILY_SECTIONS") or DEFAULT_SECTIONS
        return [s if "://" in s else f"https://www.chinadaily.com.cn/{s}" for s in sections]

    def _cursor_name(self, section: str) -> str:
        return f"backfill:chinadaily:{self.args.since}:{self.args.until}:{section}"

    def parse_list(self, response: Response) -> Iterator[Request]:
        found: dict[str, tuple[date | None, dict[str, str]]] = {}
        # List items carry "YYYY-MM-DD HH:MM" beside the headline: use it as a date hint.
        for item in response.css("div.tw3_01_2, div.tw2_l, div.tBox2"):
            stamp = item.css("b::text").get("")
            for href in item.css("a::attr(href)").getall():
                found.setdefault(absolute_url(href, response.url), _list_date(stamp))
        # Everything else the page links (lead block, right rail, other list markups).
        for href in response.css("a::attr(href)").getall():
            found.setdefault(absolute_url(href, response.url), (None, {}))
        dated = [day for day, _ in found.values() if day is not None]
        oldest = min(dated) if dated else None
        depth = self.list_depth(response)
        section: str = response.meta.get(_SECTION) or ""
        progress = self._progress.get(section)
        for url, (day, hints) in found.items():
            if parse_article_url(url) is None:
                continue
            request = self.article_request(url, hints=hints, day=day)
            if request is not None:
                if progress is not None:
                    self._track(request, section, depth, progress)
                yield request
        next_page = self._next_list_page(response)
        deeper = self.args.since is None or oldest is None or oldest >= self.args.since
        start = int(response.meta.get(_START, 1))
        # The page limit counts pages listed in this run, so a resumed backfill goes on.
        within_limit = depth - start + 1 < self.args.list_page_limit
        going_on = bool(next_page) and within_limit and deeper
        if progress is not None:
            progress.listed = max(progress.listed, depth)
            # Hitting the page limit is not the end of the list: the cursor keeps its page.
            progress.finished = not (next_page and deeper)
            self._save_cursor(section, progress)
        if next_page and going_on:
            request = self.list_request(next_page, depth=depth + 1, priority=-(depth + 1))
            if section:
                request.meta.update({_SECTION: section, _START: start})
            yield request

    # -- backfill bookkeeping -------------------------------------------------------------------

    def _track(self, request: Request, section: str, page: int, progress: _SectionProgress) -> None:
        # Settled when its callback yields no further page request, or its errback runs.
        progress.pending[page] = progress.pending.get(page, 0) + 1
        request.meta.update({_SECTION: section, _PAGE: page})
        request.callback = self._backfill_article
        request.errback = self._backfill_failed

    def _backfill_article(self, response: Response) -> Iterator[Any]:
        out = list(self._parse_article(response))
        if not any(isinstance(item, ScrapyRequest) for item in out):
            self._settle(response.meta)
        yield from out

    def _backfill_failed(self, failure: Failure) -> Iterator[Any]:
        out = list(self._article_failed(failure))
        self._settle(failure.request.meta)  # type: ignore[attr-defined]
        yield from out

    def _settle(self, meta: dict[str, Any]) -> None:
        section: str = meta.get(_SECTION) or ""
        page = meta.get(_PAGE)
        progress = self._progress.get(section)
        if progress is None or page is None:
            return
        progress.pending[page] -= 1
        self._save_cursor(section, progress)

    def _save_cursor(self, section: str, progress: _SectionProgress) -> None:
        if self.index is not None:
            self.index.set_cursor(self._cursor_name(section), progress.cursor())

    def more_pages(self, response: Response, article: ArticleUrl) -> list[str]:
        numbers: set[int] = set()
        for href in response.css(
            "#div_currpage a::attr(href), div.selectpage a::attr(href)"
        ).getall():
            linked = parse_article_url(absolute_url(href, response.url))
            if linked is not None and linked.article_id == article.article_id and linked.page > 1:
                numbers.add(linked.page)
        if not numbers:
            return []
        # The pager may show a window of pages; every page up to the highest one exists.
        return [article.page_url(n) for n in range(2, max(numbers) + 1)]

    def _next_list_page(self, response: Response) -> str | None:
        links = [
            absolute_url(h, response.url)
            for h in response.css("#div_currpage a::attr(href)").getall()
        ]
        current = _PAGE_LINK.search(response.url)
        current_number = int(current.group(1)) if current else 1
        for url in links:
            match = _PAGE_LINK.search(url)
            if match and int(match.group(1)) == current_number + 1:
                return url
        return None


def _list_date(stamp: str) -> tuple[date | None, dict[str, str]]:
    match = _LIST_DATE.search(stamp)
    if not match:
        return None, {}
    try:
        day = datetime(int(match[1]), int(match[2]), int(match[3])).date()
    except ValueError:
        return None, {}
    return day, {"list_date": match.group(0)}
