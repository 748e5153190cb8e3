"""Reading WARCs back: decoded bodies, CaptureRefs, plain files, and damaged files."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import brotli
import pytest
import zstandard

from archiver.warc.exchange import HttpExchange
from archiver.warc.reader import (
    WarcReadError,
    iter_captures,
    iter_records,
    read_response_at,
)
from archiver.warc.writer import RotatingWarcWriter

pytestmark = pytest.mark.unit

HTML = (
    "<html><head><title>北京</title></head><body>".encode()
    + b"<p>news</p>" * 40
    + b"</body></html>"
)
T0 = datetime(2024, 5, 13, 8, 0, 0, tzinfo=UTC)

ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": lambda b: gzip.compress(b, mtime=0),
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda b: zstandard.ZstdCompressor().compress(b),
}


def exchange(
    path: str, body: bytes, headers: list[tuple[str, str]], status: int = 200
) -> HttpExchange:
    return HttpExchange(
        url=f"http://www.example.com{path}",
        method="GET",
        request_headers=[("Host", "www.example.com")],
        request_body=b"",
        protocol="HTTP/1.1",
        status=status,
        reason="OK" if status == 200 else "Not Found",
        response_headers=[*headers, ("Content-Length", str(len(body)))],
        response_body=body,
    )


def write(tmp_path: Path, exchanges: list[HttpExchange]) -> Path:
    ticks = itertools.count()
    ids = itertools.count(1)
    with RotatingWarcWriter(
        tmp_path / "warc",
        "t",
        10**9,
        {"software": "test"},
        root=tmp_path,
        clock=lambda: T0 + timedelta(seconds=next(ticks)),
        record_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(ids):012d}>",
        host="h",
        pid=1,
    ) as writer:
        for ex in exchanges:
            writer.write_exchange(ex)
    (path,) = writer.files
    return path


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_body_is_content_decoded(tmp_path: Path, coding: str) -> None:
    body = ENCODERS[coding](HTML)
    path = write(tmp_path, [exchange("/a", body, [("Content-Encoding", coding)])])
    (page,) = iter_captures(path)
    assert page.body == HTML


def test_raw_deflate_body_is_decoded(tmp_path: Path) -> None:
    raw = zlib.compress(HTML)[2:-4]
    path = write(tmp_path, [exchange("/a", raw, [("Content-Encoding", "deflate")])])
    assert next(iter_captures(path)).body == HTML


@pytest.mark.parametrize("coding", sorted(ENCODERS))
def test_truncated_body_decodes_to_what_arrived(tmp_path: Path, coding: str) -> None:
    # 600 KB of text that compresses only so far: several zstd/brotli blocks.
    big = b"".join(hashlib.sha256(str(i).encode()).hexdigest().encode() for i in range(20000))
    encoded = ENCODERS[coding](big)
    path = write(
        tmp_path, [exchange("/a", encoded[: len(encoded) // 2], [("Content-Encoding", coding)])]
    )
    page = next(iter_captures(path))
    assert len(page.body) > len(big) // 4
    assert big.startswith(page.body)


def test_page_fields_and_capture_ref(tmp_path: Path) -> None:
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]
    path = write(tmp_path, [exchange("/first", HTML, []), exchange("/x?q=1", HTML, headers, 404)])
    first, second = iter_captures(path, root=tmp_path)
    assert second.url == "http://www.example.com/x?q=1"
    assert second.status == 404
    assert list(second.headers) == [*headers, ("Content-Length", str(len(HTML)))]
    assert second.fetched_at == T0 + timedelta(seconds=2)
    assert second.text.startswith("<html><head><title>北京</title>")
    assert second.capture is not None
    assert second.capture.warc_file == "warc/t-20240513080000-00001-h-1.warc.gz"
    assert second.capture.status == 404
    assert second.capture.warc_record_id == "<urn:uuid:00000000-0000-4000-8000-000000000004>"
    assert first.capture is not None
    assert first.capture.warc_offset < second.capture.warc_offset


def test_warc_file_is_the_file_name_without_root(tmp_path: Path) -> None:
    path = write(tmp_path, [exchange("/a", HTML, [])])
    page = next(iter_captures(path))
    assert page.capture is not None
    assert page.capture.warc_file == path.name


def test_read_response_at_resolves_a_capture(tmp_path: Path) -> None:
    path = write(tmp_path, [exchange(f"/{i}", HTML + bytes([i]), []) for i in range(3)])
    for page in iter_captures(path, root=tmp_path):
        assert page.capture is not None
        again = read_response_at(path, page.capture.warc_offset, root=tmp_path)
        assert again == page


def test_read_response_at_refuses_a_request_record(tmp_path: Path) -> None:
    path = write(tmp_path, [exchange("/a", HTML, [])])
    request = next(r for r in iter_records(path) if r.type == "request")
    with pytest.raises(WarcReadError, match="request record, not a response"):
        read_response_at(path, request.offset)


def test_plain_uncompressed_warc_is_read_with_exact_offsets(tmp_path: Path) -> None:
    gz = write(tmp_path, [exchange(f"/{i}", HTML, []) for i in range(2)])
    plain = tmp_path / "plain.warc"
    plain.write_bytes(gzip.decompress(gz.read_bytes()))
    records = list(iter_records(plain))
    assert [r.type for r in records] == ["warcinfo", "response", "request", "response", "request"]
    data = plain.read_bytes()
    for record in records:
        assert data[record.offset :].startswith(b"WARC/1.0\r\nWARC-Type: " + record.type.encode())
    pages = list(iter_captures(plain))
    assert [p.url for p in pages] == ["http://www.example.com/0", "http://www.example.com/1"]
    assert pages[1].capture is not None
    assert read_response_at(plain, pages[1].capture.warc_offset).body == HTML


def record_ends(data: bytes, gzipped: bool) -> list[int]:
    """End offsets of each record (gzip member, or record with its CRLF CRLF) in `data`."""
    ends = []
    if gzipped:
        position = 0
        while position < len(data):
            decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            decompressor.decompress(data[position:])
            position = len(data) - len(decompressor.unused_data)
            ends.append(position)
    else:
        position = 0
        while position < len(data):
            head_end = data.index(b"\r\n\r\n", position) + 4
            head = data[position:head_end].decode()
            length = int(head.split("Content-Length: ")[1].split("\r\n")[0])
            position = head_end + length + 4
            ends.append(position)
    return ends


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
def test_file_cut_anywhere_yields_complete_records_then_raises(
    tmp_path: Path, gzipped: bool
) -> None:
    gz = write(tmp_path, [exchange(f"/{i}", HTML, []) for i in range(2)])
    data = gz.read_bytes() if gzipped else gzip.decompress(gz.read_bytes())
    ends = record_ends(data, gzipped)
    assert len(ends) == 5
    cut_file = tmp_path / "cut.warc"
    for cut in range(1, len(data)):
        cut_file.write_bytes(data[:cut])
        complete = sum(1 for end in ends if end <= cut)
        seen = []
        if cut in ends:
            seen = list(iter_records(cut_file))
        else:
            with pytest.raises(WarcReadError) as raised:
                seen.extend(iter_records(cut_file))
            damaged_start = max([0, *[e for e in ends if e <= cut]])
            assert raised.value.offset == damaged_start, cut
            assert "\n" not in str(raised.value)
        assert len(seen) == complete, cut


def test_corrupt_gzip_member_raises_after_the_good_records(tmp_path: Path) -> None:
    gz = write(tmp_path, [exchange(f"/{i}", HTML, []) for i in range(2)])
    data = bytearray(gz.read_bytes())
    ends = record_ends(bytes(data), gzipped=True)
    data[ends[2] + 30] ^= 0xFF  # inside the second response's member
    gz.write_bytes(bytes(data))
    pages = []
    with pytest.raises(WarcReadError) as raised:
        pages.extend(iter_captures(gz))
    assert [p.url for p in pages] == ["http://www.example.com/0"]
    assert raised.value.offset == ends[2]
    assert raised.value.path == gz


def test_garbage_between_records_is_reported(tmp_path: Path) -> None:
    gz = write(tmp_path, [exchange("/a", HTML, [])])
    plain = tmp_path / "plain.warc"
    data = gzip.decompress(gz.read_bytes())
    ends = record_ends(data, gzipped=False)
    plain.write_bytes(data[: ends[1]] + b"garbage\r\n" + data[ends[1] :])
    with pytest.raises(WarcReadError, match="not a WARC record") as raised:
        list(iter_records(plain))
    assert raised.value.offset == ends[1]
