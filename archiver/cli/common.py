"""Pieces every `archiver` subcommand shares: --dir, --env, --site, argument types, CommandError."""

from __future__ import annotations

import argparse
import os
from datetime import date, datetime
from pathlib import Path
from typing import TypeAlias

from archiver.errors import ArchiverError
from archiver.layout import DEFAULT_ROOT
from archiver.sites.registry import SITE_NAMES

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class CommandError(ArchiverError):
    """A wrong argument or an input the command cannot take: one line, exit status 1."""


def add_dir(parser: argparse.ArgumentParser) -> None:
    """--dir PATH: the archive root, for every command that reads or writes the archive."""
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help=f"archive root (default: the ARCHIVER_DIR setting, {DEFAULT_ROOT!r})",
    )


def archive_dir(option: Path | None) -> Path:
    """--dir if given, else the project's ARCHIVER_DIR setting."""
    if option is not None:
        return option
    from scrapy.utils.project import get_project_settings

    from archiver.layout import root_from_settings

    return root_from_settings(get_project_settings())


def add_env(parser: argparse.ArgumentParser) -> None:
    """--env PATH: pywb's own virtualenv."""
    parser.add_argument(
        "--env",
        type=Path,
        default=None,
        help="pywb's virtualenv (default: $ARCHIVER_REPLAY_ENV or .venv-pywb)",
    )


def add_site(parser: argparse.ArgumentParser) -> None:
    """--site S: one of the sites the archiver knows."""
    parser.add_argument("--site", choices=SITE_NAMES)


def day(text: str) -> date:
    """An argparse type: YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def since(value: str) -> datetime:
    """An argparse type: YYYY-MM-DD (or an ISO time) as the aware moment it starts."""
    from archiver.offline.selection import parse_since

    try:
        return parse_since(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1 (a worker count)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number (at least 1)")
    return value


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0 to 65535)")
    return value


def os_error(exc: OSError) -> CommandError:
    """A file-system error as one line: what failed on which path."""
    where = f"{exc.filename}: " if exc.filename else ""
    return CommandError(f"{where}{exc.strerror or exc}")


def add_index(parser: argparse.ArgumentParser, url_note: str = "") -> None:
    """--index FILE or --index-url URL: the index a command reads, as crawls resolve it
    (`index_path`). `url_note` is added to --index-url's help."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--index",
        type=Path,
        default=None,
        help="the index file (default: $ARCHIVER_INDEX_PATH, the ARCHIVER_INDEX_PATH setting, "
        "else DIR/index.sqlite3), as crawls use it",
    )
    where.add_argument(
        "--index-url",
        default=None,
        metavar="URL",
        help="a shared PostgreSQL index, postgresql://... (default: $ARCHIVER_INDEX_URL, the "
        "ARCHIVER_INDEX_URL setting)" + url_note,
    )


def index_path(option: Path | None, url: str | None = None) -> Path | str | None:
    """--index-url or --index, else $ARCHIVER_INDEX_URL, $ARCHIVER_INDEX_PATH, else the
    project's ARCHIVER_INDEX_URL or ARCHIVER_INDEX_PATH setting; None means the archive
    root's index.sqlite3 (what a crawl with the same settings uses)."""
    from archiver.store.index.location import is_index_url

    if url is not None:
        if not is_index_url(url):
            raise CommandError(f"--index-url takes a postgresql:// URL, not {url!r}")
        return url
    if option is not None:
        return option
    if os.environ.get("ARCHIVER_INDEX_URL"):
        return os.environ["ARCHIVER_INDEX_URL"]
    if os.environ.get("ARCHIVER_INDEX_PATH"):
        return Path(os.environ["ARCHIVER_INDEX_PATH"])
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if settings.get("ARCHIVER_INDEX_URL"):
        return str(settings.get("ARCHIVER_INDEX_URL"))
    configured = settings.get("ARCHIVER_INDEX_PATH")
    return Path(configured) if configured else None
