"""`scrapy crawl`: one-line argument errors, the site lock (exit 4 if busy), exit 3 if failed."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from archiver.crawl.args import SpiderArgumentError
from archiver.crawl.site_lock import LOCKED_EXIT, SiteBusy, hold_site_lock
from archiver.errors import ArchiverError
from archiver.store.index.crawl import open_before_crawl
from archiver.store.run_health import FAILED_RUNS, UNHEALTHY_EXIT

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            spidercls = self.crawler_process.spider_loader.load(args[0])
            check = getattr(spidercls, "check_arguments", None)
            if check is not None:
                try:
                    check(opts.spargs)
                except SpiderArgumentError as exc:
                    raise UsageError(f"{args[0]}: {exc}", print_help=False) from None
            # One writer per site per archive, taken before anything opens the index.
            try:
                settings = self.crawler_process.settings
                hold_site_lock(settings, getattr(spidercls, "site", args[0]))
                open_before_crawl(settings)
            except ArchiverError as exc:
                print(f"scrapy crawl: error: {exc}", file=sys.stderr)
                self.exitcode = LOCKED_EXIT if isinstance(exc, SiteBusy) else 1
                return
        super().run(args, opts)
        # scrapy exits 0 whatever the run found; a scheduler alerts only on the exit status.
        if FAILED_RUNS and not self.exitcode:
            self.exitcode = UNHEALTHY_EXIT
