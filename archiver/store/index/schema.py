"""The archive index's SQLite schema, its versions and migrations, and opening it (WAL)."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from archiver.errors import ArchiverError

logger = logging.getLogger(__name__)

SCHEMA_VERSION = "3"

# Everything here is derived from the WARC, records/ and events/ files (see ingest.py), except
# `cursors`, which only saves work (a backfill restarts from the top without it), with
# `cursor_claims` (which worker walks a cursor now), and `skips`.
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- Files whose content is in the index, with the byte size indexed: a file whose size differs
-- (a run killed before it could say so) is read again.
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER NOT NULL);
-- Response and revisit records. body_sha256: sha256 of the content-decoded body (a revisit
-- gets its original's), so two gzip encodings of one page compare equal. content_encoding
-- (the HTTP Content-Encoding as sent, '' for none) and payload_length (raw payload bytes; a
-- revisit gets its original's) decide whether a new response may be a revisit of it.
CREATE TABLE IF NOT EXISTS captures (
    warc_file TEXT NOT NULL,
    warc_offset INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    record_type TEXT NOT NULL,
    url TEXT NOT NULL,
    status INTEGER NOT NULL,
    fetched_at TEXT NOT NULL,
    payload_digest TEXT,
    body_sha256 TEXT,
    refers_to TEXT,
    content_encoding TEXT,
    payload_length INTEGER,
    PRIMARY KEY (warc_file, warc_offset)
);
CREATE INDEX IF NOT EXISTS captures_by_url ON captures (url, body_sha256);
CREATE INDEX IF NOT EXISTS captures_by_id ON captures (record_id);
-- One row per record written (each version of each article).
CREATE TABLE IF NOT EXISTS versions (
    site TEXT NOT NULL,
    article_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    url TEXT NOT NULL,
    at TEXT NOT NULL,
    changes TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    record_file TEXT NOT NULL,
    PRIMARY KEY (site, article_id, version)
);
-- One row per article: its current (highest) version and that version's record.
CREATE TABLE IF NOT EXISTS articles (
    site TEXT NOT NULL,
    article_id TEXT NOT NULL,
    url TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    version INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    published_at TEXT,
    archived INTEGER NOT NULL,
    deleted_at TEXT,
    record TEXT NOT NULL,
    PRIMARY KEY (site, article_id)
);
CREATE INDEX IF NOT EXISTS articles_by_published ON articles (site, published_at);
CREATE TABLE IF NOT EXISTS events (
    site TEXT NOT NULL,
    article_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    at TEXT NOT NULL,
    status INTEGER NOT NULL,
    location TEXT,
    PRIMARY KEY (site, article_id, kind, at)
);
CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, value TEXT NOT NULL);
-- The worker walking a backfill cursor now, and when it last saved it (tables.py says why).
CREATE TABLE IF NOT EXISTS cursor_claims (
    name TEXT PRIMARY KEY,
    claimed_by TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
-- URLs a crawl need not fetch again for a while (not derived from files, like cursors): kind
-- 'not_article' (a refused page: video, gallery, soft 404) or 'missing_list' (a section or
-- list URL answering 404/410); `count` answers in a row, `at` the last one (ISO UTC).
CREATE TABLE IF NOT EXISTS skips (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    count INTEGER NOT NULL
);
-- A version number taken before its record is written (tables.py says why).
CREATE TABLE IF NOT EXISTS version_claims (
    site TEXT NOT NULL,
    article_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (site, article_id, version)
);
-- Full-text search (search.py): one document per article, made from its current record.
-- search_docs says which article an FTS rowid is; the rowid orders by publication time.
CREATE TABLE IF NOT EXISTS search_docs (
    doc INTEGER PRIMARY KEY,
    site TEXT NOT NULL,
    article_id TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS search_docs_by_article ON search_docs (site, article_id);
-- Contentless: the text is in articles.record. Title, subtitle and text normalised for
-- Chinese (search_text.py), facets the filter tokens (site, language, kind, sections).
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    title, subtitle, body, facets,
    content='', tokenize='unicode61 remove_diacritics 2'
);
-- The same of titles and subtitles alone: "relevance" puts headline matches first.
CREATE VIRTUAL TABLE IF NOT EXISTS search_headlines USING fts5(
    title, subtitle, facets,
    content='', tokenize='unicode61 remove_diacritics 2'
);
-- Every word (not CJK) ever indexed, folded: a prefix query is the OR of its words, which
-- FTS5 reads newest first and stops early (its own prefix query reads every match first).
CREATE TABLE IF NOT EXISTS search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
-- The explorer's figures (explore.py), kept by the triggers below so that its pages read a
-- few rows, however many articles: per site the articles, records (every version), edits
-- (versions after the first with changed fields) and articles deleted now; per site, Beijing
-- publication day and first section, the articles.
CREATE TABLE IF NOT EXISTS site_totals (
    site TEXT PRIMARY KEY,
    articles INTEGER NOT NULL,
    records INTEGER NOT NULL,
    edits INTEGER NOT NULL,
    deleted INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS day_sections (
    site TEXT NOT NULL,
    day TEXT NOT NULL,
    section TEXT NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (site, day, section)
);
CREATE INDEX IF NOT EXISTS versions_edits ON versions (at, site, changes) WHERE version > 1;
CREATE INDEX IF NOT EXISTS events_by_time ON events (kind, at);
CREATE TRIGGER IF NOT EXISTS totals_version_in AFTER INSERT ON versions BEGIN
    INSERT INTO site_totals VALUES (new.site, 0, 1, new.version > 1 AND new.changes != '[]', 0)
    ON CONFLICT (site) DO UPDATE SET records = records + 1,
        edits = edits + (new.version > 1 AND new.changes != '[]');
END;
CREATE TRIGGER IF NOT EXISTS totals_version_out AFTER DELETE ON versions BEGIN
    UPDATE site_totals SET records = records - 1,
        edits = edits - (old.version > 1 AND old.changes != '[]') WHERE site = old.site;
    DELETE FROM site_totals WHERE site = old.site AND articles = 0 AND records = 0;
END;
CREATE TRIGGER IF NOT EXISTS totals_article_in AFTER INSERT ON articles BEGIN
    INSERT INTO site_totals VALUES (new.site, 1, 0, 0, new.deleted_at IS NOT NULL)
    ON CONFLICT (site) DO UPDATE SET articles = articles + 1,
        deleted = deleted + (new.deleted_at IS NOT NULL);
    INSERT INTO day_sections SELECT new.site, substr(datetime(new.published_at, '+8 hours'), 1, 10),
        coalesce(json_extract(new.record, '$.section[0]'), ''), 1
        WHERE new.published_at IS NOT NULL
    ON CONFLICT (site, day, section) DO UPDATE SET articles = articles + 1;
END;
CREATE TRIGGER IF NOT EXISTS totals_article_out AFTER DELETE ON articles BEGIN
    UPDATE site_totals SET articles = articles - 1, deleted = deleted - (old.deleted_at IS NOT NULL)
        WHERE site = old.site;
    DELETE FROM site_totals WHERE site = old.site AND articles = 0 AND records = 0;
    UPDATE day_sections SET articles = articles - 1 WHERE site = old.site
        AND day = substr(datetime(old.published_at, '+8 hours'), 1, 10)
        AND section = coalesce(json_extract(old.record, '$.section[0]'), '');
    DELETE FROM day_sections WHERE site = old.site AND articles <= 0
        AND day = substr(datetime(old.published_at, '+8 hours'), 1, 10);
END;
CREATE TRIGGER IF NOT EXISTS totals_article_moved AFTER UPDATE OF published_at, record ON articles
WHEN old.published_at IS NOT new.published_at
    OR json_extract(old.record, '$.section[0]') IS NOT json_extract(new.record, '$.section[0]')
BEGIN
    UPDATE day_sections SET articles = articles - 1 WHERE site = old.site
        AND day = substr(datetime(old.published_at, '+8 hours'), 1, 10)
        AND section = coalesce(json_extract(old.record, '$.section[0]'), '');
    DELETE FROM day_sections WHERE site = old.site AND articles <= 0
        AND day = substr(datetime(old.published_at, '+8 hours'), 1, 10);
    INSERT INTO day_sections SELECT new.site, substr(datetime(new.published_at, '+8 hours'), 1, 10),
        coalesce(json_extract(new.record, '$.section[0]'), ''), 1
        WHERE new.published_at IS NOT NULL
    ON CONFLICT (site, day, section) DO UPDATE SET articles = articles + 1;
END;
CREATE TRIGGER IF NOT EXISTS totals_article_deleted AFTER UPDATE OF deleted_at ON articles
WHEN (old.deleted_at IS NULL) != (new.deleted_at IS NULL) BEGIN
    UPDATE site_totals SET deleted = deleted + (new.deleted_at IS NOT NULL)
        - (old.deleted_at IS NOT NULL) WHERE site = new.site;
END;
"""

