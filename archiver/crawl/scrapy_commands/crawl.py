"""`scrapy crawl` that rejects bad spider arguments in one line and exits 3 on a failed run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from archiver.crawl.args import SpiderArgumentError
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
        if FAILED_RUNS and not self.exitcode:
            self.exitcode = UNHEALTHY_EXIT
