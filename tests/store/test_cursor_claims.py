"""Backfill cursor claims in the index: one holder at a time, taken over when stale, on both
backends (SQLite, PostgreSQL)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.location import IndexLocation
from tests.postgres_server import fresh_database

pytestmark = pytest.mark.postgres

CURSOR = "backfill:globaltimes:2026-09-01:None"
NOW = datetime(2026, 9, 25, 2, 0, tzinfo=UTC)
STALE = timedelta(minutes=5)
_numbers = itertools.count()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> IndexLocation:
    if request.param == "sqlite":
        return tmp_path / "index.sqlite3"
    postgres_url: str = request.getfixturevalue("postgres_url")
    return fresh_database(postgres_url, f"claims_{next(_numbers)}")


@pytest.fixture
def index(location: IndexLocation, tmp_path: Path) -> Iterator[ArchiveIndex]:
    with ArchiveIndex(tmp_path, location) as opened:
        yield opened


def test_a_cursor_is_held_by_one_worker_until_released(index: ArchiveIndex) -> None:
    assert index.claim_cursor(CURSOR, "a-1", NOW, STALE) is None
    assert index.cursor_holder(CURSOR) == "a-1"
    assert index.claim_cursor(CURSOR, "b-2", NOW + timedelta(minutes=1), STALE) == "a-1"
    assert index.claim_cursor(CURSOR, "a-1", NOW + timedelta(minutes=1), STALE) is None  # again
    assert index.claim_cursor("backfill:other", "b-2", NOW, STALE) is None  # cursors apart
    index.release_cursor(CURSOR, "b-2")  # not b's: stays a's
    assert index.cursor_holder(CURSOR) == "a-1"
    index.release_cursor(CURSOR, "a-1")
    assert index.cursor_holder(CURSOR) is None
    assert index.claim_cursor(CURSOR, "b-2", NOW + timedelta(minutes=2), STALE) is None


def test_saving_the_cursor_is_the_holders_heartbeat(index: ArchiveIndex) -> None:
    assert index.claim_cursor(CURSOR, "a-1", NOW, STALE) is None
    assert index.set_cursor(CURSOR, "1371600:202609", holder="a-1", now=NOW + timedelta(minutes=4))
    # Eight minutes after the claim, but four after the last save: a lives.
    assert index.claim_cursor(CURSOR, "b-2", NOW + timedelta(minutes=8), STALE) == "a-1"
    assert index.cursor(CURSOR) == "1371600:202609"


def test_a_stale_claim_is_taken_over_and_its_old_holder_saves_nothing(
    index: ArchiveIndex,
) -> None:
    assert index.claim_cursor(CURSOR, "a-1", NOW, STALE) is None
    assert index.set_cursor(CURSOR, "1371600:202609", holder="a-1", now=NOW)
    assert index.claim_cursor(CURSOR, "b-2", NOW + timedelta(minutes=6), STALE) is None
    assert index.cursor_holder(CURSOR) == "b-2"
    # a was only slow, not dead: its next save is refused and leaves b's cursor alone.
    assert not index.set_cursor(CURSOR, "1371599:202609", holder="a-1", now=NOW)
    assert index.cursor(CURSOR) == "1371600:202609"
    assert index.set_cursor(CURSOR, "1371598:202609", holder="b-2", now=NOW)
    assert index.cursor(CURSOR) == "1371598:202609"
    index.release_cursor(CURSOR, "a-1")
    assert index.cursor_holder(CURSOR) == "b-2"


def test_a_save_without_a_holder_needs_no_claim(index: ArchiveIndex) -> None:
    assert index.set_cursor(CURSOR, "5")
    assert index.claim_cursor(CURSOR, "a-1", NOW, STALE) is None
    assert index.set_cursor(CURSOR, "4")  # as before claims: no heartbeat, no check
    assert index.cursor(CURSOR) == "4"
    # A cursor nobody claimed is not saved for a holder: it would be nobody's walk.
    assert not index.set_cursor("backfill:unclaimed", "1", holder="a-1")
    assert index.cursor("backfill:unclaimed") is None


def test_claims_outlive_a_rebuild_of_the_index(index: ArchiveIndex) -> None:
    # Rebuilding the derived tables while a worker walks must not free its cursor.
    assert index.claim_cursor(CURSOR, "a-1", NOW, STALE) is None
    index.clear()
    assert index.cursor_holder(CURSOR) == "a-1"


def _winners(location: IndexLocation, root: Path, workers: list[str], now: datetime) -> list[str]:
    def claim(worker: str) -> tuple[str, str | None]:
        with ArchiveIndex(root, location) as own:
            return worker, own.claim_cursor(CURSOR, worker, now, STALE)

    with ThreadPoolExecutor(len(workers)) as pool:
        results = list(pool.map(claim, workers))
    winners = [worker for worker, holder in results if holder is None]
    # The others name the winner as the holder.
    assert {holder for _, holder in results if holder is not None} <= set(winners)
    return winners


def test_workers_claiming_at_once_get_one_claim(location: IndexLocation, tmp_path: Path) -> None:
    ArchiveIndex(tmp_path, location).close()  # the schema first: the race is the claim's
    workers = [f"w-{n}" for n in range(6)]
    [first] = _winners(location, tmp_path, workers, NOW)
    # Its worker died: all take the stale claim over at once, and one of them gets it.
    late = NOW + timedelta(minutes=10)
    [second] = _winners(location, tmp_path, [w for w in workers if w != first], late)
    with ArchiveIndex(tmp_path, location) as index:
        assert index.cursor_holder(CURSOR) == second
