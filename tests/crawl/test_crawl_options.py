"""Spider arguments and politeness in real crawls against the mirror (subprocess, loopback)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.mirror import MirrorServer
from archiver.warc.raw import iter_records
from tests.crawling import REPO, run_crawl

pytestmark = pytest.mark.crawl

ARTICLE = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
CHINA_US = "https://www.chinadaily.com.cn/world/china-us"


@pytest.fixture()
def overlay(tmp_path: Path) -> Path:
    root = tmp_path / "overlay"
    (root / "site").mkdir(parents=True)
    return root


def _fetched(root: Path) -> list[str]:
    return [
        r.target_uri
        for path in sorted(root.glob("warc/**/*.warc.gz"))
        for r in iter_records(path)
        if r.type == "response"
    ]


def test_urls_archives_a_named_article_only(tmp_path: Path, mirror: MirrorServer) -> None:
    # Page requisites (the article's images and CSS) off: only pages are counted here.
    result = run_crawl(
        "chinadaily",
        tmp_path,
        mirror.url,
        args={"urls": ARTICLE, "since": "2030-01-01"},
        settings={"ARCHIVER_REQUISITES_ENABLED": "False"},
    )
    assert result.returncode == 0, result.log[-2000:]
    # Named in urls=: archived even though since= excludes its date.
    assert [r["url"] for r in result.records()] == [ARTICLE]
    assert sorted(_fetched(tmp_path)) == sorted(
        ["https://www.chinadaily.com.cn/robots.txt", ARTICLE]
    )


def test_list_url_with_until_skips_newer_articles(tmp_path: Path, mirror: MirrorServer) -> None:
    result = run_crawl(
        "chinadaily", tmp_path, mirror.url, args={"urls": CHINA_US, "until": "2000-01-01"}
    )
    assert result.returncode == 0, result.log[-2000:]
    assert result.records() == []
    assert result.stats.get("archiver/discovery/out_of_window", 0) > 0
    assert CHINA_US in _fetched(tmp_path)


def test_max_articles_limits_the_crawl(tmp_path: Path, mirror: MirrorServer) -> None:
    result = run_crawl(
        "chinadaily", tmp_path, mirror.url, args={"urls": CHINA_US, "max_articles": "1"}
    )
    assert result.returncode == 0, result.log[-2000:]
    assert result.stats["archiver/discovery/articles"] == 1
    assert result.stats.get("archiver/discovery/over_max_articles", 0) >= 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["globaltimes", "-a", "since=last week"], "since='last week'"),
        (["nosuch"], "no spider named 'nosuch'; the spiders are: chinadaily, globaltimes"),
    ],
)
def test_bad_argument_is_a_one_line_usage_error(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", *arguments, "-s", f"ARCHIVER_DIR={tmp_path}"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], done.stderr


def test_robots_txt_is_obeyed(tmp_path: Path, overlay: Path) -> None:
    site = overlay / "site" / "www.chinadaily.com.cn"
    site.mkdir(parents=True)
    (site / "robots.txt").write_text("User-agent: *\nDisallow: /a/202405/13/\n")
    with MirrorServer(overlays=[overlay]) as server:
        result = run_crawl("chinadaily", tmp_path / "out", server.url, args={"urls": ARTICLE})
    assert result.returncode == 0, result.log[-2000:]
    assert ARTICLE not in _fetched(tmp_path / "out")
    assert result.stats.get("robotstxt/forbidden", 0) == 1
    assert result.records() == []


def test_429_retry_after_is_honoured_then_archived(tmp_path: Path, overlay: Path) -> None:
    key = "www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
    (overlay / "routes.json").write_text(
        json.dumps({key: {"status": 429, "retry_after": 1, "times": 1}})
    )
    with MirrorServer(overlays=[overlay]) as server:
        result = run_crawl("chinadaily", tmp_path / "out", server.url, args={"urls": ARTICLE})
        served = [r for r in server.requests if r.path.startswith("/a/202405/13/")]
    assert result.returncode == 0, result.log[-2000:]
    assert len(served) == 2
    # Both answers are evidence: the 429 and the article are in the WARC.
    statuses = [
        r.http_status
        for path in sorted((tmp_path / "out").glob("warc/**/*.warc.gz"))
        for r in iter_records(path)
        if r.type == "response" and r.target_uri == ARTICLE
    ]
    assert statuses == [429, 200]
    assert result.stats["archiver/retry/wait_ms"] >= 1000
    assert [r["url"] for r in result.records()] == [ARTICLE]


def test_503_retry_after_is_honoured_then_archived(tmp_path: Path, overlay: Path) -> None:
    key = "www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
    (overlay / "routes.json").write_text(
        json.dumps({key: {"status": 503, "retry_after": 1, "times": 1}})
    )
    with MirrorServer(overlays=[overlay]) as server:
        result = run_crawl("chinadaily", tmp_path / "out", server.url, args={"urls": ARTICLE})
        served = [r for r in server.requests if r.path.startswith("/a/202405/13/")]
    assert result.returncode == 0, result.log[-2000:]
    assert len(served) == 2
    statuses = [
        r.http_status
        for path in sorted((tmp_path / "out").glob("warc/**/*.warc.gz"))
        for r in iter_records(path)
        if r.type == "response" and r.target_uri == ARTICLE
    ]
    assert statuses == [503, 200]
    # The wait is the server's Retry-After (1 s), not the 0.2 s backoff of the test settings.
    assert result.stats["archiver/retry/wait_ms"] >= 1000
    assert [r["url"] for r in result.records()] == [ARTICLE]
