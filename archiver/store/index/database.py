"""One way to run the index's statements on either backend: SQLite (embedded) or PostgreSQL.

Statements are SQLAlchemy Core objects (statements.py), compiled once per backend and run on
the driver's own connection (sqlite3, psycopg) in autocommit mode, with transactions opened
explicitly. Running on the raw connection keeps SQLite exactly as it was (WAL, BEGIN
IMMEDIATE, the full-text search and the explorer's triggers on the same connection) and a
look-up one driver call.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Protocol

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import ClauseElement

from archiver.errors import StorageLost
from archiver.store.index.schema import transaction

logger = logging.getLogger(__name__)

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
    """A shared index on a PostgreSQL server: a psycopg connection in autocommit mode.

    A connection lost outside a transaction (the server restarted, a network blip) is made
    again and the statement run again, for `reconnect_seconds`; inside a transaction, or when
    the server stays away, the statement raises IndexLost (one line, no password).
    """

    dialect = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]
    insert = staticmethod(postgresql.insert)

    def __init__(self, conn: Any, connect: Callable[[], Any], where: str) -> None:
        super().__init__()
        self.conn = conn
        self._connect = connect
        self.where = where
        self._depth = 0  # our own transactions open (a lost connection's status is unknown)
        self.reconnect_seconds = 30.0

    def _execute(self, sql: str, values: Mapping[str, Any]) -> _Cursor:
        import psycopg

        try:
            cursor: _Cursor = self.conn.execute(sql, values)
            return cursor
        except psycopg.OperationalError as exc:
            if self._depth or not self.conn.closed:
                raise IndexLost(self.where, exc) from None
            self._reconnect()
            cursor = self.conn.execute(sql, values)
            return cursor

    def _reconnect(self) -> None:
        import psycopg

        deadline = time.monotonic() + self.reconnect_seconds
        while True:
            try:
                self.conn = self._connect()
                logger.warning("reconnected to the index at %s", self.where)
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() >= deadline:
                    raise IndexLost(self.where, exc) from None
                time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def begin(self) -> AbstractContextManager[object]:
        return self._transaction()

    @contextmanager
    def _transaction(self) -> Iterator[object]:
        import psycopg

        if not self._depth and self.conn.closed:
            self._reconnect()
        self._depth += 1
        try:
            with self.conn.transaction():
                yield self.conn
        except psycopg.OperationalError as exc:
            raise IndexLost(self.where, exc) from None
        finally:
            self._depth -= 1

    def close(self) -> None:
        self.conn.close()


class IndexLost(StorageLost):
    """The shared index's server stopped answering in the middle of the work."""

    def __init__(self, where: str, cause: Exception) -> None:
        text = str(cause).strip()
        first = text.splitlines()[0] if text else type(cause).__name__
        super().__init__(f"lost the index at {where}: {first}")
