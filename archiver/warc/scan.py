"""Read WARC files past damage, list their captures, load pages with revisits resolved."""

from __future__ import annotations

import dataclasses
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from archiver.layout import ArchiveLayout
from archiver.page import CapturedPage
from archiver.warc.codings import (
    GZIP_MAGIC,
    BodyTooLarge,
    DecodingError,
    decode_body,
    split_codings,
)
from archiver.warc.raw import RawRecord, WarcReadError, iter_records, read_record_at
from archiver.warc.reader import page_from_record

_CHUNK = 1 << 20
# A gzip member header: magic, then method 8 (deflate). Where the reader resynchronises.
_MEMBER_START = GZIP_MAGIC + b"\x08"


@dataclass(frozen=True, slots=True)
class RecordMeta:
    """Where one HTTP response or revisit record lies and what it says; no body.

    Held for every page `reextract` and `verify` plan to extract: slots, and one shared string
    for `type`, keep it small."""

    warc_file: str  # relative to the archive root, POSIX separators (as CaptureRef.warc_file)
    offset: int
    type: str  # "response" or "revisit"
    record_id: str
    url: str
    date: str  # WARC-Date as written
    status: int | None
    payload_digest: str | None
    refers_to: str | None = None  # revisits: WARC-Refers-To (record id of the original)
    refers_to_uri: str | None = None
    refers_to_date: str | None = None
    # WARC-Truncated: the body was cut short (a reset, a timeout, the size limit); kept as
    # evidence, never extracted.
    truncated: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", sys.intern(self.type))


@dataclass
class FileScan:
    """The HTTP response/revisit records of one WARC file, and the damage skipped."""

    warc_file: str
    records: list[RecordMeta] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)  # "@offset: message", one per skip


def closed_warc_files(layout: ArchiveLayout) -> list[Path]:
    """The closed WARC files of an archive, sorted; `.open` files are still being written."""
    found = [*layout.warc_root.glob("**/*.warc.gz"), *layout.warc_root.glob("**/*.warc")]
    return sorted(p for p in found if p.is_file())


def scan_file(root: Path, warc_file: str) -> FileScan:
    """Every response and revisit record of root/warc_file, in file order, damage skipped.

    A gzip WARC file is read to its end whatever happens: at a corrupt or truncated gzip
    member or record the reader notes the damage and moves on to the next gzip member
    header, so one bad record costs only itself. A damaged uncompressed file is read up to
    the damage (there is no member boundary to resynchronise on).
    """
    scan = FileScan(warc_file)
    for record in iter_sound_records(root / warc_file, scan.corrupt):
        if record.type in ("response", "revisit") and record.target_uri.startswith("http"):
            scan.records.append(record_meta(record, warc_file))
    return scan


def iter_sound_records(path: Path, damage: list[str]) -> Iterator[RawRecord]:
    """Every readable record of the WARC at `path`; each damage is appended to `damage`."""
    try:
        yield from iter_records(path)
        return
    except WarcReadError as exc:
        damage.append(f"@{exc.offset}: {exc.message}")
        start = exc.offset
    except OSError as exc:
        damage.append(f"@0: cannot read: {exc}")
        return
    with path.open("rb") as fh:
        if fh.read(2) != GZIP_MAGIC:
            damage.append(f"@{start}: rest of the uncompressed file skipped")
            return
    for offset in _next_members(path, start + 1, damage):
        try:
            yield read_record_at(path, offset)
        except WarcReadError as exc:
            damage.append(f"@{exc.offset}: {exc.message}")


def _next_members(path: Path, start: int, damage: list[str]) -> Iterator[int]:
    # Candidates are gzip member headers found by byte search; one inside compressed data
    # fails to decompress and is skipped like any other damage.
    with path.open("rb") as fh:
        candidate = _find(fh, start)
        while candidate is not None:
            end = _member_end(fh, candidate)
            if end is None:
                candidate = _find(fh, candidate + 1)
                continue
            yield candidate
            fh.seek(end)
            head = fh.read(len(_MEMBER_START))
            if not head:
                return
            if head != _MEMBER_START:
                damage.append(f"@{end}: bytes that are no gzip member skipped")
                candidate = _find(fh, end + 1)
            else:
                candidate = end


def _find(fh: IO[bytes], start: int) -> int | None:
    position = start
    while True:
        fh.seek(position)
        chunk = fh.read(_CHUNK + 2)
        if len(chunk) < len(_MEMBER_START):
            return None
        found = chunk.find(_MEMBER_START)
        if found >= 0:
            return position + found
        position += len(chunk) - 2


