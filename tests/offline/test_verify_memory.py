"""`verify`'s records held compactly: memory for 2,000 records close to that for 200.

The records are real lines in a records file on disk; re-extraction is played by handing each
record's line (one edited) to `Rematch` as `reextract` streams them. Peak traced memory is
compared between sizes (a ratio, not a time), and with what holding each record as the
previous design did (its line and the parsed record) costs, measured here too.
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from archiver.offline.baselines import BaselineFinder
from archiver.offline.reextract import OutputLine, current_generation, plan_jobs
from archiver.offline.rematch import DIFFERS, MATCH, Rematch
from archiver.offline.scans import ScanSet
from archiver.offline.stored import StoredRecords, numbered_lines
from archiver.record import Article, ExtractorInfo
from archiver.warc.scan import FileScan, RecordMeta
from tests.articles import gt_record

pytestmark = pytest.mark.unit

NAME = "records/globaltimes/records.jsonl"
EDITED = 7  # the line whose re-extraction differs (in its title)
# About 3,000 characters of text, as the records of a real archive.
TEXT = " ".join(f"Paragraph {n} of the article says something worth keeping." for n in range(50))


def _write_records(root: Path, count: int) -> None:
    version, trafilatura = current_generation()
    extractor = ExtractorInfo(
        archiver="0", trafilatura=str(trafilatura), parser="globaltimes/current", version=version
    )
    path = root / NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            record = gt_record(title=f"Title {n}", text=TEXT, offset=n * 1000)
            record = record.model_copy(
                update={"article_id": str(1_000_000 + n), "extractor": extractor, "version": 1}
            )
            fh.write(record.to_json_line() + "\n")


def _verify_like(root: Path) -> tuple[int, StoredRecords, Rematch]:
    """Read the records as verify does, find the baselines, meet each with its re-extraction
    as it streams in; the peak of memory traced meanwhile, and what is kept."""
    tracemalloc.start()
    try:
        stored = StoredRecords(root)
        finder = BaselineFinder()
        for number, position, line in numbered_lines(root / NAME):
            record = Article.model_validate_json(line)
            stored.add(NAME, number, position, record, True)
            finder.add((record.site, record.article_id), record, True, (NAME, position))
        baselines = finder.baselines(root)
        assert len(baselines) == len(stored)  # every article from its first capture
        rematch = Rematch(stored)
        for number, _, line in numbered_lines(root / NAME):
            record = Article.model_validate_json(line)
            if number == EDITED:
                line = record.model_copy(update={"title": "Edited"}).to_json_line()
            ids = tuple(c.warc_record_id for c in record.captures)
            rematch.line(OutputLine(record.site, record.article_id, ("", "", 0), ids, line))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    stored.close()
    return peak, stored, rematch


def _held_the_old_way(root: Path, count: int) -> int:
    """Peak memory holding `count` records as the previous design did: line and record."""
    tracemalloc.start()
    try:
        held = []
        for _, _, line in numbered_lines(root / NAME):
            held.append((line, Article.model_validate_json(line)))
            if len(held) == count:
                break
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_records_compared_as_they_stream_hold_a_few_bytes_each(tmp_path: Path) -> None:
    small, large = tmp_path / "small", tmp_path / "large"
    _write_records(small, 200)
    _write_records(large, 2000)
    small_peak, _, _ = _verify_like(small)
    large_peak, stored, rematch = _verify_like(large)
    assert len(stored) == 2000
    assert rematch.verdicts.count(MATCH) == 1999
    assert rematch.verdicts[EDITED - 1] == DIFFERS and rematch.differing[EDITED - 1] == "title"
    assert stored.where(EDITED - 1) == f"{NAME}:{EDITED}"
    per_record = (large_peak - small_peak) / 1800
    old_way = _held_the_old_way(small, 200) / 200
    # Holding each record costs over 10 KiB; here a few hundred bytes a record remain (the
    # baselines' and the match index's), so 2,000 records cost little more than 200 do.
    assert old_way > 10_000
    assert per_record < 1024, (per_record, old_way)
    assert large_peak < 10 * 1024 * 200 + small_peak  # 2,000 of ours < 200 held the old way


def _scans(root: Path, files: int, per_file: int) -> ScanSet:
    """`files` scans of `per_file` article pages each (a response each), saved to the cache."""
    scans = ScanSet(root)
    for f in range(files):
        name = f"warc/globaltimes/{f:04d}.warc.gz"
        records = [
            RecordMeta(
                warc_file=name,
                offset=1000 * n,
                type="response",
                record_id=f"<urn:uuid:{f:04d}-{n:06d}>",
                url=f"https://www.globaltimes.cn/page/202609/{1_000_000 + f * per_file + n}.shtml",
                date=f"2026-09-25T{f % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z",
                status=200,
                payload_digest=f"sha1:{f:016d}{n:016d}",
            )
            for n in range(per_file)
        ]
        scans.add(FileScan(name, records), [f, 0, "key"])
    return scans


def _planned_peak(scans: ScanSet, only: set[tuple[str, str]]) -> tuple[int, int]:
    tracemalloc.start()
    try:
        jobs, problems = plan_jobs(scans, only=only)
        return tracemalloc.get_traced_memory()[1], len(jobs) + len(problems)
    finally:
        tracemalloc.stop()


def test_planning_a_few_articles_holds_those_not_the_archive(tmp_path: Path) -> None:
    # A nightly verify re-extracts the articles it read about, out of the whole archive.
    only = {("globaltimes", str(1_000_000 + n)) for n in range(0, 200, 20)}
    small = _scans(tmp_path / "small", 2, 100)
    large = _scans(tmp_path / "large", 20, 100)
    assert all(len(scan.records) == 100 for scan in large)
    small_peak, small_jobs = _planned_peak(small, only)
    large_peak, large_jobs = _planned_peak(large, only)
    assert small_jobs == large_jobs == 10
    # One scan at a time is read (about 100 KB here): 1,800 more pages cost far less than the
    # 650 bytes a page that holding every scan did.
    assert large_peak - small_peak < 1800 * 100, (small_peak, large_peak)
    everything, jobs = _planned_peak(large, {key for scan in large for key in _keys(scan)})
    assert jobs == 2000 and everything > large_peak + 1800 * 300


def _keys(scan: FileScan) -> list[tuple[str, str]]:
    return [("globaltimes", meta.url.rsplit("/", 1)[1].split(".")[0]) for meta in scan.records]
