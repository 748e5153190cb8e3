"""Revisit records only for identical raw payloads: same bytes, same Content-Encoding, length."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import rebuild
from archiver.warc.extension import WarcExtension
from archiver.warc.raw import iter_records
from tests.store.index_rows import index_rows

pytestmark = pytest.mark.unit

URL = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
PAGE = b"<html><body>" + b"An unchanged article. " * 400 + b"</body></html>"


def _fetch(extension: WarcExtension, body: bytes, encoding: str | None) -> None:
    headers = {"Content-Type": "text/html"}
    if encoding:
        headers["Content-Encoding"] = encoding
    request = Request(URL)
    extension.response_downloaded(
        Response(URL, body=body, headers=headers, request=request), request
    )


def _crawl(root: Path, bodies: list[tuple[bytes, str | None]]) -> list[tuple[str, str]]:
    """Write each response through a real WarcExtension with its index; (type, head) per record."""
    crawler = get_crawler(
        settings_dict={
            "ARCHIVER_DIR": str(root),
            "ARCHIVER_WARC_CAPTURE_LOG": "archiver.store.index.capture_log.crawl_capture_log",
        }
    )
    extension = build_from_crawler(WarcExtension, crawler)
    extension.spider_opened(Spider(name="unit"))
    for body, encoding in bodies:
        _fetch(extension, body, encoding)
    extension.spider_closed(Spider(name="unit"))
    out = []
    for path in sorted(root.glob("warc/**/*.warc.gz")):
        for record in iter_records(path):
            if record.type in ("response", "revisit"):
                out.append((record.type, record.header("WARC-Payload-Digest") or ""))
    return out


def test_same_gzip_bytes_make_a_revisit(tmp_path: Path) -> None:
    packed = gzip.compress(PAGE, mtime=0)
    kinds = _crawl(tmp_path, [(packed, "gzip"), (packed, "gzip")])
    assert [kind for kind, _ in kinds] == ["response", "revisit"]
    assert kinds[0][1] == kinds[1][1]


def test_identity_after_gzip_is_a_full_response(tmp_path: Path) -> None:
    # Decoded bodies match, but replaying the gzip original under an identity head (and its
    # Content-Length) would serve garbage: it must be a response of its own.
    kinds = _crawl(tmp_path, [(gzip.compress(PAGE, mtime=0), "gzip"), (PAGE, None)])
    assert [kind for kind, _ in kinds] == ["response", "response"]


def test_gzip_after_identity_is_a_full_response(tmp_path: Path) -> None:
    kinds = _crawl(tmp_path, [(PAGE, None), (gzip.compress(PAGE, mtime=0), "gzip")])
    assert [kind for kind, _ in kinds] == ["response", "response"]


def test_other_gzip_timestamp_is_a_full_response_then_revisits_it(tmp_path: Path) -> None:
    first, second = gzip.compress(PAGE, mtime=0), gzip.compress(PAGE, mtime=1_700_000_000)
    assert first != second
    kinds = _crawl(tmp_path, [(first, "gzip"), (second, "gzip"), (second, "gzip")])
    assert [kind for kind, _ in kinds] == ["response", "response", "revisit"]
    # The revisit names its own payload's digest (the identical-payload-digest profile).
    assert kinds[2][1] == kinds[1][1] != kinds[0][1]


def test_rebuilt_index_keeps_encoding_and_length(tmp_path: Path) -> None:
    packed = gzip.compress(PAGE, mtime=0)
    _crawl(tmp_path, [(packed, "gzip"), (packed, "gzip"), (PAGE, None)])
    with ArchiveIndex(tmp_path) as index:
        live = index_rows(index)
        rebuild(index)
        assert index_rows(index) == live
        rows = index.conn.execute(
            "SELECT record_type, content_encoding, payload_length FROM captures ORDER BY fetched_at"
        ).fetchall()
    assert sorted(rows) == sorted(
        [
            ("response", "gzip", len(packed)),
            ("revisit", "gzip", len(packed)),
            ("response", "", len(PAGE)),
        ]
    )
