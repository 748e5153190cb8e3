"""The archive index's tables as SQLAlchemy Core objects: one definition for both backends.

SQLite's own DDL (`schema.SCHEMA`: the same tables plus its full-text search and the
explorer's trigger-kept figures) stays the embedded index's; a unit test checks that these
tables have the same columns. PostgreSQL's schema is made from these (`metadata.create_all`).
Statements on them are built from these objects (`statements.py`) and compiled for each
backend's dialect, so neither backend has a hand-written dialect of them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR

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
    # The explorer's edits, newest first (SQLite's schema has its own versions_edits).
    Index("versions_edits", "at", "site", postgresql_where=text("version > 1")),
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

# The explorer's figures (explore.py): kept by triggers on both backends (schema.SCHEMA for
# SQLite, postgres.FIGURES_DDL for PostgreSQL), so that its pages read a few rows.
site_totals = Table(
    "site_totals",
    metadata,
    Column("site", Text, primary_key=True),
    Column("articles", Integer, nullable=False),
    Column("records", Integer, nullable=False),
    Column("edits", Integer, nullable=False),
    Column("deleted", Integer, nullable=False),
)

day_sections = Table(
    "day_sections",
    metadata,
    Column("site", Text, nullable=False),
    Column("day", Text, nullable=False),
    Column("section", Text, nullable=False),
    Column("articles", Integer, nullable=False),
    PrimaryKeyConstraint("site", "day", "section"),
)

# PostgreSQL only: SQLite's search is FTS5 (schema.SCHEMA), not a table of this shape.
pg_metadata = MetaData()

# One search document per article (search_pg.py): `doc` orders by time as SQLite's FTS rowid
# does (the same number), `words` the tokens of title, subtitle and text as search_text.py
# makes them, `heads` those of title and subtitle alone, `facets` the filter tokens; `version`
# the record's, so that of two workers writing an article at once the newer one's stays.
search_vectors = Table(
    "search_vectors",
    pg_metadata,
    Column("site", Text, nullable=False),
    Column("article_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("doc", BigInteger, nullable=False),
    Column("words", TSVECTOR, nullable=False),
    Column("heads", TSVECTOR, nullable=False),
    Column("facets", ARRAY(Text), nullable=False),
    PrimaryKeyConstraint("site", "article_id"),
    Index("search_vectors_by_doc", "doc"),
    Index("search_vectors_words", "words", postgresql_using="gin"),
    Index("search_vectors_heads", "heads", postgresql_using="gin"),
    Index("search_vectors_facets", "facets", postgresql_using="gin"),
)
