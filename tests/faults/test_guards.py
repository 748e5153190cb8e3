"""The crawl's guards against hostile answers, in process: each one's happy path and its faults."""

from __future__ import annotations

import time
import zlib

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadTimeoutError, StopDownload
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from archiver.crawl.bodies import (
    TOO_LARGE,
    TOO_LARGE_URLS,
    TRUNCATED,
    UNDECODABLE,
    BodyGuardMiddleware,
    ResponseTooLarge,
    TruncatedResponse,
    UndecodableResponse,
)
from archiver.crawl.cutoff import (
    TRANSFER_STARTED,
    DownloadCutoff,
    TimedDownloadHandler,
    new_cut_state,
)
from archiver.crawl.offsite import OFFSITE_REDIRECT, OffsiteRedirect, OffsiteRedirectMiddleware
from archiver.crawl.sitemaps import SitemapError, iter_news_sitemap
from archiver.crawl.statuses import StatusCountMiddleware
from archiver.page import CapturedPage
from archiver.sites.extract import ExtractionError, extract_article
from archiver.store.run_health import summary_figures
from archiver.warc.exchange import CUT_META, cut_reason
from tests.faults.server import gzip_bomb, gzipped

pytestmark = pytest.mark.unit

URL = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c0001.html"
LIMIT = 1 << 20


def _crawler(**settings: object) -> Crawler:
    crawler = get_crawler(Spider, {"DOWNLOAD_MAXSIZE": LIMIT, "RETRY_TIMES": 1, **settings})
    crawler.spider = Spider.from_crawler(
        crawler, "chinadaily", allowed_domains=["chinadaily.com.cn"]
    )
    crawler.stats = crawler._create_stats() if crawler.stats is None else crawler.stats
    return crawler


def _gzip_response(body: bytes, flags: list[str] | None = None) -> Response:
    headers = {"Content-Encoding": "gzip", "Content-Type": "text/html"}
    return Response(URL, body=body, headers=headers, flags=flags or [])


def _stat(crawler: Crawler, name: str) -> object:
    assert crawler.stats is not None
    return crawler.stats.get_value(name)


# -- bodies: bombs, undecodable and cut-short bodies ------------------------------------------


def test_a_gzip_body_under_the_limit_passes_untouched() -> None:
    crawler = _crawler()
    guard = BodyGuardMiddleware.from_crawler(crawler)
    response = _gzip_response(gzipped(b"<html>fine</html>"))
    assert guard.process_response(Request(URL), response) is response
    assert _stat(crawler, TOO_LARGE) is None


def test_a_gzip_bomb_is_stopped_counted_and_named() -> None:
    crawler = _crawler()
    guard = BodyGuardMiddleware.from_crawler(crawler)
    with pytest.raises(ResponseTooLarge):
        guard.process_response(Request(URL), _gzip_response(gzip_bomb(64 * LIMIT)))
    assert _stat(crawler, TOO_LARGE) == 1
    assert _stat(crawler, TOO_LARGE_URLS) == URL


def test_a_per_request_download_maxsize_is_the_limit() -> None:
    guard = BodyGuardMiddleware.from_crawler(_crawler())
    request = Request(URL, meta={"download_maxsize": 4 * LIMIT})
    body = gzip_bomb(2 * LIMIT)
    assert guard.process_response(request, _gzip_response(body)).body == body


def test_a_body_exactly_at_the_limit_passes() -> None:
    guard = BodyGuardMiddleware.from_crawler(_crawler())
    response = _gzip_response(gzip_bomb(LIMIT))
    assert guard.process_response(Request(URL), response) is response


def test_malformed_gzip_is_counted_and_dropped() -> None:
    crawler = _crawler()
    guard = BodyGuardMiddleware.from_crawler(crawler)
    with pytest.raises(UndecodableResponse):
        guard.process_response(Request(URL), _gzip_response(b"\x1f\x8b\x08garbage"))
    assert _stat(crawler, UNDECODABLE) == 1


def test_an_unknown_coding_is_left_as_scrapy_leaves_it() -> None:
    guard = BodyGuardMiddleware.from_crawler(_crawler())
    response = Response(URL, body=b"??", headers={"Content-Encoding": "x-custom"})
    assert guard.process_response(Request(URL), response) is response


