"""Downloader middleware: count responses with unusual status codes (any code is data)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

UNUSUAL_STATUS = "archiver/http/unusual_status/"
"""Prefix of the counters, one per code: archiver/http/unusual_status/999."""

# What the sites answer in the ordinary course (and what the crawl has a rule for); any
# other code is worth a look by whoever reads the run summary, never an error in itself.
COMMON_STATUSES = frozenset(
    {200, 204, 206, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 408, 410, 429}
    | {500, 502, 503, 504}
)


class StatusCountMiddleware:
    """Counts every response whose status is not in COMMON_STATUSES, by code; changes nothing.

    The response was archived before it gets here (the WARC extension); what follows it
    (HttpErrorMiddleware, the spider's errback) treats it as any non-2xx or 2xx answer.
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if response.status not in COMMON_STATUSES:
            self.stats.inc_value(f"{UNUSUAL_STATUS}{response.status}")
        return response
