"""Downloader middleware: an article or list redirected to another site is not followed there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.url import url_is_from_any_domain

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.statscollectors import StatsCollector

OFFSITE_REDIRECT = "archiver/download/offsite_redirect"
# request.meta keys the spiders set on article and list requests (archiver.crawl.spider).
_OWN_REQUESTS = ("archiver_article", "archiver_list_depth")


class OffsiteRedirect(IgnoreRequest):
    """A redirect led off the spider's site: the redirect is archived, its target is not fetched."""


class OffsiteRedirectMiddleware:
    """Stats: archiver/download/offsite_redirect.

    The 3xx answer is archived (the WARC extension wrote it before RedirectMiddleware made the
    new request); the hop to another site is refused here, so the crawl never wanders off the
    site it archives. The spider's errback then sees the article redirected away (its
    deletion rule applies). Page requisites (images, CSS on a CDN) may still be redirected.
    """

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        domains = list(getattr(self.crawler.spider, "allowed_domains", None) or [])
        if (
            domains
            and request.meta.get("redirect_urls")
            and any(key in request.meta for key in _OWN_REQUESTS)
            and not url_is_from_any_domain(request.url, domains)
        ):
            self.stats.inc_value(OFFSITE_REDIRECT)
            raise OffsiteRedirect(
                f"{request.meta['redirect_urls'][0]} redirected to another site: {request.url}"
            )
