"""The index on PostgreSQL behaves as on SQLite, and decides right for workers sharing it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from archiver.durable import is_storage_error
from archiver.errors import ArchiverError, StorageLost
from archiver.record import Article
from archiver.store.events import ArticleEvent
from archiver.store.index import tables
from archiver.store.index.archive_index import ArchiveIndex, CaptureRow
from archiver.store.index.database import PostgresDatabase
from archiver.store.index.location import driver_url
from archiver.store.index.schema import IndexTooNew
from archiver.store.versions import next_version
from tests.articles import URL, gt_record
from tests.postgres_server import allow_connections, cut_connections, fresh_database

# Every test runs against a PostgreSQL server; where it makes sense the same test runs on an
# SQLite file beside it (the `index` fixture), as the one behaviour both backends must have.
pytestmark = pytest.mark.postgres

NOW = datetime(2026, 9, 25, 2, 0, tzinfo=UTC)
_numbers = itertools.count()


@pytest.fixture
def shared_url(postgres_url: str) -> str:
    return fresh_database(postgres_url, f"index_{next(_numbers)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArchiveIndex]:
    if request.param == "sqlite":
        location: Path | str = tmp_path / "index.sqlite3"
    else:
        location = request.getfixturevalue("shared_url")
    with ArchiveIndex(tmp_path, location) as opened:
        yield opened


def _record(text: str = "Body.", offset: int = 0) -> Article:
    return gt_record(text=text, offset=offset, warc_file=f"warc/gt/a-{offset // 100}.warc.gz")


def _versions() -> tuple[Article, Article]:
    v1 = next_version(None, _record(offset=1))
    v2 = next_version(v1, _record(text="Edited.", offset=9))
    assert v1 is not None and v2 is not None
    return v1, v2


def test_versions_records_and_lookups_agree_on_both_backends(index: ArchiveIndex) -> None:
    v1, v2 = _versions()
    index.record_version(v2, "records/b.jsonl")
    index.record_version(v1, "records/a.jsonl")  # order does not matter
    index.record_version(v1, "records/a.jsonl")  # nor repetition
    assert index.current_record("globaltimes", "1371581") == v2
    assert index.is_archived("globaltimes", "1371581")
    assert not index.is_archived("globaltimes", "1")
    assert index.published_since("globaltimes", datetime(2000, 1, 1, tzinfo=UTC)) == [URL]
    assert [r.version for r in index.current_records()] == [2]
    assert index.record_file("globaltimes", "1371581", 1) == "records/a.jsonl"
    (edit,) = index.versions_after_first("2000", None)
    assert (edit.version, edit.changes) == (2, ["text"])
    assert index.versions_after_first("2000", "chinadaily") == []
    assert index.article_count() == 1


def test_captures_revisits_and_a_cut_warc_agree_on_both_backends(index: ArchiveIndex) -> None:
    row = CaptureRow(
        "warc/gt/a-0.warc.gz", 1, "<urn:uuid:1>", "response", URL, 200,
        "2026-09-25T01:00:01+00:00", "sha1:X", "abc", None, "", 10,
    )  # fmt: skip
    index.record_capture(row)
    index.record_capture(row)  # the same file and offset again: kept once
    assert index.find_identical(URL, 200, "abc") == row
    assert index.find_identical(URL, 200, "abc", "sha1:X", "", 10) == row
    assert index.find_identical(URL, 200, "abc", "sha1:Y", "", 10) is None
    v1, _ = _versions()
    index.record_version(v1, "records/a.jsonl")
    assert index.forget_captures_from("warc/gt/a-0.warc.gz", 1) == 1
    assert not index.is_archived("globaltimes", "1371581")
    assert index.find_identical(URL, 200, "abc") is None


def test_events_skips_and_cursors_agree_on_both_backends(index: ArchiveIndex) -> None:
    v1, _ = _versions()
    index.record_version(v1, "records/a.jsonl")
    assert index.claim_deletion("globaltimes", "1371581", NOW)
    assert not index.claim_deletion("globaltimes", "1371581", NOW)  # recorded once
    event = ArticleEvent(
        kind="deleted", site="globaltimes", article_id="1371581", url=URL, at=NOW, status=404
    )
    index.record_event(event)
    assert index.is_deleted("globaltimes", "1371581")
    (gone,) = index.deletions("2000", "globaltimes")
    assert (gone.status, gone.at) == (404, NOW.isoformat())
    index.mark_skip("k", "not_article", NOW)
    index.mark_skip("k", "not_article", NOW)
    assert index.skipped("k", "not_article", NOW - timedelta(days=1), min_count=2)
    index.clear_skip("k")
    assert not index.skipped("k", "not_article", NOW - timedelta(days=1))
    index.set_cursor("walk", "5")
    index.set_cursor("walk", "7")
    assert index.cursor("walk") == "7"
    index.clear()
    assert index.article_count() == 0 and index.cursor("walk") == "7"


def test_two_workers_finding_the_same_edit_make_one_version(
    shared_url: str, tmp_path: Path
) -> None:
    _, v2 = _versions()
    with ArchiveIndex(tmp_path, shared_url) as a, ArchiveIndex(tmp_path, shared_url) as b:
        with ThreadPoolExecutor(2) as pool:
            claims = list(
                pool.map(lambda ix: ix[0].claim_version(v2, ix[1], NOW), [(a, "a-1"), (b, "b-1")])
            )
        assert sorted(claims) == ["duplicate", "mine"]
        # Asked again, each worker gets the same answer: the claim stays the winner's.
        assert a.claim_version(v2, "a-1", NOW) == claims[0]
        assert b.claim_version(v2, "b-1", NOW) == claims[1]
        other = next_version(_versions()[0], _record(text="Another edit.", offset=12))
        assert other is not None and other.version == 2
        assert b.claim_version(other, "c-1", NOW) == "conflict"


def test_a_claim_whose_worker_died_is_taken_over(shared_url: str, tmp_path: Path) -> None:
    _, v2 = _versions()
    with ArchiveIndex(tmp_path, shared_url) as a, ArchiveIndex(tmp_path, shared_url) as b:
        assert a.claim_version(v2, "dead-1", NOW) == "mine"
        assert b.claim_version(v2, "b-1", NOW + timedelta(minutes=1)) == "duplicate"
        assert b.claim_version(v2, "b-1", NOW + timedelta(minutes=11)) == "mine"
        # Once the version is written, its claim is never taken over.
        b.record_version(v2, "records/b.jsonl")
        assert a.claim_version(v2, "c-1", NOW + timedelta(hours=1)) == "duplicate"


def test_many_workers_opening_a_new_database_make_one_schema(
    shared_url: str, tmp_path: Path
) -> None:
    def open_and_count(_: int) -> int:
        with ArchiveIndex(tmp_path, shared_url) as opened:
            return opened.article_count()

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(open_and_count, range(6))) == [0] * 6


def test_an_index_of_a_newer_archiver_is_refused_in_one_line(
    shared_url: str, tmp_path: Path
) -> None:
    ArchiveIndex(tmp_path, shared_url).close()
    with psycopg.connect(driver_url(shared_url), autocommit=True) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(IndexTooNew, match="newer archiver") as raised:
        ArchiveIndex(tmp_path, shared_url)
    assert "\n" not in str(raised.value)


def test_an_unreachable_server_is_one_line_without_the_password(tmp_path: Path) -> None:
    url = "postgresql://someone:s3cret@127.0.0.1:1/nothing"
    with pytest.raises(ArchiverError) as raised:
        ArchiveIndex(tmp_path, url)
    message = str(raised.value)
    assert "s3cret" not in message and "\n" not in message
    assert message.startswith("cannot open the index at postgresql://someone:***@127.0.0.1:1/")


def test_a_deletion_claimed_by_a_worker_that_died_is_found_again(index: ArchiveIndex) -> None:
    v1, _ = _versions()
    index.record_version(v1, "records/a.jsonl")
    assert index.claim_deletion("globaltimes", "1371581", NOW)  # then killed: no event written
    assert index.is_deleted("globaltimes", "1371581")
    index.refresh_all()  # what the next start's sync does
    assert not index.is_deleted("globaltimes", "1371581")
    assert index.claim_deletion("globaltimes", "1371581", NOW + timedelta(days=1))


def test_a_connection_lost_between_statements_is_made_again(
    shared_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    v1, _ = _versions()
    with ArchiveIndex(tmp_path, shared_url) as index:
        index.record_version(v1, "records/a.jsonl")
        cut_connections(shared_url)
        assert index.is_archived("globaltimes", "1371581")
        assert "reconnected to the index" in caplog.text
        # Inside a transaction the work done so far is gone: one line, and nothing half-done.
        with pytest.raises(StorageLost) as raised, index.db.transaction():
            index.mark_skip("k", "not_article", NOW)
            cut_connections(shared_url)
            index.mark_skip("k2", "not_article", NOW)
        assert str(raised.value).startswith("lost the index at postgresql")
        assert "\n" not in str(raised.value)
        assert not index.skipped("k", "not_article", NOW - timedelta(days=1))


def test_a_server_gone_for_good_is_one_line(shared_url: str, tmp_path: Path) -> None:
    with ArchiveIndex(tmp_path, shared_url) as index:
        assert isinstance(index.db, PostgresDatabase)
        index.db.reconnect_seconds = 0.5
        cut_connections(shared_url, allow=False)
        try:
            with pytest.raises(StorageLost) as raised:
                index.is_archived("globaltimes", "1371581")
        finally:
            allow_connections(shared_url)
    assert "\n" not in str(raised.value) and "lost the index at" in str(raised.value)
    assert is_storage_error(raised.value)  # a crawl stops on it as on a full disk


def test_refreshing_the_articles_read_equals_refreshing_all(index: ArchiveIndex) -> None:
    v1, v2 = _versions()
    later = CaptureRow(
        "warc/gt/b.warc.gz", 5, "<urn:uuid:b5>", "response", URL, 200,
        "2026-09-30T00:00:00+00:00", "sha1:Z", "zzz", None, "", 10,
    )  # fmt: skip
    gone = ArticleEvent(
        kind="deleted", site="globaltimes", article_id="1371581", url=URL, at=NOW, status=404
    )
    # As a bulk ingest leaves them: facts in, derived columns not yet computed.
    index.record_version(v1, "records/a.jsonl", refresh=False)
    index.record_version(v2, "records/b.jsonl", refresh=False)
    index.record_event(gone, refresh=False)
    index.record_capture(later)
    index.refresh_some([("globaltimes", "1371581")], [URL])
    some = _article_row(index)
    index.refresh_all()
    assert _article_row(index) == some
    assert some[4] == "2026-09-30T00:00:00+00:00"  # last seen
    assert not index.is_deleted("globaltimes", "1371581")  # seen again after the deletion


def _article_row(index: ArchiveIndex) -> tuple[object, ...]:
    row = index.db.first(lambda _insert: select(tables.articles))
    assert row is not None
    return tuple(row)