SEARCH_TABLES = ("search_docs", "search_fts", "search_headlines", "search_terms")
"""The search index's tables (derived from `articles`: search.py keeps them)."""

# Filled from the rows already there by `_migrate` when site_totals is empty: in an index made
# before these tables (once; from then on the triggers keep them), or without any record.
EXPLORE_FILL = """
INSERT INTO day_sections SELECT site, substr(datetime(published_at, '+8 hours'), 1, 10),
    coalesce(json_extract(record, '$.section[0]'), ''), count(*) FROM articles
    WHERE published_at IS NOT NULL GROUP BY 1, 2, 3;
INSERT INTO site_totals SELECT site, sum(a), sum(r), sum(e), sum(d) FROM (
    SELECT site, 1 AS a, 0 AS r, 0 AS e, deleted_at IS NOT NULL AS d FROM articles
    UNION ALL SELECT site, 0, 1, version > 1 AND changes != '[]', 0 FROM versions) GROUP BY site;
"""

EXPLORE_TABLES = ("site_totals", "day_sections")
"""The explorer's figures (derived from `articles` and `versions`: triggers keep them)."""

DERIVED_TABLES = (
    "files",
    "captures",
    "versions",
    "articles",
    "events",
    *SEARCH_TABLES,
    *EXPLORE_TABLES,
)
"""Tables rebuilt from the files by `archiver index rebuild`."""

