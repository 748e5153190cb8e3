"""A crawl killed at a chosen point (before, inside and after a WARC record, a JSON line, an
index transaction), then run again: every page fetched before the kill is either in the WARC
with its record or fetched again, nothing is archived without its capture, and `verify` is
clean.

A SIGKILL lands where the clock says, not where a test wants: the states a kill leaves are
made on disk instead, precisely, from a real crawl's files. A kill at byte X of the WARC file
leaves the `.open` file cut at X; the records written before it (a record line follows its
captures); optionally the next line cut in half; and the index as the live crawl kept it (the
captures and records on disk, no file yet marked complete), with or without the last record
(a kill before its index transaction committed, which SQLite rolls back). The rerun is a real
crawl. Real crawls are killed too, at a few moments (as WARC pairs land, after the first
record, with several records written).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pytest

from archiver.mirror import MirrorServer, load_manifest
from archiver.offline.verify import capture_problems
from archiver.record import Article
from archiver.replay.env import ReplayEnv
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import rebuild
from archiver.warc.consistency import check_file
from archiver.warc.raw import iter_records
from tests.crawling import REPO, TEST_SETTINGS, CrawlResult, run_crawl

pytestmark = pytest.mark.crawl

SITE: Final = "chinadaily"


@dataclass(frozen=True)
class Base:
    """A finished crawl's files, to cut as kills would."""

    root: Path
    warc: Path  # its one WARC file
    records: Path  # its one records file
    lines: list[str]  # the records file's lines, newline included
    pair_ends: dict[int, int]  # response offset -> end of its request record
    responses: list[tuple[int, int, str]]  # (offset, end of pair, URL) of every response


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, mirror: MirrorServer) -> Base:
    root = tmp_path_factory.mktemp("base")
    result = run_crawl(SITE, root, mirror.url)
    assert result.returncode == 0, result.log[-3000:]
    [warc] = result.warc_files()
    [records] = root.glob(f"records/{SITE}/*.jsonl")
    found = list(iter_records(warc))
    size = warc.stat().st_size
    pair_ends: dict[int, int] = {}
    responses: list[tuple[int, int, str]] = []
    for number, record in enumerate(found):
        if record.type in ("response", "revisit"):
            end = found[number + 2].offset if number + 2 < len(found) else size
            pair_ends[record.offset] = end
            responses.append((record.offset, end, record.target_uri))
    lines = records.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) >= 6
    return Base(root, warc, records, lines, pair_ends, responses)


def _ends(base: Base, line: str) -> int:
    """Where the WARC file must reach before this record line can be written."""
    return max(base.pair_ends[c["warc_offset"]] for c in json.loads(line)["captures"])


# Where in the WARC file the kill lands, relative to the pair of the 4th record's page 1.
POSITIONS: Final = {
    "before-the-pair": lambda start, request, end: start,
    "inside-the-response": lambda start, request, end: start + 100,
    "between-the-records": lambda start, request, end: request,
    "inside-the-request": lambda start, request, end: end - 5,
    "after-the-pair": lambda start, request, end: end,
}


@dataclass(frozen=True)
class KillPoint:
    position: str  # a key of POSITIONS
    line: str  # "whole": the last line written whole; "half": the next line cut mid-way
    indexed: bool  # the last whole line's index transaction committed


POINTS: Final = [
    KillPoint("before-the-pair", "whole", True),
    KillPoint("inside-the-response", "whole", True),
    KillPoint("between-the-records", "whole", True),
    KillPoint("inside-the-request", "whole", True),
    KillPoint("after-the-pair", "whole", True),
    KillPoint("after-the-pair", "half", True),
    KillPoint("after-the-pair", "whole", False),
    KillPoint("inside-the-response", "half", False),
]


