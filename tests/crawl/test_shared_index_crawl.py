"""Crawls on several machines share one PostgreSQL index: what one archived, none fetches again.

Two workers, each with its own archive directory (as on two machines): a first run split
between them through Redis, then each on its own (as scheduled jobs on two machines run),
a `latest` run and a `refresh` run against a mirror where one article was edited and one
deleted. The same runs with the SQLite index and one worker are the baseline.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from archiver.durable import IO_ERROR_EXIT
from archiver.mirror import Manifest, MirrorServer
from archiver.store.index import tables
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import sync
from archiver.warc.consistency import check_file
from archiver.warc.raw import iter_records
from tests.crawling import REPO, TEST_SETTINGS, CrawlResult, run_crawl
from tests.postgres_server import allow_connections, cut_connections, fresh_database
from tests.redis_server import redis_server
from tests.store.test_incremental_crawl import DELETED, EDITED_TEXT, EDITED_TITLE, _overlay

pytestmark = [pytest.mark.crawl, pytest.mark.postgres, pytest.mark.redis]

SITE = "globaltimes"
REFRESH = {"mode": "refresh", "days": "36500"}


@dataclass
class Runs:
    workers: list[Path]
    index: dict[str, str]
    first: list[CrawlResult]
    latest: list[CrawlResult]
    refresh: list[CrawlResult]


def _parallel(
    roots: list[Path], mirror: str, args: dict[str, str], settings: dict[str, str]
) -> list[CrawlResult]:
    with ThreadPoolExecutor(len(roots)) as pool:
        futures = [pool.submit(run_crawl, SITE, r, mirror, args, settings) for r in roots]
        return [future.result() for future in futures]


@pytest.fixture(scope="module", params=["postgresql, two workers", "sqlite, one worker"])
def runs(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    manifest: Manifest,
) -> Iterator[Runs]:
    tmp = tmp_path_factory.mktemp("shared")
    shared = request.param.startswith("postgresql")
    workers = [tmp / "worker0", tmp / "worker1"] if shared else [tmp / "worker0"]
    index = (
        {"ARCHIVER_INDEX_URL": fresh_database(request.getfixturevalue("postgres_url"), "crawl")}
        if shared
        else {}
    )
    overlay = _overlay(tmp_path_factory.mktemp("overlay"), manifest)
    with redis_server(tmp) as redis_url, MirrorServer() as mirror:
        split = {
            **index,
            "ARCHIVER_REDIS_URL": redis_url,
            "ARCHIVER_REDIS_RUN": "first",
            "ARCHIVER_REDIS_IDLE": "3",
            # One request at a time, slowly: the first worker cannot empty the shared queue
            # before the second one looks (tests/crawl/test_scaleout.py).
            "CONCURRENT_REQUESTS": "1",
            "DOWNLOAD_DELAY": "0.2",
        }
        first = _parallel(workers, mirror.url, {}, split)
        latest = _parallel(workers, mirror.url, {}, index)
    with MirrorServer(overlays=[overlay]) as mirror:
        refresh = _parallel(workers, mirror.url, REFRESH, index)
    yield Runs(workers, index, first, latest, refresh)


def _records(roots: list[Path]) -> list[dict[str, object]]:
    return [r for root in roots for r in CrawlResult(0, "", root, {}).records(SITE)]


def test_every_run_of_every_worker_succeeds(runs: Runs) -> None:
    for result in [*runs.first, *runs.latest, *runs.refresh]:
        assert result.returncode == 0, result.log[-3000:]
        assert "Traceback" not in result.log, result.log[-3000:]


def test_the_first_run_archives_each_article_once(runs: Runs, manifest: Manifest) -> None:
    expected = {a.url for a in manifest.articles if a.site == SITE and a.expect == "article"}
    first = [r for r in _records(runs.workers) if r["version"] == 1]
    counts = Counter(str(r["url"]) for r in first)
    assert expected <= set(counts)
    assert max(counts.values()) == 1, counts.most_common(3)


def test_a_latest_run_fetches_no_article_any_worker_archived(runs: Runs) -> None:
    for result in runs.latest:
        assert result.stats.get("archiver/discovery/already_archived", 0) > 0, result.stats
        assert "archiver/records/written" not in result.stats, result.stats
        fetched = {k: v for k, v in result.stats.items() if k.startswith("archiver/discovery/")}
        assert not result.stats.get("archiver/versions/unchanged"), fetched


def test_an_edit_found_by_every_worker_is_one_version(runs: Runs) -> None:
    records = _records(runs.workers)
    versions = Counter((str(r["url"]), r["version"]) for r in records)
    assert versions[(EDITED_TEXT, 2)] == 1
    assert versions[(EDITED_TITLE, 2)] == 1
    assert max(versions.values()) == 1, versions.most_common(3)
    assert sum(r.stats.get("archiver/versions/new_versions", 0) for r in runs.refresh) == 2
    for result in runs.refresh:
        # Every worker fetched the edited articles again: the one that came second found
        # the edit written already (unchanged) or being written (claimed by another).
        assert result.stats["archiver/discovery/refresh"] >= 2, result.stats


def test_a_deletion_found_by_every_worker_is_one_event(runs: Runs) -> None:
    events = [
        json.loads(line)
        for root in runs.workers
        for path in root.glob("events/*/*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert [(e["kind"], e["url"]) for e in events] == [("deleted", DELETED)]
    assert sum(r.stats.get("archiver/articles/deleted", 0) for r in runs.refresh) == 1


def test_changes_over_the_shared_index_and_verify_of_the_collected_archive(
    runs: Runs,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from archiver.cli import main

    collected = tmp_path / "collected"
    for root in runs.workers:
        shutil.copytree(
            root, collected, dirs_exist_ok=True, ignore=shutil.ignore_patterns("index.sqlite3*")
        )
    if not runs.index:  # one worker: its own index file comes along
        shutil.copy(runs.workers[0] / "index.sqlite3", collected / "index.sqlite3")
    where = ["--index-url", runs.index["ARCHIVER_INDEX_URL"]] if runs.index else []
    assert main(["changes", "--dir", str(collected), *where, "--json"]) == 0
    changes = sorted(
        (c["kind"], c["url"]) for c in map(json.loads, capsys.readouterr().out.splitlines())
    )
    assert changes == [("deleted", DELETED), ("edited", EDITED_TITLE), ("edited", EDITED_TEXT)]
    assert main(["verify", "--dir", str(collected)]) == 0, capsys.readouterr().out
    # The export reads the current records from the index the environment names.
    for name, value in runs.index.items():
        monkeypatch.setenv(name, value)
    assert main(["export", "parquet", "--dir", str(collected), "--out", str(tmp_path / "pq")]) == 0
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "pq" / "articles.parquet")
    current = {str(r["url"]): r["version"] for r in sorted(_records(runs.workers), key=_version)}
    assert sorted(zip(table["url"].to_pylist(), table["version"].to_pylist(), strict=True)) == (
        sorted(current.items())
    )


def _version(record: dict[str, object]) -> int:
    return int(str(record["version"]))


def _start_worker(
    root: Path, mirror: str, settings: dict[str, str], log: Path | None = None
) -> subprocess.Popen[bytes]:
    merged = {**TEST_SETTINGS, "ARCHIVER_DIR": str(root), "ARCHIVER_MIRROR": mirror, **settings}
    command = [sys.executable, "-m", "scrapy", "crawl", SITE]
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "archiver.settings"}
    if log is None:
        return subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def test_a_killed_worker_loses_nothing(
    tmp_path: Path, postgres_url: str, manifest: Manifest
) -> None:
    index = {"ARCHIVER_INDEX_URL": fresh_database(postgres_url, "killed")}
    expected = {a.url for a in manifest.articles if a.site == SITE and a.expect == "article"}
    killed, other = tmp_path / "killed", tmp_path / "other"
    with redis_server(tmp_path) as redis_url, MirrorServer() as mirror:
        slow = {
            **index,
            "ARCHIVER_REDIS_URL": redis_url,
            "ARCHIVER_REDIS_RUN": "run-1",
            "CONCURRENT_REQUESTS": "1",
            "DOWNLOAD_DELAY": "0.4",  # slow enough to be killed in the middle
        }
        process = _start_worker(killed, mirror.url, slow)
        deadline = time.monotonic() + 120
        while len(_records([killed])) < 3 and process.poll() is None:
            assert time.monotonic() < deadline, "the worker wrote no records"
            time.sleep(0.05)
        assert process.poll() is None, "the worker ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        # Its machine starts again: a record it wrote but had not yet indexed (killed between
        # the two) is indexed from its file, as every start's sync does.
        with ArchiveIndex(killed, index["ARCHIVER_INDEX_URL"]) as shared:
            sync(shared)
        # The next run, on another machine: what the killed worker did not finish is fetched
        # (a version it had claimed but not written is taken over: its claim is stale at once).
        (again,) = _parallel([other], mirror.url, {}, {**index, "ARCHIVER_INDEX_CLAIM_STALE": "0"})
    assert again.returncode == 0, again.log[-3000:]
    records = _records([killed, other])
    counts = Counter(str(r["url"]) for r in records)
    assert expected <= set(counts)
    assert max(counts.values()) == 1, counts.most_common(3)
    assert 3 <= len(_records([killed])) < len(expected)


def _rows(index: ArchiveIndex) -> dict[str, list[tuple[object, ...]]]:
    # The tables derived from the files, but `files` (sizes and names differ by design).
    out: dict[str, list[tuple[object, ...]]] = {}
    for name in ("captures", "versions", "articles", "events"):
        table = tables.metadata.tables[name]
        rows = index.db.all(lambda _insert, table=table: select(table))
        out[name] = sorted((tuple(row) for row in rows), key=repr)
    return out


def test_an_index_rebuilt_from_every_workers_files_equals_the_live_one(
    runs: Runs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from archiver.cli import main

    first, *others = runs.workers
    live: Path | str
    rebuilt: Path | str
    if runs.index:  # PostgreSQL: one index from every worker's directory
        live = runs.index["ARCHIVER_INDEX_URL"]
        rebuilt = fresh_database(live, "rebuilt")
        also = [arg for other in others for arg in ("--also", str(other))]
        where = ["--index-url", rebuilt, *also]
    else:
        live, rebuilt = first / "index.sqlite3", tmp_path / "rebuilt.sqlite3"
        where = ["--index", str(rebuilt)]
    assert main(["index", "rebuild", "--dir", str(first), *where]) == 0
    assert "indexed" in capsys.readouterr().out
    with ArchiveIndex(first, live) as live_index, ArchiveIndex(first, rebuilt) as again:
        expected, got = _rows(live_index), _rows(again)
    assert got["articles"] and got["versions"] and got["events"]
    assert got == expected


def test_an_index_gone_mid_crawl_stops_it_in_one_line_and_loses_nothing(
    tmp_path: Path, postgres_url: str, manifest: Manifest
) -> None:
    url = fresh_database(postgres_url, "gone")
    expected = {a.url for a in manifest.articles if a.site == SITE and a.expect == "article"}
    root = tmp_path / "worker"
    settings = {
        "ARCHIVER_INDEX_URL": url,
        "ARCHIVER_INDEX_RECONNECT_SECONDS": "2",
        "CONCURRENT_REQUESTS": "1",
        "DOWNLOAD_DELAY": "0.4",  # slow enough to lose the server in the middle
    }
    with MirrorServer() as mirror:
        process = _start_worker(root, mirror.url, settings, log=tmp_path / "crawl.log")
        deadline = time.monotonic() + 120
        while len(_records([root])) < 3 and process.poll() is None:
            assert time.monotonic() < deadline, "the worker wrote no records"
            time.sleep(0.05)
        cut_connections(url, allow=False)
        try:
            assert process.wait(timeout=120) == IO_ERROR_EXIT
        finally:
            allow_connections(url)
        log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
        assert "Traceback" not in log, log[-3000:]
        stops = [line for line in log.splitlines() if "stopping the crawl" in line]
        assert len(stops) == 1 and "lost the index at postgresql" in stops[0], stops
        kept = len(_records([root]))
        # The server is back: the next run finishes the work, nothing twice.
        again = run_crawl(SITE, root, mirror.url, settings=dict(settings, DOWNLOAD_DELAY="0"))
    assert again.returncode == 0, again.log[-3000:]
    assert kept >= 3
    counts = Counter(str(r["url"]) for r in _records([root]))
    assert expected <= set(counts)
    assert max(counts.values()) == 1, counts.most_common(3)
    for path in root.glob("warc/**/*.warc.gz"):
        assert check_file(path) == [], path


def test_a_crawl_whose_index_cannot_be_reached_does_not_start(tmp_path: Path) -> None:
    url = "postgresql://someone:s3cret@127.0.0.1:1/archiver"
    result = run_crawl(SITE, tmp_path, "http://127.0.0.1:9", settings={"ARCHIVER_INDEX_URL": url})
    assert result.returncode == 1
    last = result.log.strip().splitlines()[-1]
    assert last.startswith(
        "scrapy crawl: error: cannot open the index at postgresql://someone:***@"
    )
    assert "s3cret" not in result.log and "Traceback" not in result.log
    assert not list(tmp_path.glob("warc/**/*"))


def test_revisits_refer_to_the_original_whichever_worker_made_it(runs: Runs) -> None:
    made_by: dict[str, Path] = {}
    revisits: list[tuple[Path, str]] = []
    for root in runs.workers:
        for path in sorted(root.glob("warc/**/*.warc.gz")):
            for record in iter_records(path):
                if record.type == "response":
                    made_by[record.record_id] = root
                elif record.type == "revisit":
                    revisits.append((root, record.header("WARC-Refers-To") or ""))
    assert revisits
    assert all(original in made_by for _, original in revisits)
    across = [root for root, original in revisits if made_by[original] != root]
    # Two workers: the second run's revisits name the first run's captures, which either of
    # them made (one worker: all its own).
    assert bool(across) == (len(runs.workers) > 1)