CLAIM_TABLES = ("version_claims",)
"""What workers sharing the index have taken on (tables.py): neither derived from the files
nor copied from a damaged index; a rebuild leaves them (a stale claim is taken over)."""

KEPT_TABLES = ("cursors", "cursor_claims", "skips")
"""Tables not derived from the files: kept by migrations, copied from an index moved aside."""


def _drop_derived(conn: sqlite3.Connection) -> None:
    # Dropped, not emptied: a table of an older version may lack columns. The next sync
    # fills them again from the files.
    for table in DERIVED_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def _add_search(conn: sqlite3.Connection) -> None:
    # The search tables are filled from the articles' current records, already in the index:
    # no file is read again (dropping the derived tables would re-read every WARC file).
    from archiver.store.index.search import fill_from_articles

    for table in SEARCH_TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in _statements(SCHEMA):
        conn.execute(statement)
    count = fill_from_articles(conn)
    logger.info("index migrated to schema version 3: %d articles made searchable", count)


MIGRATIONS: dict[str, tuple[str, Callable[[sqlite3.Connection], None]]] = {
    # 1 -> 2: captures gained content_encoding and payload_length.
    "1": ("2", _drop_derived),
    # 2 -> 3: full-text search (search_docs, search_fts).
    "2": ("3", _add_search),
}
"""From each older schema version: (the next version, the step that gets there), applied in
order inside the transaction that reads the version."""

_BUSY_TIMEOUT = 30.0


