"""Whole crawls of both sites, in a subprocess, against the mirror on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from archiver.mirror import Manifest, ManifestArticle, MirrorServer, load_manifest
from archiver.record import Site
from archiver.sites.urls import parse_article_url
from archiver.warc.consistency import check_file
from archiver.warc.raw import RawRecord, iter_records
from archiver.warc.reader import read_response_at
from spiders import chinadaily as chinadaily_spider
from spiders import globaltimes as globaltimes_spider
from tests.crawling import REPO, CrawlResult, run_crawl

pytestmark = pytest.mark.crawl

SITES: tuple[Site, ...] = ("chinadaily", "globaltimes")
EXPECTED_ARTICLES = [a for a in load_manifest().articles if a.expect == "article"]


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


@pytest.fixture(scope="module")
def default_crawled(
    tmp_path_factory: pytest.TempPathFactory, mirror: MirrorServer
) -> dict[str, CrawlResult]:
    """Both sites crawled with no urls=: the spiders' default start pages, through the mirror."""
    root = tmp_path_factory.mktemp("default")
    return {site: run_crawl(site, root, mirror.url) for site in SITES}


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
        assert len(record["pages"]) == article.pages, url
        assert len(record["captures"]) == article.pages, url
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


# -- a crawl with no urls=: the default start pages reach the whole mirror ---------------------


def _spider_start_pages(site: Site) -> list[str]:
    if site == "chinadaily":
        return [f"https://www.chinadaily.com.cn/{s}" for s in chinadaily_spider.DEFAULT_SECTIONS]
    sections = [
        f"https://www.globaltimes.cn/{s}/index.html" for s in globaltimes_spider.DEFAULT_SECTIONS
    ]
    return [globaltimes_spider.SITEMAP_URL, *sections]


@pytest.mark.parametrize("site", SITES)
def test_default_crawl_fetches_every_default_start_page(
    default_crawled: dict[str, CrawlResult], manifest: Manifest, site: Site
) -> None:
    result = default_crawled[site]
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log, result.log[-3000:]
    starts = _spider_start_pages(site)
    # The mirror's lists are exactly the spiders' default start pages (plus later list pages).
    assert sorted(manifest.default_start_pages(site)) == sorted(starts)
    responses = {r.target_uri: r for r in _all_records(result.root) if r.type == "response"}
    for url in starts:
        assert url in responses, url
        assert responses[url].http_status == 200, url
    assert result.stats["archiver/discovery/list_pages"] == len(starts)


@pytest.mark.parametrize("site", SITES)
def test_default_crawl_archives_every_article(
    default_crawled: dict[str, CrawlResult], manifest: Manifest, site: Site
) -> None:
    assert manifest.unreached(site) == []
    records = _records_of(default_crawled[site], site)
    expected = [a.url for a in manifest.articles if a.site == site and a.expect == "article"]
    assert sorted(records) == sorted(expected)
    archived = {
        r.target_uri for r in _all_records(default_crawled[site].root) if r.type == "response"
    }
    for article in manifest.articles:
        if article.site == site:
            assert article.url in archived, article.url  # the soft 404 too


def _hint_sources(manifest: Manifest, article: ManifestArticle) -> set[str]:
    # Where a default crawl can discover the article: "sitemap" and/or "list".
    return {
        "sitemap" if url.endswith(".xml") else "list"
        for url in manifest.default_start_pages(article.site)
        if article.url in manifest.linked_from(url)
    }


def _minute(value: str) -> str:
    # "2026-09-24T07:12:00+08:00" -> "2026-09-24 07:12", checking the Beijing offset.
    assert value.endswith("+08:00"), value
    return value[:16].replace("T", " ")


@pytest.mark.parametrize("article", EXPECTED_ARTICLES, ids=lambda a: a.article_id)
def test_discovery_dates_land_in_dates_raw(
    default_crawled: dict[str, CrawlResult], manifest: Manifest, article: ManifestArticle
) -> None:
    """List items ("YYYY-MM-DD HH:MM", "2026/9/25 7:48:03") and sitemap dates become hints."""
    record = _records_of(default_crawled[article.site], article.site)[article.url]
    found = {
        str(d["source"]): d
        for d in record["dates_raw"]  # type: ignore[attr-defined]
        if d["source"] in ("list", "sitemap")
    }
    sources = _hint_sources(manifest, article)
    assert sources, f"{article.url}: no default start page links it"
    if article.language == "zh":
        # Linked only from an English list's undated "中文" rail box: no date to hint.
        assert sources == {"list"} and found == {}
        return
    # One hint, from a start page that links it (which one first is a race when both do).
    assert len(found) == 1 and set(found) <= sources, (found, sources)
    (hint,) = found.values()
    assert hint["value"] is not None
    assert _minute(str(hint["value"])) == article.published


def test_default_crawl_uses_both_discovery_paths(
    default_crawled: dict[str, CrawlResult], manifest: Manifest
) -> None:
    """Some articles only the sitemap links, some only section lists: both paths are used."""
    only: dict[str, list[ManifestArticle]] = {"list": [], "sitemap": []}
    for article in EXPECTED_ARTICLES:
        sources = _hint_sources(manifest, article)
        if len(sources) == 1:
            only[next(iter(sources))].append(article)
    assert only["sitemap"] and only["list"]
    for kind, articles in only.items():
        for article in articles:
            record = _records_of(default_crawled[article.site], article.site)[article.url]
            if article.language != "zh":
                assert kind in {d["source"] for d in record["dates_raw"]}, (article.url, kind)  # type: ignore[attr-defined]


# -- every manifest field against the records ---------------------------------------------------


def _image_texts(record: dict[str, object]) -> str:
    return " | ".join(
        f"{i.get('caption') or ''} {i.get('credit') or ''}"
        for i in record["images"]  # type: ignore[attr-defined]
    )


@pytest.mark.parametrize("article", EXPECTED_ARTICLES, ids=lambda a: a.article_id)
def test_record_matches_manifest(crawled: dict[str, CrawlResult], article: ManifestArticle) -> None:
    record = _records_of(crawled[article.site], article.site)[article.url]
    assert record["site"] == article.site
    assert record["article_id"] == article.article_id
    assert record["title"] == article.title
    assert article.published is not None
    assert _minute(str(record["published_at"])) == article.published
    assert [a["name"] for a in record["authors"]] == list(article.authors)  # type: ignore[attr-defined]
    assert record["source"] == article.source
    assert record["language"] == article.language
    assert record["extractor"]["parser"] == article.template  # type: ignore[index]
    text = str(record["text"])
    for snippet in article.text_includes:
        assert snippet in text, snippet
    for snippet in article.text_excludes:
        assert snippet not in text, snippet
    images = _image_texts(record)
    for snippet in article.image_snippets:
        # Records keep credits without brackets or the "Photo: " label.
        core = snippet.strip("[]").removeprefix("Photo: ")
        assert core in images, (snippet, images)
