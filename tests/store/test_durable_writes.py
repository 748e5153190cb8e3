"""Records and events appended whole on a real full disk, unfinished lines cut back at the next
start, atomic run reports, and the index forgetting captures a recovery cut off."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.durable import cut_partial_line, write_atomic
from archiver.layout import ArchiveLayout, run_stem
from archiver.record import Article, CaptureRef, ExtractorInfo
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import capture_row, recover_partial_lines, sync
from archiver.store.jsonl import JsonLinesWriter
from archiver.store.pipeline import fsync_open_warcs
from archiver.store.versions import next_version
from archiver.warc.exchange import HttpExchange
from archiver.warc.raw import iter_records
from archiver.warc.writer import RotatingWarcWriter
from tests.exchanges import plain_exchange
from tests.tmpfs import fill, small_disk

pytestmark = pytest.mark.unit

URL = "https://www.globaltimes.cn/page/202609/1371581.shtml"
DEAD_PID = 999_999  # no such process (pid_max is lower on this kernel and CI's)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", "64k") as mount:
        yield mount


def _line(number: int, size: int = 3000) -> str:
    return json.dumps({"n": number, "text": "x" * size})


def test_a_line_that_does_not_fit_leaves_only_whole_lines(disk: Path) -> None:
    writer = JsonLinesWriter(ArchiveLayout(disk).records_dir, "run")
    written = 0
    with pytest.raises(OSError) as failed:
        for number in range(100):
            writer.write("globaltimes", _line(number))
            written += 1
    assert failed.value.errno == 28  # ENOSPC
    path = writer.paths["globaltimes"]
    data = path.read_bytes()
    assert data.endswith(b"\n")
    assert [json.loads(line)["n"] for line in data.splitlines()] == list(range(written))
    writer.close()


def test_a_first_line_that_does_not_fit_leaves_no_file(disk: Path) -> None:
    fill(disk)
    writer = JsonLinesWriter(ArchiveLayout(disk).records_dir, "run")
    with pytest.raises(OSError):
        writer.write("globaltimes", _line(0))
    assert list(ArchiveLayout(disk).records_dir("globaltimes").iterdir()) == []
    assert writer.paths == {}
    writer.close()


def test_a_failed_atomic_write_keeps_the_old_file_and_no_temporary(disk: Path) -> None:
    report = disk / "runs" / "run.json"
    write_atomic(report, b'{"old": true}\n')
    fill(disk)
    with pytest.raises(OSError):
        write_atomic(report, b'{"new": "' + b"x" * 10_000 + b'"}\n')
    assert report.read_bytes() == b'{"old": true}\n'
    assert [p.name for p in report.parent.iterdir()] == ["run.json"]


@pytest.mark.parametrize(
    ("content", "kept"),
    [
        (b"", b""),
        (b'{"a": 1}\n', b'{"a": 1}\n'),
        (b'{"a": 1}\n{"b": 2', b'{"a": 1}\n'),
        (b'{"b": 2', b""),
        (b'{"a": 1}\n' + b"y" * 200_000, b'{"a": 1}\n'),  # a cut longer than one read
    ],
)
def test_cut_partial_line(tmp_path: Path, content: bytes, kept: bytes) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(content)
    assert cut_partial_line(path) == len(content) - len(kept)
    assert path.read_bytes() == kept


def _run_file(root: Path, folder: str, pid: int) -> Path:
    stem = run_stem("globaltimes", datetime(2026, 9, 25, tzinfo=UTC), pid=pid)
    path = root / folder / "globaltimes" / f"{stem}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b'{"a": 1}\n{"cut": "by a ki')
    return path


def test_unfinished_lines_of_dead_crawls_are_cut_and_live_ones_left(tmp_path: Path) -> None:
    dead_records = _run_file(tmp_path, "records", DEAD_PID)
    dead_events = _run_file(tmp_path, "events", DEAD_PID)
    running = _run_file(tmp_path, "events", os.getpid())  # still being written
    assert recover_partial_lines(tmp_path) == [dead_records, dead_events]
    assert dead_records.read_bytes() == dead_events.read_bytes() == b'{"a": 1}\n'
    assert running.read_bytes().endswith(b"ki")
    assert recover_partial_lines(tmp_path) == []


def _exchange(number: int) -> HttpExchange:
    return plain_exchange(f"{URL}?n={number}" if number else URL, f"<p>page {number}</p>".encode())


def _article(capture: CaptureRef) -> Article:
    record = Article(
        url=URL,
        site="globaltimes",
        article_id="1371581",
        title="Title",
        language="en",
        text="Body.",
        pages=[URL],
        captures=[capture],
        extractor=ExtractorInfo(archiver="0", trafilatura="0", parser="globaltimes/current"),
    )
    versioned = next_version(None, record)
    assert versioned is not None
    return versioned


def test_captures_a_recovery_cut_off_leave_the_index_and_unarchive_their_article(
    tmp_path: Path,
) -> None:
    # A power loss: the index and the record line reached the disk, the WARC file's tail did
    # not (the state the fsync order prevents, and the state the old recovery made by cutting
    # one pair too many). The article must not stay archived with its capture gone.
    directory = ArchiveLayout(tmp_path).warc_dir("globaltimes")
    writer = RotatingWarcWriter(directory, "globaltimes", 10**9, {}, root=tmp_path, pid=DEAD_PID)
    writer.write_exchange(_exchange(1))
    article_capture = writer.write_exchange(_exchange(0))
    [open_path] = directory.glob("*.open")
    writer._fh.close()  # type: ignore[union-attr]  # the machine "dies" here
    records = JsonLinesWriter(ArchiveLayout(tmp_path).records_dir, "globaltimes-run")
    article = _article(article_capture)
    path = records.write("globaltimes", article.to_json_line())
    records.close()
    with ArchiveIndex(tmp_path) as index:
        # What the live crawl indexed: each capture as written, then the record.
        for record in iter_records(open_path):
            row = capture_row(record, article_capture.warc_file)
            if row is not None:
                index.record_capture(row)
        index.record_version(article, ArchiveLayout(tmp_path).relative(path))
        assert index.is_archived("globaltimes", "1371581")
    os.truncate(open_path, article_capture.warc_offset + 40)  # the article's pair lost
    with ArchiveIndex(tmp_path) as index:
        report = sync(index)
        assert report.unarchived == 1
        assert not index.is_archived("globaltimes", "1371581")
        [final] = report.recovered
        assert [r.type for r in iter_records(final)] == ["warcinfo", "response", "request"]
        rows = index.conn.execute("SELECT url FROM captures").fetchall()
        assert rows == [(f"{URL}?n=1",)]
        assert sync(index).unarchived == 0
    # The record line stays as evidence; verify reports its capture as missing.
    assert path.read_text(encoding="utf-8").count("\n") == 1


def test_a_record_line_waits_for_the_warc_file_it_points_into(tmp_path: Path) -> None:
    directory = ArchiveLayout(tmp_path).warc_dir("globaltimes")
    writer = RotatingWarcWriter(directory, "globaltimes", 10**9, {}, root=tmp_path)
    capture = writer.write_exchange(_exchange(0))
    [open_path] = directory.glob("*.open")
    assert fsync_open_warcs(tmp_path, [capture, None, capture]) == [open_path]
    writer.close()  # closed files were fsynced before their rename
    assert fsync_open_warcs(tmp_path, [capture]) == []
