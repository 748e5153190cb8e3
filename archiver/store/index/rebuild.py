"""`archiver index rebuild`: a new index from the files alone, put in place of the old one."""

from __future__ import annotations

import os
from pathlib import Path

from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.heal import salvage_into
from archiver.store.index.ingest import SyncReport, rebuild, sync

_COMPANIONS = ("", "-wal", "-shm", "-journal", ".lock")


def rebuild_from_files(root: Path, path: Path) -> tuple[SyncReport, int]:
    """Build a new index of the files under `root` beside `path`, then replace `path` with it.

    The old index is never opened to build the new one (it may be damaged, foreign or of
    another version); afterwards its backfill cursors and skip notes are copied over when it
    still reads. Run it while no crawl writes to the archive: the caller holds the sites'
    locks. Returns the sync report and the number of articles indexed.
    """
    fresh = path.with_name(f"{path.name}.rebuild-{os.getpid()}")
    _remove(fresh)
    try:
        with ArchiveIndex(root, fresh) as index:
            report = sync(index)
            articles = index.article_count()
            if path.exists():
                salvage_into(index.conn, path)
        # The old file's -wal would be replayed into the new one: it goes first.
        for companion in ("-wal", "-shm", "-journal"):
            path.with_name(path.name + companion).unlink(missing_ok=True)
        os.replace(fresh, path)
    finally:
        _remove(fresh)
    return report, articles


def rebuild_shared(roots: list[Path], url: str) -> tuple[SyncReport, int]:
    """Empty the shared index at `url` and read the files of every archive in `roots` (the
    directories of the workers that share it). Backfill cursors and skip notes stay. Returns
    the sync reports added up and the number of articles indexed."""
    total = SyncReport()
    with ArchiveIndex(roots[0], url) as index:
        for number, root in enumerate(roots):
            report = rebuild(index, root) if number == 0 else sync(index, root)
            total.files += report.files
            total.captures += report.captures
            total.records += report.records
            total.events += report.events
            total.recovered += report.recovered
            total.problems += report.problems
        return total, index.article_count()


def _remove(path: Path) -> None:
    for companion in _COMPANIONS:
        path.with_name(path.name + companion).unlink(missing_ok=True)
