"""Split a WARC file (gzip per record, or plain) into raw records, with exact offsets and damage."""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import IO

from archiver.warc.codings import GZIP_MAGIC

Header = tuple[str, str]
HTTP_RECORD_TYPES = frozenset({"response", "request", "revisit"})
_CHUNK = 1 << 20


class WarcReadError(Exception):
    """A WARC file is truncated or corrupt at `offset` (of the record or gzip member)."""

    def __init__(self, path: Path, offset: int, message: str) -> None:
        super().__init__(f"{path}: offset {offset}: {message}")
        self.path = path
        self.offset = offset
        self.message = message


@dataclass(frozen=True)
class RawRecord:
    """One WARC record as stored: WARC headers, content block, where it lies in the file.

    `offset` is the start of the record's gzip member (gzip files) or of the record (plain
    files): what an index stores and `read_record_at` takes. `member_index` is the record's
    position inside its gzip member: anything but 0 means records share a member, which breaks
    seeking by offset. Header values are str (WARC headers are UTF-8); `http_headers` are
    latin-1 str pairs, as CapturedPage holds them.
    """

    offset: int
    version: str
    headers: tuple[Header, ...]
    block: bytes
    gzipped: bool
    member_index: int = 0

    def header(self, name: str) -> str | None:
        """First value of WARC header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def type(self) -> str:
        """WARC-Type ("warcinfo", "response", "request", ...), "" when missing."""
        return self.header("WARC-Type") or ""

    @property
    def record_id(self) -> str:
        """WARC-Record-ID, "" when missing."""
        return self.header("WARC-Record-ID") or ""

    @property
    def target_uri(self) -> str:
        """WARC-Target-URI, "" when missing."""
        return self.header("WARC-Target-URI") or ""

    @property
    def has_http(self) -> bool:
        """Whether the block is an HTTP message (head, blank line, payload)."""
        return (
            self.type in HTTP_RECORD_TYPES
            and self.target_uri.startswith(("http:", "https:"))
            and bool(self.block)
        )

    @cached_property
    def _split(self) -> tuple[bytes, bytes]:
        if not self.has_http:
            return b"", self.block
        for separator in (b"\r\n\r\n", b"\n\n"):
            end = self.block.find(separator)
            if end >= 0:
                cut = end + len(separator)
                return self.block[:cut], self.block[cut:]
        return self.block, b""

    @property
    def http_head(self) -> bytes:
        """HTTP status/request line and headers with the blank line; b"" for non-HTTP records."""
        return self._split[0]

    @property
    def payload(self) -> bytes:
        """The HTTP entity body for HTTP records, the whole block otherwise."""
        return self._split[1]

    @property
    def http_first_line(self) -> str:
        """HTTP status line or request line, latin-1 decoded; "" for non-HTTP records."""
        return self.http_head.decode("latin-1").split("\n", 1)[0].rstrip("\r")

    @cached_property
    def http_headers(self) -> tuple[Header, ...]:
        """HTTP headers in order, repeated ones kept; continuation lines joined."""
        lines = self.http_head.decode("latin-1").replace("\r\n", "\n").split("\n")[1:]
        pairs: list[Header] = []
        for line in lines:
            if not line:
                continue
            if line[0] in " \t" and pairs:
                name, value = pairs[-1]
                pairs[-1] = (name, value + " " + line.strip())
            elif ":" in line:
                name, _, value = line.partition(":")
                pairs.append((name.strip(), value.strip()))
        return tuple(pairs)

    def http_header(self, name: str) -> str | None:
        """First value of HTTP header `name` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.http_headers if k.lower() == wanted), None)

    def http_header_values(self, name: str) -> list[str]:
        """Every value of HTTP header `name`, in order."""
        wanted = name.lower()
        return [v for k, v in self.http_headers if k.lower() == wanted]

    @property
    def http_status(self) -> int | None:
        """Status code of a response/revisit record, None if absent or unreadable."""
        parts = self.http_first_line.split(" ", 2)
        if self.type == "request" or len(parts) < 2 or not parts[1].isdigit():
            return None
        return int(parts[1])


