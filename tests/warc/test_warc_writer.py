"""RotatingWarcWriter: exact bytes, gzip members, rotation, file names, CaptureRef."""

from __future__ import annotations

import gzip
import hashlib
import itertools
import re
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archiver.warc.exchange import HttpExchange
from archiver.warc.raw import iter_records, read_record_at
from archiver.warc.writer import RotatingWarcWriter

pytestmark = pytest.mark.unit

T0 = datetime(2024, 5, 13, 8, 0, 0, tzinfo=UTC)


def fixed_clock() -> Callable[[], datetime]:
    ticks = itertools.count()
    return lambda: T0 + timedelta(seconds=next(ticks))


def fixed_ids() -> Callable[[], str]:
    numbers = itertools.count(1)
    return lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(numbers):012d}>"


def make_writer(tmp_path: Path, max_size: int = 10**9, prefix: str = "cd") -> RotatingWarcWriter:
    return RotatingWarcWriter(
        tmp_path / "warc" / "spider",
        prefix,
        max_size,
        {"software": "archiver/test", "operator": "Test <t@example.org>"},
        root=tmp_path,
        clock=fixed_clock(),
        record_id=fixed_ids(),
        host="host1",
        pid=42,
    )


def small_exchange(
    url: str = "http://www.example.com/a/b.html?x=1&y=2", body: bytes = b"<p>hi</p>"
) -> HttpExchange:
    return HttpExchange(
        url=url,
        method="GET",
        request_headers=[("User-Agent", "archiver-test"), ("Host", "www.example.com")],
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
            ("Content-Length", str(len(body))),
        ],
        response_body=body,
        ip_address="192.0.2.7",
    )


GOLDEN = (
    b"WARC/1.0\r\n"
    b"WARC-Type: warcinfo\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
    b"WARC-Date: 2024-05-13T08:00:00Z\r\n"
    b"WARC-Filename: cd-20240513080000-00001-host1-42.warc.gz\r\n"
    b"WARC-Block-Digest: sha1:AZMXRRKTLAK3QR32DL3LFJDLEBXQHHHM\r\n"
    b"Content-Type: application/warc-fields\r\n"
    b"Content-Length: 101\r\n"
    b"\r\n"
    b"software: archiver/test\r\n"
    b"operator: Test <t@example.org>\r\n"
    b"format: WARC File Format 1.0\r\n"
    b"isPartOf: cd\r\n"
    b"\r\n\r\n"
    b"WARC/1.0\r\n"
    b"WARC-Type: response\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
    b"WARC-Date: 2024-05-13T08:00:01Z\r\n"
    b"WARC-Target-URI: http://www.example.com/a/b.html?x=1&y=2\r\n"
    b"WARC-IP-Address: 192.0.2.7\r\n"
    b"WARC-Payload-Digest: sha1:W3N4WQRZLF5DWDHQ4HCTGEQSOELIOZM2\r\n"
    b"WARC-Block-Digest: sha1:GM7BKINGWRHE37EWNMGMPUKY2NI6ZNNQ\r\n"
    b"Content-Type: application/http; msgtype=response\r\n"
    b"Content-Length: 121\r\n"
    b"\r\n"
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"Set-Cookie: a=1\r\n"
    b"Set-Cookie: b=2\r\n"
    b"Content-Length: 9\r\n"
    b"\r\n"
    b"<p>hi</p>"
    b"\r\n\r\n"
    b"WARC/1.0\r\n"
    b"WARC-Type: request\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000003>\r\n"
    b"WARC-Date: 2024-05-13T08:00:01Z\r\n"
    b"WARC-Target-URI: http://www.example.com/a/b.html?x=1&y=2\r\n"
    b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
    b"WARC-Payload-Digest: sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ\r\n"
    b"WARC-Block-Digest: sha1:3PFPQUQ7BN7GJ6OZL2LF2KCEQQESBLMD\r\n"
    b"Content-Type: application/http; msgtype=request\r\n"
    b"Content-Length: 84\r\n"
    b"\r\n"
    b"GET /a/b.html?x=1&y=2 HTTP/1.1\r\n"
    b"User-Agent: archiver-test\r\n"
    b"Host: www.example.com\r\n"
    b"\r\n"
    b"\r\n\r\n"
)


