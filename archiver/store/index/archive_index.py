"""ArchiveIndex: what is archived (captures, articles, versions, deletions), looked up fast."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, NamedTuple

from archiver.layout import ArchiveLayout
from archiver.record import Article
from archiver.store.events import ArticleEvent
from archiver.store.index import search
from archiver.store.index import statements as sql
from archiver.store.index.database import IndexDatabase, SqliteDatabase
from archiver.store.index.location import IndexLocation, is_index_url, redact
from archiver.store.index.schema import DERIVED_TABLES, SEARCH_TABLES, connect
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


Claim = Literal["mine", "duplicate", "conflict"]
"""What ArchiveIndex.claim_version found (see there)."""

CLAIM_STALE = timedelta(minutes=10)
"""A version claimed this long ago with no record written: its worker died."""


CURSOR_CLAIM_STALE = timedelta(minutes=5)
"""A backfill cursor whose holder saved nothing this long: its worker died (the crawl's
ARCHIVER_BACKFILL_CLAIM_STALE overrides it)."""


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
    """The archive index: SQLite under ARCHIVER_DIR, or a PostgreSQL database that several
    machines' crawls share. A cache: `ingest.rebuild` recreates it from files.

    `location` is the SQLite file (default ARCHIVER_DIR/index.sqlite3) or a postgresql:// URL.
    Every write is its own transaction, committed before the method returns. Use from one
    thread (Scrapy's reactor thread in a crawl).
    """

    def __init__(self, root: Path, location: IndexLocation | None = None) -> None:
        self.root = root
        if location is None:
            location = ArchiveLayout(root).index_path
        self.db: IndexDatabase
        if isinstance(location, str) and is_index_url(location):
            from archiver.store.index.postgres import open_postgres

            self.db = open_postgres(location)
            self.path: Path | str = redact(location)
        else:
            self.path = Path(location)
            self.db = SqliteDatabase(connect(self.path))
        self._search_words: set[str] = set()  # words in search_terms (see record_version)

    @property
    def conn(self) -> sqlite3.Connection:
        """The SQLite connection (heal, FTS5 maintenance and tests work on it); SQLite only."""
        if not isinstance(self.db, SqliteDatabase):
            raise TypeError("a PostgreSQL index has no SQLite connection")
        return self.db.conn

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ArchiveIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- captures -----------------------------------------------------------------------------

    def record_capture(self, row: CaptureRow) -> None:
        """Add a capture; one already indexed (same file and offset) is left as it is."""
        self.db.run(sql.insert_capture, asdict(row))

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
        params: dict[str, object] = {"url": url, "body_sha256": body_sha256, "status": status}
        if payload_digest is None:
            row = self.db.first(sql.identical_decoded, params)
        else:
            # The revisit's case: all three are known together (archiver.warc.revisits).
            params.update(
                payload_digest=payload_digest,
                content_encoding=content_encoding or "",
                payload_length=payload_length,
            )
            row = self.db.first(sql.identical_payload, params)
        return CaptureRow(*row) if row is not None else None

    def forget_captures_from(self, warc_file: str, offset: int) -> int:
        """Forget the captures of `warc_file` at or past `offset` (bytes a recovery cut off).

        Every article whose current record names one of them is no longer archived, so the
        next run fetches it again. Returns how many articles that un-archived.
        """
        unarchived = 0
        with self.db.transaction():
            self.db.run(sql.forget_captures, {"warc_file": warc_file, "offset": offset})
            # A text match finds the candidates on both backends; their captures decide.
            for site, article_id, text in self.db.all(
                sql.articles_naming_file, {"needle": warc_file}
            ):
                record = Article.model_validate_json(text)
                if any(
                    c.warc_file == warc_file and c.warc_offset >= offset for c in record.captures
                ):
                    self.db.run(sql.unarchive, {"site": site, "article_id": article_id})
                    unarchived += 1
        return unarchived

    # -- files --------------------------------------------------------------------------------

    def file_size(self, path: str) -> int | None:
        """Bytes of the file (relative to root) already in the index, or None."""
        row = self.db.first(sql.file_size, {"path": path})
        return int(row[0]) if row is not None else None

    def mark_file(self, path: str, size: int) -> None:
        """Say that the first `size` bytes of `path` (relative to root) are indexed."""
        self.db.run(sql.mark_file, {"path": path, "size": size})

    # -- articles and versions ----------------------------------------------------------------

    def record_version(
        self,
        record: Article,
        record_file: str,
        refresh: bool = True,
        line: str | None = None,
        content: str | None = None,
    ) -> None:
        """Index a record written to `record_file` (relative to root); idempotent.

        The article's current record becomes this one when its version is the highest seen,
        and its search document is made from it (the old one's words no longer match).
        `refresh=False` (bulk ingest) leaves derived columns to a final `refresh_all()`.
        `line` and `content`: the record's JSON line and fingerprint when the caller has them
        already (the crawl's pipeline), so that they are not computed again.
        """
        at = _first_capture_time(record)
        line = record.to_json_line() if line is None else line
        content = fingerprint(record) if content is None else content
        if not self.db.in_transaction:
            # Words remembered as written hold only inside the caller's transaction (a bulk
            # ingest), which a rollback would undo: a transaction of our own starts afresh.
            self._search_words.clear()
        key = {"site": record.site, "article_id": record.article_id}
        with self.db.transaction():
            current = self.db.first(sql.current_row, key)
            # The article's row before its version's: on PostgreSQL every write takes the
            # article's row, then its site's figures (their triggers), in that order.
            self._upsert_article(record, at, line, content)
            self.db.run(
                sql.insert_version,
                {
                    **key,
                    "version": record.version,
                    "url": record.url,
                    "at": at,
                    "changes": json.dumps(record.changes),
                    "fingerprint": content,
                    "record_file": record_file,
                },
            )
            if current is None or (record.version >= current[0] and line != current[1]):
                old = None if current is None else str(current[1])
                search.write_document(self.db, old, record, self._search_words)
            if refresh:
                self._refresh(record.site, record.article_id)

    def _upsert_article(self, record: Article, at: str, line: str, content: str) -> None:
        self.db.run(
            sql.upsert_article,
            {
                "site": record.site,
                "article_id": record.article_id,
                "url": record.url,
                "first_seen": at,
                "last_seen": at,
                "version": record.version,
                "fingerprint": content,
                "published_at": iso_utc(record.published_at) if record.published_at else None,
                "archived": int(_fully_captured(record)),
                "record": line,
            },
        )

    def claim_version(
        self,
        record: Article,
        worker: str,
        now: datetime,
        stale_after: timedelta = CLAIM_STALE,
        content: str | None = None,
    ) -> Claim:
        """Take the record's version number for `worker` before its line is written.

        "mine": write it (a claim of this worker, or one whose worker wrote no record within
        `stale_after`: it died, and this one takes over). "duplicate": another worker claimed
        this version with the same content (it writes it; this record is not needed).
        "conflict": another worker claimed it with other content (an edit on top of an edit,
        seen by two workers at once): nothing is written now, a later run compares again.
        `content`: the record's fingerprint, when the caller has it already.
        """
        key = {"site": record.site, "article_id": record.article_id, "version": record.version}
        content = fingerprint(record) if content is None else content
        claim = {"fingerprint": content, "claimed_by": worker, "claimed_at": iso_utc(now)}
        with self.db.transaction():
            if self.db.run(sql.claim_version, {**key, **claim}).rowcount == 1:
                return "mine"
            found = self.db.first(sql.version_claim, key)
        if found is None:  # cleared by a rebuild in between: take it again
            return self.claim_version(record, worker, now, stale_after)
        theirs, by, at = str(found[0]), str(found[1]), str(found[2])
        if by == worker:
            return "mine"
        written = self.db.first(sql.version_written, key) is not None
        if not written and at < iso_utc(now - stale_after):
            taken = self.db.run(
                sql.take_over_claim, {**key, **claim, "was_claimed_by": by, "was_claimed_at": at}
            )
            if taken.rowcount == 1:
                return "mine"
        return "duplicate" if theirs == content else "conflict"

    def touch(self, site: str, article_id: str) -> None:
        """Recompute first/last seen and deletion state of one article from indexed facts."""
        self._refresh(site, article_id)

    def current_record(self, site: str, article_id: str) -> Article | None:
        """The latest version's record of the article, or None if none was written."""
        row = self.db.first(sql.current_record, {"site": site, "article_id": article_id})
        return Article.model_validate_json(row[0]) if row is not None else None

    def current_records(self, site: str | None = None) -> Iterator[Article]:
        """The current record of every article (of `site`; None: every site), ordered by site
        then article id (as text). Streamed: one record in memory at a time."""
        for (text,) in self.db.run(sql.current_records, {"site": site}):
            yield Article.model_validate_json(text)

    def is_archived(self, site: str, article_id: str) -> bool:
        """True when a record of the article was written with every page's WARC capture."""
        row = self.db.first(sql.is_archived, {"site": site, "article_id": article_id})
        return row is not None and bool(row[0])

    def published_since(self, site: str, since: datetime) -> list[str]:
        """URLs of the site's articles published (else first seen) at or after `since`."""
        rows = self.db.all(sql.published_since, {"site": site, "since": iso_utc(since)})
        return [str(row[0]) for row in rows]

    def search(self, query: search.SearchQuery) -> search.SearchResults:
        """Full-text search over the articles' current records (`search.search`)."""
        return search.search(self.db, query)

    def article_count(self) -> int:
        return int(self.db.first(sql.article_count)[0])

    # -- events -------------------------------------------------------------------------------

    def record_event(self, event: ArticleEvent, refresh: bool = True) -> None:
        """Index an event (a deletion); idempotent. `refresh` as for `record_version`."""
        with self.db.transaction():
            self.db.run(
                sql.insert_event,
                {
                    "site": event.site,
                    "article_id": event.article_id,
                    "kind": event.kind,
                    "url": event.url,
                    "at": iso_utc(event.at),
                    "status": event.status,
                    "location": event.location,
                },
            )
            if refresh:
                self._refresh(event.site, event.article_id)

    def is_deleted(self, site: str, article_id: str) -> bool:
        row = self.db.first(sql.deleted_at, {"site": site, "article_id": article_id})
        return row is not None and row[0] is not None

    def claim_deletion(self, site: str, article_id: str, at: datetime) -> bool:
        """Mark the article deleted at `at` unless it already is; True when this call did.

        Of several workers finding the same deletion at once, one gets True and writes the
        event. The mark is the same one the event makes; should the event never be written
        (the worker killed), the next refresh of the article clears it and a later run finds
        the deletion again.
        """
        cursor = self.db.run(
            sql.claim_deletion, {"site": site, "article_id": article_id, "at": iso_utc(at)}
        )
        return int(cursor.rowcount) == 1

    # -- changes (`archiver changes`) ---------------------------------------------------------

    def versions_after_first(self, start: str, site: str | None) -> list[VersionRow]:
        """Every version after an article's first, captured at or after `start` (ISO UTC)."""
        return [
            VersionRow(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]))
            for row in self.db.run(sql.versions_after_first, {"start": start, "site": site})
        ]

    def deletions(self, start: str, site: str | None) -> list[DeletionRow]:
        """Every deletion event seen at or after `start` (ISO UTC)."""
        return [
            DeletionRow(*row) for row in self.db.run(sql.deletions, {"start": start, "site": site})
        ]

    def record_file(self, site: str, article_id: str, version: int) -> str | None:
        """The records file (relative to the root) holding one version of an article."""
        row = self.db.first(
            sql.version_file, {"site": site, "article_id": article_id, "version": version}
        )
        return None if row is None else str(row[0])

    # -- cursors ------------------------------------------------------------------------------

    def cursor(self, name: str) -> str | None:
        """A saved position (a backfill's), or None."""
        row = self.db.first(sql.cursor_value, {"name": name})
        return str(row[0]) if row is not None else None

    def set_cursor(
        self, name: str, value: str, holder: str | None = None, now: datetime | None = None
    ) -> bool:
        """Save a position; True when saved.

        Given `holder`, the worker that claimed the cursor (`claim_cursor`), the save is also
        its heartbeat (at `now`, default the current time), and happens only while the claim
        is still its own: False when another worker took it over (this one was thought dead),
        and then the cursor is left as that worker has it.
        """
        params = {"name": name, "value": value}
        if holder is None:
            self.db.run(sql.set_cursor, params)
            return True
        beat = {"name": name, "claimed_by": holder, "heartbeat_at": iso_utc(now or _now())}
        with self.db.transaction():
            # The claim row stays locked (PostgreSQL) or the index (SQLite) until the save
            # commits: no take-over can slip in between the heartbeat and the save.
            if self.db.run(sql.cursor_heartbeat, beat).rowcount != 1:
                return False
            self.db.run(sql.set_cursor, params)
        return True

    def claim_cursor(
        self,
        name: str,
        worker: str,
        now: datetime,
        stale_after: timedelta = CURSOR_CLAIM_STALE,
    ) -> str | None:
        """Take the cursor `name` for `worker` before walking it: None when `worker` has it
        now, else the worker that does (this one leaves the cursor alone).

        A claim is `worker`'s when nobody held the cursor, when `worker` held it already, or
        when its holder saved nothing for longer than `stale_after` (it died: this one takes
        over and resumes from the saved cursor). Of workers claiming at once, one gets it.
        """
        claim = {"name": name, "claimed_by": worker, "heartbeat_at": iso_utc(now)}
        holder = worker
        for _ in range(3):  # a claim released or taken over while this one looked: again
            if self.db.run(sql.claim_cursor, claim).rowcount == 1:
                return None
            found = self.db.first(sql.cursor_claim, {"name": name})
            if found is None:
                continue
            holder, beat = str(found[0]), str(found[1])
            if holder == worker:
                self.db.run(sql.cursor_heartbeat, claim)
                return None
            if beat >= iso_utc(now - stale_after):
                return holder
            was = {"was_claimed_by": holder, "was_heartbeat_at": beat}
            if self.db.run(sql.take_over_cursor, {**claim, **was}).rowcount == 1:
                return None
        return holder

    def cursor_holder(self, name: str) -> str | None:
        """The worker holding the cursor `name` now (claimed, not released), or None."""
        row = self.db.first(sql.cursor_claim, {"name": name})
        return None if row is None else str(row[0])

    def release_cursor(self, name: str, worker: str) -> None:
        """Give up `worker`'s claim of the cursor `name` (a claim not its own stays)."""
        self.db.run(sql.release_cursor, {"name": name, "claimed_by": worker})

    # -- skips: what a crawl need not fetch again for a while --------------------------------

    def mark_skip(self, key: str, kind: str, at: datetime) -> None:
        """Note that `key` (an article "site:id", or a URL) answered as `kind` again at `at`."""
        self.db.run(sql.mark_skip, {"key": key, "kind": kind, "at": iso_utc(at)})

    def clear_skip(self, key: str) -> None:
        """Forget a skip: `key` answered normally."""
        self.db.run(sql.clear_skip, {"key": key})

    def skipped(self, key: str, kind: str, since: datetime, min_count: int = 1) -> bool:
        """True when `key` was last seen as `kind` at or after `since`, `min_count` times or
        more in a row: a crawl skips it until then."""
        row = self.db.first(sql.skip_count, {"key": key, "kind": kind, "since": iso_utc(since)})
        return row is not None and int(row[0]) >= min_count

    # -- maintenance --------------------------------------------------------------------------

    def clear(self) -> None:
        """Empty every table derived from the files (cursors stay)."""
        with self.db.begin():
            if isinstance(self.db, SqliteDatabase):
                for table in DERIVED_TABLES:
                    if table not in SEARCH_TABLES:
                        self.conn.execute(f"DELETE FROM {table}")
                search.clear(self.conn)
            else:
                for builder in sql.CLEAR_SHARED:
                    self.db.run(builder)
            self._search_words.clear()

    def refresh_all(self) -> None:
        """Recompute derived article columns for every article (after a bulk ingest)."""
        with self.db.begin():
            self._refresh(None, None)

    def refresh_some(self, keys: Iterable[tuple[str, str]], urls: Iterable[str]) -> None:
        """Recompute them for the articles `keys` and those at `urls` only (after ingesting a
        few files: a shared index of millions of articles is not rewritten whole)."""
        with self.db.begin():
            for site, article_id in keys:
                self._refresh(site, article_id)
            for url in urls:
                self.db.run(sql.refresh_article_at, {"url": url})
                self.db.run(sql.undelete_seen_again_at, {"url": url})

    def _refresh(self, site: str | None, article_id: str | None) -> None:
        if site is None:
            self.db.run(sql.refresh_every_article)
            self.db.run(sql.undelete_every_seen_again)
        else:
            key = {"site": site, "article_id": article_id}
            self.db.run(sql.refresh_article, key)
            self.db.run(sql.undelete_seen_again, key)


def _now() -> datetime:
    return datetime.now(UTC)


def _first_capture_time(record: Article) -> str:
    if not record.captures:
        return ""
    return iso_utc(min(capture.fetched_at for capture in record.captures))


def _fully_captured(record: Article) -> bool:
    return len(record.captures) >= len(record.pages) and all(
        200 <= capture.status < 300 for capture in record.captures
    )
