"""Retries with exponential backoff that honour `Retry-After` (Scrapy's own retry has no delay)."""

from __future__ import annotations

import asyncio
import email.utils
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

# Statuses for which the server may tell us how long to wait.
_RETRY_AFTER_STATUSES = {429, 503}


class BackoffRetryMiddleware(RetryMiddleware):
    """RetryMiddleware whose retries wait `base * 2**(attempt-1)` seconds, or `Retry-After`.

    Settings: ARCHIVER_RETRY_BACKOFF_BASE (seconds, default 2.0), ARCHIVER_RETRY_BACKOFF_MAX
    (seconds, default 300; a longer Retry-After is capped there and logged). On 429/503 the
    host's download slot also slows to the wait, so the other queued requests to that host
    back off too rather than hammering it meanwhile.
    """

    def __init__(self, crawler: Crawler, base: float, cap: float) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.base = base
        self.cap = cap
        self.sleep: Callable[[float], Any] = asyncio.sleep

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(
            crawler,
            base=crawler.settings.getfloat("ARCHIVER_RETRY_BACKOFF_BASE", 2.0),
            cap=crawler.settings.getfloat("ARCHIVER_RETRY_BACKOFF_MAX", 300.0),
        )

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if result is response:
            return response
        wait = self.backoff(request)
        if response.status in _RETRY_AFTER_STATUSES:
            told = parse_retry_after(response.headers.get(b"Retry-After"), datetime.now(UTC))
            if told is not None:
                if told > self.cap:
                    logger.warning(
                        "Retry-After %.0fs from %s capped at %.0fs", told, request.url, self.cap
                    )
                wait = max(wait, min(told, self.cap))
                self._slow_slot(request, wait)
        await self._wait(wait)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if result is not None:
            await self._wait(self.backoff(request))
        return result

    def backoff(self, request: Request) -> float:
        """Seconds to wait before the next attempt of `request` (attempt 1 waits `base`)."""
        attempt = int(request.meta.get("retry_times", 0)) + 1
        return float(min(self.cap, self.base * 2 ** (attempt - 1)))

    async def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("archiver/retry/waits")
            stats.inc_value("archiver/retry/wait_ms", round(seconds * 1000))
        await self.sleep(seconds)

    def _slow_slot(self, request: Request, seconds: float) -> None:
        engine = self.crawler.engine
        key = request.meta.get("download_slot")
        if engine is None or key is None:
            return
        slot = engine.downloader.slots.get(key)
        if slot is not None and slot.delay < seconds:
            slot.delay = seconds


def parse_retry_after(value: bytes | None, now: datetime) -> float | None:
    """Seconds a `Retry-After` header asks for (delta-seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
