"""One way to run the index's statements on either backend: SQLite (embedded) or PostgreSQL.

Statements are SQLAlchemy Core objects (statements.py), compiled once per backend and run on
the driver's own connection (sqlite3, psycopg) in autocommit mode, with transactions opened
explicitly. Running on the raw connection keeps SQLite exactly as it was (WAL, BEGIN
IMMEDIATE, the full-text search and the explorer's triggers on the same connection) and a
look-up one driver call.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Protocol

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import ClauseElement

from archiver.store.index.schema import transaction

Row = Sequence[Any]
InsertFactory = Callable[..., Any]
"""The dialect's `insert` (both have on_conflict_do_nothing / on_conflict_do_update; their
Insert classes differ, hence Any)."""

Builder = Callable[[InsertFactory], ClauseElement]
"""A function that builds one statement from the dialect's insert (statements.py)."""


class _Compiled:
    __slots__ = ("defaults", "sql")

    def __init__(self, sql: str, defaults: dict[str, Any]) -> None:
        self.sql = sql
        self.defaults = defaults


class _Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class IndexDatabase:
    """The statements of the index on one connection. Subclasses say how to connect."""

    dialect: Dialect
    insert: InsertFactory
    name: str

    def __init__(self) -> None:
        self._compiled: dict[Builder, _Compiled] = {}

    # -- running statements ---------------------------------------------------------------

    def run(self, builder: Builder, params: Mapping[str, Any] | None = None) -> _Cursor:
        """Run the statement `builder` makes (compiled once) with `params`; the cursor."""
        compiled = self._compiled.get(builder)
        if compiled is None:
            statement = builder(self.insert).compile(dialect=self.dialect)
            # Values the statement itself carries (literals); the caller's names are required.
            binds = statement.binds  # type: ignore[attr-defined]
            required = {bind.key for bind in binds.values() if bind.required}
            defaults = {k: v for k, v in statement.params.items() if k not in required}
            compiled = _Compiled(str(statement), defaults)
            self._compiled[builder] = compiled
        values = {**compiled.defaults, **params} if params else compiled.defaults
        return self._execute(compiled.sql, values)

    def first(self, builder: Builder, params: Mapping[str, Any] | None = None) -> Any:
        return self.run(builder, params).fetchone()

    def all(self, builder: Builder, params: Mapping[str, Any] | None = None) -> list[Any]:
        return self.run(builder, params).fetchall()

    def _execute(self, sql: str, values: Mapping[str, Any]) -> _Cursor:
        raise NotImplementedError

    # -- transactions -------------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    def begin(self) -> AbstractContextManager[object]:
        raise NotImplementedError

    def transaction(self) -> AbstractContextManager[object]:
        """A transaction, or nothing new inside the caller's (a bulk ingest's) own."""
        return nullcontext() if self.in_transaction else self.begin()

    def close(self) -> None:
        raise NotImplementedError


class SqliteDatabase(IndexDatabase):
    """The embedded index: a sqlite3 connection opened by schema.connect (autocommit, WAL)."""

    name = "sqlite"
    dialect = sqlite.dialect(paramstyle="named")
    insert = staticmethod(sqlite.insert)

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__()
        self.conn = conn

    def _execute(self, sql: str, values: Mapping[str, Any]) -> _Cursor:
        return self.conn.execute(sql, values)

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def begin(self) -> AbstractContextManager[object]:
        return transaction(self.conn)

    def close(self) -> None:
        self.conn.close()


class PostgresDatabase(IndexDatabase):
    """A shared index on a PostgreSQL server: a psycopg connection in autocommit mode."""

    name = "postgresql"
    dialect = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
    insert = staticmethod(postgresql.insert)

    def __init__(self, conn: Any) -> None:
        super().__init__()
        self.conn = conn

    def _execute(self, sql: str, values: Mapping[str, Any]) -> _Cursor:
        cursor: _Cursor = self.conn.execute(sql, values)
        return cursor

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.conn.info.transaction_status != TransactionStatus.IDLE)

    def begin(self) -> AbstractContextManager[object]:
        return _pg_transaction(self.conn)

    def close(self) -> None:
        self.conn.close()


@contextmanager
def _pg_transaction(conn: Any) -> Iterator[object]:
    with conn.transaction():
        yield conn
