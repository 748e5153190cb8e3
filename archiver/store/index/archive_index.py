"""ArchiveIndex: what is archived (captures, articles, versions, deletions), looked up fast."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import astuple, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from archiver.layout import ArchiveLayout
from archiver.record import Article
from archiver.store.events import ArticleEvent
from archiver.store.index.schema import DERIVED_TABLES, connect, transaction
from archiver.store.versions import fingerprint


@dataclass(frozen=True)
class CaptureRow:
    """One response or revisit record of a WARC file, as indexed.

    `fetched_at` is the WARC-Date as ISO 8601 UTC ("2024-05-13T08:00:00+00:00"); `body_sha256`
    the sha256 hex of the content-decoded body; `refers_to` a revisit's original record id;
    `content_encoding` the Content-Encoding header as sent ("" for none); `payload_length` the
    raw payload's size in bytes (a revisit's is its original's, filled in once known).
    """

    warc_file: str
    warc_offset: int
    record_id: str
    record_type: str
    url: str
    status: int
    fetched_at: str
    payload_digest: str | None
    body_sha256: str | None
    refers_to: str | None = None
    content_encoding: str | None = None
    payload_length: int | None = None


def iso_utc(moment: datetime) -> str:
    """The one timestamp format the index stores (sorts as text): ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat()


class VersionRow(NamedTuple):
    site: str
    article_id: str
    url: str
    at: str
    version: int
    changes: list[str]


class DeletionRow(NamedTuple):
    site: str
    article_id: str
    url: str
    at: str
    status: int | None
    location: str | None


