"""Write HTTP exchanges into size-rotated, per-record-gzipped WARC/1.0 files (wraps warcio)."""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.durable import append_whole
from archiver.layout import OPEN_SUFFIX, ArchiveLayout, safe_name, this_host
from archiver.record import CaptureRef
from archiver.warc.exchange import HINTS_FIELD, HttpExchange

WARC_VERSION = "WARC/1.0"
WARC_FORMAT = "WARC File Format 1.0"


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def new_record_id() -> str:
    """A fresh WARC-Record-ID, "<urn:uuid:...>"."""
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(moment: datetime) -> str:
    """WARC/1.0 date of an aware datetime: UTC, whole seconds ("2024-05-13T08:00:00Z").

    Raises ValueError for a naive datetime.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"clock returned a naive datetime: {moment!r}")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Head(StatusAndHeaders):  # type: ignore[misc]
    """An HTTP head serialised as latin-1 bytes, so header bytes are stored as they came.

    warcio would percent-encode any non-ASCII header value, altering the evidence.
    """

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.to_str().encode("latin-1") + b"\r\n"


class RotatingWarcWriter:
    """Appends exchanges to `{prefix}-{YYYYMMDDhhmmss}-{serial:05d}-{host}-{pid}.warc.gz` files.

    Each file is written as NAME.open and renamed to NAME when closed; it starts with a warcinfo
    record and rolls over once it holds at least `max_size` bytes after an exchange, so a
    request/response pair never splits across files. Every record is its own gzip member.
    Not thread-safe: Scrapy calls it from the reactor thread only.
    """

    def __init__(
        self,
        directory: Path,
        prefix: str,
        max_size: int,
        warcinfo: Mapping[str, str],
        *,
        root: Path | None = None,
        clock: Callable[[], datetime] = utc_now,
        record_id: Callable[[], str] = new_record_id,
        host: str | None = None,
        pid: int | None = None,
    ) -> None:
        """`root` (default: `directory`) is what CaptureRef.warc_file is relative to.

        `warcinfo` fields are written in order; `format` and `isPartOf` (= prefix) are added
        unless given. Raises ValueError when `directory` is not inside `root`.
        """
        if max_size <= 0:
            raise ValueError(f"max_size must be positive, got {max_size}")
        self.directory = directory
        self.root = directory if root is None else root
        self._relative_dir = _relative_posix(directory, self.root)
        self.prefix = safe_name(prefix)
        self.max_size = max_size
        self._warcinfo = dict(warcinfo)
        self._warcinfo.setdefault("format", WARC_FORMAT)
        self._warcinfo.setdefault("isPartOf", prefix)
        self._clock = clock
        self._record_id = record_id
        self._host = this_host() if host is None else safe_name(host)
        self._pid = os.getpid() if pid is None else pid
        self._serial = 0
        self._opened = 0
        self._fh: IO[bytes] | None = None
        self._name = ""
        self.last_path: Path | None = None
        """The `.open` file written (or being started) last: what a failed write names."""
        self.files: list[Path] = []
        """Finished files (renamed), in the order they were closed."""
        self.bytes_written = 0
        """Bytes written to disk so far, warcinfo records included (compressed size)."""

    @property
    def files_opened(self) -> int:
        """Number of WARC files started so far."""
        return self._opened

    def write_exchange(self, exchange: HttpExchange) -> CaptureRef:
        """Write the response record, then its request record, and return where they lie.

        Response first, as warcio and pywb write pairs: the request's WARC-Concurrent-To then
        points back at a record already on disk, and the response offset starts the pair.
        Both records carry the same WARC-Date. The pair is one write: on an I/O error (disk
        full) the file is cut back to where the pair began (or abandoned, left `.open` for the
        next start's recovery, if that fails) and the OSError is raised. A new file whose
        warcinfo cannot be written is removed, never left empty.
        """
        return self._write_pair(exchange, _response_record)

    def write_revisit(self, exchange: HttpExchange, original: RevisitTarget) -> CaptureRef:
        """Like `write_exchange`, but the response is a revisit record of `original`.

        Identical-payload-digest profile: the record keeps the HTTP head of this response and
        no body, with WARC-Refers-To (record id), WARC-Refers-To-Target-URI and -Date naming
        the original response, whose payload digest it repeats. Call it only when the
        content-decoded body equals the original's (gzip bytes differ by their timestamp).
        The returned CaptureRef points at the revisit record.
        """

        def build(
            writer: WARCWriter, exchange: HttpExchange, date: str, record_id: str, other_id: str
        ) -> Any:
            return _revisit_record(writer, exchange, date, record_id, original)

        return self._write_pair(exchange, build)

    def _write_pair(
        self,
        exchange: HttpExchange,
        build: Callable[[WARCWriter, HttpExchange, str, str, str], Any],
    ) -> CaptureRef:
        fh = self._fh if self._fh is not None else self._open_file()
        date = warc_date(self._clock())
        response_id = self._record_id()
        request_id = self._record_id()
        response = _serialise(build, exchange, date, response_id, request_id)
        request = _serialise(_request_record, exchange, date, request_id, response_id)
        offset = fh.tell()
        self._append(fh, response + request)
        capture = CaptureRef(
            url=exchange.url,
            warc_file=f"{self._relative_dir}{self._name}",
            warc_offset=offset,
            warc_record_id=response_id,
            fetched_at=datetime.fromisoformat(date),
            status=exchange.status,
        )
        if fh.tell() >= self.max_size:
            self._close_file()
        return capture

    def close(self) -> None:
        """Finish the current file (flush, fsync, rename). Safe to call more than once."""
        if self._fh is not None:
            self._close_file()

    def __enter__(self) -> RotatingWarcWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _open_file(self) -> IO[bytes]:
        self.directory.mkdir(parents=True, exist_ok=True)
        opened_at = self._clock()
        date = warc_date(opened_at)
        stamp = opened_at.astimezone(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            self._serial += 1
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self._host}-{self._pid}.warc.gz"
            final = self.directory / name
            if final.exists():
                continue
            try:
                # "x": never clobber a file another writer (or an earlier run) left behind.
                # Unbuffered: each pair is one os.write, cut back whole if it fails.
                fh = (self.directory / (name + OPEN_SUFFIX)).open("xb", buffering=0)
            except FileExistsError:
                continue
            break
        info = _serialise_warcinfo(name, self._warcinfo, date, self._record_id())
        self.last_path = self.directory / (name + OPEN_SUFFIX)
        try:
            append_whole(fh.fileno(), info)
        except OSError:
            # A file without its warcinfo is worth nothing: never leave it behind (unbuffered,
            # so closing it cannot fail on a second flush before the unlink).
            fh.close()
            (self.directory / (name + OPEN_SUFFIX)).unlink(missing_ok=True)
            raise
        self.bytes_written += len(info)
        self._opened += 1
        self._fh, self._name = fh, name
        return fh

    def _append(self, fh: IO[bytes], data: bytes) -> None:
        start = fh.tell()
        try:
            append_whole(fh.fileno(), data)
        except OSError:
            if os.fstat(fh.fileno()).st_size != start:
                # The cut back failed: leave the .open file for recovery, start a new one.
                self._fh = None
                fh.close()
            raise
        self.bytes_written += len(data)

    def _close_file(self) -> None:
        fh, name = self._fh, self._name
        assert fh is not None
        self._fh = None
        try:
            os.fsync(fh.fileno())
        finally:
            fh.close()
        final = self.directory / name
        os.rename(self.directory / (name + OPEN_SUFFIX), final)
        self.files.append(final)


def _response_record(
    writer: WARCWriter, exchange: HttpExchange, date: str, record_id: str, other_id: str
) -> Any:
    fields = [("WARC-Type", "response"), ("WARC-Record-ID", record_id), ("WARC-Date", date)]
    fields.append(("WARC-Target-URI", exchange.url))
    if exchange.ip_address:
        fields.append(("WARC-IP-Address", exchange.ip_address))
    if exchange.truncated:
        fields.append(("WARC-Truncated", exchange.truncated_reason))
    if exchange.hints:
        fields.append((HINTS_FIELD, json.dumps(dict(exchange.hints), sort_keys=True)))
    status_line = f"{exchange.status} {exchange.reason}"
    head = _Head(status_line, list(exchange.response_headers), protocol=exchange.protocol)
    return _record(writer, "response", exchange.url, fields, head, exchange.response_body)


@dataclass(frozen=True)
class RevisitTarget:
    """The earlier response a revisit record refers to."""

    url: str
    date: datetime
    record_id: str
    payload_digest: str


def _revisit_record(
    writer: WARCWriter,
    exchange: HttpExchange,
    date: str,
    record_id: str,
    original: RevisitTarget,
) -> Any:
    fields = [("WARC-Type", "revisit"), ("WARC-Record-ID", record_id), ("WARC-Date", date)]
    fields.append(("WARC-Target-URI", exchange.url))
    if exchange.ip_address:
        fields.append(("WARC-IP-Address", exchange.ip_address))
    fields.append(("WARC-Refers-To", original.record_id))
    if exchange.hints:
        fields.append((HINTS_FIELD, json.dumps(dict(exchange.hints), sort_keys=True)))
    status_line = f"{exchange.status} {exchange.reason}"
    head = _Head(status_line, list(exchange.response_headers), protocol=exchange.protocol)
    # warcio adds WARC-Profile, WARC-Refers-To-Target-URI, -Date and WARC-Payload-Digest.
    return writer.create_revisit_record(
        exchange.url,
        original.payload_digest,
        original.url,
        warc_date(original.date),
        http_headers=head,
        warc_headers_dict=dict(fields),
    )


def _request_record(
    writer: WARCWriter, exchange: HttpExchange, date: str, record_id: str, response_id: str
) -> Any:
    fields = [("WARC-Type", "request"), ("WARC-Record-ID", record_id), ("WARC-Date", date)]
    fields.append(("WARC-Target-URI", exchange.url))
    fields.append(("WARC-Concurrent-To", response_id))
    request_line = f"{exchange.request_target} {exchange.protocol}"
    head = _Head(request_line, list(exchange.request_headers), protocol=exchange.method)
    return _record(writer, "request", exchange.url, fields, head, exchange.request_body)


def _record(
    writer: WARCWriter,
    record_type: str,
    url: str,
    fields: Sequence[tuple[str, str]],
    head: _Head,
    body: bytes,
) -> Any:
    # warcio appends WARC-Payload-Digest, WARC-Block-Digest, Content-Type, Content-Length.
    return writer.create_warc_record(
        url,
        record_type,
        payload=io.BytesIO(body),
        length=len(body),
        warc_headers_dict=dict(fields),
        http_headers=head,
    )


def _serialise(
    build: Callable[[WARCWriter, HttpExchange, str, str, str], Any],
    exchange: HttpExchange,
    date: str,
    record_id: str,
    other_id: str,
) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version=WARC_VERSION)
    writer.write_record(build(writer, exchange, date, record_id, other_id))
    return buffer.getvalue()


def _serialise_warcinfo(
    filename: str, fields: Mapping[str, str], date: str, record_id: str
) -> bytes:
    lines = []
    for name, value in fields.items():
        # warc-fields are one line each; a newline in a value would forge another field.
        flat = " ".join(str(value).split())
        lines.append(f"{name}: {flat}\r\n")
    payload = "".join(lines).encode("utf-8")
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True, warc_version=WARC_VERSION)
    headers = {
        "WARC-Type": "warcinfo",
        "WARC-Record-ID": record_id,
        "WARC-Date": date,
        "WARC-Filename": filename,
    }
    record = writer.create_warc_record(
        "", "warcinfo", payload=io.BytesIO(payload), length=len(payload), warc_headers_dict=headers
    )
    writer.write_record(record)
    return buffer.getvalue()


def _relative_posix(directory: Path, root: Path) -> str:
    try:
        text = ArchiveLayout(root).relative(directory)
    except ValueError:
        raise ValueError(f"WARC directory {directory} is not inside {root}") from None
    return "" if text == "." else text + "/"
