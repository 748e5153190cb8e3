"""The explorer's figures in the index (site_totals, day_sections), kept by triggers: always
what counting the rows says, through inserts, new versions, deletions, clearing and an index
made before them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import sync
from archiver.store.index.schema import EXPLORE_TABLES
from tests.explore.small_archive import build, records

pytestmark = pytest.mark.unit


def _counted(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """What the triggers must keep, counted from the rows themselves."""
    totals = conn.execute(
        "SELECT site, sum(a), sum(r), sum(e), sum(d) FROM ("
        " SELECT site, 1 AS a, 0 AS r, 0 AS e, deleted_at IS NOT NULL AS d FROM articles"
        " UNION ALL SELECT site, 0, 1, version > 1 AND changes != '[]', 0 FROM versions)"
        " GROUP BY site ORDER BY site"
    ).fetchall()
    days = conn.execute(
        "SELECT site, substr(datetime(published_at, '+8 hours'), 1, 10) AS day,"
        " coalesce(json_extract(record, '$.section[0]'), '') AS section, count(*) FROM articles"
        " WHERE published_at IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    ).fetchall()
    return {"site_totals": totals, "day_sections": days}


def _kept(conn: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "site_totals": conn.execute("SELECT * FROM site_totals ORDER BY site").fetchall(),
        "day_sections": conn.execute("SELECT * FROM day_sections ORDER BY 1, 2, 3").fetchall(),
    }


def test_the_triggers_keep_what_counting_says(tmp_path: Path) -> None:
    root = build(tmp_path / "archive")
    with ArchiveIndex(root) as index:
        assert _kept(index.conn) == _counted(index.conn)
        totals = {row[0]: row[1:] for row in _kept(index.conn)["site_totals"]}
        assert totals == {"chinadaily": (2, 2, 0, 0), "globaltimes": (2, 3, 1, 1)}
        # A new version moving an article to another day and section.
        _, v2 = records()[-1]
        v3 = v2.model_copy(
            update={
                "version": 3,
                "previous_version": 2,
                "section": ["World"],
                "published_at": v2.published_at.replace(year=2025),
            }  # type: ignore[union-attr]
        )
        index.record_version(v3, "records/globaltimes/extra.jsonl")
        assert _kept(index.conn) == _counted(index.conn)
        assert ("globaltimes", "2025-09-26", "World", 1) in _kept(index.conn)["day_sections"]
        index.clear()
        assert _kept(index.conn) == {"site_totals": [], "day_sections": []}


def test_an_index_made_before_them_is_filled_once_when_opened(tmp_path: Path) -> None:
    root = build(tmp_path / "archive")
    with ArchiveIndex(root) as index:
        expected = _kept(index.conn)
        for table in EXPLORE_TABLES:
            index.conn.execute(f"DROP TABLE {table}")
    with ArchiveIndex(root) as index:
        assert _kept(index.conn) == expected == _counted(index.conn)
        sync(index)  # nothing new: nothing counted twice
        assert _kept(index.conn) == expected
