"""`scrapy crawl`: one-line argument errors, the site lock (exit 4 if busy), exit 3 on a failed
run and 74 on a run stopped by a failed write (disk full, I/O error)."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from archiver.crawl.args import SpiderArgumentError
from archiver.crawl.site_lock import LOCKED_EXIT, SiteBusy, hold_site_lock
from archiver.durable import IO_ERROR_EXIT, IO_FAILURES, describe, is_storage_error
from archiver.errors import ArchiverError
from archiver.layout import root_from_settings
from archiver.store.index.crawl import open_before_crawl
from archiver.store.run_health import FAILED_RUNS, UNHEALTHY_EXIT

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Coroutine

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            loader = self.crawler_process.spider_loader
            try:
                spidercls = loader.load(args[0])
            except KeyError:  # Scrapy's own message comes with a traceback
                known = ", ".join(sorted(loader.list()))
                raise UsageError(
                    f"no spider named {args[0]!r}; the spiders are: {known}", print_help=False
                ) from None
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                try:
                    check(opts.spargs)
                except SpiderArgumentError as exc:
                    raise UsageError(f"{args[0]}: {exc}", print_help=False) from None
            refused = _take_the_archive(
                self.crawler_process.settings, getattr(spidercls, "site", args[0])
            )
            if refused is not None:
                self.exitcode = refused
                return
        super().run(args, opts)
        # scrapy exits 0 whatever the run found; a scheduler alerts only on the exit status.
        if IO_FAILURES:
            self.exitcode = IO_ERROR_EXIT
        elif FAILED_RUNS and not self.exitcode:
            self.exitcode = UNHEALTHY_EXIT

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        crawler = super()._create_crawler(spidercls)
        crawler.crawl_async = _start_guarded(crawler)  # type: ignore[method-assign]
        return crawler


def _take_the_archive(settings: Settings, site: str) -> int | None:
    """Take the site's lock (one writer per site per archive) and open the index before the
    crawl starts; the exit status when either fails, in one line and without a traceback."""
    try:
        hold_site_lock(settings, site)
        open_before_crawl(settings)
    except ArchiverError as exc:
        print(f"scrapy crawl: error: {exc}", file=sys.stderr)
        return LOCKED_EXIT if isinstance(exc, SiteBusy) else 1
    except Exception as exc:
        if not is_storage_error(exc):
            raise
        # A full disk or an I/O error while the index opens (or heals): SQLite names no file.
        line = describe(exc, None if isinstance(exc, OSError) else root_from_settings(settings))
        IO_FAILURES.append(line)
        logger.error("the crawl could not start: a write failed: %s", line)
        return IO_ERROR_EXIT
    return None


def _start_guarded(crawler: Crawler) -> Callable[..., Coroutine[Any, Any, None]]:
    # The components open the index (and recover files a killed crawl left) while the crawl
    # starts: a full disk there would otherwise end in a traceback from inside Scrapy.
    crawl_async = crawler.crawl_async

    async def guarded(*args: Any, **kwargs: Any) -> None:
        try:
            await crawl_async(*args, **kwargs)
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            # SQLite names no file: the archive's (where the index lies) is the one to look at.
            line = describe(
                exc, None if isinstance(exc, OSError) else root_from_settings(crawler.settings)
            )
            IO_FAILURES.append(line)
            logger.error("the crawl could not start: a write failed: %s", line)

    return guarded
