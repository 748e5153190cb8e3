"""What the article, diff and record pages show: an article's latest record, its versions and
captures, and two versions compared."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from archiver.errors import ArchiverError
from archiver.explore.app import Explorer
from archiver.explore.diff import VersionDiff, compare
from archiver.record import Article
from archiver.sites.registry import SITE_NAMES
from archiver.sites.urls import parse_article_url
from archiver.store.index import explore as q
from archiver.store.index.database import IndexDatabase
from archiver.store.records import load_record, record_line


class NotFound(ArchiverError):
    """No such article or version in the archive (a 404)."""

    http_status = 404


class BadRequest(ArchiverError):
    """A parameter the page cannot take (a 400)."""

    http_status = 400


def find(conn: IndexDatabase, url: str) -> q.ArticleRow:
    """The indexed article at `url` (any page's URL, http or https); raises NotFound."""
    parsed = parse_article_url(url)
    if parsed is None:
        raise NotFound(f"no article at {url} in this archive")
    row = q.article(conn, parsed.site, parsed.article_id)
    if row is None:
        # A record whose site is not its URL's (made by another tool): the id, checked by URL.
        others = (q.article(conn, site, parsed.article_id) for site in SITE_NAMES)
        row = next((o for o in others if o is not None and o.url == parsed.canonical), None)
    if row is None:
        raise NotFound(f"no article at {url} in this archive")
    return row


@dataclass(frozen=True)
class ArticleView:
    """An article page: the latest record, its versions, captures (with replay links) and
    deletions."""

    row: q.ArticleRow
    record: Article
    versions: list[q.VersionEntry]
    captures: list[dict[str, Any]]
    deletions: list[q.ChangeEntry]

    def to_json(self) -> dict[str, Any]:
        return {
            "record": self.record.model_dump(mode="json"),
            "first_seen": self.row.first_seen,
            "last_seen": self.row.last_seen,
            "deleted_at": self.row.deleted_at,
            "versions": [asdict(v) for v in self.versions],
            "captures": self.captures,
            "deletions": [asdict(d) for d in self.deletions],
        }


def article_view(conn: IndexDatabase, explorer: Explorer, url: str) -> ArticleView:
    """Everything the article page shows about the article at `url`; raises NotFound."""
    row = find(conn, url)
    record = Article.model_validate_json(row.record)
    captures = [
        {**asdict(c), "replay": explorer.replay_link(c.fetched_at, c.url)}
        for c in q.captures_of(conn, list(dict.fromkeys([row.url, *record.pages])))
    ]
    return ArticleView(
        row=row,
        record=record,
        versions=q.versions_of(conn, row.site, row.article_id),
        captures=captures,
        deletions=q.deletions_of(conn, row.site, row.article_id),
    )


def version_record(
    conn: IndexDatabase, explorer: Explorer, row: q.ArticleRow, version: int
) -> tuple[q.VersionEntry, str]:
    """(the version's index entry, its JSON line); raises NotFound."""
    entries = {v.version: v for v in q.versions_of(conn, row.site, row.article_id)}
    entry = entries.get(version)
    if entry is None:
        raise NotFound(f"{row.url} has no version {version} (versions: {sorted(entries)})")
    if version == row.version:
        return entry, row.record
    line = record_line(explorer.root, entry.record_file, row.article_id, version)
    if line is None:
        raise NotFound(f"version {version} of {row.url} is not in {entry.record_file}")
    return entry, line


@dataclass(frozen=True)
class DiffView:
    """Two versions of an article compared, with both records and their replay links."""

    row: q.ArticleRow
    old: Article
    new: Article
    diff: VersionDiff
    replay_old: str | None
    replay_new: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.row.url,
            "from": self.old.version,
            "to": self.new.version,
            "replay_from": self.replay_old,
            "replay_to": self.replay_new,
            **self.diff.to_json(),
        }


def _replay(explorer: Explorer, record: Article) -> str | None:
    if not record.captures:
        return None
    first = record.captures[0]
    return explorer.replay_link(first.fetched_at.isoformat(), first.url)


def diff_view(
    conn: IndexDatabase, explorer: Explorer, url: str, old: int | None, new: int | None
) -> DiffView:
    """Version `old` against version `new` (default: the latest against the one before it);
    raises NotFound or BadRequest."""
    row = find(conn, url)
    new = new or row.version
    old = old or new - 1
    if old < 1 or old == new:
        raise BadRequest(f"give two different versions (from={old}, to={new}); versions start at 1")
    records = []
    for version in (old, new):
        _, line = version_record(conn, explorer, row, version)
        records.append(Article.model_validate_json(line))
    before, after = records
    return DiffView(
        row,
        before,
        after,
        compare(before, after),
        _replay(explorer, before),
        _replay(explorer, after),
    )


SUMMARY_SCAN_LIMIT = 32 * 1024 * 1024
"""Bytes of a records file the changes list reads to find an earlier version for its summary.

A crawl writes one records file per run (small); a file past this size (a bulk import) is not
scanned for every line of the list: the summary then names the changed fields only. The diff
page reads any file."""


def change_summary(conn: IndexDatabase, explorer: Explorer, change: q.ChangeEntry) -> str:
    """One line saying what an edit changed (from both records); the changed field names when
    a record cannot be read cheaply (see SUMMARY_SCAN_LIMIT); "" for a deletion."""
    if change.version is None:
        return ""
    fallback = ", ".join(change.changes) + " changed"
    latest = q.article(conn, change.site, change.article_id)
    entries = {v.version: v for v in q.versions_of(conn, change.site, change.article_id)}
    records: list[Article] = []
    for version in (change.version - 1, change.version):
        if latest is not None and latest.version == version:
            records.append(Article.model_validate_json(latest.record))
            continue
        entry = entries.get(version)
        if entry is None or _size(explorer.root / entry.record_file) > SUMMARY_SCAN_LIMIT:
            return fallback
        record = load_record(explorer.root, entry.record_file, change.article_id, version)
        if record is None:
            return fallback
        records.append(record)
    return compare(records[0], records[1]).summary()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
