"""check_file / check_response_record catch each inconsistency, on records broken on purpose."""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archiver.warc.consistency import check_file, check_response_record
from archiver.warc.exchange import HttpExchange
from archiver.warc.raw import RawRecord
from archiver.warc.writer import RotatingWarcWriter

pytestmark = pytest.mark.unit

URL = "http://www.example.com/a"
BODY = b"<html><body>hello</body></html>"
RESPONSE_ID = "<urn:uuid:00000000-0000-4000-8000-000000000002>"


def sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def http_head(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def record(
    record_type: str,
    block: bytes,
    record_id: str,
    extra: list[tuple[str, str]] | None = None,
    *,
    payload: bytes | None = None,
    block_digest: str | None = None,
    payload_digest: str | None = None,
) -> bytes:
    """One uncompressed WARC/1.0 record with correct digests unless told otherwise."""
    headers = [
        ("WARC-Type", record_type),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", "2024-05-13T08:00:00Z"),
    ]
    if record_type != "warcinfo":
        headers.append(("WARC-Target-URI", URL))
    headers += extra or []
    if payload is not None:
        headers.append(("WARC-Payload-Digest", payload_digest or sha1(payload)))
    headers.append(("WARC-Block-Digest", block_digest or sha1(block)))
    headers.append(("Content-Length", str(len(block))))
    text = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return text.encode() + block + b"\r\n\r\n"


def warcinfo() -> bytes:
    return record(
        "warcinfo", b"software: test\r\n", "<urn:uuid:00000000-0000-4000-8000-000000000001>"
    )


def response(head_lines: list[str] | None = None, body: bytes = BODY, **kwargs: object) -> bytes:
    lines = head_lines or [
        "HTTP/1.1 200 OK",
        "Content-Type: text/html",
        f"Content-Length: {len(body)}",
    ]
    block = http_head(lines) + body
    return record("response", block, RESPONSE_ID, payload=body, **kwargs)  # type: ignore[arg-type]


def request(concurrent_to: str | None = RESPONSE_ID) -> bytes:
    block = http_head(["GET /a HTTP/1.1", "Host: www.example.com"])
    extra = [("WARC-Concurrent-To", concurrent_to)] if concurrent_to else []
    return record(
        "request", block, "<urn:uuid:00000000-0000-4000-8000-000000000003>", extra, payload=b""
    )


def warc_file(tmp_path: Path, *records: bytes, members: list[int] | None = None) -> Path:
    """A gzip WARC, one member per record unless `members` groups record counts per member."""
    groups = members or [1] * len(records)
    it = iter(records)
    data = b"".join(gzip.compress(b"".join(itertools.islice(it, n)), mtime=0) for n in groups)
    path = tmp_path / "test.warc.gz"
    path.write_bytes(data)
    return path


def one_problem(problems: list[str], needle: str) -> None:
    assert len(problems) == 1, problems
    assert needle in problems[0], problems


def test_a_well_formed_hand_built_file_has_no_problems(tmp_path: Path) -> None:
    assert check_file(warc_file(tmp_path, warcinfo(), response(), request())) == []


def test_a_file_from_the_writer_has_no_problems(tmp_path: Path) -> None:
    ticks = itertools.count()
    with RotatingWarcWriter(
        tmp_path,
        "t",
        10**9,
        {},
        clock=lambda: datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=next(ticks)),
    ) as writer:
        for body in (b"", BODY, gzip.compress(BODY)):
            headers = [("Content-Encoding", "gzip")] if body.startswith(b"\x1f\x8b") else []
            writer.write_exchange(
                HttpExchange(
                    url=URL,
                    method="POST",
                    request_headers=[("Host", "www.example.com"), ("Content-Length", "3")],
                    request_body=b"a=1",
                    protocol="HTTP/1.1",
                    status=200,
                    reason="OK",
                    response_headers=[*headers, ("Content-Length", str(len(body)))],
                    response_body=body,
                )
            )
    assert check_file(writer.files[0]) == []


def test_stale_content_length(tmp_path: Path) -> None:
    bad = response(["HTTP/1.1 200 OK", "Content-Length: 5000"])
    one_problem(
        check_file(warc_file(tmp_path, warcinfo(), bad, request())),
        "Content-Length 5000 != payload length 31",
    )


def test_missing_content_length(tmp_path: Path) -> None:
    bad = response(["HTTP/1.1 200 OK", "Content-Type: text/html"])
    one_problem(
        check_file(warc_file(tmp_path, warcinfo(), bad, request())), "no HTTP Content-Length"
    )


