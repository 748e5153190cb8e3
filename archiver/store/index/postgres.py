"""Opening a shared index on PostgreSQL: connect, make or check its schema, migrate it.

Several machines' crawls open the same database at once: the schema is made and migrated
under a transaction-scoped advisory lock, so exactly one of them does it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.schema import CreateIndex, CreateTable

from archiver.errors import ArchiverError
from archiver.store.index import tables
from archiver.store.index.database import PostgresDatabase
from archiver.store.index.location import driver_url, redact
from archiver.store.index.schema import IndexTooNew

PG_SCHEMA_VERSION = "1"
"""The PostgreSQL schema's own version (SQLite's is schema.SCHEMA_VERSION)."""

PG_MIGRATIONS: dict[str, tuple[str, Callable[[PostgresDatabase], None]]] = {}
"""From each older PostgreSQL schema version: (the next version, the step that gets there),
applied in order under the lock; none yet (version 1 is the first)."""

# Any constant shared by every archiver: the lock that makes schema changes one at a time.
_SCHEMA_LOCK = 0x61726368  # "arch"


class IndexUnreachable(ArchiverError):
    """The PostgreSQL index could not be opened (server down, wrong URL, no permission)."""


def open_postgres(url: str) -> PostgresDatabase:
    """Connect to the index at `url` (autocommit) and bring its schema to PG_SCHEMA_VERSION.

    Raises IndexUnreachable (one line, no password) or IndexTooNew.
    """
    try:
        import psycopg
    except ImportError:
        raise IndexUnreachable(
            "a PostgreSQL index needs psycopg: pip install 'archiver[postgres]'"
        ) from None

    def connect() -> Any:
        return psycopg.connect(driver_url(url), autocommit=True, connect_timeout=10)

    try:
        conn = connect()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IndexUnreachable(f"cannot open the index at {redact(url)}: {first}") from None
    db = PostgresDatabase(conn, connect, redact(url))
    try:
        with db.begin():
            db.conn.execute(
                *_compiled_with_params(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
            )
            _migrate(db, url)
    except BaseException:
        conn.close()
        raise
    return db


def _migrate(db: PostgresDatabase, url: str) -> None:
    version = _version(db)
    while version is not None and version != PG_SCHEMA_VERSION:
        if version.isdigit() and int(version) > int(PG_SCHEMA_VERSION):
            raise IndexTooNew(
                f"the index at {redact(url)} was written by a newer archiver (PostgreSQL schema "
                f"version {version}, this one knows {PG_SCHEMA_VERSION}): upgrade archiver"
            )
        if version not in PG_MIGRATIONS:
            raise IndexUnreachable(f"{redact(url)}: unknown index schema version {version!r}")
        version, step = PG_MIGRATIONS[version]
        step(db)
    for table in tables.metadata.sorted_tables:
        db.conn.execute(_compiled(CreateTable(table, if_not_exists=True)))
        for index in table.indexes:
            db.conn.execute(_compiled(CreateIndex(index, if_not_exists=True)))
    meta = tables.meta
    statement = db.insert(meta).values(key="schema_version", value=PG_SCHEMA_VERSION)
    db.conn.execute(
        *_compiled_with_params(
            statement.on_conflict_do_update(
                index_elements=[meta.c.key], set_={"value": statement.excluded.value}
            )
        )
    )


def _version(db: PostgresDatabase) -> str | None:
    exists = db.conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]
    if not exists:
        return None
    row = db.conn.execute(
        *_compiled_with_params(
            select(tables.meta.c.value).where(tables.meta.c.key == "schema_version")
        )
    ).fetchone()
    return None if row is None else str(row[0])


def _compiled(statement: Any) -> str:
    return str(statement.compile(dialect=PostgresDatabase.dialect))


def _compiled_with_params(statement: Any) -> tuple[str, dict[str, Any]]:
    compiled = statement.compile(dialect=PostgresDatabase.dialect)
    return str(compiled), dict(compiled.params)
