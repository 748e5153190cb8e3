"""Two processes opening a new index at once both get it (as `archiver demo`'s two crawls do)."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest

from archiver.store.index.schema import connect

pytestmark = pytest.mark.crawl

ROUNDS = 60  # the race lost about one round in 20 before connect() waited for WAL itself


def _open(path: Path, start: Barrier, results: multiprocessing.Queue[str]) -> None:
    start.wait()
    try:
        connect(path).close()
        results.put("ok")
    except Exception as error:  # reported to the test, which names it
        results.put(repr(error))


def test_concurrent_first_open_of_an_index(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for n in range(ROUNDS):
        path = tmp_path / f"{n}" / "index.sqlite3"
        start, results = context.Barrier(2), context.Queue()
        workers = [context.Process(target=_open, args=(path, start, results)) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [results.get(timeout=5), results.get(timeout=5)] == ["ok", "ok"], n
