"""Read-only queries of the archive explorer (`archiver serve`): counts, days, versions, changes."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from archiver.errors import ArchiverError
from archiver.store.index.schema import SCHEMA_VERSION


class IndexUnavailable(ArchiverError):
    """The index cannot be read as it is: missing, or of another schema version."""


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection (`mode=ro`) to the index at `path`, usable from any one thread.

    It never writes the index: a crawl may write it at the same time (WAL), and every query
    sees what was committed when it starts. SQLite may create the `-wal` and `-shm` companion
    files a reader of a WAL database needs, as a crawl does. Raises IndexUnavailable when the
    file is missing or not of this archiver's schema version.
    """
    if not path.is_file():
        raise IndexUnavailable(
            f"no index at {path}: run a crawl, or `archiver index rebuild --dir DIR`"
        )
    conn = sqlite3.connect(
        f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5.0, check_same_thread=False
    )
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise IndexUnavailable(f"the index at {path} cannot be read ({exc})") from None
    if row is None or str(row[0]) != SCHEMA_VERSION:
        conn.close()
        raise IndexUnavailable(
            f"the index at {path} is of schema version {row[0] if row else None}, this archiver "
            f"reads {SCHEMA_VERSION}: run `archiver index rebuild` (or a crawl) to bring it up "
            "to date"
        )
    if not _has_table(conn, "site_totals"):
        conn.close()
        raise IndexUnavailable(
            f"the index at {path} has no explorer figures yet: run `archiver changes --dir DIR` "
            "(or a crawl) once to add them"
        )
    return conn


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,))
    return found.fetchone() is not None


@dataclass(frozen=True)
class SiteTotals:
    """Per site: articles, records written (every version), edits (versions after the first),
    articles deleted now (their last event a deletion)."""

    site: str
    articles: int
    records: int
    edits: int
    deleted: int


def site_totals(conn: sqlite3.Connection) -> list[SiteTotals]:
    """The totals of every site with at least one record, by site name (kept by triggers:
    a read of a few rows)."""
    rows = conn.execute(
        "SELECT site, articles, records, edits, deleted FROM site_totals ORDER BY site"
    )
    return [SiteTotals(*row) for row in rows]


