"""Scale-out: two workers share one crawl through a real redis-server, each article once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from archiver.mirror import Manifest, MirrorServer, load_manifest
from archiver.sites.urls import parse_article_url
from archiver.warc.raw import iter_records
from tests.crawling import REPO, CrawlResult, run_crawl
from tests.redis_server import redis_server

pytestmark = [pytest.mark.crawl, pytest.mark.redis]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _workers(
    tmp: Path, mirror: MirrorServer, redis_url: str, run: str, n: int
) -> list[CrawlResult]:
    manifest = load_manifest()
    settings = {
        "ARCHIVER_REDIS_URL": redis_url,
        "ARCHIVER_REDIS_RUN": run,
        "ARCHIVER_REDIS_IDLE": "3",
        # A worker pulls up to CONCURRENT_REQUESTS requests from the shared queue at once, and an
        # idle worker looks at the queue every 5 s: one request at a time, slowly, so the first
        # worker cannot empty the queue before the second one looks.
        "CONCURRENT_REQUESTS": "1",
        "DOWNLOAD_DELAY": "0.4",
    }
    args = {"urls": ",".join(manifest.start_urls("chinadaily"))}
    with ThreadPoolExecutor(n) as pool:
        futures = [
            pool.submit(run_crawl, "chinadaily", tmp / f"worker{i}", mirror.url, args, settings)
            for i in range(n)
        ]
        return [f.result() for f in futures]


def _article_fetches(results: list[CrawlResult]) -> Counter[str]:
    return Counter(
        r.target_uri
        for result in results
        for path in result.warc_files()
        for r in iter_records(path)
        if r.type == "response" and parse_article_url(r.target_uri) is not None
    )


def _expected(manifest: Manifest) -> set[str]:
    return {a.url for a in manifest.articles if a.site == "chinadaily" and a.expect == "article"}


def test_two_workers_share_one_crawl(tmp_path: Path, mirror: MirrorServer, redis_url: str) -> None:
    results = _workers(tmp_path, mirror, redis_url, "run-a", 2)
    for result in results:
        assert result.returncode == 0, result.log[-2000:]
    records = [r["url"] for result in results for r in result.records()]
    assert sorted(records) == sorted(_expected(load_manifest()))  # each article once, all of them
    fetched = _article_fetches(results)
    assert max(fetched.values()) == 1, fetched.most_common(3)
    assert all(result.stats.get("archiver/warc/exchanges", 0) > 0 for result in results), [
        {
            k: v
            for k, v in r.stats.items()
            if k.startswith(("archiver/warc/", "archiver/discovery/"))
        }
        for r in results
    ]


def test_a_new_run_name_fetches_everything_again(
    tmp_path: Path, mirror: MirrorServer, redis_url: str
) -> None:
    first = _workers(tmp_path / "first", mirror, redis_url, "run-b1", 1)
    second = _workers(tmp_path / "second", mirror, redis_url, "run-b2", 1)
    expected = sorted(_expected(load_manifest()))
    assert sorted(r["url"] for r in first[0].records()) == expected
    assert sorted(r["url"] for r in second[0].records()) == expected


def test_scaled_out_crawl_needs_a_run_name(tmp_path: Path, redis_url: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "chinadaily",
            "-s",
            f"ARCHIVER_REDIS_URL={redis_url}",
            "-s",
            f"ARCHIVER_DIR={tmp_path}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode != 0
    assert "ARCHIVER_REDIS_RUN" in done.stderr


def test_a_worker_the_others_left_no_article_to_does_not_fail_the_run(
    tmp_path: Path, mirror: MirrorServer, redis_url: str
) -> None:
    (first,) = _workers(tmp_path / "early", mirror, redis_url, "run-c", 1)
    # Started after the run's work is done: its start pages are seen already, it finds nothing.
    (late,) = _workers(tmp_path / "late", mirror, redis_url, "run-c", 1)
    assert first.returncode == 0, first.log[-2000:]
    assert late.returncode == 0, late.log[-2000:]
    assert late.records() == []
    report = json.loads(max(late.root.glob("runs/*.json")).read_text("utf-8"))
    assert report["verdict"] == "ok", report["problems"]
    assert report["summary"]["articles_found"] == 0
    early = json.loads(max(first.root.glob("runs/*.json")).read_text("utf-8"))
    assert early["summary"]["articles_found"] > 0
    assert report["summary"]["run_articles_found"] == early["summary"]["articles_found"]
