"""At the end of a crawl, write its health report (stats) as JSON and log a short summary."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archiver.durable import FIRST_ERROR_STAT, describe, write_atomic
from archiver.layout import ArchiveLayout, root_from_settings, run_stem
from archiver.store.run_health import (
    HealthSettings,
    log_health,
    previous_runs,
    run_health,
    summary_figures,
)
from archiver.store.run_share import RunShare, share_of_run

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class RunSummaryExtension:
    """Writes ARCHIVER_DIR/runs/<spider>-<UTC time>-<host>-<pid>.json when the spider closes.

    The file holds the finish reason and every stat as plain JSON values, sorted by name. It is
    written atomically (a temporary file renamed); when it cannot be written (disk full) that
    is one line in the log and the summary is still logged and judged. A run stopped by a
    failed write (archiver.durable) is failed, its first problem naming the path and error.
    Switch off with ARCHIVER_RUN_SUMMARY_ENABLED = False.
    """

    def __init__(
        self,
        stats: StatsCollector,
        root: Path,
        settings: HealthSettings | None = None,
        share: Callable[[str, int], RunShare | None] | None = None,
    ) -> None:
        self.stats = stats
        self.root = root
        self.health_settings = settings or HealthSettings()
        self.share = share
        """Scaled out: (spider, articles found) -> the run as a whole (scaleout.share_of_run)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ARCHIVER_RUN_SUMMARY_ENABLED", True):
            raise NotConfigured
        assert crawler.stats is not None
        extension = cls(
            crawler.stats,
            root_from_settings(crawler.settings),
            HealthSettings.from_settings(crawler.settings),
            share=lambda spider, found: share_of_run(crawler.settings, spider, found),
        )
        # Run after the core stats extension has set finish_time and elapsed time.
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = {key: _plain(value) for key, value in sorted(self.stats.get_stats().items())}
        runs = ArchiveLayout(self.root).runs_dir
        # Fill rates are compared only with runs of the same spider (site) and mode.
        mode = str(getattr(getattr(spider, "args", None), "mode", None) or "latest")
        previous = previous_runs(runs, spider.name, mode)
        run = None
        if self.share is not None:
            run = self.share(spider.name, summary_figures(stats)["articles_found"])
        health = with_io_error(run_health(stats, previous, self.health_settings, run), stats)
        summary = {
            "spider": spider.name,
            "mode": mode,
            "finish_reason": reason,
            **health,
            "stats": stats,
        }
        path = runs / f"{run_stem(spider.name, datetime.now(UTC))}.json"
        text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
        shown: Path | str = path
        try:
            # Atomic: a full disk leaves the old reports and no half-written one.
            write_atomic(path, text.encode("utf-8"))
        except OSError as exc:
            logger.error("run summary not written: %s", describe(exc, path))
            shown = "not written"
        get = self.stats.get_value
        logger.info(
            "archiver summary: %s records, %s extraction failures, %s exchanges in %s WARC "
            "file(s), %s WARC errors; report %s",
            get("archiver/records/written", 0),
            get("archiver/extract/failed", 0),
            get("archiver/warc/exchanges", 0),
            get("archiver/warc/files", 0),
            _warc_errors(self.stats.get_stats()),
            shown,
        )
        log_health(spider.name, health)


def with_io_error(health: dict[str, Any], stats: dict[str, Any]) -> dict[str, Any]:
    """`health` failed with the first failed write as its first problem, if the run had one."""
    first = stats.get(FIRST_ERROR_STAT)
    if not first:
        return health
    problem = f"I/O error, crawl stopped: {first}"
    return {**health, "verdict": "failed", "problems": [problem, *health["problems"]]}


def _warc_errors(stats: dict[str, Any]) -> int:
    return sum(v for k, v in stats.items() if k.startswith("archiver/warc/errors/"))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)
