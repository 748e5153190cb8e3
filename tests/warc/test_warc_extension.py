"""WarcExtension in a real crawl: a Scrapy subprocess against an HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from archiver.warc.consistency import check_file
from archiver.warc.extension import WarcExtension
from archiver.warc.raw import RawRecord, iter_records
from archiver.warc.reader import iter_captures, read_response_at

PAGE = b"<html><head><title>Page</title></head><body>" + b"<p>text</p>" * 30 + b"</body></html>"
CHUNKS = [b"<html><body>", b"<p>chunk one</p>", b"<p>chunk two</p></body></html>"]
SHORT_PROMISED, SHORT_SENT = 5000, b"<html>" + b"x" * 94


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path == "/robots.txt":
            self.send(200, b"User-agent: *\nDisallow: /private\n", [("Content-Type", "text/plain")])
        elif path == "/gzip?lang=en&page=1":
            body = gzip.compress(PAGE, mtime=0)
            self.send(200, body, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in CHUNKS:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/redirect":
            self.send(302, b"", [("Location", "/landing")])
        elif path == "/landing":
            self.send(200, PAGE, [("Content-Type", "text/html")])
        elif path == "/missing":
            cookies = [("Set-Cookie", "first=1; Path=/"), ("Set-Cookie", "second=2; Path=/")]
            self.send(404, b"<html>not here</html>", [("Content-Type", "text/html"), *cookies])
        elif path == "/short":
            # Promise more than is sent, then hang up: Scrapy flags the response 'dataloss'.
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(SHORT_PROMISED))
            self.end_headers()
            self.wfile.write(SHORT_SENT)
            self.close_connection = True
        else:
            self.send(500, b"unexpected path", [])


SPIDER = """
import json
import scrapy


class WarcTestSpider(scrapy.Spider):
    name = "warctest"
    handle_httpstatus_list = [404]
    custom_settings = {
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en",
            "Accept-Encoding": "gzip, deflate",
        },
    }

    def __init__(self, base, out, **kwargs):
        super().__init__(**kwargs)
        self.base, self.out = base, out

    async def start(self):
        for path in ["/gzip?lang=en&page=1", "/chunked", "/redirect", "/missing", "/short"]:
            yield scrapy.Request(self.base + path)

    def parse(self, response):
        ref = response.meta.get("archiver_capture")
        with open(self.out, "a") as fh:
            fh.write(json.dumps({
                "url": response.url,
                "status": response.status,
                "flags": response.flags,
                "capture": ref.model_dump(mode="json") if ref is not None else None,
            }) + "\\n")
"""

CLOCK = """
import itertools
from datetime import datetime, timedelta, timezone

_ticks = itertools.count()
_ids = itertools.count(1)


def clock():
    return datetime(2024, 5, 13, 8, 0, 0, tzinfo=timezone.utc) + timedelta(seconds=next(_ticks))


def record_id():
    return f"<urn:uuid:00000000-0000-4000-8000-{next(_ids):012d}>"