def _kill_state(base: Base, point: KillPoint, root: Path) -> tuple[int, list[str]]:
    """Lay out under `root` what a kill at `point` leaves; returns the cut and the lines kept."""
    target = json.loads(base.lines[3])["captures"][0]["warc_offset"]
    end = base.pair_ends[target]
    request = next(r.offset for r in iter_records(base.warc) if r.offset > target)
    cut = POSITIONS[point.position](target, request, end)
    settled = max([o_end for _, o_end, _ in base.responses if o_end <= cut], default=0)
    # Lines are written in file order, each after its captures: a prefix of them.
    prefix = list(itertools.takewhile(lambda line: _ends(base, line) <= cut, base.lines))
    assert len(prefix) >= 2
    whole, partial = (prefix[:-1], prefix[-1]) if point.line == "half" else (prefix, "")
    data = base.warc.read_bytes()
    warc = root / base.warc.relative_to(base.root)
    records = root / base.records.relative_to(base.root)
    warc.parent.mkdir(parents=True)
    records.parent.mkdir(parents=True)
    # The index the live crawl kept: rebuilt from the settled files, no file marked complete.
    warc.write_bytes(data[: max(settled, _warcinfo_end(base))])
    records.write_text("".join(whole if point.indexed else whole[:-1]), encoding="utf-8")
    with ArchiveIndex(root) as index:
        rebuild(index)
        index.conn.execute("DELETE FROM files")
    warc.rename(warc.with_name(warc.name + ".open"))
    warc.with_name(warc.name + ".open").write_bytes(data[:cut])
    records.write_text("".join(whole) + partial[: len(partial) // 2], encoding="utf-8")
    return cut, whole


def _warcinfo_end(base: Base) -> int:
    return next(r.offset for r in iter_records(base.warc) if r.type != "warcinfo")


def _verify(root: Path, env: ReplayEnv) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "archiver", "verify", "--dir", str(root)]
    command += ["--env", str(env.path)]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "point",
    POINTS,
    ids=[f"{p.position}-{p.line}-{'indexed' if p.indexed else 'not'}" for p in POINTS],
)
def test_a_kill_at_a_point_loses_no_page(
    base: Base, point: KillPoint, tmp_path: Path, mirror: MirrorServer, env: ReplayEnv
) -> None:
    root = tmp_path / "archive"
    cut, kept = _kill_state(base, point, root)
    again = run_crawl(SITE, root, mirror.url)
    assert again.returncode == 0, again.log[-3000:]
    assert "Traceback" not in again.log
    assert again.stats["archiver/index/sync/recovered_warcs"] == 1
    assert not list(root.glob("warc/**/*.open"))
    for path in root.glob("warc/**/*.warc.gz"):
        assert check_file(path) == [], path
    records = CrawlResult(0, "", root, {}).records(SITE)
    _assert_every_article_once(records)
    # Pages fetched before the kill: in the WARC with their record, or fetched again.
    recovered = root / base.warc.relative_to(base.root)
    kept_captures = {c["warc_record_id"] for line in kept for c in json.loads(line)["captures"]}
    for record in records:
        ids = {c["warc_record_id"] for c in record["captures"]}
        files = {c["warc_file"] for c in record["captures"]}
        if not ids <= kept_captures:
            assert recovered.relative_to(root).as_posix() not in files, record["url"]
        assert capture_problems(root, Article.model_validate(record)) == [], record["url"]
    _assert_never_archived_without_capture(root)
    done = _verify(root, env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert cut > 0


def _assert_every_article_once(records: list[dict[str, Any]]) -> None:
    manifest = load_manifest()
    expected = {a.url for a in manifest.articles if a.site == SITE and a.expect == "article"}
    assert {str(r["url"]) for r in records} == expected
    assert set(Counter(r["url"] for r in records).values()) == {1}
    assert {r["version"] for r in records} == {1}


def _assert_never_archived_without_capture(root: Path) -> None:
    with ArchiveIndex(root) as index:
        rows = index.conn.execute("SELECT record FROM articles WHERE archived = 1").fetchall()
        indexed = {
            (str(f), int(o))
            for f, o in index.conn.execute("SELECT warc_file, warc_offset FROM captures")
        }
    assert rows
    for (line,) in rows:
        for capture in json.loads(line)["captures"]:
            assert (capture["warc_file"], capture["warc_offset"]) in indexed, capture["url"]


def test_the_states_are_what_a_kill_leaves(base: Base, tmp_path: Path) -> None:
    # The kill states themselves: the .open file ends where the point says, the lines kept
    # name only captures before it, and a half line has no newline.
    for number, point in enumerate(POINTS):
        root = tmp_path / str(number)
        cut, kept = _kill_state(base, point, root)
        [open_file] = root.glob("warc/**/*.open")
        assert open_file.stat().st_size == cut
        assert all(_ends(base, line) <= cut for line in kept)
        [records] = root.glob("records/*/*.jsonl")
        ends_whole = records.read_text(encoding="utf-8").endswith("\n")
        assert ends_whole == (point.line == "whole"), point
    shutil.rmtree(tmp_path)


def _start_slow(root: Path, mirror_url: str) -> subprocess.Popen[bytes]:
    settings = {**TEST_SETTINGS, "ARCHIVER_DIR": str(root), "ARCHIVER_MIRROR": mirror_url}
    settings["DOWNLOAD_DELAY"] = "0.3"  # slow enough to be killed at each trigger below
    command = [sys.executable, "-m", "scrapy", "crawl", SITE]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "archiver.settings"}
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _warc_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.glob("warc/**/*.open"))


def _lines(root: Path) -> int:
    return sum(p.read_bytes().count(b"\n") for p in root.glob("records/*/*.jsonl"))


# When to kill a real crawl: as its first WARC pairs land, after its first record line, and
# with several records written (the kill then falls wherever the crawl happens to be).
TRIGGERS: Final = {
    "first-pairs": lambda root: _warc_bytes(root) > 20_000,
    "first-record": lambda root: _lines(root) >= 1,
    "several-records": lambda root: _lines(root) >= 4,
}


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_a_real_sigkill_then_rerun_loses_no_page(
    trigger: str, tmp_path: Path, mirror: MirrorServer, env: ReplayEnv
) -> None:
    root = tmp_path / "archive"
    process = _start_slow(root, mirror.url)
    deadline = time.monotonic() + 120
    try:
        while not TRIGGERS[trigger](root):
            assert process.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline, f"{trigger} never happened"
            time.sleep(0.01)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert list(root.glob("warc/**/*.open"))
    again = run_crawl(SITE, root, mirror.url)
    assert again.returncode == 0, again.log[-3000:]
    assert "Traceback" not in again.log
    assert not list(root.glob("warc/**/*.open"))
    records = CrawlResult(0, "", root, {}).records(SITE)
    _assert_every_article_once(records)
    _assert_never_archived_without_capture(root)
    done = _verify(root, env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
