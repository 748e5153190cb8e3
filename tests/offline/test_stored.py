"""Records held as places in their files (`StoredRecords`): each line read again as it was read."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.offline.stored import StoredRecords, numbered_lines
from tests.articles import gt_record

pytestmark = pytest.mark.unit


def test_lines_are_numbered_and_read_again_as_text_mode_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    # Windows and old Mac line ends, and a last line cut short (a killed writer's).
    path.write_bytes('{"a":1}\r\n{"b":"é"}\r\r{"c":3}\n{"d":'.encode())
    with path.open(encoding="utf-8") as fh:
        expected = [line.rstrip("\n") for line in fh]
    read = list(numbered_lines(path))
    assert [line for _, _, line in read] == expected
    assert [number for number, _, _ in read] == [1, 2, 3, 4, 5]
    stored = StoredRecords(tmp_path)
    record = gt_record()
    for number, position, _ in read:
        stored.add("records.jsonl", number, position, record, current=True)
    try:
        assert [stored.line(n) for n in reversed(range(len(stored)))] == expected[::-1]
        assert stored.where(1) == "records.jsonl:2"
    finally:
        stored.close()


def test_records_of_many_files_are_read_again_with_few_open(tmp_path: Path) -> None:
    stored = StoredRecords(tmp_path)
    lines = {}
    for f in range(40):
        name = f"records/x/{f:02d}.jsonl"
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        record = gt_record(title=f"Title {f}", offset=f)
        (tmp_path / name).write_text(record.to_json_line() + "\n", encoding="utf-8")
        stored.add(name, 1, 0, record, current=f % 2 == 0)
        lines[f] = record.to_json_line()
    try:
        for n in [*range(40), *range(39, -1, -3)]:
            assert stored.line(n) == lines[n]
            assert len(stored._handles) <= 16
        ids = tuple(c.warc_record_id for c in gt_record(offset=4).captures)
        assert stored.candidates(ids) == [4]  # made by the current extractor
        assert stored.capture_ids(4) == ids
        odd = tuple(c.warc_record_id for c in gt_record(offset=5).captures)
        assert stored.candidates(odd) == []  # another extractor's: never compared
        assert list(stored.captures(7)) == [(0, "warc/gt/7.warc.gz", 7)]
        assert stored.unindexed([("warc/gt/7.warc.gz", 7), ("warc/gt/8.warc.gz", 1)]) == {
            (f"warc/gt/{f}.warc.gz", f) for f in range(40) if f != 7
        }
    finally:
        stored.close()
    assert not stored._handles