def test_a_deflate_bomb_is_stopped_too() -> None:
    guard = BodyGuardMiddleware.from_crawler(_crawler())
    bomb = zlib.compress(bytes(8 * LIMIT), 9)
    response = Response(URL, body=bomb, headers={"Content-Encoding": "deflate"})
    with pytest.raises(ResponseTooLarge):
        guard.process_response(Request(URL), response)


def test_a_body_cut_short_is_retried_then_given_up() -> None:
    crawler = _crawler()
    guard = BodyGuardMiddleware.from_crawler(crawler)
    cut = Response(URL, body=b"<html>half", flags=["dataloss"])
    retry = guard.process_response(Request(URL), cut)
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    with pytest.raises(TruncatedResponse):
        guard.process_response(retry, cut)
    assert _stat(crawler, TRUNCATED) == 2


def test_a_download_stopped_at_the_size_limit_is_too_large() -> None:
    crawler = _crawler()
    guard = BodyGuardMiddleware.from_crawler(crawler)
    request = Request(URL, meta={"archiver_cut": {"why": "length"}})
    with pytest.raises(ResponseTooLarge):
        guard.process_response(request, Response(URL, body=b"x", flags=["download_stopped"]))
    assert _stat(crawler, "archiver/download/truncated/length") == 1


def test_a_download_stopped_for_time_is_retried_then_a_timeout() -> None:
    crawler = _crawler()
    guard = BodyGuardMiddleware.from_crawler(crawler)
    request = Request(URL, meta={"archiver_cut": {"why": "time"}})
    stopped = Response(URL, body=b"x", flags=["download_stopped"])
    retry = guard.process_response(request, stopped)
    assert isinstance(retry, Request)
    with pytest.raises(DownloadTimeoutError):
        guard.process_response(retry, stopped)
    assert _stat(crawler, "archiver/download/truncated/time") == 2


# -- cutoff: stop the download ourselves, keeping what arrived --------------------------------


def test_cutoff_stops_a_body_announced_over_the_limit_at_the_headers() -> None:
    cutoff = DownloadCutoff(max_size=LIMIT, timeout=60)
    request = Request(URL)
    with pytest.raises(StopDownload):
        cutoff.headers_received({}, LIMIT + 1, request)
    assert cut_reason(request.meta) == "length"


def test_cutoff_stops_a_body_growing_over_the_limit() -> None:
    cutoff = DownloadCutoff(max_size=LIMIT, timeout=60)
    request = Request(URL)
    cutoff.headers_received({}, "unknown", request)
    cutoff.bytes_received(bytes(LIMIT), request)
    assert cut_reason(request.meta) is None
    with pytest.raises(StopDownload):
        cutoff.bytes_received(b"x", request)
    assert cut_reason(request.meta) == "length"


def test_cutoff_stops_a_slow_body_and_a_retry_starts_afresh() -> None:
    cutoff = DownloadCutoff(max_size=LIMIT, timeout=0.001)
    request = Request(URL)
    cutoff.headers_received({}, 10, request)
    time.sleep(0.01)  # past 80% of the 1 ms timeout
    with pytest.raises(StopDownload):
        cutoff.bytes_received(b"x" * 10, request)
    assert cut_reason(request.meta) == "time"
    retry = request.replace()  # shares the state dict, as Scrapy's retries do
    DownloadCutoff(max_size=LIMIT, timeout=60).headers_received({}, 10, retry)
    assert cut_reason(retry.meta) is None


def test_cutoff_counts_from_when_the_handler_took_the_request_not_from_the_headers() -> None:
    # Scrapy's timeout runs from the handler's start: headers that came late must not give
    # the body the whole timeout again, or Scrapy's own timer drops every byte first.
    cutoff = DownloadCutoff(max_size=LIMIT, timeout=2)
    request = Request(URL)
    new_cut_state(request)
    request.meta[CUT_META][TRANSFER_STARTED] = time.monotonic() - 1.7  # as the handler stamps
    cutoff.headers_received({}, 10, request)
    with pytest.raises(StopDownload):
        cutoff.bytes_received(b"x", request)
    assert cut_reason(request.meta) == "time"


