"""The throwaway PostgreSQL server of tests/postgres_server.py: SQLAlchemy reaches it, each
test can have a database of its own, and connections see each other's commits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    inspect,
    select,
)

from tests.postgres_server import fresh_database

pytestmark = pytest.mark.postgres

METADATA = MetaData()
PAGES = Table(
    "pages",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("url", String, nullable=False),
)


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()  # the pool's connections would otherwise hold the database open


@pytest.fixture
def engine(postgres_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An engine on a database of this test's own, so tests share no tables."""
    # PostgreSQL cuts names at 63 bytes; a cut name would not match the URL returned.
    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:63]
    with _engine(fresh_database(postgres_url, name)) as engine:
        yield engine


def test_sqlalchemy_writes_and_reads_a_row(postgres_url: str, engine: Engine) -> None:
    assert postgres_url.startswith("postgresql+psycopg://archiver@127.0.0.1:")
    assert postgres_url.endswith("/archiver")
    METADATA.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(PAGES).values(id=1, url="https://example.com/a"))
    with engine.connect() as conn:
        assert conn.execute(select(PAGES.c.url)).scalars().all() == ["https://example.com/a"]
        assert conn.exec_driver_sql("SHOW server_encoding").scalar() == "UTF8"


def test_a_fresh_database_is_empty_and_separate(postgres_url: str) -> None:
    first = fresh_database(postgres_url, "fresh_first")
    second = fresh_database(postgres_url, "fresh_second")
    assert first.endswith("/fresh_first") and second.endswith("/fresh_second")
    with _engine(first) as engine:
        METADATA.create_all(engine)
        assert inspect(engine).get_table_names() == ["pages"]
    with _engine(second) as engine:
        assert inspect(engine).get_table_names() == []
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT current_database()").scalar() == "fresh_second"


def test_two_connections_see_each_others_commits(engine: Engine) -> None:
    METADATA.create_all(engine)
    with engine.connect() as writer, engine.connect() as reader:
        assert writer.connection.dbapi_connection is not reader.connection.dbapi_connection
        writer.execute(insert(PAGES).values(id=1, url="https://example.com/a"))
        # Not committed yet: the reader does not see it.
        assert reader.execute(select(PAGES.c.id)).all() == []
        reader.rollback()
        writer.commit()
        assert reader.execute(select(PAGES.c.id)).scalars().all() == [1]
        reader.rollback()
        reader.execute(insert(PAGES).values(id=2, url="https://example.com/b"))
        reader.commit()
        assert writer.execute(select(PAGES.c.id).order_by(PAGES.c.id)).scalars().all() == [1, 2]
