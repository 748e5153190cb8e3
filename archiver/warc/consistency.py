"""Checks `warcio check` does not make: HTTP headers that lie about the stored body, lost pairs."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from archiver.warc.codings import GZIP_MAGIC, KNOWN_CODINGS, is_encoded, split_codings
from archiver.warc.raw import RawRecord, WarcReadError, iter_records

_WARC_DATE_1_0 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# Bodies that are gzip files by nature (sitemap.xml.gz), not gzip-encoded HTML.
_GZIP_FILE_TYPES = ("application/gzip", "application/x-gzip", "application/octet-stream")


def check_response_record(raw: RawRecord) -> list[str]:
    """Problems of one response record's HTTP message as stored; [] when consistent.

    Checks: a single Content-Length equal to the payload length, no Transfer-Encoding,
    Content-Encoding declared only on a body still encoded, and gzip bytes not left without
    one. Such records pass `warcio check` but replay truncated or garbled in pywb.
    """
    if raw.type != "response":
        return []
    if not raw.has_http or not raw.http_head:
        return ["no HTTP message in response record"]
    if raw.http_status is None:
        return [f"bad HTTP status line: {raw.http_first_line!r}"]
    problems: list[str] = []
    body = raw.payload
    lengths = raw.http_header_values("Content-Length")
    if not lengths:
        problems.append(f"no HTTP Content-Length (payload is {len(body)} bytes)")
    elif len(lengths) > 1:
        problems.append(f"{len(lengths)} HTTP Content-Length headers: {', '.join(lengths)}")
    elif lengths[0].strip() != str(len(body)):
        problems.append(f"HTTP Content-Length {lengths[0]} != payload length {len(body)}")
    transfer = raw.http_header_values("Transfer-Encoding")
    if transfer:
        problems.append(f"Transfer-Encoding {', '.join(transfer)} on a stored (de-chunked) body")
    codings = split_codings(raw.http_header_values("Content-Encoding"))
    unknown = [c for c in codings if c not in KNOWN_CODINGS]
    if unknown:
        problems.append(f"unknown Content-Encoding {', '.join(unknown)}")
    elif codings and body and not is_encoded(body, codings):
        problems.append(f"Content-Encoding {', '.join(codings)} declared but body is not encoded")
    if not codings and body.startswith(GZIP_MAGIC) and not _is_gzip_file(raw):
        problems.append("body is gzip data but no Content-Encoding is declared")
    return problems


def check_file(path: Path) -> list[str]:
    """Problems of a whole WARC file, each prefixed with the record offset; [] when sound.

    Checks: it reads to the end; warcinfo first; one WARC version; one gzip member per record
    (gzip files); unique record ids; WARC/1.0 dates; valid block and payload digests; every
    response paired with a request whose WARC-Concurrent-To names it (and no orphan request);
    and `check_response_record` for each response. Records are checked as they are read: what
    pairing needs of each is kept, never a record (a file of 1 GB is not held).
    """
    head: list[str] = []  # what is said of the file as a whole, before any record's problems
    problems: list[str] = []
    pairing = _Pairing()
    first: tuple[int, str] | None = None  # offset and type of the first record
    versions: set[str] = set()
    seen_ids: set[str] = set()
    try:
        for record in iter_records(path):
            first = first or (record.offset, record.type)
            versions.add(record.version)
            where = f"@{record.offset} {record.type} {record.target_uri}".rstrip()
            problems.extend(f"{where}: {p}" for p in _record_problems(record, seen_ids))
            pairing.add(record, where, problems)
    except WarcReadError as exc:
        head.append(f"@{exc.offset}: unreadable: {exc.message}")
    if first is None:
        return [*head, "no records"]
    if first[1] != "warcinfo":
        head.append(f"@{first[0]}: first record is {first[1]!r}, not warcinfo")
    if len(versions) > 1:
        head.append(f"mixed WARC versions: {', '.join(sorted(versions))}")
    return head + problems + pairing.problems()


class _Pairing:
    """Responses (and revisits) and the requests naming them, as far as pairing needs."""

    def __init__(self) -> None:
        # record id -> offset, type, target URI of the last response or revisit with it
        self.responses: dict[str, tuple[int, str, str]] = {}
        # WARC-Concurrent-To -> offset, target URI of each request naming it
        self.concurrent: dict[str, list[tuple[int, str]]] = {}

    def add(self, record: RawRecord, where: str, problems: list[str]) -> None:
        if record.type in ("response", "revisit"):
            # A revisit stands for the response of its pair (archiver.warc.writer).
            self.responses[record.record_id] = (record.offset, record.type, record.target_uri)
        elif record.type == "request":
            target = record.header("WARC-Concurrent-To")
            if not target:
                problems.append(f"{where}: request without WARC-Concurrent-To")
            else:
                self.concurrent.setdefault(target, []).append((record.offset, record.target_uri))

    def problems(self) -> list[str]:
        problems: list[str] = []
        for record_id, (offset, kind, uri) in self.responses.items():
            requests = self.concurrent.pop(record_id, [])
            where = f"@{offset} {kind} {uri}"
            if not requests:
                problems.append(f"{where}: no request record with WARC-Concurrent-To {record_id}")
            elif any(request_uri != uri for _, request_uri in requests):
                problems.append(f"{where}: paired request has another WARC-Target-URI")
        for target, requests in self.concurrent.items():
            for offset, uri in requests:
                where = f"@{offset} request {uri}"
                problems.append(
                    f"{where}: WARC-Concurrent-To {target} names no response in the file"
                )
        return problems


def _record_problems(record: RawRecord, seen_ids: set[str]) -> list[str]:
    problems: list[str] = []
    if record.gzipped and record.member_index:
        problems.append("shares a gzip member with the record before it (one member per record)")
    record_id = record.record_id
    if not record_id:
        problems.append("no WARC-Record-ID")
    elif record_id in seen_ids:
        problems.append(f"duplicate WARC-Record-ID {record_id}")
    seen_ids.add(record_id)
    date = record.header("WARC-Date") or ""
    if record.version == "WARC/1.0" and not _WARC_DATE_1_0.match(date):
        problems.append(f"WARC-Date {date!r} is not YYYY-MM-DDThh:mm:ssZ")
    problems.extend(_digest_problems(record))
    if record.type == "response":
        problems.extend(check_response_record(record))
    return problems


def _digest_problems(record: RawRecord) -> list[str]:
    problems: list[str] = []
    checks = [("WARC-Block-Digest", record.block)]
    if record.has_http and record.type != "revisit":
        checks.append(("WARC-Payload-Digest", record.payload))
    for name, data in checks:
        declared = record.header(name)
        if declared is None:
            if record.type in ("response", "request") or name == "WARC-Block-Digest":
                problems.append(f"no {name}")
            continue
        error = _digest_mismatch(declared, data)
        if error:
            problems.append(f"{name} {error}")
    return problems


def _digest_mismatch(declared: str, data: bytes) -> str | None:
    algorithm, _, value = declared.partition(":")
    try:
        digest = hashlib.new(algorithm.lower().replace("-", ""), data).digest()
    except ValueError:
        return f"uses unknown algorithm {algorithm!r}"
    expected = {base64.b32encode(digest).decode("ascii"), digest.hex()}
    if value.strip().upper() in {e.upper() for e in expected}:
        return None
    return (
        f"mismatch: declared {declared}, computed {algorithm}:{base64.b32encode(digest).decode()}"
    )


def _is_gzip_file(raw: RawRecord) -> bool:
    content_type = (raw.http_header("Content-Type") or "").split(";")[0].strip().lower()
    return content_type in _GZIP_FILE_TYPES or urlsplit(raw.target_uri).path.endswith(".gz")
