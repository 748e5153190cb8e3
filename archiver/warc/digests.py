"""Fingerprints of an HTTP payload: the WARC digest, the decoded body's hash, its coding."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from archiver.warc.codings import decoded_sha256, split_codings


def payload_digest(payload: bytes) -> str:
    """WARC-Payload-Digest of an HTTP payload as warcio writes it: "sha1:<base32>"."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def body_sha256(body: bytes, content_encodings: Iterable[str]) -> str:
    """sha256 hex of a response body after undoing its Content-Encoding (as stored if it fails).

    gzip output carries a timestamp, so two captures of one page compare equal only decoded.
    The body is decoded and hashed in pieces: a compression bomb costs time, not memory.
    """
    return decoded_sha256(body, split_codings(content_encodings))


def content_encoding(values: Iterable[str]) -> str:
    """The Content-Encoding header values as one normalised string ("" when there is none)."""
    return ", ".join(coding for coding in split_codings(values) if coding != "identity")