def _member_end(fh: IO[bytes], offset: int) -> int | None:
    fh.seek(offset)
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    consumed = offset
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return None
        try:
            decompressor.decompress(chunk)
        except zlib.error:
            return None
        if decompressor.eof:
            return consumed + len(chunk) - len(decompressor.unused_data)
        consumed += len(chunk)


def record_meta(record: RawRecord, warc_file: str) -> RecordMeta:
    """What a response or revisit record says, without its body; `warc_file` names its file."""
    return RecordMeta(
        warc_file=warc_file,
        offset=record.offset,
        type=record.type,
        record_id=record.record_id,
        url=record.target_uri,
        date=record.header("WARC-Date") or "",
        status=record.http_status,
        payload_digest=record.header("WARC-Payload-Digest"),
        refers_to=record.header("WARC-Refers-To"),
        refers_to_uri=record.header("WARC-Refers-To-Target-URI"),
        refers_to_date=record.header("WARC-Refers-To-Date"),
        truncated=bool(record.header("WARC-Truncated")),
    )


class Originals:
    """Finds the response record a revisit stands for, as pywb does (or more strictly).

    By WARC-Refers-To (record id) when the revisit names one; else by the response with
    WARC-Refers-To-Target-URI and WARC-Refers-To-Date, preferring one with the revisit's payload
    digest (the identical-payload-digest profile pywb replays). None when nothing matches.
    """

    def __init__(self, records: Iterable[RecordMeta] = ()) -> None:
        self.by_id: dict[str, RecordMeta] = {}
        self.by_uri_date: dict[tuple[str, str], list[RecordMeta]] = {}
        for meta in records:
            self.add(meta)

    def add(self, meta: RecordMeta) -> None:
        """Know `meta` as a possible original (responses only; anything else is ignored)."""
        if meta.type == "response":
            self.by_id[meta.record_id] = meta
            self.by_uri_date.setdefault((meta.url, meta.date), []).append(meta)

    def original(self, revisit: RecordMeta) -> RecordMeta | None:
        if revisit.refers_to and revisit.refers_to in self.by_id:
            return self.by_id[revisit.refers_to]
        uri = revisit.refers_to_uri or revisit.url
        candidates = self.by_uri_date.get((uri, revisit.refers_to_date or ""), [])
        same = [c for c in candidates if c.payload_digest == revisit.payload_digest]
        found = same or candidates
        return found[0] if found else None


def load_page(root: Path, meta: RecordMeta, original: RecordMeta | None) -> CapturedPage:
    """The CapturedPage of a response record, or of a revisit with its original's body.

    For a revisit, status, headers, hints and CaptureRef are the revisit's own (it is the
    capture that was made), the body is the original's payload decoded with the original's
    Content-Encoding. Raises WarcReadError when a record cannot be read or a revisit has no
    original.
    """
    path = root / meta.warc_file
    record = read_record_at(path, meta.offset)
    if meta.type != "revisit":
        if record.type != "response":
            raise WarcReadError(path, meta.offset, f"expected a response, found {record.type}")
        return page_from_record(record, path, meta.warc_file)
    if original is None:
        raise WarcReadError(path, meta.offset, f"revisit of {meta.url}: original not found")
    source = read_record_at(root / original.warc_file, original.offset)
    return revisit_page(record, path, meta, source)


def revisit_page(
    record: RawRecord, path: Path, meta: RecordMeta, source: RawRecord
) -> CapturedPage:
    """The CapturedPage of the revisit `record` (at `path`, described by `meta`) whose original
    response record is `source`: see `load_page`."""
    try:
        body = decode_body(
            source.payload, split_codings(source.http_header_values("Content-Encoding"))
        )
    except BodyTooLarge:
        raise  # as page_from_record: never parsed, reported as skipped
    except DecodingError:
        body = source.payload
    if not record.has_http:
        # A revisit without its own HTTP headers: status and headers are the original's.
        page = page_from_record(source, path, meta.warc_file)
        assert page.capture is not None
        capture = page.capture.model_copy(
            update={
                "warc_offset": meta.offset,
                "warc_record_id": meta.record_id,
                "fetched_at": datetime.fromisoformat(meta.date),
            }
        )
        return dataclasses.replace(page, body=body, capture=capture, fetched_at=capture.fetched_at)
    return dataclasses.replace(page_from_record(record, path, meta.warc_file), body=body)
