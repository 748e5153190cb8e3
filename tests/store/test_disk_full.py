"""A crawl whose disk fills up: it stops at the first failed write, says so in one line, exits
74, leaves no empty WARC file and no half JSON line; after space returns a rerun completes and
`archiver verify` is clean. The disk is a real tmpfs (the tests run as root, as CI does)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from archiver.durable import IO_ERROR_EXIT
from archiver.mirror import MirrorServer
from archiver.replay.env import ReplayEnv
from archiver.warc.consistency import check_file
from tests.crawling import REPO, CrawlResult, run_crawl
from tests.tmpfs import fill, resize, small_disk

pytestmark = pytest.mark.crawl

SITE: Final = "chinadaily"
# The bundled mirror's chinadaily crawl writes about 0.3 MB of WARC and records, but the index's
# write-ahead log grows to several hundred KB on the way: 1 MB fills partway (a few records
# written), 300 KB cannot even create the index.
PARTWAY: Final = "1m"
ROOMY: Final = "64m"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs mounted at tmp_path/disk (size PARTWAY), always unmounted."""
    with small_disk(tmp_path / "disk", PARTWAY) as mount:
        yield mount


def _verify(root: Path, env: ReplayEnv) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "archiver", "verify", "--json", "--dir", str(root)]
    command += ["--env", str(env.path)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def _assert_left_clean(root: Path) -> None:
    assert not list(root.glob("warc/**/*.open")), "a WARC file left open (or empty)"
    for path in root.glob("warc/**/*.warc.gz"):
        assert check_file(path) == [], path
    for path in [*root.glob("records/*/*.jsonl"), *root.glob("events/*/*.jsonl")]:
        data = path.read_bytes()
        assert data, f"{path} left empty"
        assert data.endswith(b"\n"), f"{path} ends in a partial line"
        for line in data.splitlines():
            json.loads(line)


def test_a_full_disk_stops_the_crawl_in_one_line_and_a_rerun_completes(
    disk: Path, env: ReplayEnv
) -> None:
    root = disk / "archive"
    with MirrorServer() as mirror:
        full = run_crawl(SITE, root, mirror.url)
        assert full.returncode == IO_ERROR_EXIT, full.log[-3000:]
        assert "Traceback" not in full.log, full.log
        stops = [line for line in full.log.splitlines() if "stopping the crawl" in line]
        assert len(stops) == 1, stops
        assert "No space left on device" in stops[0] or "disk is full" in stops[0]
        assert "Closing spider (io_error)" in full.log
        assert "run failed: I/O error, crawl stopped:" in full.log
        _assert_left_clean(root)
        written = CrawlResult(0, "", root, {}).records(SITE)
        assert written, "1 MB should let the crawl write some records before it fills"

        on_full_disk = _verify(root, env)
        assert "Traceback" not in on_full_disk.stderr, on_full_disk.stderr
        assert on_full_disk.returncode == 1, on_full_disk.stdout + on_full_disk.stderr
        report = json.loads(on_full_disk.stdout)
        [replay] = [check for check in report["checks"] if check["name"] == "replay"]
        assert any("No space left on device" in p for p in replay["problems"]), replay

        resize(disk, ROOMY)
        again = run_crawl(SITE, root, mirror.url)
    assert again.returncode == 0, again.log[-3000:]
    assert "Traceback" not in again.log
    _assert_left_clean(root)
    urls = {r["url"] for r in CrawlResult(0, "", root, {}).records(SITE)}
    assert {r["url"] for r in written} <= urls
    clean = _verify(root, env)
    assert clean.returncode == 0, clean.stdout[-3000:] + clean.stderr[-3000:]


def test_a_disk_full_before_the_index_opens_is_one_line(disk: Path) -> None:
    # A scheduled run started on a disk already full: not even the index can be created.
    resize(disk, "300k")
    fill(disk)  # to the last byte: whatever the crawl writes first (lock, index) fails
    root = disk / "archive"
    with MirrorServer() as mirror:
        result = run_crawl(SITE, root, mirror.url)
    assert result.returncode == IO_ERROR_EXIT, result.log[-3000:]
    assert "Traceback" not in result.log, result.log[-3000:]
    [line] = [line for line in result.log.splitlines() if "could not start" in line]
    assert str(root) in line
    assert "No space left on device" in line or "database or disk is full" in line
    assert not list(root.glob("warc/**/*.open"))
