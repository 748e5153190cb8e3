"""The Core tables (both backends' statements are built on them) match SQLite's own schema."""

from __future__ import annotations

import pytest

from archiver.store.index import tables
from archiver.store.index.schema import (
    CLAIM_TABLES,
    DERIVED_TABLES,
    KEPT_TABLES,
    expected_columns,
)

pytestmark = pytest.mark.unit


def test_every_core_table_has_the_columns_of_the_sqlite_schema() -> None:
    sqlite_columns = expected_columns()
    for table in tables.metadata.sorted_tables:
        assert [column.name for column in table.c] == sqlite_columns[table.name], table.name


def test_every_table_of_the_shared_state_is_a_core_table() -> None:
    # The search tables are SQLite's alone (FTS5); PostgreSQL's are of its own metadata.
    shared = {"meta", *KEPT_TABLES, *CLAIM_TABLES, *DERIVED_TABLES} - {
        "search_docs", "search_fts", "search_headlines", "search_terms",
    }  # fmt: skip
    assert shared == set(tables.metadata.tables)
    assert set(tables.pg_metadata.tables) == {"search_vectors"}
