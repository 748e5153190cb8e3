"""Compare two archive indexes: every row of the tables derived from the files."""

from __future__ import annotations

from typing import Any

from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.schema import DERIVED_TABLES


def index_rows(index: ArchiveIndex) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the derived tables but `files` (sizes differ by design), sorted."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in DERIVED_TABLES:
        if table != "files":
            rows = index.conn.execute(f"SELECT * FROM {table}").fetchall()
            out[table] = sorted(rows, key=repr)
    return out
