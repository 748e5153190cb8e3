"""Processes opening one old or damaged index at once: migrated once, moved aside once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.schema import SCHEMA_VERSION

pytestmark = pytest.mark.crawl

ROUNDS = 10
WORKERS = 3


def _open(root: Path, start: Barrier, results: multiprocessing.Queue[str]) -> None:
    start.wait()
    try:
        with ArchiveIndex(root) as index:
            results.put(str(index.cursor("kept")))
    except Exception as error:  # reported to the test, which names it
        results.put(repr(error))


def _race(root: Path) -> list[str]:
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(WORKERS), context.Queue()
    workers = [context.Process(target=_open, args=(root, start, results)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return sorted(results.get(timeout=5) for _ in workers)


def test_an_old_index_opened_at_once_is_migrated_once(tmp_path: Path) -> None:
    for n in range(ROUNDS):
        root = tmp_path / str(n)
        with ArchiveIndex(root) as index:
            index.set_cursor("kept", "yes")
        conn = sqlite3.connect(root / "index.sqlite3")
        conn.execute("UPDATE meta SET value = '1'")
        conn.commit()
        conn.close()
        assert _race(root) == ["yes"] * WORKERS, n
        with ArchiveIndex(root) as index:
            assert index.conn.execute("SELECT value FROM meta").fetchall() == [(SCHEMA_VERSION,)]
        assert not list(root.glob("index.sqlite3.damaged-*"))


def test_a_damaged_index_opened_at_once_is_moved_aside_once(tmp_path: Path) -> None:
    for n in range(ROUNDS):
        root = tmp_path / str(n)
        root.mkdir()
        (root / "index.sqlite3").write_bytes(b"garbage" * 1000)
        assert _race(root) == ["None"] * WORKERS, n
        assert len(list(root.glob("index.sqlite3.damaged-*"))) == 1, n
