"""The archive index's tables as SQLAlchemy Core objects: one definition for both backends.

SQLite's own DDL (`schema.SCHEMA`: the same tables plus its full-text search and the
explorer's trigger-kept figures) stays the embedded index's; a unit test checks that these
tables have the same columns. PostgreSQL's schema is made from these (`metadata.create_all`).
Statements on them are built from these objects (`statements.py`) and compiled for each
backend's dialect, so neither backend has a hand-written dialect of them.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, PrimaryKeyConstraint, Table, Text

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

files = Table(
    "files",
    metadata,
    Column("path", Text, primary_key=True),
    Column("size", Integer, nullable=False),
)

captures = Table(
    "captures",
    metadata,
    Column("warc_file", Text, nullable=False),
    Column("warc_offset", Integer, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("record_type", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("fetched_at", Text, nullable=False),
    Column("payload_digest", Text),
    Column("body_sha256", Text),
    Column("refers_to", Text),
    Column("content_encoding", Text),
    Column("payload_length", Integer),
    PrimaryKeyConstraint("warc_file", "warc_offset"),
    Index("captures_by_url", "url", "body_sha256"),
    Index("captures_by_id", "record_id"),
)

versions = Table(
    "versions",
    metadata,
    Column("site", Text, nullable=False),
    Column("article_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("url", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("changes", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("record_file", Text, nullable=False),
    PrimaryKeyConstraint("site", "article_id", "version"),
)

articles = Table(
    "articles",
    metadata,
    Column("site", Text, nullable=False),
    Column("article_id", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("first_seen", Text, nullable=False),
    Column("last_seen", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("published_at", Text),
    Column("archived", Integer, nullable=False),
    Column("deleted_at", Text),
    Column("record", Text, nullable=False),
    PrimaryKeyConstraint("site", "article_id"),
    Index("articles_by_published", "site", "published_at"),
)

events = Table(
    "events",
    metadata,
    Column("site", Text, nullable=False),
    Column("article_id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("location", Text),
    PrimaryKeyConstraint("site", "article_id", "kind", "at"),
    Index("events_by_time", "kind", "at"),
)

cursors = Table(
    "cursors",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

skips = Table(
    "skips",
    metadata,
    Column("url", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("at", Text, nullable=False),
    Column("count", Integer, nullable=False),
)

# A version number taken by a worker before it writes the record (ArchiveIndex.claim_version):
# two workers that find the same edit at once write one version, not two. `fingerprint` is
# the content the claimant found; `claimed_at` (ISO UTC) lets a claim whose worker died
# before writing its record be taken over.
version_claims = Table(
    "version_claims",
    metadata,
    Column("site", Text, nullable=False),
    Column("article_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("claimed_by", Text, nullable=False),
    Column("claimed_at", Text, nullable=False),
    PrimaryKeyConstraint("site", "article_id", "version"),
)

# A backfill cursor taken by the worker walking it (ArchiveIndex.claim_cursor): workers sharing
# the index walk each cursor one at a time. `heartbeat_at` (ISO UTC) is refreshed with every
# save of the cursor, so the claim of a worker that died is taken over once it goes stale.
# State, not derived from the files: kept like `cursors`.
cursor_claims = Table(
    "cursor_claims",
    metadata,
    Column("name", Text, primary_key=True),
    Column("claimed_by", Text, nullable=False),
    Column("heartbeat_at", Text, nullable=False),
)
