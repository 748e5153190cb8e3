"""When a response is written as a revisit, and what capture asks of the archive's index.

The WARC layer does not know the index: the extension is given a `CaptureLog` (the index
implements one in archiver/store/index/capture_log.py, named by ARCHIVER_WARC_CAPTURE_LOG).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from archiver.warc.digests import body_sha256, content_encoding, payload_digest

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archiver.record import CaptureRef
    from archiver.warc.exchange import HttpExchange
    from archiver.warc.writer import RevisitTarget


@dataclass(frozen=True)
class Payload:
    """A response's payload as the revisit decision sees it.

    `body_sha256` is the sha256 hex of the content-decoded body, `digest` the WARC-Payload-Digest
    of the raw payload, `content_encoding` the normalised Content-Encoding ("" for none),
    `length` the raw payload's size in bytes; `complete` is False for an empty body or one cut
    short (neither is ever written as a revisit).
    """

    url: str
    status: int
    body_sha256: str
    digest: str
    content_encoding: str
    length: int
    complete: bool


def payload_of(exchange: HttpExchange) -> Payload:
    """The payload fingerprints of an exchange's response."""
    encodings = [v for k, v in exchange.response_headers if k.lower() == "content-encoding"]
    body = exchange.response_body
    return Payload(
        url=exchange.url,
        status=exchange.status,
        body_sha256=body_sha256(body, encodings),
        digest=payload_digest(body),
        content_encoding=content_encoding(encodings),
        length=len(body),
        complete=bool(body) and not exchange.truncated,
    )


class CaptureLog(Protocol):
    """What the WARC extension asks of the archive's record of earlier captures."""

    def original(self, payload: Payload) -> RevisitTarget | None:
        """The latest full response of the payload's URL and status with the same raw payload
        (bytes, Content-Encoding and length), or None."""

    def seen_decoded(self, payload: Payload) -> bool:
        """True when a full response of the URL and status had the same content-decoded body."""

    def record(self, capture: CaptureRef, payload: Payload, original: RevisitTarget | None) -> None:
        """Remember the response record (`original` None) or revisit record just written."""

    def file_done(self, path: str, size: int) -> None:
        """Every capture of `path` (relative to the archive root) up to `size` bytes is recorded."""


CaptureLogFactory = Callable[["Crawler"], CaptureLog | None]
"""What ARCHIVER_WARC_CAPTURE_LOG names: the crawl's CaptureLog, or None to keep no log."""


@dataclass(frozen=True)
class RevisitDecision:
    """`original`: the response to write a revisit of (None: write a full response);
    `refused`: the decoded body was seen before but its raw bytes differ."""

    original: RevisitTarget | None
    refused: bool = False


def decide_revisit(log: CaptureLog, payload: Payload) -> RevisitDecision:
    """Whether to write `payload`'s response as an identical-payload-digest revisit.

    A revisit names its own payload's digest and replays the original's bytes under its own
    HTTP head: the raw payload, its Content-Encoding and length must all be the original's, not
    only the decoded body (a gzip original revisited by an identity response replayed gzip bytes
    as plain text). The same decoded body in other bytes (another gzip timestamp or coding) is a
    full response, `refused`.
    """
    original = log.original(payload) if payload.complete else None
    if original is not None:
        return RevisitDecision(original)
    return RevisitDecision(None, refused=log.seen_decoded(payload))
