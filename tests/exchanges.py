"""HTTP exchanges made by hand for tests that write WARC records without a crawl."""

from __future__ import annotations

from archiver.warc.exchange import HttpExchange


def plain_exchange(url: str, body: bytes) -> HttpExchange:
    """A GET of `url` answered 200 with `body` and its Content-Length, nothing else."""
    return HttpExchange(
        url=url,
        method="GET",
        request_headers=[("Host", url.split("/")[2])],
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        response_headers=[("Content-Length", str(len(body)))],
        response_body=body,
    )
