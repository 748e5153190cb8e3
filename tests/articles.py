"""One Global Times article's record, made by hand: for the tests of versions, the index and
re-extraction, which need records that differ in one field or one capture."""

from __future__ import annotations

from datetime import UTC, datetime

from archiver.record import Article, CaptureRef, ExtractorInfo

URL = "https://www.globaltimes.cn/page/202609/1371581.shtml"


def gt_record(
    title: str = "Title", text: str = "Body.", offset: int = 0, warc_file: str | None = None
) -> Article:
    """The article as extracted from one capture: at `offset` bytes of `warc_file` (default
    `warc/gt/<offset>.warc.gz`), record id `<urn:uuid:<offset>>`, fetched `offset` seconds
    (mod 60) after 2026-09-25 01:00 UTC. Version fields unset, as extraction leaves them."""
    capture = CaptureRef(
        url=URL,
        warc_file=warc_file or f"warc/gt/{offset}.warc.gz",
        warc_offset=offset,
        warc_record_id=f"<urn:uuid:{offset}>",
        fetched_at=datetime(2026, 9, 25, 1, 0, offset % 60, tzinfo=UTC),
        status=200,
    )
    return Article(
        url=URL,
        site="globaltimes",
        article_id="1371581",
        title=title,
        language="en",
        text=text,
        pages=[URL],
        captures=[capture],
        extractor=ExtractorInfo(archiver="0", trafilatura="0", parser="globaltimes/current"),
    )