def test_the_add_on_installs_the_timed_handler_and_the_mirror_handler_is_one() -> None:
    from scrapy.settings import Settings
    from scrapy.utils.project import get_project_settings

    from archiver.crawl.addon import ArchiverAddon
    from archiver.crawl.mirror_handler import MirrorDownloadHandler

    settings: Settings = get_project_settings()
    ArchiverAddon().update_settings(settings)
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert handlers["http"] == handlers["https"] == "archiver.crawl.cutoff.TimedDownloadHandler"
    assert issubclass(MirrorDownloadHandler, TimedDownloadHandler)
    # A handler the user chose stays theirs.
    chosen = get_project_settings()
    h2 = "scrapy.core.downloader.handlers.http2.H2DownloadHandler"
    chosen.set("DOWNLOAD_HANDLERS", {"https": h2})
    ArchiverAddon().update_settings(chosen)
    handlers = chosen.getdict("DOWNLOAD_HANDLERS")
    assert handlers["https"] == h2
    assert handlers["http"] == "archiver.crawl.cutoff.TimedDownloadHandler"


# -- statuses, off-site redirects, sitemaps, depth, the summary -------------------------------


def test_unusual_statuses_are_counted_by_code_and_common_ones_not() -> None:
    crawler = _crawler()
    counter = StatusCountMiddleware.from_crawler(crawler)
    for status in (200, 404, 299, 999, 999, 103):
        response = Response(URL, status=status)
        assert counter.process_response(Request(URL), response) is response
    assert _stat(crawler, "archiver/http/unusual_status/999") == 2
    assert _stat(crawler, "archiver/http/unusual_status/299") == 1
    assert _stat(crawler, "archiver/http/unusual_status/103") == 1
    assert _stat(crawler, "archiver/http/unusual_status/200") is None


def test_an_article_redirected_off_the_site_is_not_followed() -> None:
    crawler = _crawler()
    guard = OffsiteRedirectMiddleware.from_crawler(crawler)
    meta = {"archiver_article": object(), "redirect_urls": [URL]}
    with pytest.raises(OffsiteRedirect):
        guard.process_request(Request("https://www.example.org/", meta=meta))
    assert _stat(crawler, OFFSITE_REDIRECT) == 1


def test_same_site_redirects_first_requests_and_requisites_pass() -> None:
    guard = OffsiteRedirectMiddleware.from_crawler(_crawler())
    article = {"archiver_article": object(), "redirect_urls": [URL]}
    assert guard.process_request(Request("https://china.chinadaily.com.cn/x", meta=article)) is None
    assert guard.process_request(Request("https://www.example.org/")) is None
    requisite = {"redirect_urls": [URL]}
    assert guard.process_request(Request("https://cdn.example.net/a.css", meta=requisite)) is None


@pytest.mark.parametrize(
    "body", [b"", b"\x00\x01binary", b"<html><body>Maintenance</body></html>", b"not xml"]
)
def test_a_sitemap_that_does_not_parse_raises(body: bytes) -> None:
    with pytest.raises(SitemapError):
        list(iter_news_sitemap(body))


def test_a_sitemap_index_and_an_empty_urlset_parse() -> None:
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    assert list(iter_news_sitemap(f"<urlset {ns}/>".encode())) == []
    assert list(iter_news_sitemap(f"<sitemapindex {ns}/>".encode())) == []


def test_a_page_nested_past_the_parser_limit_is_too_deep_not_a_soft_404() -> None:
    deep = b"<html><body>" + b"<div>" * 100_000 + b"<p>x</p>" + b"</div>" * 100_000
    page = CapturedPage(url=URL, body=deep, headers=[("Content-Type", "text/html")])
    with pytest.raises(ExtractionError) as raised:
        extract_article([page])
    assert raised.value.reason == "too-deep"


def test_a_shallow_page_without_template_stays_a_soft_404() -> None:
    page = CapturedPage(url=URL, body=b"<html><body><p>gone</p></body></html>")
    with pytest.raises(ExtractionError) as raised:
        extract_article([page])
    assert raised.value.reason == "soft-404"


def test_the_summary_names_too_large_urls_and_counts_unusual_statuses() -> None:
    figures = summary_figures(
        {
            TOO_LARGE_URLS: f"{URL} {URL}x",
            "archiver/http/unusual_status/999": 2,
            "archiver/http/unusual_status/299": 1,
        }
    )
    assert figures["too_large"] == [URL, URL + "x"]
    assert figures["unusual_statuses"] == {"299": 1, "999": 2}
    assert summary_figures({})["too_large"] == []
