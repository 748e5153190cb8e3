"""Pieces every `archiver` subcommand shares: --dir, --env, date arguments."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from typing import TypeAlias

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def add_dir(parser: argparse.ArgumentParser) -> None:
    """--dir PATH: the archive root, for every command that reads or writes the archive."""
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="archive root (default: the ARCHIVER_DIR setting, 'archive')",
    )


def archive_dir(option: Path | None) -> Path:
    """--dir if given, else the project's ARCHIVER_DIR setting."""
    if option is not None:
        return option
    from scrapy.utils.project import get_project_settings

    return Path(get_project_settings().get("ARCHIVER_DIR") or "archive")


def add_env(parser: argparse.ArgumentParser) -> None:
    """--env PATH: pywb's own virtualenv."""
    parser.add_argument(
        "--env",
        type=Path,
        default=None,
        help="pywb's virtualenv (default: $ARCHIVER_REPLAY_ENV or .venv-pywb)",
    )


def day(text: str) -> date:
    """An argparse type: YYYY-MM-DD."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def since(value: str) -> datetime:
    """An argparse type: YYYY-MM-DD (or an ISO time) as the aware moment it starts."""
    from archiver.offline.reextract import parse_since

    try:
        return parse_since(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None
