"""Global Times: discover articles from the news sitemap and section index pages."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, ClassVar

from archiver.crawl.idwalk import SEED, IdWalkSpider
from archiver.crawl.sitemaps import SitemapError, iter_news_sitemap
from archiver.sites.registry import site_info
from archiver.sites.urls import absolute_url, parse_article_url, without_fragment

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

    from archiver.record import Site

logger = logging.getLogger(__name__)

# Section index pages (/<section>/index.html). Override with ARCHIVER_GLOBALTIMES_SECTIONS.
DEFAULT_SECTIONS = ("china", "opinion", "source", "world", "business", "life", "sport")
SITEMAP_URL = "https://www.globaltimes.cn/sitemap.xml"
# "By Leng Shumei | 2024/5/29 22:41:06" (current lists) and the same date shape on old lists.
_LIST_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
# Old (pre-2020) lists paginate as index2.html#list ... index10.html#list.
_OLD_PAGER = re.compile(r"/index(\d+)\.html$")
_GT_PAGE = re.compile(r"/page/(\d{6})/(\d+)\.shtml$")


class GlobalTimesSpider(IdWalkSpider):
    """The Google News sitemap (newest items) plus the section index pages of www.globaltimes.cn."""

    site: ClassVar[Site] = "globaltimes"
    name = site_info(site).spider
    allowed_domains: ClassVar[list[str]] = [site_info(site).domain]
    GAP_SETTING = "ARCHIVER_GLOBALTIMES_BACKFILL_GAP"

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
            yield from self._parse_sitemap(response)
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

    def _parse_sitemap(self, response: Response) -> Iterator[Request]:
        assert self.crawler.stats is not None
        newest: tuple[int, str] | None = None
        try:
            for entry in iter_news_sitemap(response.body):
                hints = {"sitemap_date": entry.published} if entry.published else {}
                request = self.article_request(entry.url, hints=hints, day=entry.day)
                if request is not None:
                    yield request
                numbered = self.id_of(entry.url)
                if numbered and (newest is None or numbered[0] > newest[0]):
                    newest = numbered
        except SitemapError as exc:
            # Archived as received; counted with the lists that failed, so the run shows it.
            self.crawler.stats.inc_value("archiver/discovery/list_failed/unparseable_sitemap")
            logger.warning("sitemap %s not parsed: %s", response.url, exc)
            return
        if response.meta.get(SEED) and newest is not None:
            yield from self.walk_from(newest[0] - 1, newest[1])

    # -- backfill: the id walk (archiver/crawl/idwalk.py) -------------------------------------

    def id_url(self, article_id: int, month: str) -> str:
        return f"https://www.globaltimes.cn/page/{month}/{article_id}.shtml"

    def id_of(self, url: str) -> tuple[int, str] | None:
        page = _GT_PAGE.search(url)
        return (int(page[2]), page[1]) if page else None

    def seed_request(self) -> Request:
        return self.list_request(SITEMAP_URL, depth=1)


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
