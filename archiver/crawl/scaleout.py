"""Scale-out on Redis: several `scrapy crawl` workers share one scheduler queue and dedupe."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured

from archiver.crawl.claims import ArticleClaims, LocalClaims, RedisClaims
from archiver.store.run_share import run_key

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings, Settings


_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Shared state outlives a run by this long by default (seconds): long enough to resume a
# crashed worker, short enough not to pile up in Redis.
DEFAULT_TTL = 7 * 24 * 3600


def configure(settings: Settings) -> None:
    """With ARCHIVER_REDIS_URL set, install scrapy-redis's scheduler with per-run keys.

    Keys are `archiver:<run>:<spider>:{requests,dupefilter,articles}`, where <run> is
    ARCHIVER_REDIS_RUN, the name every worker of one crawl is started with. Per-run keys are
    what make a later run fetch anew (scrapy-redis's default keys persist the dupefilter, and a
    second run would fetch nothing but its start URLs). The queue persists while workers come
    and go (see RedisWorker). Raises ValueError when the run name is missing or malformed.
    """
    url = settings.get("ARCHIVER_REDIS_URL") or ""
    if not url:
        return
    run = run_name(settings)
    prefix = f"archiver:{run}:%(spider)s"
    for name, value in {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "REDIS_URL": url,
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        # scrapy-redis reads the dupefilter class from DUPEFILTER_CLASS (not SCHEDULER_*).
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        # One worker finishing must not flush the queue the others still work from.
        "SCHEDULER_PERSIST": True,
    }.items():
        settings.set(name, value, priority="addon")
    settings["EXTENSIONS"].update({"archiver.crawl.scaleout.RedisWorker": 500})


def run_name(settings: BaseSettings) -> str:
    """ARCHIVER_REDIS_RUN, validated; ValueError saying what to give when missing or bad."""
    run = str(settings.get("ARCHIVER_REDIS_RUN") or "")
    if not _RUN_ID.match(run):
        raise ValueError(
            f"ARCHIVER_REDIS_RUN={run!r}: give every worker of one crawl the same run name "
            "(letters, digits, . _ -), e.g. -s ARCHIVER_REDIS_RUN=2026-11-23T10"
        )
    return run


def claims_for(crawler: Crawler, spider_name: str) -> ArticleClaims:
    """Article claims for this crawl: shared in Redis when scaled out, else in this process."""
    settings = crawler.settings
    if not settings.get("ARCHIVER_REDIS_URL"):
        return LocalClaims()
    from scrapy_redis.connection import get_redis_from_settings

    key = run_key(run_name(settings), spider_name, "articles")
    ttl = settings.getint("ARCHIVER_REDIS_TTL", DEFAULT_TTL)
    return RedisClaims(get_redis_from_settings(settings), key, ttl)


class RedisWorker:
    """One worker's part in a scaled-out run: wait for shared work, then expire the run's keys.

    scrapy-redis's priority queue cannot block while empty, so a worker whose own requests
    are done would close while others still add to the queue. On `spider_idle` it stays open
    while the shared queue has requests, and for ARCHIVER_REDIS_IDLE seconds after it was last
    seen non-empty. At close it sets ARCHIVER_REDIS_TTL on the run's keys.
    """

    def __init__(
        self, crawler: Crawler, server: Any, run: str, ttl: int, idle: float, clock: Any = None
    ) -> None:
        self.crawler = crawler
        self.server = server
        self.run = run
        self.ttl = ttl
        self.idle = idle
        self.clock = clock or time.monotonic
        self._last_busy = self.clock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings.get("ARCHIVER_REDIS_URL"):
            raise NotConfigured
        from scrapy_redis.connection import get_redis_from_settings

        extension = cls(
            crawler,
            get_redis_from_settings(settings),
            run_name(settings),
            ttl=settings.getint("ARCHIVER_REDIS_TTL", DEFAULT_TTL),
            idle=settings.getfloat("ARCHIVER_REDIS_IDLE", 10.0),
        )
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        # Workers still open in this run: the last one to close judges the run (share_of_run).
        key = self._key(spider, "workers")
        self.server.incr(key)
        self.server.expire(key, self.ttl)

    def _key(self, spider: Spider, suffix: str) -> str:
        return run_key(self.run, spider.name, suffix)

    def spider_idle(self, spider: Spider) -> None:
        now = self.clock()
        if self.server.zcard(self._key(spider, "requests")) > 0:
            self._last_busy = now
        if now - self._last_busy < self.idle:
            stats = self.crawler.stats
            if stats is not None:
                stats.inc_value("archiver/scaleout/idle_waits")
            raise DontCloseSpider

    def spider_closed(self, spider: Spider) -> None:
        for suffix in ("requests", "dupefilter", "articles", "workers", "found"):
            self.server.expire(self._key(spider, suffix), self.ttl)