def test_transfer_encoding_on_stored_body(tmp_path: Path) -> None:
    bad = response(
        ["HTTP/1.1 200 OK", "Transfer-Encoding: chunked", f"Content-Length: {len(BODY)}"]
    )
    one_problem(
        check_file(warc_file(tmp_path, warcinfo(), bad, request())), "Transfer-Encoding chunked"
    )


def test_content_encoding_on_decoded_body(tmp_path: Path) -> None:
    bad = response(["HTTP/1.1 200 OK", "Content-Encoding: gzip", f"Content-Length: {len(BODY)}"])
    one_problem(
        check_file(warc_file(tmp_path, warcinfo(), bad, request())),
        "declared but body is not encoded",
    )


def test_gzip_body_without_content_encoding(tmp_path: Path) -> None:
    body = gzip.compress(BODY, mtime=0)
    bad = response(
        ["HTTP/1.1 200 OK", "Content-Type: text/html", f"Content-Length: {len(body)}"], body
    )
    one_problem(check_file(warc_file(tmp_path, warcinfo(), bad, request())), "no Content-Encoding")


def test_gzip_file_served_as_such_is_fine(tmp_path: Path) -> None:
    body = gzip.compress(BODY, mtime=0)
    ok = response(
        ["HTTP/1.1 200 OK", "Content-Type: application/x-gzip", f"Content-Length: {len(body)}"],
        body,
    )
    assert check_file(warc_file(tmp_path, warcinfo(), ok, request())) == []


def test_response_without_paired_request(tmp_path: Path) -> None:
    one_problem(
        check_file(warc_file(tmp_path, warcinfo(), response())),
        "no request record with WARC-Concurrent-To",
    )


def test_request_without_concurrent_to(tmp_path: Path) -> None:
    problems = check_file(warc_file(tmp_path, warcinfo(), response(), request(None)))
    assert any("request without WARC-Concurrent-To" in p for p in problems), problems
    assert any("no request record" in p for p in problems), problems


def test_request_pointing_at_no_response(tmp_path: Path) -> None:
    other = "<urn:uuid:00000000-0000-4000-8000-000000000099>"
    problems = check_file(warc_file(tmp_path, warcinfo(), response(), request(), request(other)))
    # The second request reuses the first one's id, which is reported too.
    assert any(f"WARC-Concurrent-To {other} names no response" in p for p in problems), problems
    assert any("duplicate WARC-Record-ID" in p for p in problems), problems


def test_bad_block_digest(tmp_path: Path) -> None:
    bad = response(block_digest=sha1(b"something else"))
    one_problem(
        check_file(warc_file(tmp_path, warcinfo(), bad, request())), "WARC-Block-Digest mismatch"
    )


def test_bad_payload_digest(tmp_path: Path) -> None:
    bad = response(payload_digest=sha1(b"something else"))
    one_problem(
        check_file(warc_file(tmp_path, warcinfo(), bad, request())), "WARC-Payload-Digest mismatch"
    )


def test_warcinfo_not_first(tmp_path: Path) -> None:
    one_problem(check_file(warc_file(tmp_path, response(), request(), warcinfo())), "not warcinfo")


def test_records_sharing_a_gzip_member(tmp_path: Path) -> None:
    path = warc_file(tmp_path, warcinfo(), response(), request(), members=[1, 2])
    one_problem(check_file(path), "shares a gzip member")


def test_truncated_file(tmp_path: Path) -> None:
    path = warc_file(tmp_path, warcinfo(), response(), request())
    path.write_bytes(path.read_bytes()[:-20])
    problems = check_file(path)
    assert any("unreadable" in p and "cut short" in p for p in problems), problems


def test_fractional_seconds_in_a_warc_1_0_date(tmp_path: Path) -> None:
    bad = response().replace(b"2024-05-13T08:00:00Z", b"2024-05-13T08:00:00.123Z")
    one_problem(
        check_file(warc_file(tmp_path, warcinfo(), bad, request())), "is not YYYY-MM-DDThh:mm:ssZ"
    )


@pytest.mark.parametrize("record_type", ["request", "warcinfo"])
def test_check_response_record_ignores_other_types(record_type: str) -> None:
    raw = RawRecord(0, "WARC/1.0", (("WARC-Type", record_type),), b"junk", gzipped=False)
    assert check_response_record(raw) == []


def test_check_response_record_lists_every_problem() -> None:
    head = http_head(
        [
            "HTTP/1.1 200 OK",
            "Transfer-Encoding: chunked",
            "Content-Encoding: br",
            "Content-Length: 1",
        ]
    )
    raw = RawRecord(
        0,
        "WARC/1.0",
        (("WARC-Type", "response"), ("WARC-Target-URI", URL)),
        head + BODY,
        gzipped=False,
    )
    problems = check_response_record(raw)
    assert len(problems) == 3, problems
