"""`archiver changes`: edits (new versions, with a diff of title and text) and deletions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from archiver.offline.selection import day_start
from archiver.record import Article
from archiver.store.index.archive_index import ArchiveIndex, iso_utc
from archiver.store.index.ingest import sync
from archiver.store.records import load_record
from archiver.store.versions import rebaselined


@dataclass(frozen=True)
class Change:
    """One edit (a version after the first) or deletion of an article, at a capture time."""

    kind: str  # "edited" | "deleted"
    site: str
    article_id: str
    url: str
    at: str  # ISO 8601 UTC
    version: int | None = None
    previous_version: int | None = None
    changes: list[str] = field(default_factory=list)
    status: int | None = None
    location: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The --json object: url, kind, at, site, article_id, then the kind's own fields."""
        out: dict[str, Any] = {
            "url": self.url,
            "kind": self.kind,
            "at": self.at,
            "site": self.site,
            "article_id": self.article_id,
        }
        if self.kind == "edited":
            out |= {
                "version": self.version,
                "previous_version": self.previous_version,
                "changes": self.changes,
            }
        else:
            out |= {"status": self.status, "location": self.location}
        return out


def list_changes(index: ArchiveIndex, since: date | None, site: str | None) -> list[Change]:
    """Edits and deletions at or after `since` (a UTC day), oldest first; a re-baseline by a new
    extractor (`archiver.store.versions.rebaselined`) is not an edit."""
    start = iso_utc(day_start(since)) if since else ""
    found = [
        Change(
            kind="edited",
            site=row.site,
            article_id=row.article_id,
            url=row.url,
            at=row.at,
            version=row.version,
            previous_version=row.version - 1,
            changes=row.changes,
        )
        for row in index.versions_after_first(start, site)
        if not rebaselined(row.version - 1, row.changes)
    ]
    found += [
        Change(
            kind="deleted",
            site=row.site,
            article_id=row.article_id,
            url=row.url,
            at=row.at,
            status=row.status,
            location=row.location,
        )
        for row in index.deletions(start, site)
    ]
    return sorted(found, key=lambda c: (c.at, c.site, c.article_id, c.kind))


def load_version(index: ArchiveIndex, site: str, article_id: str, version: int) -> Article | None:
    """The record of one version, read from the records file the index names."""
    record_file = index.record_file(site, article_id, version)
    return (
        None if record_file is None else load_record(index.root, record_file, article_id, version)
    )


def readable_diff(old: Article, new: Article) -> str:
    """Unified diff of title and text (one paragraph a line), for a person to read."""
    lines = list(
        difflib.unified_diff(
            [f"title: {old.title}", *old.text.split("\n\n")],
            [f"title: {new.title}", *new.text.split("\n\n")],
            fromfile=f"version {old.version}",
            tofile=f"version {new.version}",
            lineterm="",
            n=1,
        )
    )
    return "\n".join(lines)


@dataclass(frozen=True)
class ShownChange:
    """A change as `archiver changes` shows it: with the diff of an edit ("" when none)."""

    change: Change
    diff: str


def changes_under(
    root: Path,
    since: date | None,
    site: str | None,
    index_path: Path | str | None = None,
    *,
    diffs: bool = True,
) -> list[ShownChange]:
    """The changes under archive `root`, each edit with its `readable_diff` when `diffs`; the
    index (at `index_path`, default `root/index.sqlite3`) is synced with the files first."""
    shown: list[ShownChange] = []
    with ArchiveIndex(root, index_path) as index:
        sync(index)
        for change in list_changes(index, since, site):
            diff = ""
            if diffs and change.kind == "edited" and change.version is not None:
                new = load_version(index, change.site, change.article_id, change.version)
                old = load_version(index, change.site, change.article_id, change.version - 1)
                if new is not None and old is not None:
                    diff = readable_diff(old, new)
            shown.append(ShownChange(change, diff))
    return shown
