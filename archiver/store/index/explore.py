"""Read-only queries of the archive explorer (`archiver serve`): counts, days, versions, changes.

Each query is a SQLAlchemy Core builder run through IndexDatabase, on either backend: the
explorer holds a read-only IndexDatabase per thread (`open_read_only`). The figures are the
`site_totals` and `day_sections` tables, kept by triggers on both backends (schema.py for
SQLite, postgres.FIGURES_DDL for PostgreSQL).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Select, Text, bindparam, func, literal_column, or_, select
from sqlalchemy.sql.expression import ClauseElement, ColumnElement

from archiver.errors import ArchiverError
from archiver.store.index.database import IndexDatabase, InsertFactory, SqliteDatabase
from archiver.store.index.location import IndexLocation, is_index_url
from archiver.store.index.schema import SCHEMA_VERSION
from archiver.store.index.tables import (
    articles,
    captures,
    day_sections,
    events,
    versions,
)
from archiver.store.index.tables import (
    site_totals as totals_table,
)


class IndexUnavailable(ArchiverError):
    """The index cannot be read as it is: missing, or of another schema version."""


def open_read_only(location: IndexLocation) -> IndexDatabase:
    """A read-only connection to the index at `location` (an SQLite file or a postgresql://
    URL), usable from any one thread. Raises IndexUnavailable (one line saying what to run)
    when it is missing, unreachable or not of this archiver's schema version; it never makes
    or migrates a schema."""
    if is_index_url(location):
        from archiver.store.index.postgres import IndexUnreachable, open_postgres_read_only

        try:
            return open_postgres_read_only(str(location))
        except IndexUnreachable as exc:
            raise IndexUnavailable(str(exc)) from None
    return SqliteDatabase(open_sqlite_read_only(Path(location)))


def open_sqlite_read_only(path: Path) -> sqlite3.Connection:
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


def _text(name: str) -> ColumnElement[str]:
    return bindparam(name, type_=Text)


def _of_site(column: ColumnElement[str]) -> ColumnElement[bool]:
    # `site` None: every site.
    return or_(_text("site").is_(None), column == _text("site"))


@dataclass(frozen=True)
class SiteTotals:
    """Per site: articles, records written (every version), edits (versions after the first),
    articles deleted now (their last event a deletion)."""

    site: str
    articles: int
    records: int
    edits: int
    deleted: int


def _site_totals(ins: InsertFactory) -> ClauseElement:
    t = totals_table.c
    return select(t.site, t.articles, t.records, t.edits, t.deleted).order_by(t.site)


def site_totals(db: IndexDatabase) -> list[SiteTotals]:
    """The totals of every site with at least one record, by site name (kept by triggers:
    a read of a few rows)."""
    return [SiteTotals(*row) for row in db.all(_site_totals)]


def _newest_published(ins: InsertFactory) -> ClauseElement:
    return select(func.max(articles.c.published_at)).where(
        articles.c.site == _text("site"), articles.c.published_at.is_not(None)
    )


def newest_published(db: IndexDatabase, site: str) -> str | None:
    """The latest published_at (ISO UTC) of the site's articles, or None."""
    row = db.first(_newest_published, {"site": site})
    return None if row is None or row[0] is None else str(row[0])


def _in_days() -> list[ColumnElement[bool]]:
    d = day_sections.c
    return [d.site == _text("site"), d.day.between(_text("since"), _text("until"))]


def _articles_per_day(ins: InsertFactory) -> ClauseElement:
    d = day_sections.c
    return select(d.day, func.sum(d.articles)).where(*_in_days()).group_by(d.day)


def articles_per_day(db: IndexDatabase, site: str, since: str, until: str) -> dict[str, int]:
    """{Beijing day "YYYY-MM-DD": articles published} from day `since` to `until` (both
    included); days without an article are left out."""
    rows = db.all(_articles_per_day, {"site": site, "since": since, "until": until})
    return {str(day): int(count) for day, count in rows}


def _sections_per_day(ins: InsertFactory) -> ClauseElement:
    d = day_sections.c
    return select(d.day, d.section, d.articles).where(*_in_days())


def sections_per_day(
    db: IndexDatabase, site: str, since: str, until: str
) -> dict[tuple[str, str], int]:
    """{(Beijing day, first section or ""): articles published} from day `since` to `until`."""
    rows = db.all(_sections_per_day, {"site": site, "since": since, "until": until})
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


def _of_article(table: object) -> list[ColumnElement[bool]]:
    c = table.c  # type: ignore[attr-defined]
    return [c.site == _text("site"), c.article_id == _text("article_id")]


def _article(ins: InsertFactory) -> ClauseElement:
    a = articles.c
    columns = (a.site, a.article_id, a.url, a.version, a.first_seen, a.last_seen)
    return select(*columns, a.deleted_at, a.record).where(*_of_article(articles))


