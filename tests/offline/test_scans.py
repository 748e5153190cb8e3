"""Scans read from the cache one at a time (`ScanSet`), and originals found among only those
a revisit may stand for: the same answers as holding every scan."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.offline.ledger import VERIFY_DIR, file_key
from archiver.offline.scans import ScanSet, originals_for
from archiver.warc.scan import FileScan, Originals, RecordMeta, scan_file
from tests.replaying import write_response

pytestmark = pytest.mark.unit

URL = "https://www.chinadaily.com.cn/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html"
NAME = "warc/extra/one.warc.gz"


def _warc(root: Path) -> FileScan:
    write_response(
        root, "one.warc.gz", URL, b"<html>x</html>", datetime(2026, 10, 1, tzinfo=UTC), []
    )
    return scan_file(root, NAME)


def test_a_scan_is_read_again_from_the_cache_or_made_again(tmp_path: Path) -> None:
    scan = _warc(tmp_path)
    scans = ScanSet(tmp_path)
    scans.add(scan, file_key(tmp_path / NAME))
    assert not scans.held  # saved, not kept
    assert list(scans) == [scan] and scans[0] == scan and len(scans) == 1
    (tmp_path / VERIFY_DIR / "scans" / (NAME + ".json")).unlink()
    assert scans.load(NAME) == scan  # the cache gone: the file is scanned again


def test_a_scan_that_cannot_be_saved_is_kept(tmp_path: Path) -> None:
    scan = _warc(tmp_path)
    (tmp_path / VERIFY_DIR).write_text("a file where the cache's folder would be")
    scans = ScanSet(tmp_path)
    scans.add(scan, file_key(tmp_path / NAME))
    assert scans.held == {NAME: scan} and list(scans) == [scan]
    scans.arrange(["warc/other.warc.gz", NAME])
    assert scans.names == [NAME]


def _meta(n: int, kind: str = "response", **fields: str | None) -> RecordMeta:
    meta = RecordMeta(
        warc_file=f"warc/{n % 4}.warc.gz",
        offset=n,
        type=kind,
        record_id=f"<urn:uuid:{n}>",
        url=f"https://example.com/{n % 3}",
        date=f"2026-10-0{n % 2 + 1}T00:00:00Z",
        status=200,
        payload_digest=f"sha1:{n % 5}",
    )
    return dataclasses.replace(meta, **fields)


def test_originals_among_those_revisits_may_stand_for_are_the_same() -> None:
    responses = [_meta(n) for n in range(40)]
    revisits = [
        _meta(100, "revisit", refers_to="<urn:uuid:7>"),  # by record id
        # by URI and date (the record id names nothing), the one with the same digest
        _meta(101, "revisit", refers_to="<urn:uuid:999>", refers_to_date="2026-10-01T00:00:00Z"),
        _meta(
            102,
            "revisit",
            refers_to_uri="https://example.com/1",
            refers_to_date="2026-10-02T00:00:00Z",
            payload_digest="sha1:9",
        ),  # by URI and date, none with its digest: the first
        _meta(103, "revisit", refers_to_date="2026-12-31T00:00:00Z"),  # none
    ]
    scans = [FileScan("warc/a.warc.gz", responses[:25]), FileScan("warc/b.warc.gz", responses[25:])]
    everything = Originals(responses)
    some = originals_for(scans, revisits)
    assert len(some.by_id) < len(everything.by_id)
    found = [everything.original(revisit) for revisit in revisits]
    assert [some.original(revisit) for revisit in revisits] == found
    assert [m.record_id if m else None for m in found] == [
        "<urn:uuid:7>",
        "<urn:uuid:26>",  # example.com/2, 2026-10-01, sha1:1 as the revisit
        "<urn:uuid:1>",
        None,
    ]
    assert originals_for(scans, []).by_id == {}
