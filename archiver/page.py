"""One captured HTTP response, as parsers see it: no Scrapy, no WARC, just bytes and metadata."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, resolve_encoding

from archiver.record import CaptureRef


@dataclass(frozen=True)
class CapturedPage:
    """A response as received, with any Content-Encoding (gzip, br, ...) already removed.

    `headers` keeps repeated headers and their order; names and values are latin-1 strings.
    `fetched_at` is timezone-aware. `capture` says where the response lies in the WARC, when it
    was archived (None for a page read from a plain HTML file).
    """

    url: str
    body: bytes
    status: int = 200
    headers: Sequence[tuple[str, str]] = ()
    fetched_at: datetime | None = None
    capture: CaptureRef | None = None
    # Discovery hints: dates or labels seen where the page was found (list page, sitemap).
    hints: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """First value of header `name` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    @property
    def encoding(self) -> str:
        """Python codec for the body: HTTP header, then <meta>, then sniffing; GB* -> gb18030."""
        return self._decoded[0]

    @property
    def text(self) -> str:
        """The body decoded to str (see `encoding`); undecodable bytes become U+FFFD.

        When the declared (or sniffed) encoding leaves U+FFFD, strict UTF-8 and then strict
        GB18030 are tried, and the first with fewer replacement characters wins.
        """
        return self._decoded[1]

    @property
    def _decoded(self) -> tuple[str, str]:
        cached: tuple[str, str] | None = self.__dict__.get("_decoded_cache")
        if cached is None:
            cached = _decode_html(self.body, self.header("Content-Type"))
            object.__setattr__(self, "_decoded_cache", cached)
        return cached


def _decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    # These sites declare GB2312 in <meta> while serving GBK/GB18030 characters; w3lib maps every
    # GB* label to gb18030 (a superset), so nothing decodes as U+FFFD.
    declared = html_body_declared_encoding(body)
    header_value = content_type
    if declared and content_type and "charset" in content_type.lower():
        # A server default of ISO-8859-1 in the header is less trustworthy than the page's meta.
        header_charset = content_type.lower().split("charset=")[-1].strip(" \"';")
        if resolve_encoding(header_charset) in {"cp1252", "latin_1", "iso8859-1"}:
            header_value = None
    encoding, text = html_to_unicode(header_value, body)
    if "\ufffd" in text:
        # No or a wrong declaration (GB18030 bytes read as UTF-8, UTF-8 labelled gb2312): retry
        # the two encodings these sites use, strictly, and keep the first that decodes cleanly.
        for retry in ("utf-8", "gb18030"):
            if retry == encoding:
                continue
            try:
                decoded = body.decode(retry)
            except UnicodeDecodeError:
                continue
            if decoded.count("\ufffd") < text.count("\ufffd"):
                return retry, decoded
    return encoding, text
