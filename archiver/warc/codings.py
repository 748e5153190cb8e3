"""HTTP content codings (gzip, deflate, br, zstd): tell whether a body is encoded, and decode it."""

from __future__ import annotations

import hashlib
import io
import itertools
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, cast

import brotli
import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
KNOWN_CODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "identity"})


# Bodies are decoded in pieces of this size at most, so a compression bomb (a few MB that
# inflate to GBs) never sits in memory whole.
_PIECE = 64 * 1024
# Enough of a body to tell that it decodes (is_encoded).
_PROBE_LIMIT = 1 << 20
DECODED_LIMIT = 32 * 1024 * 1024
"""Largest decoded body read back by default: the crawl's DOWNLOAD_MAXSIZE default (32 MiB)."""


class DecodingError(ValueError):
    """A body could not be decoded with the coding its headers declare."""


class BodyTooLarge(DecodingError):
    """A body inflates past the decoded-size limit (a compression bomb or a hostile size)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"body inflates past the {limit}-byte limit")
        self.limit = limit


def split_codings(values: Iterable[str]) -> list[str]:
    """Codings listed by Content-Encoding header values, in the order applied, lower case.

    Repeated headers and comma lists are both accepted ("gzip, br" means gzip first, then br).
    """
    codings: list[str] = []
    for value in values:
        codings.extend(part.strip().lower() for part in value.split(",") if part.strip())
    return codings


def is_encoded(body: bytes, codings: list[str]) -> bool:
    """True when `body` still looks encoded with the outermost (last) non-identity coding.

    An empty body counts as not encoded. An unknown coding counts as encoded: we cannot tell, and
    dropping its header would misstate what the server sent. Reads at most the first 64 KiB and
    decodes at most 1 MiB of it, so a compression bomb costs nothing here.
    """
    outer = [c for c in codings if c != "identity"]
    if not body or not outer:
        return False
    coding = outer[-1]
    if coding in ("gzip", "x-gzip"):
        return body.startswith(GZIP_MAGIC)
    if coding == "zstd":
        return body.startswith(ZSTD_MAGIC)
    if coding in ("deflate", "br"):
        decoded = 0
        try:
            for piece in iter_decoded(body[:65536], [coding]):
                decoded += len(piece)
                if decoded >= _PROBE_LIMIT:
                    break
        except DecodingError:
            return False
        return True
    return True


def iter_decoded(body: bytes, codings: list[str]) -> Iterator[bytes]:
    """`body` with `codings` undone (as applied, first to last), in pieces of at most 64 KiB.

    Memory stays bounded whatever the body inflates to: callers stop reading when they have
    enough. A stream cut short (a truncated capture) yields the bytes available. Iterating
    raises DecodingError for an unknown coding or data that is not in the declared coding.
    """
    stream: Iterator[bytes] = iter((body,) if body else ())
    for coding in reversed(codings):
        if coding != "identity":
            stream = _decoder(coding)(stream)
    return stream


def decode_body(body: bytes, codings: list[str], limit: int | None = DECODED_LIMIT) -> bytes:
    """Undo `codings` (as applied, first to last) on `body`.

    A stream cut short (a truncated capture) decodes to the bytes available. Raises
    BodyTooLarge when the decoded body would exceed `limit` bytes (None: no limit), and
    DecodingError for an unknown coding or data that is not in the declared coding.
    """
    if not body or all(c == "identity" for c in codings):
        return body
    out = bytearray()
    for piece in iter_decoded(body, codings):
        out += piece
        if limit is not None and len(out) > limit:
            raise BodyTooLarge(limit)
    return bytes(out)


def decoded_sha256(body: bytes, codings: list[str]) -> str:
    """sha256 hex of `body` decoded, read in pieces (so bounded in memory); of `body` as stored
    when it cannot be decoded."""
    digest = hashlib.sha256()
    try:
        for piece in iter_decoded(body, codings):
            digest.update(piece)
    except DecodingError:
        return hashlib.sha256(body).hexdigest()
    return digest.hexdigest()


def _decoder(coding: str) -> Callable[[Iterator[bytes]], Iterator[bytes]]:
    decoders: dict[str, Callable[[Iterator[bytes]], Iterator[bytes]]] = {
        "gzip": _gunzip,
        "x-gzip": _gunzip,
        "deflate": _inflate,
        "br": _unbrotli,
        "zstd": _unzstd,
    }
    if coding not in decoders:
        return _unsupported(coding)
    return _wrap_errors(decoders[coding], coding)


def _unsupported(coding: str) -> Callable[[Iterator[bytes]], Iterator[bytes]]:
    def decode(chunks: Iterator[bytes]) -> Iterator[bytes]:
        raise DecodingError(f"unsupported Content-Encoding {coding!r}")
        yield b""  # pragma: no cover  (makes this a generator, raising when first read)

    return decode


def _wrap_errors(
    decode: Callable[[Iterator[bytes]], Iterator[bytes]], coding: str
) -> Callable[[Iterator[bytes]], Iterator[bytes]]:
    def wrapped(chunks: Iterator[bytes]) -> Iterator[bytes]:
        try:
            yield from decode(chunks)
        except (zlib.error, brotli.error, zstandard.ZstdError) as exc:
            raise DecodingError(f"body is not valid {coding}: {exc}") from exc

    return wrapped


def _zlib_stream(chunks: Iterator[bytes], wbits: int, members: bool) -> Iterator[bytes]:
    # max_length bounds each output; the input it did not consume waits in unconsumed_tail.
    decompressor = zlib.decompressobj(wbits)
    for chunk in chunks:
        data = chunk
        while data:
            out = decompressor.decompress(data, _PIECE)
            if out:
                yield out
            data = decompressor.unconsumed_tail
            if decompressor.eof:
                rest = decompressor.unused_data + data
                if not members or not rest:
                    return
                # Several gzip members in one body are legal; decode them all, as browsers do.
                decompressor = zlib.decompressobj(wbits)
                data = rest
    while tail := decompressor.flush(_PIECE) if not decompressor.eof else b"":
        yield tail
        if len(tail) < _PIECE:
            break


def _gunzip(chunks: Iterator[bytes]) -> Iterator[bytes]:
    return _zlib_stream(chunks, 16 + zlib.MAX_WBITS, members=True)


def _inflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
    # "deflate" should be zlib-wrapped, but many servers send raw deflate: accept both. The
    # wrapper is told apart by its first two bytes (RFC 1950: CMF*256+FLG divisible by 31).
    first = next(chunks, b"")
    wrapped = (
        len(first) >= 2
        and first[0] & 0x0F == 8
        and not first[1] & 0x20  # a preset dictionary: zlib cannot read it
        and (first[0] * 256 + first[1]) % 31 == 0
    )
    wbits = zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS
    return _zlib_stream(itertools.chain((first,), chunks), wbits, members=False)


def _unbrotli(chunks: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = brotli.Decompressor()
    for chunk in chunks:
        out = decompressor.process(chunk, output_buffer_limit=_PIECE)
        if out:
            yield out
        while not decompressor.can_accept_more_data():
            yield decompressor.process(b"", output_buffer_limit=_PIECE)
    # On a stream cut short, output still held in the window comes out on further empty calls.
    while not decompressor.is_finished() and (
        out := decompressor.process(b"", output_buffer_limit=_PIECE)
    ):
        yield out


def _unzstd(chunks: Iterator[bytes]) -> Iterator[bytes]:
    source = _ChunkReader(chunks)
    if not source.peek(4).startswith(ZSTD_MAGIC):
        raise zstandard.ZstdError("no zstd frame magic")
    # A stream reader across frames hands out what a frame cut short already holds.
    reader = zstandard.ZstdDecompressor().stream_reader(
        cast(IO[bytes], source), read_across_frames=True
    )
    while piece := reader.read(_PIECE):
        yield piece


class _ChunkReader(io.RawIOBase):
    """A readable file over an iterator of byte strings (what zstandard's reader wants)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def peek(self, size: int) -> bytes:
        while len(self._buffer) < size and (chunk := next(self._chunks, None)) is not None:
            self._buffer += chunk
        return self._buffer[:size]

    def readinto(self, target: Any) -> int:
        if not self._buffer:
            self._buffer = next(self._chunks, b"")
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size
