"""Network faults and odd answers at article URLs of both sites, in two real crawls.

One Chinadaily crawl meets every fault at once (each at its own article URL, so one crawl of a
few seconds carries them all); a Global Times crawl meets hostile sitemaps. Each test reads back
one fault: exit status, what is in the WARC, what is counted, no traceback, `verify` clean.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest

from archiver.replay.env import ReplayEnv
from tests.crawling import CrawlResult, run_crawl
from tests.faults.checks import TRACEBACK, responses, verify
from tests.faults.server import (
    FaultServer,
    answer,
    cut,
    drip,
    from_mirror,
    gzipped,
    mirror_body,
    raw,
    redirect,
    sequence,
)

pytestmark = pytest.mark.crawl

CD = "www.chinadaily.com.cn"
GT = "www.globaltimes.cn"
REAL = "/a/202405/13/WS664167f4a31082fc043c6af7.html"  # a mirror article: 429 first
CHARSET = "/a/202609/24/WS6ab45b94a3107a2e1d4f5c21.html"  # served with a wrong charset
ODD = "/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html"  # served with odd headers
RECUT = "/a/202609/27/WS6ab878a0a3107a2e1d4f8b92.html"  # cut short once, then whole
PAGE = b"<html><head><title>A page</title></head><body><h1>A page</h1><p>" + b"word " * 300
PAGE += b"</p></body></html>"
HTML = {"Content-Type": "text/html; charset=utf-8"}
DEEP = (
    b"<html><body>" + b"<div>" * 100_000 + b"<p>deep</p>" + b"</div>" * 100_000 + b"</body></html>"
)

MAXSIZE = 4 << 20  # the crawl's DOWNLOAD_MAXSIZE here (DEEP is 1.1 MB)
BIG = b"<html><body><p>" + b"x" * (MAXSIZE + (1 << 20)) + b"</p></body></html>"


def fake(n: int) -> str:
    """Path of a made-up Chinadaily article (a valid article URL no mirror page has)."""
    return f"/a/202405/13/WS664167f4a31082fc043c{n:04x}.html"


FAULTS = {
    "status_299": (fake(1), answer(299, PAGE)),
    "status_999": (fake(2), answer(999, PAGE)),
    "status_418": (fake(3), answer(418, PAGE, reason="I'm a teapot")),
    "reset": (fake(4), cut(PAGE, 100, reset=True)),
    "short": (fake(5), cut(PAGE, 100, reset=False)),
    "drip": (fake(6), drip(PAGE, chunk=16, every=0.2)),
    "storm_503": (fake(7), answer(503, b"busy", {"Content-Type": "text/plain"})),
    "loop": (fake(8), redirect(fake(9))),
    "loop_back": (fake(9), redirect(fake(8))),
    "offsite": (fake(10), redirect("https://www.example.org/elsewhere")),
    "bad_gzip": (
        fake(11),
        answer(200, b"\x1f\x8b\x08garbage", {**HTML, "Content-Encoding": "gzip"}),
    ),
    "empty": (fake(12), answer(200, b"")),
    "binary": (fake(13), answer(200, bytes(range(256)) * 64)),
    "deep": (fake(14), answer(200, DEEP)),
    "gzip_ok": (fake(15), answer(200, gzipped(PAGE), {**HTML, "Content-Encoding": "gzip"})),
    "cut_then_whole": (RECUT, sequence(cut(mirror_body(CD, RECUT), 2000, reset=True), from_mirror)),
    "bad_chunks": (fake(0x21), raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked", b"zzz\r\nxx")),
    "two_lengths": (
        fake(0x22),
        raw(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 9", PAGE),
    ),
    "negative_length": (fake(0x24), raw(b"HTTP/1.1 200 OK\r\nContent-Length: -1", PAGE)),
    "bad_status_line": (fake(0x25), raw(b"HTTP/1.1 abc Weird\r\nConnection: close", PAGE)),
    "not_http": (fake(0x26), raw(b"garbage, not HTTP at all")),
    "oversize_announced": (fake(16), answer(200, BIG)),
    "oversize_unannounced": (fake(17), answer(200, BIG, length=False)),
    "retry_after": (
        REAL,
        sequence(
            answer(429, b"slow down", {"Retry-After": "1", "Content-Type": "text/plain"}),
            from_mirror,
        ),
    ),
    "charset": (
        CHARSET,
        answer(200, mirror_body(CD, CHARSET), {"Content-Type": "text/html; charset=gb2312"}),
    ),
    "odd_headers": (
        ODD,
        answer(
            200,
            mirror_body(CD, ODD),
            {
                "Content-Type": "text/html; charset=utf-8",
                "X-Odd": "\xe9\xff latin-1 bytes",
                "X-Long": "x" * 8000,
                "Set-Cookie": "a=1; Domain=.chinadaily.com.cn; Path=/",
                "Content-Language": "",
            },
        ),
    ),
}


def url(name: str) -> str:
    return f"https://{CD}{FAULTS[name][0]}"


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer({f"{CD}{path}": fault for path, fault in FAULTS.values()}) as fault_server:
        yield fault_server


@pytest.fixture(scope="module")
def crawl(server: FaultServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    starts = [url(name) for name in FAULTS if name != "loop_back"]
    return run_crawl(
        "chinadaily",
        tmp_path_factory.mktemp("faults"),
        server.url,
        args={"urls": ",".join(starts)},
        # Few redirect hops: the 429 and 503 answers slow the site's slot down to seconds.
        settings={
            "DOWNLOAD_TIMEOUT": "2",
            "DOWNLOAD_MAXSIZE": str(MAXSIZE),
            "RETRY_TIMES": "2",
            "REDIRECT_MAX_TIMES": "5",
        },
        timeout=120,
    )


def _statuses(crawl: CrawlResult, name: str) -> list[int | None]:
    return [r.http_status for r in responses(crawl.root).get(url(name), [])]


def _recorded(crawl: CrawlResult) -> set[str]:
    return {r["url"] for r in crawl.records()}


def test_the_run_is_healthy_and_prints_no_traceback(crawl: CrawlResult) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert TRACEBACK not in crawl.log
    assert "Spider error" not in crawl.log


def test_unusual_statuses_are_archived_and_counted_never_recorded(crawl: CrawlResult) -> None:
    for name, code in (("status_299", 299), ("status_999", 999), ("status_418", 418)):
        assert _statuses(crawl, name) == [code], name
        assert crawl.stats[f"archiver/http/unusual_status/{code}"] == 1
        assert url(name) not in _recorded(crawl)
    assert crawl.stats["archiver/extract/failed/http-status"] == 1  # 299 is a 2xx: parsed
    assert crawl.stats["archiver/article/fetch_failed/http_999"] == 1


def test_a_body_cut_short_is_archived_truncated_and_retried_never_recorded(
    crawl: CrawlResult,
) -> None:
    for name in ("reset", "short"):
        records = responses(crawl.root)[url(name)]
        assert len(records) == 3, name  # the first try and RETRY_TIMES=2 retries
        for record in records:
            assert record.header("WARC-Truncated") == "disconnect"
            assert record.payload == PAGE[:100]
        assert url(name) not in _recorded(crawl)
    # 3 tries each, the first try of "cut_then_whole" and the 3 tries of "bad_chunks"
    assert crawl.stats["archiver/download/truncated/disconnect"] == 10
    assert crawl.stats["archiver/article/fetch_failed/TruncatedResponse"] == 3


def test_a_page_cut_once_then_whole_gives_one_record_from_the_whole_capture(
    crawl: CrawlResult,
) -> None:
    first, second = responses(crawl.root)[url("cut_then_whole")]
    assert first.header("WARC-Truncated") == "disconnect"
    assert second.header("WARC-Truncated") is None
    (record,) = [r for r in crawl.records() if r["url"] == url("cut_then_whole")]
    assert [c["warc_record_id"] for c in record["captures"]] == [second.record_id]
    # verify below re-extracts the archive: the cut capture must not become a version of its own


def test_bad_chunking_is_archived_as_cut_short(crawl: CrawlResult) -> None:
    records = responses(crawl.root)[url("bad_chunks")]
    assert records and all(r.header("WARC-Truncated") == "disconnect" for r in records)
    assert url("bad_chunks") not in _recorded(crawl)


def test_answers_that_are_not_http_fail_the_fetch_and_leave_nothing_to_parse(
    crawl: CrawlResult,
) -> None:
    # Nothing that parses as an HTTP response arrived, so there is no response to archive.
    broken = ("two_lengths", "negative_length", "bad_status_line", "not_http")
    assert crawl.stats["archiver/article/fetch_failed/DownloadFailedError"] == len(broken)
    for name in broken:
        assert url(name) not in responses(crawl.root), name


def test_a_slow_drip_is_archived_truncated_by_time_and_counted(crawl: CrawlResult) -> None:
    records = responses(crawl.root)[url("drip")]
    assert len(records) == 3  # the first try and RETRY_TIMES=2 retries
    for record in records:
        assert record.header("WARC-Truncated") == "time"
        assert 0 < len(record.payload) < len(PAGE)
        assert PAGE.startswith(record.payload)
    assert crawl.stats["archiver/download/truncated/time"] == 3
    assert crawl.stats["archiver/article/fetch_failed/DownloadTimeoutError"] == 1
    assert url("drip") not in _recorded(crawl)


def test_bodies_over_the_size_limit_keep_what_arrived_and_are_named(crawl: CrawlResult) -> None:
    (announced,) = responses(crawl.root)[url("oversize_announced")]
    assert announced.header("WARC-Truncated") == "length"
    assert announced.payload == b""  # stopped at the headers: Content-Length said too much
    (unannounced,) = responses(crawl.root)[url("oversize_unannounced")]
    assert unannounced.header("WARC-Truncated") == "length"
    assert MAXSIZE < len(unannounced.payload) < len(BIG)
    assert BIG.startswith(unannounced.payload)
    assert crawl.stats["archiver/download/truncated/length"] == 2
    assert crawl.stats["archiver/download/too_large"] == 2
    assert crawl.stats["archiver/article/fetch_failed/ResponseTooLarge"] == 2
    named = crawl.stats["archiver/download/too_large_urls"].split()
    assert sorted(named) == sorted([url("oversize_announced"), url("oversize_unannounced")])
    assert not {url("oversize_announced"), url("oversize_unannounced")} & _recorded(crawl)


def test_a_503_storm_is_retried_archived_and_given_up(crawl: CrawlResult) -> None:
    assert _statuses(crawl, "storm_503") == [503, 503, 503]
    assert crawl.stats["archiver/article/fetch_failed/http_503"] == 1


def test_retry_after_is_honoured_then_the_article_is_recorded(
    crawl: CrawlResult, server: FaultServer
) -> None:
    assert _statuses(crawl, "retry_after") == [429, 200]
    assert url("retry_after") in _recorded(crawl)
    assert server.hits(f"{CD}{REAL}") == 2


def test_a_redirect_loop_ends_and_every_hop_is_archived(crawl: CrawlResult) -> None:
    hops = _statuses(crawl, "loop") + _statuses(crawl, "loop_back")
    assert hops and set(hops) == {302}
    assert url("loop") not in _recorded(crawl)
    assert len(hops) == 6  # the first answer and REDIRECT_MAX_TIMES=5 hops
    assert crawl.stats["archiver/article/fetch_failed/IgnoreRequest"] == 1


def test_an_offsite_redirect_is_archived_and_not_followed(
    crawl: CrawlResult, server: FaultServer
) -> None:
    assert _statuses(crawl, "offsite") == [302]
    assert server.hits("www.example.org/elsewhere") == 0
    assert crawl.stats["archiver/download/offsite_redirect"] == 1
    assert crawl.stats["archiver/article/fetch_failed/OffsiteRedirect"] == 1


def test_malformed_gzip_is_archived_as_received_and_counted(crawl: CrawlResult) -> None:
    (record,) = responses(crawl.root)[url("bad_gzip")]
    assert record.payload == b"\x1f\x8b\x08garbage"
    assert crawl.stats["archiver/download/undecodable"] == 1
    assert url("bad_gzip") not in _recorded(crawl)


def test_empty_binary_and_deep_bodies_fail_extraction_by_name(crawl: CrawlResult) -> None:
    assert crawl.stats["archiver/extract/failed/empty-body"] == 1
    assert crawl.stats["archiver/extract/failed/not-html"] == 1
    assert crawl.stats["archiver/extract/failed/too-deep"] == 1
    assert "archiver/articles/deleted" not in crawl.stats  # too deep is no soft 404
    for name in ("empty", "binary", "deep"):
        assert _statuses(crawl, name) == [200]
        assert url(name) not in _recorded(crawl)


def test_pages_with_wrong_charset_odd_headers_or_gzip_are_recorded(crawl: CrawlResult) -> None:
    records = {r["url"]: r for r in crawl.records()}
    for name in ("charset", "odd_headers"):
        assert "\ufffd" not in records[url(name)]["text"], name
        assert records[url(name)]["title"], name
    (odd,) = responses(crawl.root)[url("odd_headers")]
    assert odd.http_header("X-Odd") == "\xe9\xff latin-1 bytes"
    (zipped,) = responses(crawl.root)[url("gzip_ok")]
    assert gzip.decompress(zipped.payload) == PAGE


@pytest.mark.replay
def test_verify_is_clean_after_every_fault(crawl: CrawlResult, env: ReplayEnv) -> None:
    done = verify(crawl.root, env.path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "result: ok" in done.stdout
    assert TRACEBACK not in done.stdout + done.stderr
