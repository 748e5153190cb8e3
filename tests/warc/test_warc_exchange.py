"""exchange_from_scrapy and fix_response_headers: headers made true for the stored body."""

from __future__ import annotations

import gzip
import ipaddress
import zlib

import brotli
import pytest
import zstandard
from scrapy.http import Request, Response

from archiver.warc.exchange import HttpExchange, exchange_from_scrapy, fix_response_headers

pytestmark = pytest.mark.unit

HTML = b"<html><body>" + b"<p>Beijing news</p>" * 50 + b"</body></html>"


def exchange(
    headers: list[tuple[str, str]],
    body: bytes = HTML,
    url: str = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6e4b.html?p=2#top",
    flags: list[str] | None = None,
    status: int = 200,
    request_headers: dict[str, str] | None = None,
) -> HttpExchange:
    request = Request(url, headers=request_headers or {"User-Agent": "archiver-test"})
    response = Response(
        url,
        status=status,
        headers=headers,
        body=body,
        request=request,
        flags=flags or [],
        protocol="HTTP/1.1",
        ip_address=ipaddress.ip_address("203.0.113.9"),
    )
    return exchange_from_scrapy(request, response)


def header_values(pairs: object, name: str) -> list[str]:
    assert isinstance(pairs, list | tuple)
    return [v for k, v in pairs if k.lower() == name.lower()]


def test_repeated_set_cookie_headers_are_all_kept() -> None:
    ex = exchange([("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/")])
    assert header_values(ex.response_headers, "Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]


def test_gzip_body_is_kept_encoded_with_its_content_encoding() -> None:
    body = gzip.compress(HTML, mtime=0)
    ex = exchange([("Content-Type", "text/html"), ("Content-Encoding", "gzip")], body)
    assert ex.response_body == body
    assert header_values(ex.response_headers, "Content-Encoding") == ["gzip"]


def test_content_length_is_exactly_the_stored_body_length() -> None:
    body = gzip.compress(HTML, mtime=0)
    ex = exchange([("Content-Encoding", "gzip")], body)
    assert header_values(ex.response_headers, "Content-Length") == [str(len(body))]


def test_stale_content_length_is_replaced_in_place() -> None:
    fixed = fix_response_headers(
        [("Content-Type", "text/html"), ("Content-Length", "99999"), ("Server", "x")], b"abc"
    )
    assert fixed == [("Content-Type", "text/html"), ("Content-Length", "3"), ("Server", "x")]


def test_duplicate_content_length_headers_become_one() -> None:
    fixed = fix_response_headers([("Content-Length", "3"), ("Content-Length", "7")], b"abc")
    assert fixed == [("Content-Length", "3")]


def test_transfer_encoding_is_dropped() -> None:
    ex = exchange([("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")])
    assert header_values(ex.response_headers, "Transfer-Encoding") == []


def test_content_encoding_is_dropped_when_body_is_already_decoded() -> None:
    ex = exchange([("Content-Type", "text/html"), ("Content-Encoding", "gzip")], HTML)
    assert header_values(ex.response_headers, "Content-Encoding") == []
    assert header_values(ex.response_headers, "Content-Length") == [str(len(HTML))]


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send
        ("br", brotli.compress),
        ("zstd", lambda b: zstandard.ZstdCompressor().compress(b)),
    ],
)
def test_other_codings_are_kept_only_while_encoded(coding: str, encode: object) -> None:
    assert callable(encode)
    encoded = exchange([("Content-Encoding", coding)], encode(HTML))
    assert header_values(encoded.response_headers, "Content-Encoding") == [coding]
    decoded = exchange([("Content-Encoding", coding)], HTML)
    assert header_values(decoded.response_headers, "Content-Encoding") == []


def test_query_is_kept_in_request_target_and_fragment_dropped() -> None:
    ex = exchange([])
    assert ex.request_target == "/a/202405/13/WS664167f4a31082fc043c6e4b.html?p=2"
    assert ex.url == "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6e4b.html?p=2"


def test_empty_path_requests_slash() -> None:
    assert exchange([], url="http://www.globaltimes.cn").request_target == "/"


def test_host_is_added_to_request_headers() -> None:
    ex = exchange([])
    assert ex.request_headers[-1] == ("Host", "www.chinadaily.com.cn")
    assert ("User-Agent", "archiver-test") in ex.request_headers


def test_host_keeps_a_non_default_port() -> None:
    ex = exchange([], url="http://127.0.0.1:8123/x")
    assert header_values(ex.request_headers, "Host") == ["127.0.0.1:8123"]


def test_proxy_credentials_are_not_archived() -> None:
    ex = exchange([], request_headers={"Proxy-Authorization": "Basic c2VjcmV0"})
    assert header_values(ex.request_headers, "Proxy-Authorization") == []


def test_ip_address_protocol_and_reason_come_from_the_response() -> None:
    ex = exchange([], status=404)
    assert ex.ip_address == "203.0.113.9"
    assert ex.protocol == "HTTP/1.1"
    assert (ex.status, ex.reason) == (404, "Not Found")


def test_dataloss_flag_marks_the_exchange_truncated() -> None:
    assert exchange([], flags=["dataloss"]).truncated is True
    assert exchange([]).truncated is False
