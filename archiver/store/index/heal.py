"""A damaged or foreign index is moved aside and replaced by a new one (it is only a cache)."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from archiver.durable import taking_turns
from archiver.store.index.schema import IndexDamaged

logger = logging.getLogger(__name__)

# SQLite's companions of an index file, moved with it (a stale -wal beside a new file would be
# replayed into it).
_COMPANIONS = ("", "-wal", "-shm", "-journal")

Opener = Callable[[Path], sqlite3.Connection]

MOVED_ASIDE: dict[Path, Path] = {}
"""Index path (absolute) -> where this process moved its damaged file: for the crawl's stats."""

_KEPT = {
    # table: its columns; rows copied from a moved-aside index that SQLite can still read.
    "cursors": "name, value",
    # A live worker's claim stays its own: the index moved aside under it is no take-over.
    "cursor_claims": "name, claimed_by, heartbeat_at",
    "skips": "url, kind, at, count",
}


def open_healed(path: Path, opener: Opener) -> sqlite3.Connection:
    """`opener(path)`; when it raises IndexDamaged, move the index aside and open a new one.

    The move is logged as one warning naming the reason and where the old file went. Backfill
    cursors and skip notes are copied over when the old file still reads. Processes opening
    the same index take turns here (a lock file beside it), so only one of them moves it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with taking_turns(path.with_name(path.name + ".lock")):
        try:
            return opener(path)
        except IndexDamaged as damage:
            kept = _salvage(path)
            moved = move_aside(path, "damaged")
            MOVED_ASIDE[path.absolute()] = moved
            logger.warning(
                "index %s moved aside to %s (%s); a new one is built from the files",
                path,
                moved.name,
                damage,
            )
            conn = opener(path)
            _restore(conn, kept)
            return conn


def move_aside(path: Path, why: str) -> Path:
    """Rename `path` and its -wal/-shm/-journal to `<name>.<why>-<UTC stamp>`; the new path."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix, n = f".{why}-{stamp}", 1
    while path.with_name(path.name + suffix).exists():
        n += 1
        suffix = f".{why}-{stamp}-{n}"
    for companion in _COMPANIONS:
        source = path.with_name(path.name + companion)
        if source.exists():
            os.replace(source, source.with_name(source.name + suffix))
    return path.with_name(path.name + suffix)


def _salvage(path: Path) -> dict[str, list[tuple[object, ...]]]:
    # Read-only and best effort: a file SQLite cannot read keeps nothing.
    kept: dict[str, list[tuple[object, ...]]] = {}
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return kept
    try:
        for table, columns in _KEPT.items():
            try:
                kept[table] = conn.execute(f"SELECT {columns} FROM {table}").fetchall()
            except sqlite3.Error:
                continue
    finally:
        conn.close()
    return kept


def salvage_into(conn: sqlite3.Connection, old: Path) -> None:
    """Copy the backfill cursors and skip notes of the index file `old` (if it reads) to `conn`."""
    _restore(conn, _salvage(old))


def _restore(conn: sqlite3.Connection, kept: dict[str, list[tuple[object, ...]]]) -> None:
    for table, rows in kept.items():
        marks = ", ".join("?" * len(_KEPT[table].split(", ")))
        conn.executemany(f"INSERT OR IGNORE INTO {table} ({_KEPT[table]}) VALUES ({marks})", rows)
