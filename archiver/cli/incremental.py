"""`archiver index rebuild`, `changes` and `schedule`: incremental crawls."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from archiver.cli.common import Commands, add_dir, archive_dir, day


def register(commands: Commands) -> None:
    """Add this module's subcommands to `commands`."""
    index = commands.add_parser("index", help="the archive index (a cache of the files)")
    actions = index.add_subparsers(title="actions", required=True, metavar="ACTION")
    rebuild = actions.add_parser(
        "rebuild", help="recreate the index from the WARC, records and events files alone"
    )
    add_dir(rebuild)
    _add_index(rebuild)
    rebuild.set_defaults(run=_run_index_rebuild)

    changes = commands.add_parser(
        "changes",
        help="list article edits (with a diff of title and text) and deletions",
        description="With --json, one object per line: url, kind (edited|deleted), at, site, "
        "article_id, and version, previous_version, changes for edits or status, location for "
        "deletions.",
    )
    changes.add_argument("--since", type=day, help="only changes seen on or after YYYY-MM-DD")
    changes.add_argument("--site", choices=["chinadaily", "globaltimes"])
    changes.add_argument("--json", action="store_true", help="JSON Lines output")
    add_dir(changes)
    _add_index(changes)
    changes.set_defaults(run=_run_changes)

    schedule = commands.add_parser(
        "schedule",
        help="run crawl jobs on cron expressions (TOML config; default: hourly, daily, nightly)",
    )
    schedule.add_argument("--config", type=Path, help="TOML file of [[job]] entries")
    schedule.add_argument(
        "--print-crontab", action="store_true", help="print crontab lines for the jobs and exit"
    )
    schedule.add_argument(
        "--print-config", action="store_true", help="print the default config and exit"
    )
    schedule.add_argument("--job", help="run this one job now, in the foreground, and exit")
    add_dir(schedule)
    schedule.set_defaults(run=_run_schedule)


def _add_index(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--index",
        type=Path,
        default=None,
        help="the index file (default: $ARCHIVER_INDEX_PATH, the ARCHIVER_INDEX_PATH setting, "
        "else DIR/index.sqlite3), as crawls use it",
    )


def index_path(option: Path | None) -> Path | None:
    """--index, else $ARCHIVER_INDEX_PATH, else the project's ARCHIVER_INDEX_PATH setting;
    None means the archive root's index.sqlite3 (what a crawl with the same settings uses)."""
    if option is not None:
        return option
    if os.environ.get("ARCHIVER_INDEX_PATH"):
        return Path(os.environ["ARCHIVER_INDEX_PATH"])
    from scrapy.utils.project import get_project_settings

    configured = get_project_settings().get("ARCHIVER_INDEX_PATH")
    return Path(configured) if configured else None


def _run_index_rebuild(options: argparse.Namespace) -> int:
    from archiver.store.index.commands import run_rebuild

    return run_rebuild(archive_dir(options.dir), index_path(options.index))


def _run_changes(options: argparse.Namespace) -> int:
    from archiver.offline.changes import run_changes

    return run_changes(
        archive_dir(options.dir),
        options.since,
        options.site,
        options.json,
        index_path=index_path(options.index),
    )


def _run_schedule(options: argparse.Namespace) -> int:
    from archiver.schedule.command import run_schedule

    return run_schedule(
        archive_dir(options.dir),
        options.config,
        print_crontab=options.print_crontab,
        print_config=options.print_config,
        job=options.job,
    )