class ArchiveIndex:
    """The SQLite index under ARCHIVER_DIR. A cache: `ingest.rebuild` recreates it from files.

    Every write is its own transaction, committed before the method returns. Use from one
    thread (Scrapy's reactor thread in a crawl).
    """

    def __init__(self, root: Path, path: Path | None = None) -> None:
        self.root = root
        self.path = path if path is not None else ArchiveLayout(root).index_path
        self.conn = connect(self.path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ArchiveIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- captures -----------------------------------------------------------------------------

    def record_capture(self, row: CaptureRow) -> None:
        """Add a capture; one already indexed (same file and offset) is left as it is."""
        self.conn.execute(
            "INSERT OR IGNORE INTO captures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            astuple(row),
        )

    def find_identical(
        self,
        url: str,
        status: int,
        body_sha256: str,
        payload_digest: str | None = None,
        content_encoding: str | None = None,
        payload_length: int | None = None,
    ) -> CaptureRow | None:
        """The latest full `response` capture of `url` with this status and decoded body.

        Given `payload_digest`, `content_encoding` and `payload_length`, the capture must also
        have the same raw payload as sent: what an identical-payload-digest revisit needs, since
        replay serves the original's bytes under the revisit's HTTP head.
        """
        sql = (
            "SELECT * FROM captures WHERE url = ? AND body_sha256 = ? AND status = ? "
            "AND record_type = 'response'"
        )
        params: list[object] = [url, body_sha256, status]
        if payload_digest is not None:
            sql += " AND payload_digest = ?"
            params.append(payload_digest)
        if content_encoding is not None:
            sql += " AND coalesce(content_encoding, '') = ?"
            params.append(content_encoding)
        if payload_length is not None:
            sql += " AND payload_length = ?"
            params.append(payload_length)
        row = self.conn.execute(sql + " ORDER BY fetched_at DESC LIMIT 1", params).fetchone()
        return CaptureRow(*row) if row is not None else None

    def forget_captures_from(self, warc_file: str, offset: int) -> int:
        """Forget the captures of `warc_file` at or past `offset` (bytes a recovery cut off).

        Every article whose current record names one of them is no longer archived, so the
        next run fetches it again. Returns how many articles that un-archived.
        """
        with self._transaction():
            self.conn.execute(
                "DELETE FROM captures WHERE warc_file = ? AND warc_offset >= ?", (warc_file, offset)
            )
            cursor = self.conn.execute(
                "UPDATE articles SET archived = 0 WHERE archived = 1 AND EXISTS (SELECT 1 "
                "FROM json_each(articles.record, '$.captures') c "
                "WHERE json_extract(c.value, '$.warc_file') = ? "
                "AND json_extract(c.value, '$.warc_offset') >= ?)",
                (warc_file, offset),
            )
        return int(cursor.rowcount)

    # -- files --------------------------------------------------------------------------------

    def file_size(self, path: str) -> int | None:
        """Bytes of the file (relative to root) already in the index, or None."""
        row = self.conn.execute("SELECT size FROM files WHERE path = ?", (path,)).fetchone()
        return int(row[0]) if row is not None else None

    def mark_file(self, path: str, size: int) -> None:
        """Say that the first `size` bytes of `path` (relative to root) are indexed."""
        self.conn.execute("INSERT OR REPLACE INTO files VALUES (?, ?)", (path, size))

    # -- articles and versions ----------------------------------------------------------------

    def record_version(self, record: Article, record_file: str, refresh: bool = True) -> None:
        """Index a record written to `record_file` (relative to root); idempotent.

        The article's current record becomes this one when its version is the highest seen.
        `refresh=False` (bulk ingest) leaves derived columns to a final `refresh_all()`.
        """
        at = _first_capture_time(record)
        digest = fingerprint(record)
        with self._transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.site,
                    record.article_id,
                    record.version,
                    record.url,
                    at,
                    json.dumps(record.changes),
                    digest,
                    record_file,
                ),
            )
            self.conn.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?) "
                "ON CONFLICT (site, article_id) DO UPDATE SET url = excluded.url, "
                "version = excluded.version, fingerprint = excluded.fingerprint, "
                "published_at = excluded.published_at, archived = excluded.archived, "
                "record = excluded.record WHERE excluded.version >= articles.version",
                (
                    record.site,
                    record.article_id,
                    record.url,
                    at,
                    at,
                    record.version,
                    digest,
                    iso_utc(record.published_at) if record.published_at else None,
                    int(_fully_captured(record)),
                    record.to_json_line(),
                ),
            )
            if refresh:
                self._refresh(record.site, record.article_id)

    def touch(self, site: str, article_id: str) -> None:
        """Recompute first/last seen and deletion state of one article from indexed facts."""
        self._refresh(site, article_id)

    def current_record(self, site: str, article_id: str) -> Article | None:
        """The latest version's record of the article, or None if none was written."""
        row = self.conn.execute(
            "SELECT record FROM articles WHERE site = ? AND article_id = ?", (site, article_id)
        ).fetchone()
        return Article.model_validate_json(row[0]) if row is not None else None

    def current_records(self, site: str | None = None) -> Iterator[Article]:
        """The current record of every article (of `site`; None: every site), ordered by site
        then article id (as text). Streamed: one record in memory at a time."""
        cursor = self.conn.execute(
            "SELECT record FROM articles WHERE (? IS NULL OR site = ?) ORDER BY site, article_id",
            (site, site),
        )
        for (text,) in cursor:
            yield Article.model_validate_json(text)

    def is_archived(self, site: str, article_id: str) -> bool:
        """True when a record of the article was written with every page's WARC capture."""
        row = self.conn.execute(
            "SELECT archived FROM articles WHERE site = ? AND article_id = ?", (site, article_id)
        ).fetchone()
        return row is not None and bool(row[0])

    def published_since(self, site: str, since: datetime) -> list[str]:
        """URLs of the site's articles published (else first seen) at or after `since`."""
        moment = iso_utc(since)
        rows = self.conn.execute(
            "SELECT url FROM articles WHERE site = ? AND coalesce(published_at, first_seen) >= ? "
            "ORDER BY coalesce(published_at, first_seen) DESC, article_id",
            (site, moment),
        ).fetchall()
        return [str(row[0]) for row in rows]

    def article_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    # -- events -------------------------------------------------------------------------------

    def record_event(self, event: ArticleEvent, refresh: bool = True) -> None:
        """Index an event (a deletion); idempotent. `refresh` as for `record_version`."""
        with self._transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    event.site,
                    event.article_id,
                    event.kind,
                    event.url,
                    iso_utc(event.at),
                    event.status,
                    event.location,
                ),
            )
            if refresh:
                self._refresh(event.site, event.article_id)

    def is_deleted(self, site: str, article_id: str) -> bool:
        row = self.conn.execute(
            "SELECT deleted_at FROM articles WHERE site = ? AND article_id = ?", (site, article_id)
        ).fetchone()
        return row is not None and row[0] is not None

    # -- changes (`archiver changes`) ---------------------------------------------------------

    def versions_after_first(self, start: str, site: str | None) -> list[VersionRow]:
        """Every version after an article's first, captured at or after `start` (ISO UTC)."""
        return [
            VersionRow(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]))
            for row in self.conn.execute(
                "SELECT site, article_id, url, at, version, changes FROM versions "
                "WHERE version > 1 AND at >= ? AND (? IS NULL OR site = ?)",
                (start, site, site),
            )
        ]

    def deletions(self, start: str, site: str | None) -> list[DeletionRow]:
        """Every deletion event seen at or after `start` (ISO UTC)."""
        return [
            DeletionRow(*row)
            for row in self.conn.execute(
                "SELECT site, article_id, url, at, status, location FROM events "
                "WHERE kind = 'deleted' AND at >= ? AND (? IS NULL OR site = ?)",
                (start, site, site),
            )
        ]

    def record_file(self, site: str, article_id: str, version: int) -> str | None:
        """The records file (relative to the root) holding one version of an article."""
        row = self.conn.execute(
            "SELECT record_file FROM versions WHERE site = ? AND article_id = ? AND version = ?",
            (site, article_id, version),
        ).fetchone()
        return None if row is None else str(row[0])

    # -- cursors ------------------------------------------------------------------------------

    def cursor(self, name: str) -> str | None:
        """A saved position (a backfill's), or None."""
        row = self.conn.execute("SELECT value FROM cursors WHERE name = ?", (name,)).fetchone()
        return str(row[0]) if row is not None else None

    def set_cursor(self, name: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?)", (name, value))

    # -- skips: what a crawl need not fetch again for a while --------------------------------

    def mark_skip(self, key: str, kind: str, at: datetime) -> None:
        """Note that `key` (an article "site:id", or a URL) answered as `kind` again at `at`."""
        self.conn.execute(
            "INSERT INTO skips VALUES (?, ?, ?, 1) ON CONFLICT (url) DO UPDATE SET "
            "kind = excluded.kind, at = excluded.at, "
            "count = CASE WHEN skips.kind = excluded.kind THEN skips.count + 1 ELSE 1 END",
            (key, kind, iso_utc(at)),
        )

    def clear_skip(self, key: str) -> None:
        """Forget a skip: `key` answered normally."""
        self.conn.execute("DELETE FROM skips WHERE url = ?", (key,))

    def skipped(self, key: str, kind: str, since: datetime, min_count: int = 1) -> bool:
        """True when `key` was last seen as `kind` at or after `since`, `min_count` times or
        more in a row: a crawl skips it until then."""
        row = self.conn.execute(
            "SELECT count FROM skips WHERE url = ? AND kind = ? AND at >= ?",
            (key, kind, iso_utc(since)),
        ).fetchone()
        return row is not None and int(row[0]) >= min_count

    # -- maintenance --------------------------------------------------------------------------

    def clear(self) -> None:
        """Empty every table derived from the files (cursors stay)."""
        with transaction(self.conn):
            for table in DERIVED_TABLES:
                self.conn.execute(f"DELETE FROM {table}")

    def refresh_all(self) -> None:
        """Recompute derived article columns for every article (after a bulk ingest)."""
        with transaction(self.conn):
            self._refresh(None, None)

    def _transaction(self) -> AbstractContextManager[object]:
        # Inside a caller's transaction (a bulk ingest) a nested BEGIN would fail.
        return nullcontext() if self.conn.in_transaction else transaction(self.conn)

    def _refresh(self, site: str | None, article_id: str | None) -> None:
        # Derived from facts that arrive in any order (captures, versions, events), so that an
        # index built live and one rebuilt from the files end up the same.
        where, params = (
            ("WHERE site = ? AND article_id = ?", (site, article_id)) if site else ("", ())
        )
        self.conn.execute(
            "UPDATE articles SET "
            "first_seen = (SELECT min(v.at) FROM versions v WHERE v.site = articles.site "
            "  AND v.article_id = articles.article_id), "
            "last_seen = max((SELECT max(v.at) FROM versions v WHERE v.site = articles.site "
            "  AND v.article_id = articles.article_id), coalesce((SELECT max(c.fetched_at) "
            "  FROM captures c WHERE c.url = articles.url AND c.status = 200 "
            # A soft-404 is a 200 capture too: the one a deletion event names is no sighting.
            "  AND NOT EXISTS (SELECT 1 FROM events e WHERE e.site = articles.site "
            "  AND e.article_id = articles.article_id AND e.status = 200 "
            "  AND e.at = c.fetched_at)), '')), "
            "deleted_at = (SELECT max(e.at) FROM events e WHERE e.site = articles.site "
            f"  AND e.article_id = articles.article_id AND e.kind = 'deleted') {where}",
            params,
        )
        self.conn.execute(
            f"UPDATE articles SET deleted_at = NULL "
            f"{where + ' AND' if where else 'WHERE'} deleted_at <= last_seen",
            params,
        )


def _first_capture_time(record: Article) -> str:
    if not record.captures:
        return ""
    return iso_utc(min(capture.fetched_at for capture in record.captures))


def _fully_captured(record: Article) -> bool:
    return len(record.captures) >= len(record.pages) and all(
        200 <= capture.status < 300 for capture in record.captures
    )