"""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class Crawl:
    def __init__(self, base: str, root: Path, log: str, results: list[dict[str, object]]) -> None:
        self.base, self.root, self.log, self.results = base, root, log, results
        (self.warc,) = (root / "archive" / "warc" / "warctest").iterdir()
        self.records = list(iter_records(self.warc))

    def response(self, path: str) -> RawRecord:
        (found,) = [
            r for r in self.records if r.type == "response" and r.target_uri == self.base + path
        ]
        return found

    def request(self, path: str) -> RawRecord:
        response = self.response(path)
        (found,) = [r for r in self.records if r.header("WARC-Concurrent-To") == response.record_id]
        return found

    def stat(self, name: str) -> int | None:
        match = re.search(rf"'{re.escape(name)}': (\d+)", self.log)
        return int(match.group(1)) if match else None


@pytest.fixture(scope="module")
def crawl(server: str, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    root = tmp_path_factory.mktemp("crawl")
    (root / "warctest_spider.py").write_text(SPIDER)
    (root / "warcfixed.py").write_text(CLOCK)
    out = root / "results.jsonl"
    settings = {
        "EXTENSIONS": json.dumps({"archiver.warc.extension.WarcExtension": 0}),
        "ARCHIVER_DIR": str(root / "archive"),
        "ARCHIVER_CONTACT": "Test Operator <ops@example.org>",
        "ARCHIVER_CLOCK": "warcfixed.clock",
        "ARCHIVER_RECORD_ID": "warcfixed.record_id",
        "ROBOTSTXT_OBEY": "True",
        "DOWNLOAD_FAIL_ON_DATALOSS": "False",
        "RETRY_ENABLED": "False",
        "TELNETCONSOLE_ENABLED": "False",
        "LOG_LEVEL": "INFO",
    }
    command = [sys.executable, "-m", "scrapy", "runspider", "warctest_spider.py"]
    command += ["-a", f"base={server}", "-a", f"out={out}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    done = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in out.read_text().splitlines()]
    return Crawl(server, root, done.stderr, results)


@pytest.mark.crawl
def test_crawl_logs_no_errors_and_counts_every_exchange(crawl: Crawl) -> None:
    assert " ERROR: " not in crawl.log, crawl.log[-3000:]
    assert "archiver/warc/errors" not in crawl.log
    # robots.txt, /gzip, /chunked, /redirect, /landing, /missing, /short
    assert crawl.stat("archiver/warc/exchanges") == 7
    assert crawl.stat("archiver/warc/records") == 14
    assert crawl.stat("archiver/warc/files") == 1
    assert crawl.stat("archiver/warc/bytes") == crawl.warc.stat().st_size


@pytest.mark.crawl
def test_warc_file_is_closed_and_consistent(crawl: Crawl) -> None:
    assert re.fullmatch(r"warctest-20240513080000-00001-.+-\d+\.warc\.gz", crawl.warc.name)
    assert check_file(crawl.warc) == []


@pytest.mark.crawl
def test_warcinfo_describes_the_crawl(crawl: Crawl) -> None:
    info = crawl.records[0]
    assert info.type == "warcinfo"
    text = info.block.decode()
    assert re.search(
        r"^software: archiver/\S+ scrapy/2\.\S+ warcio/\S+ twisted/\S+ python/3\.", text, re.M
    )
    assert "operator: Test Operator <ops@example.org>\r\n" in text
    assert "http-header-user-agent: Scrapy/" in text
    assert "robots: obey\r\n" in text
    assert "mirror: none\r\n" in text
    assert "isPartOf: warctest\r\n" in text
    assert "format: WARC File Format 1.0\r\n" in text


@pytest.mark.crawl
def test_robots_txt_is_archived(crawl: Crawl) -> None:
    assert crawl.response("/robots.txt").payload == b"User-agent: *\nDisallow: /private\n"


@pytest.mark.crawl
def test_gzip_page_is_stored_encoded_with_exact_length(crawl: Crawl) -> None:
    record = crawl.response("/gzip?lang=en&page=1")
    assert record.http_header_values("Content-Encoding") == ["gzip"]
    assert record.payload == gzip.compress(PAGE, mtime=0)
    assert record.http_header_values("Content-Length") == [str(len(record.payload))]


@pytest.mark.crawl
def test_gzip_page_reads_back_decoded(crawl: Crawl) -> None:
    pages = {p.url: p for p in iter_captures(crawl.warc, root=crawl.root / "archive")}
    assert pages[crawl.base + "/gzip?lang=en&page=1"].body == PAGE


@pytest.mark.crawl
def test_chunked_page_is_stored_dechunked_without_transfer_encoding(crawl: Crawl) -> None:
    record = crawl.response("/chunked")
    assert record.payload == b"".join(CHUNKS)
    assert record.http_header_values("Transfer-Encoding") == []
    assert record.http_header_values("Content-Length") == [str(len(record.payload))]


@pytest.mark.crawl
def test_redirect_hop_and_target_are_both_archived(crawl: Crawl) -> None:
    hop = crawl.response("/redirect")
    assert hop.http_status == 302
    assert hop.http_header("Location") == "/landing"
    assert crawl.response("/landing").payload == PAGE


@pytest.mark.crawl
def test_404_keeps_both_set_cookie_headers(crawl: Crawl) -> None:
    record = crawl.response("/missing")
    assert record.http_status == 404
    assert record.http_first_line == "HTTP/1.1 404 Not Found"
    assert record.http_header_values("Set-Cookie") == ["first=1; Path=/", "second=2; Path=/"]


@pytest.mark.crawl
def test_short_body_is_marked_truncated(crawl: Crawl) -> None:
    record = crawl.response("/short")
    assert record.header("WARC-Truncated") == "disconnect"
    assert record.payload == SHORT_SENT
    assert crawl.response("/landing").header("WARC-Truncated") is None


@pytest.mark.crawl
def test_request_record_has_query_host_and_accept_encoding(crawl: Crawl) -> None:
    request = crawl.request("/gzip?lang=en&page=1")
    assert request.http_first_line == "GET /gzip?lang=en&page=1 HTTP/1.1"
    assert request.http_header("Host") == crawl.base.removeprefix("http://")
    assert request.http_header("Accept-Encoding") == "gzip, deflate"
    assert request.http_header(
        "User-Agent",
    ).startswith("Scrapy/")  # type: ignore[union-attr]


@pytest.mark.crawl
def test_every_response_has_the_server_ip_address(crawl: Crawl) -> None:
    responses = [r for r in crawl.records if r.type == "response"]
    assert len(responses) == 7
    assert {r.header("WARC-IP-Address") for r in responses} == {"127.0.0.1"}


@pytest.mark.crawl
def test_capture_ref_in_meta_points_at_the_response_record(crawl: Crawl) -> None:
    by_url = {r["url"]: r for r in crawl.results}
    expected = ["/gzip?lang=en&page=1", "/chunked", "/landing", "/missing", "/short"]
    assert sorted(by_url) == sorted(crawl.base + p for p in expected)
    for url, result in by_url.items():
        capture = result["capture"]
        assert isinstance(capture, dict), url
        assert capture["url"] == url
        page = read_response_at(
            crawl.root / "archive" / capture["warc_file"], capture["warc_offset"]
        )
        assert page.url == url
        assert page.status == result["status"] == capture["status"]
        assert page.capture is not None
        assert page.capture.warc_record_id == capture["warc_record_id"]


@pytest.mark.unit
def test_disabled_extension_is_not_configured() -> None:
    crawler = get_crawler(settings_dict={"ARCHIVER_WARC_ENABLED": False})
    with pytest.raises(NotConfigured):
        WarcExtension.from_crawler(crawler)


def naive_clock() -> datetime:
    return datetime(2024, 5, 13, 8, 0, 0)


def unit_extension(tmp_path: Path, **settings: object) -> tuple[WarcExtension, Crawler]:
    crawler = get_crawler(
        settings_dict={
            "ARCHIVER_DIR": str(tmp_path),
            "ARCHIVER_CLOCK": naive_clock,  # load_object also takes the callable itself
            **settings,
        }
    )
    extension = build_from_crawler(WarcExtension, crawler)
    extension.spider_opened(Spider(name="unit"))
    return extension, crawler


def downloaded(url: str) -> tuple[Response, Request]:
    request = Request(url)
    return Response(url, body=b"<html></html>", request=request), request


@pytest.mark.unit
def test_unit_write_sets_meta_and_counts(tmp_path: Path) -> None:
    extension, crawler = unit_extension(tmp_path, ARCHIVER_CLOCK=None, ARCHIVER_WARC_PREFIX="cd")
    response, request = downloaded("http://www.example.com/a")
    extension.response_downloaded(response, request)
    extension.spider_closed(Spider(name="unit"))
    capture = request.meta["archiver_capture"]
    assert capture.warc_file.startswith("warc/unit/cd-")
    assert read_response_at(tmp_path / capture.warc_file, capture.warc_offset).url == capture.url
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    assert (stats["archiver/warc/exchanges"], stats["archiver/warc/records"]) == (1, 2)
    assert stats["archiver/warc/bytes"] == (tmp_path / capture.warc_file).stat().st_size


@pytest.mark.unit
def test_unit_failure_is_counted_logged_and_clears_stale_meta(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    extension, crawler = unit_extension(tmp_path)
    response, request = downloaded("http://www.example.com/next-hop")
    request.meta["archiver_capture"] = "capture of the previous redirect hop"
    extension.response_downloaded(response, request)
    assert "archiver_capture" not in request.meta
    assert crawler.stats is not None
    assert crawler.stats.get_value("archiver/warc/errors/ValueError") == 1
    assert crawler.stats.get_value("archiver/warc/exchanges") is None
    assert "WARC write failed for http://www.example.com/next-hop" in caplog.text


@pytest.mark.unit
def test_unit_non_http_scheme_is_skipped_and_counted(tmp_path: Path) -> None:
    extension, crawler = unit_extension(tmp_path)
    response, request = downloaded("data:text/plain,hello")
    extension.response_downloaded(response, request)
    assert crawler.stats is not None
    assert crawler.stats.get_value("archiver/warc/skipped/data") == 1
    assert "archiver_capture" not in request.meta


@pytest.mark.unit
def test_without_a_capture_log_every_response_is_written_in_full(tmp_path: Path) -> None:
    # The WARC layer alone (no ARCHIVER_WARC_CAPTURE_LOG, as without the add-on): no revisit
    # decision, no index opened.
    extension, crawler = unit_extension(tmp_path, ARCHIVER_CLOCK=None)
    for _ in range(2):
        response, request = downloaded("http://www.example.com/a")
        extension.response_downloaded(response, request)
    extension.spider_closed(Spider(name="unit"))
    types = [r.type for p in sorted(tmp_path.glob("warc/**/*.warc.gz")) for r in iter_records(p)]
    assert types.count("response") == 2
    assert "revisit" not in types
    assert crawler.stats is not None
    assert crawler.stats.get_value("archiver/warc/revisits") is None
    assert not (tmp_path / "index.sqlite3").exists()
