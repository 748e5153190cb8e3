"""Downloader middleware: hostile bodies (cut short, inflating past the size limit, undecodable).

The WARC extension has already archived the response as received when this middleware sees
it (`response_downloaded` fires first), so what happens here decides only what the crawl
makes of it: a body cut short is retried and never parsed, a body inflating past
DOWNLOAD_MAXSIZE or not in its declared coding is counted, named and dropped. None of them
can become a record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest

from archiver.crawl.cutoff import new_cut_state
from archiver.warc.codings import KNOWN_CODINGS, DecodingError, iter_decoded, split_codings
from archiver.warc.exchange import cut_reason

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

TOO_LARGE = "archiver/download/too_large"
TOO_LARGE_URLS = "archiver/download/too_large_urls"
"""URLs of the bodies over the limit, space-separated (the run summary lists them)."""
TRUNCATED = "archiver/download/truncated/disconnect"
UNDECODABLE = "archiver/download/undecodable"
# The run summary names this many over-limit URLs at most; the counter counts them all.
_NAMED = 20


class ResponseTooLarge(IgnoreRequest):
    """The decoded body would exceed DOWNLOAD_MAXSIZE (a compression bomb, a hostile page)."""


class UndecodableResponse(IgnoreRequest):
    """The body is not in the Content-Encoding its headers declare."""


class TruncatedResponse(IgnoreRequest):
    """The connection closed (or was reset) before the announced body arrived, every try."""


class BodyGuardMiddleware:
    """Stats: archiver/download/too_large, archiver/download/undecodable,
    archiver/download/truncated/{disconnect,length,time}; the over-limit URLs in
    archiver/download/too_large_urls.

    Installed just above HttpCompressionMiddleware (590), so it sees the body still encoded and
    stops a bomb by counting decoded bytes in 64 KiB pieces: memory stays bounded (Scrapy's
    middleware then decodes a body that passed, as before). Needs DOWNLOAD_FAIL_ON_DATALOSS off
    (the add-on sets it) to see bodies cut short at all: with it on, Scrapy drops what arrived
    and nothing reaches the WARC. Bodies stopped by archiver.crawl.cutoff ("download_stopped")
    are told apart by the reason it left in request.meta. Why a middleware and signals rather
    than a download handler subclass: both are Scrapy's public, documented hooks, and they work
    under any handler (the mirror's, HTTP/2); the cut-off's TimedDownloadHandler only adds
    when a try starts, and without it the cut-off still works, counting from the headers.
    """

    def __init__(self, crawler: Crawler, max_size: int) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        new_cut_state(request)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if "dataloss" in response.flags:
            return self._cut_short(request, response)
        if "download_stopped" in response.flags:
            return self._stopped(request, response)
        if request.method == "HEAD":
            return response
        codings = split_codings(
            v.decode("latin-1") for v in response.headers.getlist("Content-Encoding")
        )
        limit = int(request.meta.get("download_maxsize", self.max_size) or 0)
        try:
            decoded = _decoded_size(response.body, codings, limit)
        except DecodingError as exc:
            self.stats.inc_value(UNDECODABLE)
            raise UndecodableResponse(f"{response.url}: {exc}") from None
        if limit and decoded > limit:
            self._name_too_large(response.url)
            raise ResponseTooLarge(
                f"{response.url}: body inflates past DOWNLOAD_MAXSIZE ({limit} bytes); "
                "archived as received, not parsed"
            )
        return response

    def _cut_short(self, request: Request, response: Response) -> Request:
        # Archived already (WARC-Truncated); a retry may get it whole, the cut copy is never
        # parsed.
        self.stats.inc_value(TRUNCATED)
        assert self.crawler.spider is not None
        retry = get_retry_request(request, spider=self.crawler.spider, reason="dataloss")
        if retry is not None:
            return retry
        raise TruncatedResponse(
            f"{response.url}: body cut short ({len(response.body)} bytes received)"
        )

    def _stopped(self, request: Request, response: Response) -> Request:
        # archiver.crawl.cutoff stopped it (archived WARC-Truncated: length or time).
        why = cut_reason(request.meta) or "unspecified"
        self.stats.inc_value(f"archiver/download/truncated/{why}")
        if why == "length":
            self._name_too_large(response.url)
            raise ResponseTooLarge(
                f"{response.url}: body larger than DOWNLOAD_MAXSIZE; the first "
                f"{len(response.body)} bytes archived, not parsed"
            )
        assert self.crawler.spider is not None
        retry = get_retry_request(request, spider=self.crawler.spider, reason="slow body")
        if retry is not None:
            return retry
        # The name Scrapy's own timeout gives it: the same stats as before the cut-off.
        raise DownloadTimeoutError(f"{response.url}: body too slow, cut after {why}")

    def _name_too_large(self, url: str) -> None:
        self.stats.inc_value(TOO_LARGE)
        named = str(self.stats.get_value(TOO_LARGE_URLS) or "").split()
        if len(named) < _NAMED and url not in named:
            self.stats.set_value(TOO_LARGE_URLS, " ".join([*named, url]))


def _decoded_size(body: bytes, codings: list[str], limit: int) -> int:
    """Decoded length of `body`, counted up to just past `limit` (0: no limit, 0 returned)."""
    if not limit or not codings or all(c == "identity" for c in codings):
        return len(body) if limit else 0
    if not KNOWN_CODINGS.issuperset(codings):
        # Scrapy keeps a body in a coding it does not know as it is: so do we.
        return 0
    size = 0
    for piece in iter_decoded(body, codings):
        size += len(piece)
        if size > limit:
            break
    return size
