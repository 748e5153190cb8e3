"""Read-only queries of the archive explorer (`archiver serve`): counts, days, versions, changes."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from archiver.errors import ArchiverError
from archiver.store.index.schema import SCHEMA_VERSION

# A day of the charts is a Beijing calendar day (+08:00), as every date of the records.
_BEIJING_DAY = "substr(datetime(published_at, '+8 hours'), 1, 10)"


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
    return conn


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
    """The totals of every site with at least one article, by site name."""
    articles = dict(conn.execute("SELECT site, count(*) FROM articles GROUP BY site").fetchall())
    records = dict(conn.execute("SELECT site, count(*) FROM versions GROUP BY site").fetchall())
    edits = dict(
        conn.execute(
            "SELECT site, count(*) FROM versions WHERE version > 1 GROUP BY site"
        ).fetchall()
    )
    deleted = dict(
        conn.execute(
            "SELECT site, count(*) FROM articles WHERE deleted_at IS NOT NULL GROUP BY site"
        ).fetchall()
    )
    return [
        SiteTotals(
            site,
            int(articles[site]),
            records.get(site, 0),
            edits.get(site, 0),
            deleted.get(site, 0),
        )
        for site in sorted(articles)
    ]


def newest_published(conn: sqlite3.Connection, site: str) -> str | None:
    """The latest published_at (ISO UTC) of the site's articles, or None."""
    row = conn.execute(
        "SELECT max(published_at) FROM articles WHERE site = ? AND published_at IS NOT NULL",
        (site,),
    ).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def articles_per_day(conn: sqlite3.Connection, site: str, start: str, end: str) -> dict[str, int]:
    """{Beijing day "YYYY-MM-DD": articles published} for `start` <= published_at < `end`
    (ISO UTC); days without an article are left out."""
    rows = conn.execute(
        f"SELECT {_BEIJING_DAY} AS day, count(*) FROM articles "
        "WHERE site = ? AND published_at >= ? AND published_at < ? GROUP BY day",
        (site, start, end),
    )
    return {str(day): int(count) for day, count in rows}


def sections_per_day(
    conn: sqlite3.Connection, site: str, start: str, end: str
) -> dict[tuple[str, str], int]:
    """{(Beijing day, first section or ""): articles published} in [start, end) (ISO UTC)."""
    rows = conn.execute(
        f"SELECT {_BEIJING_DAY} AS day, coalesce(json_extract(record, '$.section[0]'), '') "
        "AS section, count(*) FROM articles "
        "WHERE site = ? AND published_at >= ? AND published_at < ? GROUP BY day, section",
        (site, start, end),
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


def _changes_sql(kind: str | None) -> str:
    parts = [
        sql for name, sql in (("edited", _EDITS), ("deleted", _DELETIONS)) if kind in (None, name)
    ]
    return " UNION ALL ".join(parts)


def changes(
    conn: sqlite3.Connection,
    kind: str | None,
    site: str | None,
    since: str,
    limit: int,
    offset: int = 0,
) -> tuple[int, list[ChangeEntry]]:
    """(how many, a page of them) of the edits and deletions seen at or after `since` (ISO
    UTC, "" for all), newest first; `kind` "edited", "deleted" or None for both. A version
    with no changed field is a re-baseline by a new extractor, not an edit (as in `archiver
    changes`)."""
    union = _changes_sql(kind)
    params = {"since": since, "site": site}
    total = int(conn.execute(f"SELECT count(*) FROM ({union})", params).fetchone()[0])
    rows = conn.execute(
        f"{union} ORDER BY 5 DESC, 2, 3 LIMIT :limit OFFSET :offset",
        {**params, "limit": limit, "offset": offset},
    )
    found = [
        ChangeEntry(k, s, a, u, at, v, json.loads(c), st, loc)
        for k, s, a, u, at, v, c, st, loc in rows
    ]
    return total, found


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
