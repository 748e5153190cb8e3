"""`archiver index rebuild`: recreate the index from the files, and say what it found."""

from __future__ import annotations

from pathlib import Path

from archiver.errors import CommandError
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import rebuild


def run_rebuild(root: Path, index_path: Path | None = None) -> int:
    """Rebuild the index (at `index_path`, default `root/index.sqlite3`) of the archive at
    `root`; prints counts and any damaged file."""
    if not root.is_dir():
        raise CommandError(f"no archive at {root}; give --dir")
    with ArchiveIndex(root, index_path) as index:
        report = rebuild(index)
        articles = index.article_count()
    for problem in report.problems:
        print(f"warning: {problem}")
    for path in report.recovered:
        print(f"recovered {path} (left open by a killed crawl)")
    print(
        f"indexed {report.files} files: {report.captures} captures, {report.records} records "
        f"({articles} articles), {report.events} events"
    )
    return 0
