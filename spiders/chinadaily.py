"""China Daily: discover articles from section list pages (and URLs given with urls=)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar

from archiver.crawl.backfill import ListBackfillSpider
from archiver.sites.registry import site_info
from archiver.sites.urls import absolute_url, parse_article_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

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


class ChinaDailySpider(ListBackfillSpider):
    """Section lists of www.chinadaily.com.cn; articles on any *.chinadaily.com.cn host."""

    site: ClassVar[Site] = "chinadaily"
    name = site_info(site).spider
    allowed_domains: ClassVar[list[str]] = [site_info(site).domain]

    def section_urls(self) -> list[str]:
        sections = self.settings.getlist("ARCHIVER_CHINADAILY_SECTIONS") or DEFAULT_SECTIONS
        return [s if "://" in s else f"https://www.chinadaily.com.cn/{s}" for s in sections]

    def list_page_url(self, section: str, page: int) -> str:
        return f"{section.rstrip('/')}/page_{page}.html"

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
        for url, (day, hints) in found.items():
            if parse_article_url(url) is None:
                continue
            request = self.article_request(url, hints=hints, day=day)
            if request is not None:
                yield self.listed_article(request, response)
        deeper = self.args.since is None or oldest is None or oldest >= self.args.since
        following = self.next_list_request(response, self._next_list_page(response), deeper)
        if following is not None:
            yield following

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
