"""One HTTP request/response pair as it goes into a WARC, and building it from Scrapy objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urlsplit

from scrapy.http import Request, Response
from twisted.web.http import RESPONSES

from archiver.warc.codings import is_encoded, split_codings

Header = tuple[str, str]

# request.meta key of the discovery hints (a dict of str) set by the spiders.
HINTS_META_KEY = "archiver_hints"
# WARC named field carrying them (a JSON object, ASCII): not WARC-*, which the standard reserves.
HINTS_FIELD = "Archiver-Hints"

# request.meta key of a dict the crawl fills when it stopped a download itself, keeping the
# bytes received: {"why": "length"} (DOWNLOAD_MAXSIZE) or {"why": "time"} (DOWNLOAD_TIMEOUT),
# the WARC-Truncated value. A dict, made before the download: a download handler may work on
# a copy of the request, whose meta is a shallow copy, so only a shared dict reaches back.
CUT_META = "archiver_cut"


def cut_reason(meta: dict[str, Any]) -> str | None:
    """Why the crawl stopped this request's download ("length", "time"), or None."""
    state = meta.get(CUT_META)
    return str(state["why"]) if isinstance(state, dict) and state.get("why") else None


# Credentials for a proxy (the mirror, say) are not part of what the site received.
_DROPPED_REQUEST_HEADERS = frozenset({"proxy-authorization"})


@dataclass(frozen=True)
class HttpExchange:
    """What to write for one fetch: request and response, headers as latin-1 (name, value) pairs.

    `response_body` is the entity body exactly as received (still gzip if it came so), with no
    transfer coding; `response_headers` must already agree with it (see `fix_response_headers`).
    `truncated` marks a body cut short: WARC-Truncated with `truncated_reason` ("disconnect":
    the connection closed before the announced length; WARC 1.0 also names "length", "time").
    """

    url: str
    method: str
    request_headers: Sequence[Header]
    request_body: bytes
    protocol: str
    status: int
    reason: str
    response_headers: Sequence[Header]
    response_body: bytes
    ip_address: str | None = None
    truncated: bool = False
    truncated_reason: str = "disconnect"
    # Where the crawler found this URL and what the finding page said of it (list date,
    # sitemap date): written as the `Archiver-Hints` field of the response record, so that
    # records re-derived from the WARC alone keep those date candidates.
    hints: Sequence[tuple[str, str]] = ()

    @property
    def request_target(self) -> str:
        """Origin-form request target as sent on the wire: path, ;params and ?query, no fragment."""
        parts = urlsplit(self.url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        return target


def exchange_from_scrapy(request: Request, response: Response) -> HttpExchange:
    """Build the exchange from a Request/Response as seen at the `response_downloaded` signal.

    At that point the body is still content-encoded but already de-chunked by Twisted, and the
    request headers are final except `Host` (Twisted adds it on the wire), which is added here.
    """
    url = urldefrag(request.url)[0]
    body = response.body
    return HttpExchange(
        url=url,
        method=request.method,
        request_headers=_request_headers(url, _pairs(request.headers.items()), request.body),
        request_body=request.body,
        protocol=_http_version(response.protocol),
        status=response.status,
        reason=reason_phrase(response.status),
        response_headers=fix_response_headers(_pairs(response.headers.items()), body),
        response_body=body,
        ip_address=None if response.ip_address is None else str(response.ip_address),
        truncated="dataloss" in response.flags or "download_stopped" in response.flags,
        # A connection closed early is a "disconnect"; a download the crawl stopped says why.
        truncated_reason=cut_reason(request.meta) or "disconnect",
        hints=tuple(sorted((request.meta.get(HINTS_META_KEY) or {}).items())),
    )


def reason_phrase(status: int) -> str:
    """Standard reason phrase for `status` ("" when the code has none)."""
    phrase = RESPONSES.get(status, b"")
    return phrase.decode("latin-1") if isinstance(phrase, bytes) else str(phrase)


def fix_response_headers(headers: Sequence[Header], body: bytes) -> list[Header]:
    """Headers made true for `body` as stored: no Transfer-Encoding, exact Content-Length.

    Content-Encoding is kept only while `body` is still encoded. Header order and repeated
    headers (Set-Cookie) are kept; Content-Length replaces the first one in place, or goes last.
    """
    lowered = [name.lower() for name, _ in headers]
    codings = split_codings(
        v for (_, v), low in zip(headers, lowered, strict=True) if low == "content-encoding"
    )
    keep_encoding = is_encoded(body, codings) or (not body and bool(codings))
    fixed: list[Header] = []
    length_done = False
    for (name, value), low in zip(headers, lowered, strict=True):
        if low == "transfer-encoding" or (low == "content-encoding" and not keep_encoding):
            continue
        if low == "content-length":
            if not length_done:
                fixed.append((name, str(len(body))))
                length_done = True
            continue
        fixed.append((name, value))
    if not length_done:
        fixed.append(("Content-Length", str(len(body))))
    return fixed


def _request_headers(url: str, headers: list[Header], body: bytes) -> list[Header]:
    fixed = [(n, v) for n, v in headers if n.lower() not in _DROPPED_REQUEST_HEADERS]
    names = {n.lower() for n, _ in fixed}
    if body and "content-length" not in names:
        fixed.append(("Content-Length", str(len(body))))
    if "host" not in names:
        # Twisted's Agent appends Host after the other headers; keep that order.
        fixed.append(("Host", host_header(url)))
    return fixed


def host_header(url: str) -> str:
    """Host header value Twisted sends for `url`: host as written, port only when not default."""
    parts = urlsplit(url)
    hostport = parts.netloc.rpartition("@")[2]
    if hostport.startswith("["):
        host = hostport[: hostport.index("]") + 1]
    else:
        host = hostport.partition(":")[0]
    port = parts.port
    if port is None or (parts.scheme, port) in (("http", 80), ("https", 443)):
        return host
    return f"{host}:{port}"


def _http_version(protocol: str | None) -> str:
    # Scrapy's HTTP/1.1 handler says "HTTP/1.1"; the HTTP/2 handler says "h2".
    if not protocol:
        return "HTTP/1.1"
    if protocol.lower() == "h2":
        return "HTTP/2"
    return protocol


def _pairs(items: Iterable[tuple[bytes, list[bytes]]]) -> list[Header]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in items
        for value in values
    ]
