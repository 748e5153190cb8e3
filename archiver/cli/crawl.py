"""`archiver crawl SPIDER [OPTION ...]`: `scrapy crawl` with the archiver's settings, anywhere."""

from __future__ import annotations

import argparse
import os

from archiver.cli.common import Commands

SETTINGS_MODULE = "archiver.settings"


def register(commands: Commands) -> None:
    """Add `archiver crawl` to `commands`."""
    crawl = commands.add_parser(
        "crawl",
        help="crawl a site: `scrapy crawl` with the archiver's settings, from any directory",
        description="Runs `scrapy crawl SPIDER OPTION ...` with the settings module "
        f"{SETTINGS_MODULE} (or the one SCRAPY_SETTINGS_MODULE names), so that an installed "
        "archiver crawls from any directory, with no checkout or scrapy.cfg. Every option is "
        "scrapy crawl's (-a NAME=VALUE, -s NAME=VALUE, -o/-O FILE, ...); `archiver crawl -h` "
        "prints them.",
        # Every argument is scrapy crawl's, -h included: none is read here.
        prefix_chars="+",
        add_help=False,
    )
    crawl.add_argument("arguments", nargs=argparse.REMAINDER, metavar="SPIDER [OPTION ...]")
    crawl.set_defaults(run=_run_crawl)


def _run_crawl(options: argparse.Namespace) -> int:
    # Set before Scrapy looks for a project: the variable wins over any scrapy.cfg around.
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    from scrapy.cmdline import execute

    try:
        execute(["scrapy", "crawl", *options.arguments])
    except SystemExit as exc:  # execute() always ends with sys.exit(status)
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        raise
    return 0