def article(db: IndexDatabase, site: str, article_id: str) -> ArticleRow | None:
    """The article's row, or None when the index has no record of it."""
    row = db.first(_article, {"site": site, "article_id": article_id})
    return None if row is None else ArticleRow(*row)


@dataclass(frozen=True)
class VersionEntry:
    """One record written for an article: version, first capture time (ISO UTC), changed
    fields, and the records file (relative to the archive root) that holds it."""

    version: int
    at: str
    changes: list[str]
    record_file: str


def _versions_of(ins: InsertFactory) -> ClauseElement:
    v = versions.c
    return (
        select(v.version, v.at, v.changes, v.record_file)
        .where(*_of_article(versions))
        .order_by(v.version)
    )


def versions_of(db: IndexDatabase, site: str, article_id: str) -> list[VersionEntry]:
    """Every version of the article, oldest first."""
    rows = db.all(_versions_of, {"site": site, "article_id": article_id})
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


MAX_CAPTURES = 1000


def _captures_of(ins: InsertFactory) -> ClauseElement:
    c = captures.c
    columns = (c.url, c.fetched_at, c.status, c.record_type, c.warc_file, c.warc_offset)
    return (
        select(*columns)
        .where(c.url == _text("url"))
        .order_by(c.fetched_at, c.warc_file, c.warc_offset)
        .limit(MAX_CAPTURES)
    )


def captures_of(db: IndexDatabase, urls: list[str]) -> list[CaptureEntry]:
    """Every capture of any of `urls`, oldest first (at most MAX_CAPTURES). One statement run
    once per URL (an article has a page or a few), not an IN list whose length would make each
    call a statement of its own to compile."""
    found = [
        CaptureEntry(*row)
        for url in dict.fromkeys(urls)
        for row in db.all(_captures_of, {"url": url})
    ]
    found.sort(key=lambda c: (c.fetched_at, c.warc_file, c.warc_offset))
    return found[:MAX_CAPTURES]


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


def _edits() -> Select[Any]:
    # `version > 1` and `changes != '[]'` as literals: SQLite uses its partial index
    # versions_edits only for a condition written as the index's own.
    v = versions.c
    return select(
        literal_column("'edited'"), v.site, v.article_id, v.url, v.at, v.version, v.changes,
        literal_column("NULL"), literal_column("NULL"),
    ).where(
        v.version > literal_column("1"),
        v.changes != literal_column("'[]'"),
        v.at >= _text("since"),
        _of_site(v.site),
    )  # fmt: skip


def _deletions() -> Select[Any]:
    e = events.c
    return select(
        literal_column("'deleted'"), e.site, e.article_id, e.url, e.at, literal_column("NULL"),
        literal_column("'[]'"), e.status, e.location,
    ).where(
        e.kind == literal_column("'deleted'"), e.at >= _text("since"), _of_site(e.site)
    )  # fmt: skip


def _counted(of: Select[Any]) -> ClauseElement:
    return select(func.count()).select_from(of.subquery())


def _newest(of: Select[Any]) -> ClauseElement:
    at = of.selected_columns[4]
    return of.order_by(at.desc()).limit(bindparam("rows", type_=Integer))


def _count_edits(ins: InsertFactory) -> ClauseElement:
    return _counted(_edits())


def _newest_edits(ins: InsertFactory) -> ClauseElement:
    return _newest(_edits())


def _count_deletions(ins: InsertFactory) -> ClauseElement:
    return _counted(_deletions())


def _newest_deletions(ins: InsertFactory) -> ClauseElement:
    return _newest(_deletions())


_CHANGES = {
    "edited": (_count_edits, _newest_edits),
    "deleted": (_count_deletions, _newest_deletions),
}


def changes(
    db: IndexDatabase,
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
    for name, (counter, newest) in _CHANGES.items():
        if kind not in (None, name):
            continue
        if count:
            total += int(db.first(counter, params)[0])
        found += db.all(newest, params)
    found.sort(key=lambda row: (row[4], row[0]), reverse=True)
    page = [
        ChangeEntry(k, s, a, u, at, v, json.loads(c), st, loc)
        for k, s, a, u, at, v, c, st, loc in found[offset : offset + limit]
    ]
    return (total if count else None), page


def _deletions_of(ins: InsertFactory) -> ClauseElement:
    e = events.c
    return (
        select(e.url, e.at, e.status, e.location)
        .where(*_of_article(events), e.kind == literal_column("'deleted'"))
        .order_by(e.at)
    )


def deletions_of(db: IndexDatabase, site: str, article_id: str) -> list[ChangeEntry]:
    """The article's deletion events, oldest first."""
    rows = db.all(_deletions_of, {"site": site, "article_id": article_id})
    return [
        ChangeEntry("deleted", site, article_id, url, at, None, [], status, location)
        for url, at, status, location in rows
    ]