def newest_published(conn: sqlite3.Connection, site: str) -> str | None:
    """The latest published_at (ISO UTC) of the site's articles, or None."""
    row = conn.execute(
        "SELECT max(published_at) FROM articles WHERE site = ? AND published_at IS NOT NULL",
        (site,),
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def articles_per_day(conn: sqlite3.Connection, site: str, since: str, until: str) -> dict[str, int]:
    """{Beijing day "YYYY-MM-DD": articles published} from day `since` to `until` (both
    included); days without an article are left out."""
    rows = conn.execute(
        "SELECT day, sum(articles) FROM day_sections WHERE site = ? AND day BETWEEN ? AND ? "
        "GROUP BY day",
        (site, since, until),
    )
    return {str(day): int(count) for day, count in rows}


def sections_per_day(
    conn: sqlite3.Connection, site: str, since: str, until: str
) -> dict[tuple[str, str], int]:
    """{(Beijing day, first section or ""): articles published} from day `since` to `until`."""
    rows = conn.execute(
        "SELECT day, section, articles FROM day_sections WHERE site = ? AND day BETWEEN ? AND ?",
        (site, since, until),
    )
    return {(str(day), str(section)): int(count) for day, section, count in rows}


@dataclass(frozen=True)
class ArticleRow:
    """An article as indexed: its latest record (JSON text) and when it was seen."""

    site: str
    article_id: str
    url: str
    version: int
    first_seen: str
    last_seen: str
    deleted_at: str | None
    record: str


def article(conn: sqlite3.Connection, site: str, article_id: str) -> ArticleRow | None:
    """The article's row, or None when the index has no record of it."""
    row = conn.execute(
        "SELECT site, article_id, url, version, first_seen, last_seen, deleted_at, record "
        "FROM articles WHERE site = ? AND article_id = ?",
        (site, article_id),
    ).fetchone()
    return None if row is None else ArticleRow(*row)


@dataclass(frozen=True)
class VersionEntry:
    """One record written for an article: version, first capture time (ISO UTC), changed
    fields, and the records file (relative to the archive root) that holds it."""

    version: int
    at: str
    changes: list[str]
    record_file: str


def versions_of(conn: sqlite3.Connection, site: str, article_id: str) -> list[VersionEntry]:
    """Every version of the article, oldest first."""
    rows = conn.execute(
        "SELECT version, at, changes, record_file FROM versions "
        "WHERE site = ? AND article_id = ? ORDER BY version",
        (site, article_id),
    )
    return [VersionEntry(int(v), str(at), json.loads(c), str(f)) for v, at, c, f in rows]


@dataclass(frozen=True)
class CaptureEntry:
    """One response or revisit record of a URL: where it lies and what it answered."""

    url: str
    fetched_at: str
    status: int
    record_type: str
    warc_file: str
    warc_offset: int


def captures_of(conn: sqlite3.Connection, urls: list[str]) -> list[CaptureEntry]:
    """Every capture of any of `urls`, oldest first (at most 1,000)."""
    marks = ", ".join("?" for _ in urls)
    rows = conn.execute(
        "SELECT url, fetched_at, status, record_type, warc_file, warc_offset FROM captures "
        f"WHERE url IN ({marks}) ORDER BY fetched_at, warc_file, warc_offset LIMIT 1000",
        urls,
    )
    return [CaptureEntry(*row) for row in rows]


@dataclass(frozen=True)
class ChangeEntry:
    """An edit (a version after the first) or a deletion, as `archiver changes` lists them."""

    kind: str  # "edited" | "deleted"
    site: str
    article_id: str
    url: str
    at: str
    version: int | None
    changes: list[str]
    status: int | None
    location: str | None


_EDITS = (
    "SELECT 'edited', site, article_id, url, at, version, changes, NULL, NULL FROM versions "
    "WHERE version > 1 AND changes != '[]' AND at >= :since AND (:site IS NULL OR site = :site)"
)
_DELETIONS = (
    "SELECT 'deleted', site, article_id, url, at, NULL, '[]', status, location FROM events "
    "WHERE kind = 'deleted' AND at >= :since AND (:site IS NULL OR site = :site)"
)


def changes(
    conn: sqlite3.Connection,
    kind: str | None,
    site: str | None,
    since: str,
    limit: int,
    offset: int = 0,
    *,
    count: bool = True,
) -> tuple[int | None, list[ChangeEntry]]:
    """(how many, a page of them) of the edits and deletions seen at or after `since` (ISO
    UTC, "" for all), newest first; `kind` "edited", "deleted" or None for both. A version
    with no changed field is a re-baseline by a new extractor, not an edit (as in `archiver
    changes`). Each kind is read newest first through its index on time (versions_edits,
    events_by_time), `offset + limit` rows at most, and the two merged here; with `count`
    False the total (which reads every match's index entry) is not counted: None."""
    params = {"since": since, "site": site, "rows": offset + limit}
    total, found = 0, []
    for name, sql in (("edited", _EDITS), ("deleted", _DELETIONS)):
        if kind not in (None, name):
            continue
        if count:
            total += int(conn.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0])
        found += conn.execute(f"{sql} ORDER BY at DESC LIMIT :rows", params).fetchall()
    found.sort(key=lambda row: (row[4], row[0]), reverse=True)
    page = [
        ChangeEntry(k, s, a, u, at, v, json.loads(c), st, loc)
        for k, s, a, u, at, v, c, st, loc in found[offset : offset + limit]
    ]
    return (total if count else None), page


def deletions_of(conn: sqlite3.Connection, site: str, article_id: str) -> list[ChangeEntry]:
    """The article's deletion events, oldest first."""
    rows = conn.execute(
        "SELECT url, at, status, location FROM events "
        "WHERE site = ? AND article_id = ? AND kind = 'deleted' ORDER BY at",
        (site, article_id),
    )
    return [
        ChangeEntry("deleted", site, article_id, url, at, None, [], status, location)
        for url, at, status, location in rows
    ]
