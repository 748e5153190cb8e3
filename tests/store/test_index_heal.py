"""Opening the index: versions migrated, damage moved aside, a newer index refused."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.rebuild import rebuild_from_files
from archiver.store.index.schema import (
    MIGRATIONS,
    SCHEMA_VERSION,
    IndexTooNew,
    expected_columns,
)

pytestmark = pytest.mark.unit


def _index_with_cursor(root: Path) -> Path:
    with ArchiveIndex(root) as index:
        index.set_cursor("backfill:chinadaily:world", "7")
        index.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return index.path


def _set(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()


def _moved(root: Path) -> list[Path]:
    return sorted(root.glob("index.sqlite3.damaged-*"))


def test_a_new_index_has_the_current_version_and_every_table(tmp_path: Path) -> None:
    with ArchiveIndex(tmp_path) as index:
        version = index.conn.execute("SELECT value FROM meta").fetchall()
        tables = {r[0] for r in index.conn.execute("SELECT name FROM sqlite_master")}
    assert version == [(SCHEMA_VERSION,)]
    assert set(expected_columns()) <= tables
    assert _moved(tmp_path) == []


def test_version_1_is_migrated_keeping_cursors(tmp_path: Path) -> None:
    path = _index_with_cursor(tmp_path)
    _set(path, "DROP TABLE captures")
    _set(path, "CREATE TABLE captures (warc_file TEXT, warc_offset INTEGER)")  # v1 lacked columns
    _set(path, "UPDATE meta SET value = '1'")
    with ArchiveIndex(tmp_path) as index:
        assert index.cursor("backfill:chinadaily:world") == "7"
        assert index.conn.execute("SELECT value FROM meta").fetchone() == (SCHEMA_VERSION,)
        columns = [r[1] for r in index.conn.execute("PRAGMA table_info(captures)")]
    assert columns == expected_columns()["captures"]
    assert _moved(tmp_path) == []
    assert list(MIGRATIONS) == ["1", "2"] and MIGRATIONS["2"][0] == SCHEMA_VERSION


def test_a_failed_migration_changes_nothing(tmp_path: Path) -> None:
    # Version check, migration and new tables are one transaction: a step that fails midway
    # leaves the old index as it was, version included.
    path = _index_with_cursor(tmp_path)
    _set(path, "UPDATE meta SET value = '1'")

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("DROP TABLE captures")
        raise sqlite3.OperationalError("disk I/O error")

    MIGRATIONS["1"], saved = ("2", broken), MIGRATIONS["1"]
    try:
        with pytest.raises(sqlite3.OperationalError):
            ArchiveIndex(tmp_path)
    finally:
        MIGRATIONS["1"] = saved
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta").fetchone() == ("1",)
    assert conn.execute("SELECT count(*) FROM captures").fetchone() == (0,)
    conn.close()
    assert _moved(tmp_path) == []  # an I/O error is no damage: nothing moved aside


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda p: p.write_bytes(b"not a database at all" * 500), "file is not a database"),
        (lambda p: _set(p, "UPDATE meta SET value = 'two'"), "unknown schema version 'two'"),
        (lambda p: _set(p, "DELETE FROM meta"), "no schema version"),
        # (not `record`: SQLite refuses to drop a column the explorer's triggers read)
        (lambda p: _set(p, "ALTER TABLE articles DROP COLUMN archived"), "table articles"),
        (lambda p: _set(p, "DROP TABLE meta"), "not an archiver index"),
    ],
    ids=["garbage", "unknown-version", "no-version", "missing-column", "no-meta"],
)
def test_a_damaged_index_is_moved_aside_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object, reason: str
) -> None:
    path = _index_with_cursor(tmp_path)
    damage(path)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING), ArchiveIndex(tmp_path) as index:
        assert index.article_count() == 0
        kept = index.cursor("backfill:chinadaily:world")
    [warning] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    [moved] = _moved(tmp_path)
    assert reason in warning and moved.name in warning and "\n" not in warning
    # Cursors are kept when the old file still reads (not from garbage).
    assert kept == (None if "not a database" in reason else "7")


def test_a_truncated_index_is_moved_aside(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with ArchiveIndex(tmp_path) as index:
        for n in range(3000):
            index.set_cursor(f"cursor-{n}", "x" * 100)
        index.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        path = index.path
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with caplog.at_level(logging.WARNING), ArchiveIndex(tmp_path) as index:
        assert index.cursor("cursor-1") is None
    assert "malformed" in caplog.text
    assert len(_moved(tmp_path)) == 1


def test_two_damages_in_one_second_keep_both_files(tmp_path: Path) -> None:
    for _ in range(2):
        (tmp_path / "index.sqlite3").write_bytes(b"garbage" * 100)
        ArchiveIndex(tmp_path).close()
    assert len(_moved(tmp_path)) == 2


def test_a_zero_byte_index_is_simply_new(tmp_path: Path) -> None:
    (tmp_path / "index.sqlite3").write_bytes(b"")
    with ArchiveIndex(tmp_path) as index:
        assert index.article_count() == 0
    assert _moved(tmp_path) == []


def test_an_index_of_a_newer_archiver_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = _index_with_cursor(tmp_path)
    _set(path, "UPDATE meta SET value = '99'")
    before = path.read_bytes()
    with pytest.raises(IndexTooNew, match=r"newer archiver .*schema version 99"):
        ArchiveIndex(tmp_path)
    assert path.read_bytes() == before
    assert _moved(tmp_path) == []


def test_rebuild_never_opens_the_old_file_and_keeps_cursors(tmp_path: Path) -> None:
    path = _index_with_cursor(tmp_path)
    _set(path, "UPDATE meta SET value = '99'")  # an open would refuse this one
    report, articles = rebuild_from_files(tmp_path, path)
    assert (report.files, articles) == (0, 0)
    with ArchiveIndex(tmp_path) as index:
        assert index.cursor("backfill:chinadaily:world") == "7"
    path.write_bytes(b"garbage" * 100)
    rebuild_from_files(tmp_path, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.sqlite3", "index.sqlite3.lock"]


def test_a_foreign_database_is_moved_aside_untouched(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite3"
    _set(path, "CREATE TABLE photos (id INTEGER PRIMARY KEY, caption TEXT)")
    _set(path, "INSERT INTO photos (caption) VALUES ('not ours')")
    before = path.read_bytes()
    ArchiveIndex(tmp_path).close()
    [moved] = _moved(tmp_path)
    assert moved.read_bytes() == before


def test_rebuild_refuses_while_a_crawl_holds_its_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from archiver.cli import main
    from archiver.crawl.site_lock import SiteLock

    path = _index_with_cursor(tmp_path)
    before = path.read_bytes()
    crawl = SiteLock(tmp_path, "globaltimes")
    assert crawl.acquire()
    try:
        status = main(["index", "rebuild", "--dir", str(tmp_path), "--index", str(path)])
    finally:
        crawl.release()
    err = capsys.readouterr().err
    assert status == 1
    assert (
        err.startswith("archiver: error: a crawl of globaltimes is writing")
        and err.count("\n") == 1
    )
    assert path.read_bytes() == before
    assert main(["index", "rebuild", "--dir", str(tmp_path), "--index", str(path)]) == 0
    after = SiteLock(tmp_path, "chinadaily")
    assert after.acquire()  # rebuild let go of every lock
    after.release()