def gzip_members(data: bytes) -> Iterator[bytes]:
    """Decompressed content of each gzip member of `data`."""
    while data:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        yield decompressor.decompress(data)
        assert decompressor.eof
        data = decompressor.unused_data


def test_small_exchange_gives_golden_warc_bytes(tmp_path: Path) -> None:
    with make_writer(tmp_path) as writer:
        writer.write_exchange(small_exchange())
    (path,) = writer.files
    assert gzip.decompress(path.read_bytes()) == GOLDEN


def test_same_input_gives_byte_identical_files(tmp_path: Path) -> None:
    outputs = []
    for run in ("one", "two"):
        with make_writer(tmp_path / run) as writer:
            writer.write_exchange(small_exchange())
            writer.write_exchange(small_exchange("http://www.example.com/other", b"x" * 5000))
        outputs.append(writer.files[0].read_bytes())
    assert outputs[0] == outputs[1]


def test_every_record_is_its_own_gzip_member(tmp_path: Path) -> None:
    with make_writer(tmp_path) as writer:
        writer.write_exchange(small_exchange())
        writer.write_exchange(small_exchange("http://www.example.com/2"))
    members = list(gzip_members(writer.files[0].read_bytes()))
    assert [m.split(b"\r\n")[1] for m in members] == [
        b"WARC-Type: warcinfo",
        b"WARC-Type: response",
        b"WARC-Type: request",
        b"WARC-Type: response",
        b"WARC-Type: request",
    ]
    assert all(m.startswith(b"WARC/1.0\r\n") and m.endswith(b"\r\n\r\n") for m in members)


def test_capture_ref_points_at_the_response_record(tmp_path: Path) -> None:
    with make_writer(tmp_path) as writer:
        writer.write_exchange(small_exchange())
        ref = writer.write_exchange(small_exchange("http://www.example.com/second"))
    assert ref.warc_file == "warc/spider/cd-20240513080000-00001-host1-42.warc.gz"
    record = read_record_at(tmp_path / ref.warc_file, ref.warc_offset)
    assert record.type == "response"
    assert record.record_id == ref.warc_record_id
    assert record.target_uri == ref.url == "http://www.example.com/second"
    assert record.header("WARC-Date") == "2024-05-13T08:00:02Z"
    assert ref.fetched_at == datetime(2024, 5, 13, 8, 0, 2, tzinfo=UTC)
    assert ref.status == 200


