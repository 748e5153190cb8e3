"""HTTP content codings (gzip, deflate, br, zstd): tell whether a body is encoded, and decode it."""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import brotli
import zstandard

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
KNOWN_CODINGS = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd", "identity"})


class DecodingError(ValueError):
    """A body could not be decoded with the coding its headers declare."""


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
    dropping its header would misstate what the server sent.
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
        try:
            _decode_one(body[:65536], coding)
        except DecodingError:
            return False
        return True
    return True


def decode_body(body: bytes, codings: list[str]) -> bytes:
    """Undo `codings` (as applied, first to last) on `body`.

    A stream cut short (a truncated capture) decodes to the bytes available. Raises DecodingError
    for an unknown coding or data that is not in the declared coding.
    """
    for coding in reversed(codings):
        if coding != "identity" and body:
            body = _decode_one(body, coding)
    return body


def _decode_one(body: bytes, coding: str) -> bytes:
    try:
        if coding in ("gzip", "x-gzip"):
            return _gunzip(body)
        if coding == "deflate":
            return _inflate(body)
        if coding == "br":
            return _unbrotli(body)
        if coding == "zstd":
            return _unzstd(body)
    except (zlib.error, brotli.error, zstandard.ZstdError) as exc:
        raise DecodingError(f"body is not valid {coding}: {exc}") from exc
    raise DecodingError(f"unsupported Content-Encoding {coding!r}")


def _gunzip(body: bytes) -> bytes:
    # Several gzip members in one body are legal; decode them all, as browsers do.
    out: list[bytes] = []
    data = body
    while data:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out.append(decompressor.decompress(data))
        if not decompressor.eof:
            break
        data = decompressor.unused_data
    return b"".join(out)


def _inflate(body: bytes) -> bytes:
    # "deflate" should be zlib-wrapped, but many servers send raw deflate: accept both.
    try:
        return zlib.decompressobj(zlib.MAX_WBITS).decompress(body)
    except zlib.error:
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body)


def _unbrotli(body: bytes) -> bytes:
    decompressor = brotli.Decompressor()
    out: list[bytes] = [decompressor.process(body)]
    # On a stream cut short, output still held in the window comes out on further empty calls.
    while not decompressor.is_finished() and (chunk := decompressor.process(b"")):
        out.append(chunk)
    return b"".join(out)


def _unzstd(body: bytes) -> bytes:
    if not body.startswith(ZSTD_MAGIC):
        raise zstandard.ZstdError("no zstd frame magic")
    # decompressobj (unlike stream_reader) hands out what a frame cut short already holds.
    out: list[bytes] = []
    data = body
    while data:
        decompressor = zstandard.ZstdDecompressor().decompressobj()
        out.append(decompressor.decompress(data))
        if not decompressor.eof:
            break
        data = decompressor.unused_data
    return b"".join(out)
