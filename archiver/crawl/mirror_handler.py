"""Download handler that sends every request to ARCHIVER_MIRROR while keeping the real URL."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from archiver.crawl.cutoff import TimedDownloadHandler

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class MirrorDownloadHandler(TimedDownloadHandler):
    """HTTP(S) handler that fetches from a local replica instead of the site.

    The request goes to the mirror's address with the site's own `Host` header and the same path
    and query; https is fetched as plain http. The response handed back to Scrapy carries the
    real URL, so redirects, link extraction, WARC records and JSON records all name the site,
    never the mirror. Installed for both schemes only when ARCHIVER_MIRROR is set (see the add-on).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        mirror = crawler.settings.get("ARCHIVER_MIRROR") or ""
        self.mirror = mirror_origin(mirror)

    async def download_request(self, request: Request) -> Response:
        real = urlsplit(request.url)
        mirrored_url = urlunsplit((*self.mirror, real.path or "/", real.query, ""))
        headers = request.headers.copy()
        # Twisted's Agent only adds Host when the request has none: ours names the real site.
        headers[b"Host"] = real.netloc.encode("ascii")
        mirrored = request.replace(url=mirrored_url, headers=headers)
        response = await super().download_request(mirrored)
        return response.replace(url=request.url, request=request)


def mirror_origin(value: str) -> tuple[str, str]:
    """Validate an ARCHIVER_MIRROR value ("http://127.0.0.1:8000") into (scheme, netloc).

    Raises ValueError with what to write instead.
    """
    parts = urlsplit(value.strip())
    if parts.scheme != "http" or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError(
            f"ARCHIVER_MIRROR={value!r} is not a mirror address; "
            "give scheme, host and port only, e.g. http://127.0.0.1:8000"
        )
    return parts.scheme, parts.netloc
