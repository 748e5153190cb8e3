"""A crawl whose storage stopped answering stops in one line, not a traceback per page.

The index is read by the spiders' callbacks and start requests (is this article archived, the
backfill cursor); when its server is gone for good (StorageLost, after the reconnect attempts
of archiver.store.index.database), every later callback would fail the same way. The first one
stops the crawl as a failed write does (archiver.durable.stop_on_io_error: reason `io_error`,
a non-zero exit status); nothing already archived is touched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from archiver.durable import stop_on_io_error
from archiver.errors import StorageLost

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response


class StorageGuardMiddleware:
    """Spider middleware: StorageLost from a callback or the start requests stops the crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_spider_exception(
        self, response: Response, exception: BaseException
    ) -> Iterable[Any] | None:
        if isinstance(exception, StorageLost):
            stop_on_io_error(self.crawler, exception, None)
            return []
        return None

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        try:
            async for item_or_request in start:
                yield item_or_request
        except StorageLost as exc:
            stop_on_io_error(self.crawler, exc, None)
