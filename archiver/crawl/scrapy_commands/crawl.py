"""`scrapy crawl` that rejects bad spider arguments in one line, exits 3 on a failed run and
74 on a run stopped by a failed write (disk full, I/O error)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from archiver.crawl.args import SpiderArgumentError
from archiver.durable import IO_ERROR_EXIT, IO_FAILURES
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
        super().run(args, opts)
        # scrapy exits 0 whatever the run found; a scheduler alerts only on the exit status.
        if self.exitcode:
            return
        if IO_FAILURES:
            self.exitcode = IO_ERROR_EXIT
        elif FAILED_RUNS:
            self.exitcode = UNHEALTHY_EXIT