def iter_records(path: Path) -> Iterator[RawRecord]:
    """Every record of the WARC at `path` (gzip or plain, told by its first bytes), in order.

    Yields each complete record, then raises WarcReadError at the first damage: a gzip member
    or record cut short, corrupt gzip data, a malformed header block.
    """
    with path.open("rb") as fh:
        gzipped = fh.read(2) == GZIP_MAGIC
        fh.seek(0)
        if gzipped:
            for offset, data in _members(fh, path, 0, stop_after_one=False):
                yield from _records_in(io.BytesIO(data), path, offset, gzipped=True)
        else:
            yield from _records_in(fh, path, 0, gzipped=False)


def read_record_at(path: Path, offset: int) -> RawRecord:
    """The record at byte `offset` (a gzip member start, or a plain record start).

    Raises WarcReadError when no complete record starts there.
    """
    with path.open("rb") as fh:
        fh.seek(offset)
        gzipped = fh.read(2) == GZIP_MAGIC
        fh.seek(offset)
        if gzipped:
            for _, data in _members(fh, path, offset, stop_after_one=True):
                for record in _records_in(io.BytesIO(data), path, offset, gzipped=True):
                    return record
        else:
            for record in _records_in(fh, path, offset, gzipped=False, stop_after_one=True):
                return record
    raise WarcReadError(path, offset, "no WARC record starts here")


def _members(
    fh: IO[bytes], path: Path, start: int, *, stop_after_one: bool
) -> Iterator[tuple[int, bytes]]:
    """(offset, decompressed bytes) of each gzip member from `start` to the end of the file."""
    member_start = start
    buffer = b""
    buffer_start = start
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out: list[bytes] = []
    started = False
    while True:
        if not buffer:
            buffer = fh.read(_CHUNK)
            if not buffer:
                if started:
                    raise WarcReadError(path, member_start, "gzip member cut short (truncated?)")
                return
        started = True
        try:
            out.append(decompressor.decompress(buffer))
        except zlib.error as exc:
            raise WarcReadError(path, member_start, f"corrupt gzip data: {exc}") from None
        if not decompressor.eof:
            buffer_start += len(buffer)
            buffer = b""
            continue
        rest = decompressor.unused_data
        member_end = buffer_start + len(buffer) - len(rest)
        yield member_start, b"".join(out)
        if stop_after_one:
            return
        member_start = buffer_start = member_end
        buffer = rest
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = []
        started = False


def _records_in(
    stream: IO[bytes], path: Path, base: int, *, gzipped: bool, stop_after_one: bool = False
) -> Iterator[RawRecord]:
    # Plain files: a record's offset is its stream position. Gzip: every record of a member
    # gets the member's offset `base`, the only place a reader can seek to.
    index = 0
    while True:
        start = stream.tell()
        line = stream.readline()
        # Writers differ in blank lines between records; skip them.
        while line in (b"\r\n", b"\n"):
            start = stream.tell()
            line = stream.readline()
        if not line:
            return
        where = base if gzipped else start
        if not line.startswith(b"WARC/"):
            raise WarcReadError(path, where, f"not a WARC record: {line[:40]!r}")
        version = line.decode("ascii", "replace").strip()
        headers = _read_headers(stream, path, where)
        length_text = next((v for k, v in headers if k.lower() == "content-length"), None)
        if length_text is None or not length_text.isdigit():
            raise WarcReadError(path, where, f"bad or missing Content-Length: {length_text!r}")
        length = int(length_text)
        block = stream.read(length)
        if len(block) < length:
            raise WarcReadError(
                path, where, f"record cut short: {len(block)} of {length} bytes (truncated?)"
            )
        trailer = stream.read(4)
        if trailer != b"\r\n\r\n":
            raise WarcReadError(
                path,
                where,
                f"record not followed by CRLF CRLF (wrong Content-Length?): {trailer!r}",
            )
        yield RawRecord(where, version, headers, block, gzipped, index)
        if stop_after_one:
            return
        if gzipped:
            index += 1


def _read_headers(stream: IO[bytes], path: Path, where: int) -> tuple[Header, ...]:
    headers: list[Header] = []
    while True:
        raw = stream.readline()
        if not raw:
            raise WarcReadError(path, where, "WARC header block cut short (truncated?)")
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            return tuple(headers)
        if line[0] in " \t" and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + " " + line.strip())
        elif ":" in line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        else:
            raise WarcReadError(path, where, f"malformed WARC header line: {line[:60]!r}")
