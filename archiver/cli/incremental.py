"""`archiver index rebuild`, `changes` and `schedule`: incremental crawls."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from archiver.cli.common import (
    CommandError,
    Commands,
    add_dir,
    add_index,
    add_site,
    archive_dir,
    day,
    index_path,
)

if TYPE_CHECKING:
    from archiver.crawl.site_lock import SiteLock
    from archiver.schedule.config import Job


def register(commands: Commands) -> None:
    """Add this module's subcommands to `commands`."""
    index = commands.add_parser("index", help="the archive index (a cache of the files)")
    actions = index.add_subparsers(title="actions", required=True, metavar="ACTION")
    rebuild = actions.add_parser(
        "rebuild", help="recreate the index from the WARC, records and events files alone"
    )
    add_dir(rebuild)
    rebuild.add_argument(
        "--also",
        type=Path,
        action="append",
        metavar="DIR",
        help="another worker's archive directory to read too (repeatable; with --index-url)",
    )
    add_index(rebuild)
    rebuild.set_defaults(run=_run_index_rebuild)

    changes = commands.add_parser(
        "changes",
        help="list article edits (with a diff of title and text) and deletions",
        description="With --json, one object per line: url, kind (edited|deleted), at, site, "
        "article_id, and version, previous_version, changes for edits or status, location for "
        "deletions.",
    )
    changes.add_argument("--since", type=day, help="only changes seen on or after YYYY-MM-DD")
    add_site(changes)
    changes.add_argument("--json", action="store_true", help="JSON Lines output")
    add_dir(changes)
    add_index(changes)
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


def _run_index_rebuild(options: argparse.Namespace) -> int:
    from archiver.layout import ArchiveLayout
    from archiver.store.index.rebuild import rebuild_from_files, rebuild_shared

    root = archive_dir(options.dir)
    if not root.is_dir():
        raise CommandError(f"no archive at {root}; give --dir")
    path = index_path(options.index, options.index_url) or ArchiveLayout(root).index_path
    roots = [root, *(options.also or [])]
    if len(roots) > 1 and isinstance(path, Path):
        raise CommandError("--also needs a shared index (--index-url): one SQLite file per archive")
    for other in roots[1:]:
        if not other.is_dir():
            raise CommandError(f"no archive at {other}")
    locks = [lock for each in roots for lock in _hold_every_site(each)]
    try:
        if isinstance(path, str):
            report, articles = rebuild_shared(roots, path)
        else:
            report, articles = rebuild_from_files(root, path)
    finally:
        for lock in locks:
            lock.release()
    for problem in report.problems:
        print(f"warning: {problem}")
    for recovered in report.recovered:
        print(f"recovered {recovered} (left open by a killed crawl)")
    print(
        f"indexed {report.files} files: {report.captures} captures, {report.records} records "
        f"({articles} articles), {report.events} events"
    )
    return 0


def _hold_every_site(root: Path) -> list[SiteLock]:
    # The index is replaced by a new file: a crawl writing to the old one meanwhile would
    # lose its writes (and its -wal could be taken for the new file's).
    from archiver.crawl.site_lock import SiteLock
    from archiver.sites.registry import SITE_NAMES

    held: list[SiteLock] = []
    for site in SITE_NAMES:
        lock = SiteLock(root, site)
        if not lock.acquire():
            for other in held:
                other.release()
            raise CommandError(
                f"a crawl of {site} is writing to {root}; rebuild the index after it ends"
            )
        held.append(lock)
    return held


def _run_changes(options: argparse.Namespace) -> int:
    import json

    from archiver.offline.changes import changes_under

    root = archive_dir(options.dir)
    if not root.is_dir():
        raise CommandError(f"no archive at {root}; give --dir or run a crawl first")
    out = sys.stdout
    shown = changes_under(
        root,
        options.since,
        options.site,
        index_path(options.index, options.index_url),
        diffs=not options.json,
    )
    for item in shown:
        change = item.change
        if options.json:
            out.write(json.dumps(change.to_json(), ensure_ascii=False) + "\n")
        elif change.kind == "deleted":
            where = f" -> {change.location}" if change.location else ""
            out.write(f"{change.at}  deleted  {change.url}  ({change.status}{where})\n")
        else:
            out.write(
                f"{change.at}  edited   {change.url}  version {change.version}: "
                f"{', '.join(change.changes)}\n"
            )
            out.write("".join(f"    {line}\n" for line in item.diff.splitlines()))
    if not shown:
        # Said, not left to an empty screen; on stderr with --json, whose output stays empty.
        since = f" since {options.since}" if options.since else ""
        site = f" on {options.site}" if options.site else ""
        print(
            f"no changes: no article edited or deleted{since}{site}",
            file=sys.stderr if options.json else out,
        )
    return 0


def _run_schedule(options: argparse.Namespace) -> int:
    """Runs until interrupted unless a --print or --job option is given."""
    import logging
    from datetime import datetime

    from archiver.schedule.config import DEFAULT_CONFIG, load_jobs
    from archiver.schedule.runner import Scheduler, crontab, require_contacts

    if options.print_config:
        print(DEFAULT_CONFIG, end="")
        return 0
    root = archive_dir(options.dir)
    jobs = load_jobs(options.config)
    require_contacts(jobs, options.config)
    if options.print_crontab:
        print(crontab(jobs, root, options.config), end="")
        return 0
    if options.job is not None:
        return _run_one_job(jobs, options.job, root)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler = Scheduler(jobs, root, clock=datetime.now)
    for entry in jobs:
        logging.info("%s: next run %s", entry.label, scheduler.next_at[entry.label])
    scheduler.run_forever()
    return 0


def _run_one_job(jobs: list[Job], label: str, root: Path) -> int:
    from archiver.schedule.runner import run_job_now

    chosen = [j for j in jobs if j.label == label]
    if not chosen:
        names = ", ".join(j.label for j in jobs)
        raise CommandError(f"no job {label!r}; jobs: {names}")
    status = run_job_now(chosen[0], root)
    if status is None:
        job = chosen[0]
        print(f"archiver: {job.label} skipped: another run of {job.site} holds its lock")
        return 0
    return status
