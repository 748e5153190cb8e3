"""A fetched response as the site parsers see it: a CapturedPage with its WARC location."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from archiver.page import CapturedPage
from archiver.record import CaptureRef

if TYPE_CHECKING:
    from scrapy.http import Response


def captured_page(response: Response, hints: dict[str, str] | None = None) -> CapturedPage:
    """The response as parsers see it, with the WARC location the WARC extension recorded."""
    capture = response.meta.get("archiver_capture")
    fetched_at: datetime | None = None
    if isinstance(capture, CaptureRef):
        # The page is the redirect target when there were hops: only keep a capture that is it.
        fetched_at = capture.fetched_at
        if capture.url != response.url:
            capture = None
    else:
        capture = None
    headers = [
        (key.decode("latin-1"), value.decode("latin-1"))
        for key, values in response.headers.items()
        for value in values
    ]
    return CapturedPage(
        url=response.url,
        body=response.body,
        status=response.status,
        headers=headers,
        fetched_at=fetched_at,
        capture=capture,
        hints=dict(hints or {}),
    )