def _use_wal(conn: sqlite3.Connection) -> None:
    # Two processes opening a new index at once (`archiver demo` starts both crawls together):
    # SQLite can refuse the switch to WAL with "database is locked" at once, without waiting
    # the busy timeout, so the wait is done here.
    deadline = time.monotonic() + _BUSY_TIMEOUT
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating) the index at `path`: WAL journal, 30 s busy timeout, autocommit.

    WAL lets readers (`archiver changes`, a second crawl checking what is archived) run while one
    crawl writes; SQLite serialises writers, and the busy timeout makes a second writer wait.
    An index of an older schema version is migrated (`MIGRATIONS`); a damaged or foreign one
    is moved aside with a warning and a new empty one made in its place, to be synced from the
    files (`archiver.store.index.heal`). Raises IndexTooNew for an index of a newer archiver
    (left untouched).
    """
    from archiver.store.index.heal import open_healed

    return open_healed(path, open_checked)


def open_checked(path: Path) -> sqlite3.Connection:
    """Open the index at `path`, check it and migrate it to SCHEMA_VERSION.

    Raises IndexDamaged (a file SQLite cannot read, a failed quick_check, a foreign or unknown
    schema) or IndexTooNew; other sqlite3 errors (locked, I/O) pass through.
    """
    conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT, isolation_level=None)
    try:
        problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        if problem != "ok":
            raise IndexDamaged(f"quick_check: {problem}")
        _version(conn)  # read first: a foreign database is moved aside as it was, not as WAL
        _use_wal(conn)
        # Durable enough for a cache: a power cut can lose the last transactions, never corrupt.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=OFF")
        with transaction(conn):
            _migrate(conn)
        _check_columns(conn)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorcode", None) in _DAMAGE_CODES:
            raise IndexDamaged(str(exc)) from None
        raise
    except (IndexDamaged, IndexTooNew):
        conn.close()
        raise
    return conn


# SQLITE_CORRUPT ("database disk image is malformed") and SQLITE_NOTADB ("file is not a
# database"); "locked", "busy" or "disk I/O error" are no damage and must not move a file aside.
_DAMAGE_CODES = (11, 26)


class IndexDamaged(Exception):
    """The index file is not a readable index of ours; the message says why, in one line."""


class IndexTooNew(ArchiverError):
    """The index was written by a newer archiver: it is left alone, never rebuilt over."""


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(row[0]) for row in rows}


def _version(conn: sqlite3.Connection) -> str | None:
    tables = _tables(conn)
    if not tables:
        return None  # a new (or zero-byte) file
    if "meta" not in tables:
        raise IndexDamaged(f"not an archiver index (tables: {', '.join(sorted(tables))})")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise IndexDamaged("not an archiver index (no schema version)")
    return str(row[0])


def _migrate(conn: sqlite3.Connection) -> None:
    # Inside one BEGIN IMMEDIATE: two processes opening an old index migrate it once.
    version = _version(conn)
    while version is not None and version != SCHEMA_VERSION:
        if version.isdigit() and int(version) > int(SCHEMA_VERSION):
            raise IndexTooNew(
                f"the index was written by a newer archiver (schema version {version}, this one "
                f"knows {SCHEMA_VERSION}): upgrade archiver, or give --index or "
                "ARCHIVER_INDEX_PATH another file"
            )
        if version not in MIGRATIONS:
            raise IndexDamaged(f"unknown schema version {version!r}")
        version, step = MIGRATIONS[version]
        step(conn)
    for statement in _statements(SCHEMA):
        conn.execute(statement)
    if conn.execute("SELECT 1 FROM site_totals LIMIT 1").fetchone() is None:
        for statement in _statements(EXPLORE_FILL):
            conn.execute(statement)
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
    )


def _statements(script: str) -> list[str]:
    # One by one: executescript() would COMMIT the transaction the migration runs in.
    out, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    return out


def expected_columns() -> dict[str, list[str]]:
    """Each table of SCHEMA with its column names, in order."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(SCHEMA)
        return _columns(conn, _tables(conn))
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection, tables: set[str]) -> dict[str, list[str]]:
    return {
        table: [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]
        for table in sorted(tables)
    }


def _check_columns(conn: sqlite3.Connection) -> None:
    # A table of the right name with other columns (a foreign database, a hand edit) would
    # fail later as "no such column", in the middle of a crawl.
    expected = expected_columns()
    found = _columns(conn, set(expected))
    for table, columns in expected.items():
        if found[table] != columns:
            raise IndexDamaged(f"table {table} has columns {found[table]}, not {columns}")


class transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
