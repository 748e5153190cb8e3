"""Read captured responses back from WARC files as CapturedPage objects, bodies decoded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from archiver.layout import ArchiveLayout
from archiver.page import CapturedPage
from archiver.record import CaptureRef
from archiver.warc.codings import BodyTooLarge, DecodingError, decode_body, split_codings
from archiver.warc.exchange import HINTS_FIELD
from archiver.warc.raw import RawRecord, WarcReadError, iter_records, read_record_at

__all__ = [
    "BodyTooLarge",
    "RawRecord",
    "WarcReadError",
    "iter_captures",
    "iter_records",
    "page_from_record",
    "read_response_at",
]


def iter_captures(path: Path, root: Path | None = None) -> Iterator[CapturedPage]:
    """Every HTTP `response` record of the WARC at `path`, as a CapturedPage, in file order.

    Bodies are content-decoded (gzip, deflate, br, zstd). `capture.warc_file` is `path`
    relative to `root` (POSIX separators) or, without `root`, the file name. On a truncated or
    corrupt file, yields every complete record before the damage, then raises WarcReadError.
    """
    warc_file = _warc_file(path, root)
    for record in iter_records(path):
        if record.type == "response" and record.has_http:
            yield page_from_record(record, path, warc_file)


def read_response_at(path: Path, offset: int, root: Path | None = None) -> CapturedPage:
    """The response record at byte `offset` of `path` (a CaptureRef's warc_offset), decoded.

    Raises WarcReadError when no complete HTTP response record starts there.
    """
    record = read_record_at(path, offset)
    if record.type != "response" or not record.has_http:
        raise WarcReadError(
            path, offset, f"record is a {record.type or 'untyped'} record, not a response"
        )
    return page_from_record(record, path, _warc_file(path, root))


def page_from_record(record: RawRecord, path: Path, warc_file: str) -> CapturedPage:
    """Build the CapturedPage of one HTTP response record.

    A body that does not decode with its declared Content-Encoding (a server that mislabels
    plain bytes) is returned as stored. Raises WarcReadError for a record that cannot make a
    CaptureRef (no WARC-Date, status out of 100..999), and BodyTooLarge for a body inflating
    past DECODED_LIMIT: archived as received, it is never parsed (the raw bytes of a bomb
    are not a page either), and callers report it as skipped, not as damage.
    """
    headers = record.http_headers
    try:
        body = decode_body(
            record.payload, split_codings(record.http_header_values("Content-Encoding"))
        )
    except BodyTooLarge:
        raise
    except DecodingError:
        body = record.payload
    status = record.http_status
    date = record.header("WARC-Date")
    if status is None or not date:
        raise WarcReadError(path, record.offset, "response record without status or WARC-Date")
    try:
        capture = CaptureRef(
            url=record.target_uri,
            warc_file=warc_file,
            warc_offset=record.offset,
            warc_record_id=record.record_id,
            fetched_at=datetime.fromisoformat(date),
            status=status,
        )
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        message = "; ".join(line.strip() for line in str(exc).splitlines()[:3])
        raise WarcReadError(path, record.offset, f"unusable response record: {message}") from None
    return CapturedPage(
        url=record.target_uri,
        body=body,
        status=capture.status,
        headers=headers,
        fetched_at=capture.fetched_at,
        capture=capture,
        hints=_hints(record),
    )


def _hints(record: RawRecord) -> dict[str, str]:
    # Discovery hints are context, not evidence: a malformed field is ignored, not fatal.
    raw = record.header(HINTS_FIELD)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _warc_file(path: Path, root: Path | None) -> str:
    if root is None:
        return path.name
    try:
        return ArchiveLayout(root).relative(path)
    except ValueError:
        raise ValueError(f"WARC file {path} is not inside {root}") from None
