"""Whole crawls of both sites, in a subprocess, against the mirror on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.mirror import Manifest, MirrorServer, load_manifest
from archiver.urls import parse_article_url
from archiver.warc.consistency import check_file
from archiver.warc.raw import RawRecord, iter_records
from archiver.warc.reader import read_response_at
from tests.crawling import REPO, CrawlResult, run_crawl

SITES = ("chinadaily", "globaltimes")


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest()


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    with MirrorServer() as server:
        yield server


@pytest.fixture(scope="module")
def crawled(
    tmp_path_factory: pytest.TempPathFactory, mirror: MirrorServer, manifest: Manifest
) -> dict[str, CrawlResult]:
    """Both sites crawled once from their mirror start pages into one archive root."""
    root = tmp_path_factory.mktemp("archive")
    results = {}
    for site in SITES:
        start = ",".join(manifest.start_urls(site))
        results[site] = run_crawl(site, root, mirror.url, args={"urls": start})
    return results


def _records_of(result: CrawlResult, site: str) -> dict[str, dict[str, object]]:
    return {str(r["url"]): r for r in result.records(site)}


def _all_records(root: Path) -> list[RawRecord]:
    return [
        record for path in sorted(root.glob("warc/**/*.warc.gz")) for record in iter_records(path)
    ]


@pytest.mark.parametrize("site", SITES)
def test_crawl_finishes_cleanly(crawled: dict[str, CrawlResult], site: str) -> None:
    result = crawled[site]
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["finish_reason"] == "finished"
    errors = {k: v for k, v in result.stats.items() if k.startswith("archiver/warc/errors")}
    assert errors == {}
    assert "Traceback" not in result.log, result.log[-3000:]


@pytest.mark.parametrize("site", SITES)
def test_every_expected_article_has_one_record(
    crawled: dict[str, CrawlResult], manifest: Manifest, site: str
) -> None:
    records = _records_of(crawled[site], site)
    expected = {a.url: a for a in manifest.articles if a.site == site and a.expect == "article"}
    assert sorted(records) == sorted(expected)
    for url, article in expected.items():
        record = records[url]
        assert record["title"] == article.title, url
        assert record["article_id"] == article.article_id
        assert len(record["pages"]) == article.pages, url  # type: ignore[arg-type]
        assert len(record["captures"]) == article.pages, url  # type: ignore[arg-type]
    # Within a run each article is written once.
    ids = Counter(str(r["article_id"]) for r in crawled[site].records(site))
    assert max(ids.values()) == 1


def test_non_article_is_archived_but_not_recorded(
    crawled: dict[str, CrawlResult], manifest: Manifest
) -> None:
    failing = [a for a in manifest.articles if a.expect == "not-article"]
    assert failing, "the mirror must serve at least one page whose extraction fails"
    root = crawled["chinadaily"].root
    archived = {r.target_uri for r in _all_records(root) if r.type == "response"}
    all_records = [r["url"] for site in SITES for r in crawled[site].records(site)]
    for article in failing:
        assert article.url in archived
        assert article.url not in all_records
    failed = sum(crawled[s].stats.get("archiver/extract/failed", 0) for s in SITES)
    assert failed == len(failing)


def test_every_warc_file_is_consistent(crawled: dict[str, CrawlResult]) -> None:
    files = crawled["chinadaily"].warc_files()
    assert len(files) >= 2  # one per spider at least
    assert not list(crawled["chinadaily"].root.glob("warc/**/*.open"))
    for path in files:
        assert check_file(path) == [], path


def test_every_exchange_is_archived(crawled: dict[str, CrawlResult], manifest: Manifest) -> None:
    records = _all_records(crawled["chinadaily"].root)
    responses = {r.target_uri: r for r in records if r.type == "response"}
    requests = [r for r in records if r.type == "request"]
    assert len(requests) == len([r for r in records if r.type == "response"])
    assert "https://www.globaltimes.cn/robots.txt" in responses
    assert "https://www.chinadaily.com.cn/robots.txt" in responses
    assert "https://www.globaltimes.cn/sitemap.xml" in responses
    for url in manifest.lists:
        assert url in responses, url
    for redirect in manifest.redirects:
        if redirect.url in responses:
            assert responses[redirect.url].http_status == redirect.status
            assert responses[redirect.url].http_header("Location") == redirect.location
    assert any(r.url in responses for r in manifest.redirects), "no redirect hop was archived"
    # The mirror is invisible: every record names the real site.
    assert all("127.0.0.1" not in r.target_uri for r in records)


def test_gzip_bodies_are_kept_as_received(crawled: dict[str, CrawlResult]) -> None:
    gzipped = [
        r
        for r in _all_records(crawled["chinadaily"].root)
        if r.type == "response" and (r.http_header("Content-Encoding") or "") == "gzip"
    ]
    assert gzipped
    for record in gzipped:
        assert record.payload[:2] == b"\x1f\x8b"
        assert gzip.decompress(record.payload)
        assert int(record.http_header("Content-Length") or -1) == len(record.payload)
        assert record.http_header("Transfer-Encoding") is None


def test_captures_resolve_to_their_response_records(crawled: dict[str, CrawlResult]) -> None:
    root = crawled["chinadaily"].root
    for site in SITES:
        for record in crawled[site].records(site):
            for capture in record["captures"]:  # type: ignore[attr-defined]
                page = read_response_at(root / capture["warc_file"], capture["warc_offset"], root)
                assert page.url == capture["url"]
                assert page.capture is not None
                assert page.capture.warc_record_id == capture["warc_record_id"]
                assert page.status == capture["status"] == 200


def test_multi_page_article_is_one_record(
    crawled: dict[str, CrawlResult], manifest: Manifest
) -> None:
    multi = [a for a in manifest.articles if a.pages > 1 and a.expect == "article"]
    assert multi
    records = _records_of(crawled["chinadaily"], "chinadaily")
    for article in multi:
        record = records[article.url]
        parsed = parse_article_url(article.url)
        assert parsed is not None
        assert record["pages"] == [parsed.page_url(n) for n in range(1, article.pages + 1)]


def test_each_article_page_fetched_once(crawled: dict[str, CrawlResult]) -> None:
    fetched = Counter(
        r.target_uri
        for r in _all_records(crawled["chinadaily"].root)
        if r.type == "response" and parse_article_url(r.target_uri) is not None
    )
    assert fetched and max(fetched.values()) == 1, fetched.most_common(3)


def test_extract_command_reproduces_crawl_records(crawled: dict[str, CrawlResult]) -> None:
    root = crawled["globaltimes"].root
    written = {str(r["url"]): r for r in crawled["globaltimes"].records("globaltimes")}
    lines: dict[str, str] = {}
    for path in sorted(root.glob("warc/globaltimes/*.warc.gz")):
        done = subprocess.run(
            [sys.executable, "-m", "archiver", "extract", str(path), "--dir", str(root)],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        for line in done.stdout.splitlines():
            lines[json.loads(line)["url"]] = line
    assert sorted(lines) == sorted(written)
    for path in sorted(root.glob("records/globaltimes/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert lines[json.loads(line)["url"]] == line
