"""`archiver reextract` over real crawls: byte-identical records, filters, damage, codings, versions."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import brotli
import pytest
import zstandard

from archiver.offline.reextract import run_reextract
from archiver.offline.selection import BEIJING, parse_since
from archiver.warc.scan import Originals, load_page, scan_file
from tests.crawling import REPO
from tests.replaying import (
    copy_archive,
    decoded_html,
    record_lines,
    records,
    response_record,
    write_response,
    write_revisit,
)

pytestmark = pytest.mark.crawl


def _reextract(root: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "archiver", "reextract", "--dir", str(root)]
    command += ["--out", str(out), "--workers", "2", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def _lines(out: Path) -> list[str]:
    return sorted(
        line for path in out.glob("*.jsonl") for line in path.read_text("utf-8").splitlines()
    )


def _summary(stdout: str, name: str) -> int:
    for line in stdout.splitlines():
        if line.startswith(name):
            return int(line[len(name) :].split()[0])
    raise AssertionError(f"no {name!r} in summary:\n{stdout}")


def test_output_is_byte_identical_to_the_crawl(archive: Path, tmp_path: Path) -> None:
    done = _reextract(archive, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert _lines(tmp_path / "out") == record_lines(archive)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.jsonl")) == [
        "chinadaily.jsonl",
        "globaltimes.jsonl",
    ]
    assert _summary(done.stdout, "records written") == len(record_lines(archive))
    assert _summary(done.stdout, "corrupt records") == 0
    # The mirror's soft 404 at an article URL is archived, and fails here as in the crawl.
    assert _summary(done.stdout, "extraction failures") == 1
    assert "soft-404" in done.stdout
    assert "CPU seconds per page" in done.stdout


def test_site_and_since_filters(archive: Path, tmp_path: Path) -> None:
    done = _reextract(archive, tmp_path / "gt", "--site", "globaltimes")
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (tmp_path / "gt").glob("*.jsonl")] == ["globaltimes.jsonl"]
    expected = sorted(line for line in record_lines(archive) if '"site":"globaltimes"' in line)
    assert _lines(tmp_path / "gt") == expected
    # --since DATE is midnight Beijing time (+08:00), the time zone of every date in the records.
    crawled = min(datetime.fromisoformat(r["captures"][0]["fetched_at"]) for r in records(archive))
    beijing = crawled.astimezone(BEIJING)
    before = beijing.strftime("%Y-%m-%d")
    after = (beijing + timedelta(days=1)).strftime("%Y-%m-%d")
    assert parse_since(before) <= crawled < parse_since(after)
    assert parse_since(before).utcoffset() == timedelta(hours=8)
    done = _reextract(archive, tmp_path / "before", "--since", before)
    assert _lines(tmp_path / "before") == record_lines(archive)
    done = _reextract(archive, tmp_path / "after", "--since", after)
    assert done.returncode == 0, done.stderr
    assert _lines(tmp_path / "after") == []
    bad = _reextract(archive, tmp_path / "x", "--since", "yesterday")
    assert bad.returncode == 2 and "not a date" in bad.stderr


def _damage_member(path: Path, offset: int) -> None:
    # Flip bytes inside the compressed data of the gzip member at `offset`.
    data = bytearray(path.read_bytes())
    for i in range(offset + 40, offset + 60):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_corrupt_records_are_skipped_and_counted(archive: Path, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    victim = next(r for r in records(root) if r["site"] == "chinadaily")
    capture = victim["captures"][0]
    _damage_member(root / capture["warc_file"], capture["warc_offset"])
    truncated = next(root.glob("warc/globaltimes/*.warc.gz"))
    truncated.write_bytes(truncated.read_bytes()[:-300])
    done = _reextract(root, tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert _summary(done.stdout, "corrupt records") >= 2
    produced = {json.loads(line)["url"] for line in _lines(tmp_path / "out")}
    assert victim["url"] not in produced
    # Everything else is still there, the records after the damage included.
    lost_at_end = {
        r["url"]
        for r in records(root)
        if r["captures"][-1]["warc_file"] == truncated.relative_to(root).as_posix()
        and r["captures"][-1]["warc_offset"] > truncated.stat().st_size - 2000
    }
    assert produced >= {r["url"] for r in records(root)} - {victim["url"]} - lost_at_end
    assert len(produced) >= len(records(root)) - 1 - len(lost_at_end)


def _encode(body: bytes, coding: str) -> bytes:
    if coding == "br":
        return bytes(brotli.compress(body))
    if coding == "zstd":
        return bytes(zstandard.ZstdCompressor().compress(body))
    if coding == "deflate":
        return zlib.compress(body)
    return gzip.compress(body)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_every_content_coding_is_decoded(archive: Path, tmp_path: Path, coding: str) -> None:
    record = next(r for r in records(archive) if len(r["captures"]) == 1)
    url = record["captures"][0]["url"]
    _, original = response_record(archive, url)
    html = decoded_html(original)
    root = tmp_path / "archive"
    content_type = original.http_header("Content-Type") or "text/html"
    write_response(
        root,
        f"coded-{coding}.warc.gz",
        url,
        _encode(html, coding),
        datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        [("Content-Type", content_type), ("Content-Encoding", coding)],
    )
    result = run_reextract(root, workers=1)
    assert result.corrupt == []
    assert len(result.lines) == 1
    again = json.loads(result.lines[0].line)
    assert again["title"] == record["title"]
    assert again["text"] == record["text"]


def test_revisit_resolves_to_its_original(archive: Path, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    record = next(r for r in records(root) if len(r["captures"]) == 1)
    url = record["captures"][0]["url"]
    write_revisit(root, url)
    scans = [scan_file(root, p.relative_to(root).as_posix()) for p in root.glob("warc/*/*.gz")]
    metas = [m for s in scans for m in s.records]
    revisit = next(m for m in metas if m.type == "revisit")
    original = Originals(metas).original(revisit)
    assert original is not None and original.url == url and original.type == "response"
    page = load_page(root, revisit, original)
    assert page.capture is not None and page.capture.warc_record_id == revisit.record_id
    assert page.body == decoded_html(response_record(root, url)[1])
    # Unchanged content: no new version, so the output still equals the crawl's records.
    result = run_reextract(root, workers=2)
    assert sorted(line.line for line in result.lines) == record_lines(root)
    assert result.corrupt == []


def test_a_changed_capture_becomes_the_next_version(archive: Path, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    record = next(r for r in records(root) if len(r["captures"]) == 1 and r["language"] == "en")
    url = record["captures"][0]["url"]
    _, original = response_record(root, url)
    title = record["title"].encode()
    edited = decoded_html(original).replace(title, b"Edited: " + title)
    assert edited != decoded_html(original)
    later = datetime.fromisoformat(record["captures"][0]["fetched_at"]) + timedelta(days=2)
    content_type = original.http_header("Content-Type") or "text/html"
    write_response(root, "edit.warc.gz", url, edited, later, [("Content-Type", content_type)])
    result = run_reextract(root, workers=2)
    mine = [json.loads(line.line) for line in result.lines if json.loads(line.line)["url"] == url]
    assert [r["version"] for r in mine] == [1, 2]
    assert mine[1]["previous_version"] == 1
    assert "title" in mine[1]["changes"]
    assert mine[1]["title"] == "Edited: " + record["title"]
    assert mine[0] == record  # the first capture's record is the crawl's
