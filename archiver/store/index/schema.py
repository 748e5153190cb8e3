"""The archive index's SQLite schema, and opening the database (WAL, one writer at a time)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

SCHEMA_VERSION = "2"

# Everything here is derived from the WARC, records/ and events/ files (see ingest.py), except
# `cursors`, which only saves work (a backfill restarts from the top without it).
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
-- URLs a crawl need not fetch again for a while (not derived from files, like cursors): kind
-- 'not_article' (a refused page: video, gallery, soft 404) or 'missing_list' (a section or
-- list URL answering 404/410); `count` answers in a row, `at` the last one (ISO UTC).
CREATE TABLE IF NOT EXISTS skips (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    count INTEGER NOT NULL
);
"""

DERIVED_TABLES = ("files", "captures", "versions", "articles", "events")
"""Tables rebuilt from the files by `archiver index rebuild` (cursors are kept)."""


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
    A database of another schema version loses its derived tables (it is a cache; they are
    re-created empty and re-synced from the files); cursors and skips are kept.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT, isolation_level=None)
    _use_wal(conn)
    # Durable enough for a cache: a power cut can lose the last transactions, never corrupt.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.executescript(SCHEMA)
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    if row is None or row[0] != SCHEMA_VERSION:
        with transaction(conn):
            # Dropped, not emptied: a table of an older version may lack columns.
            for table in DERIVED_TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (SCHEMA_VERSION,),
            )
        conn.executescript(SCHEMA)
    return conn


class transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
