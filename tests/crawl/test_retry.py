"""Retry-After parsing and backoff arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from archiver.crawl.retry import BackoffRetryMiddleware, parse_retry_after

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after(b"120", NOW) == 120.0
    assert parse_retry_after(b"Mon, 23 Nov 2026 12:00:30 GMT", NOW) == 30.0
    assert parse_retry_after(b"Mon, 23 Nov 2026 11:00:00 GMT", NOW) == 0.0
    assert parse_retry_after(b"soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_backoff_doubles_and_is_capped() -> None:
    crawler = get_crawler(
        settings_dict={"ARCHIVER_RETRY_BACKOFF_BASE": 2, "ARCHIVER_RETRY_BACKOFF_MAX": 10}
    )
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    waits = [middleware.backoff(Request("https://x/", meta={"retry_times": n})) for n in range(4)]
    assert waits == [2.0, 4.0, 8.0, 10.0]