def test_file_is_written_as_open_and_renamed_on_close(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    writer.write_exchange(small_exchange())
    directory = tmp_path / "warc" / "spider"
    assert [p.name for p in directory.iterdir()] == [
        "cd-20240513080000-00001-host1-42.warc.gz.open"
    ]
    writer.close()
    writer.close()
    assert [p.name for p in directory.iterdir()] == ["cd-20240513080000-00001-host1-42.warc.gz"]


def test_no_file_without_an_exchange(tmp_path: Path) -> None:
    make_writer(tmp_path).close()
    assert not (tmp_path / "warc" / "spider").exists()


def test_rotation_by_size_keeps_pairs_together_and_warcinfo_first(tmp_path: Path) -> None:
    body = b"".join(hashlib.sha256(bytes([i])).digest() for i in range(64))  # 2 KiB, incompressible
    with make_writer(tmp_path, max_size=4000) as writer:
        refs = [
            writer.write_exchange(small_exchange(f"http://www.example.com/{i}", body))
            for i in range(7)
        ]
    assert len(writer.files) > 2
    assert writer.files_opened == len(writer.files)
    names = [p.name for p in writer.files]
    assert len(set(names)) == len(names)
    pattern = re.compile(r"^cd-\d{14}-(\d{5})-host1-42\.warc\.gz$")
    assert [int(pattern.fullmatch(n).group(1)) for n in names] == list(  # type: ignore[union-attr]
        range(1, len(names) + 1)
    )
    assert not list((tmp_path / "warc" / "spider").glob("*.open"))
    seen_urls = []
    for path in writer.files:
        records = list(iter_records(path))
        types = [r.type for r in records]
        assert types[0] == "warcinfo"
        assert types[1:] == ["response", "request"] * ((len(types) - 1) // 2)
        for response, request in zip(records[1::2], records[2::2], strict=True):
            assert request.header("WARC-Concurrent-To") == response.record_id
        seen_urls += [r.target_uri for r in records if r.type == "response"]
        # It rolled over only once the size was reached: every file but the last is big enough.
        if path != writer.files[-1]:
            assert path.stat().st_size >= 4000
    assert seen_urls == [f"http://www.example.com/{i}" for i in range(7)]
    assert [ref.warc_file.rsplit("/", 1)[1] for ref in refs] == [
        p.name for p in writer.files for r in iter_records(p) if r.type == "response"
    ]


def test_existing_file_name_is_never_reused(tmp_path: Path) -> None:
    directory = tmp_path / "warc" / "spider"
    directory.mkdir(parents=True)
    taken = directory / "cd-20240513080000-00001-host1-42.warc.gz"
    taken.write_bytes(b"earlier run")
    (directory / "cd-20240513080000-00002-host1-42.warc.gz.open").write_bytes(b"crashed run")
    with make_writer(tmp_path) as writer:
        ref = writer.write_exchange(small_exchange())
    assert ref.warc_file.endswith("cd-20240513080000-00003-host1-42.warc.gz")
    assert writer.files_opened == 1
    assert taken.read_bytes() == b"earlier run"


def test_truncated_exchange_gets_warc_truncated_and_ip_address(tmp_path: Path) -> None:
    exchange = small_exchange()
    cut = HttpExchange(**{**exchange.__dict__, "truncated": True, "ip_address": "2001:db8::1"})
    with make_writer(tmp_path) as writer:
        ref = writer.write_exchange(cut)
    record = read_record_at(tmp_path / ref.warc_file, ref.warc_offset)
    assert record.header("WARC-Truncated") == "disconnect"
    assert record.header("WARC-IP-Address") == "2001:db8::1"


def test_untruncated_exchange_has_no_warc_truncated(tmp_path: Path) -> None:
    with make_writer(tmp_path) as writer:
        ref = writer.write_exchange(small_exchange())
    assert (
        read_record_at(tmp_path / ref.warc_file, ref.warc_offset).header("WARC-Truncated") is None
    )


def test_non_ascii_header_bytes_are_stored_unchanged(tmp_path: Path) -> None:
    exchange = small_exchange()
    odd = HttpExchange(
        **{
            **exchange.__dict__,
            "response_headers": [("X-Name", "caf\xe9"), ("Content-Length", "9")],
        }
    )
    with make_writer(tmp_path) as writer:
        ref = writer.write_exchange(odd)
    record = read_record_at(tmp_path / ref.warc_file, ref.warc_offset)
    assert b"X-Name: caf\xe9\r\n" in record.http_head


def test_naive_clock_is_refused(tmp_path: Path) -> None:
    writer = RotatingWarcWriter(
        tmp_path, "p", 1000, {}, clock=lambda: datetime(2024, 1, 1), host="h", pid=1
    )
    with pytest.raises(ValueError, match="naive"):
        writer.write_exchange(small_exchange())


def test_directory_outside_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not inside"):
        RotatingWarcWriter(tmp_path / "a", "p", 1000, {}, root=tmp_path / "b")


def test_warcio_reads_the_same_records_offsets_and_digests(tmp_path: Path) -> None:
    # warcio (what pywb and cdxj-indexer build on) is the independent reader here.
    from warcio.archiveiterator import ArchiveIterator

    with make_writer(tmp_path) as writer:
        for i in range(3):
            writer.write_exchange(
                small_exchange(f"http://www.example.com/{i}", gzip.compress(b"x" * i))
            )
    path = writer.files[0]
    ours = [(r.offset, r.type, r.record_id) for r in iter_records(path)]
    theirs = []
    with path.open("rb") as fh:
        records = ArchiveIterator(fh, check_digests="raise")
        for rec in records:
            rec.content_stream().read()
            theirs.append(
                (
                    records.get_record_offset(),
                    rec.rec_type,
                    rec.rec_headers.get_header("WARC-Record-ID"),
                )
            )
    assert theirs == ours
    assert len(ours) == 7
