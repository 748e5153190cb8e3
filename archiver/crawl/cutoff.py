"""Extension: stop an over-long or over-slow download ourselves, keeping what arrived.

Scrapy's own DOWNLOAD_MAXSIZE and DOWNLOAD_TIMEOUT cancel a download and drop every byte
received, so nothing reaches the WARC. Stopping it a little earlier through the documented
StopDownload(fail=False) instead hands the partial body on as a response (flag
"download_stopped"): the WARC extension archives it marked WARC-Truncated ("length" or
"time", request.meta[CUT_META]), and archiver.crawl.bodies makes sure it never becomes a record.
A server that stalls without sending a byte still meets Scrapy's timeout: no byte, no signal.
"""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import StopDownload

from archiver.warc.exchange import CUT_META

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response

# Stop at this share of DOWNLOAD_TIMEOUT (counted from the headers), before Scrapy's timer.
TIME_SHARE = 0.8


class DownloadCutoff:
    """Stops a body at DOWNLOAD_MAXSIZE bytes, or once it has taken TIME_SHARE of
    DOWNLOAD_TIMEOUT, keeping the bytes received (per-request `download_maxsize` and
    `download_timeout` meta are honoured). Its state per download lives in the dict
    request.meta[CUT_META], which BodyGuardMiddleware puts there before the download."""

    def __init__(self, max_size: int, timeout: float) -> None:
        self.max_size = max_size
        self.timeout = timeout

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        cutoff = cls(settings.getint("DOWNLOAD_MAXSIZE"), settings.getfloat("DOWNLOAD_TIMEOUT"))
        crawler.signals.connect(cutoff.headers_received, signal=signals.headers_received)
        crawler.signals.connect(cutoff.bytes_received, signal=signals.bytes_received)
        return cutoff

    def headers_received(self, headers: Any, body_length: Any, request: Request, **_: Any) -> None:
        state = _state(request)
        # A new try (a retry's meta shares the dict of the try before): start afresh, from when
        # the handler began this try (Scrapy's timeout counts from there, not from the headers).
        started = state.get(TRANSFER_STARTED, monotonic())
        state.clear()
        state.update(received=0, started=started)
        limit = self._limit(request)
        if limit and isinstance(body_length, int) and body_length > limit:
            # Announced larger than the limit: keep the headers (an empty, truncated body).
            _stop(state, "length")

    def bytes_received(self, data: bytes, request: Request, **_: Any) -> None:
        state = _state(request)
        state["received"] = int(state.get("received", 0)) + len(data)
        limit = self._limit(request)
        if limit and state["received"] > limit:
            _stop(state, "length")
        timeout = float(request.meta.get("download_timeout", self.timeout) or 0)
        started = float(state.get("started", monotonic()))
        if timeout and monotonic() - started > timeout * TIME_SHARE:
            _stop(state, "time")

    def _limit(self, request: Request) -> int:
        return int(request.meta.get("download_maxsize", self.max_size) or 0)


TRANSFER_STARTED = "transfer_started"
"""Key of the cut-off state: when the handler began the current try (monotonic seconds)."""


class TimedDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP(S) handler, noting when each try really starts.

    DOWNLOAD_TIMEOUT runs from the moment the handler takes the request, after the slot's
    delay; no signal marks that moment (request_reached_downloader comes before the delay), so
    the cut-off would otherwise count from the headers and could be late on a slow server.
    """

    async def download_request(self, request: Request) -> Response:
        _state(request)[TRANSFER_STARTED] = monotonic()
        return await super().download_request(request)


def new_cut_state(request: Request) -> None:
    """Give `request` its shared cut-off state (before the download handler copies it)."""
    if not isinstance(request.meta.get(CUT_META), dict):
        request.meta[CUT_META] = {}


def _state(request: Request) -> dict[str, Any]:
    new_cut_state(request)
    state: dict[str, Any] = request.meta[CUT_META]
    return state


def _stop(state: dict[str, Any], why: str) -> None:
    state["why"] = why
    raise StopDownload(fail=False)
