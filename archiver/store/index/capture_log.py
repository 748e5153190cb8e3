"""The archive index as the WARC extension's CaptureLog: revisit look-ups and capture rows."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from archiver.store.index.archive_index import ArchiveIndex, CaptureRow, iso_utc
from archiver.store.index.crawl import crawl_index
from archiver.warc.writer import RevisitTarget

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archiver.record import CaptureRef
    from archiver.warc.revisits import Payload


class IndexCaptureLog:
    """Implements archiver.warc.revisits.CaptureLog over the crawl's ArchiveIndex."""

    def __init__(self, index: ArchiveIndex) -> None:
        self.index = index

    def original(self, payload: Payload) -> RevisitTarget | None:
        row = self.index.find_identical(
            payload.url,
            payload.status,
            payload.body_sha256,
            payload_digest=payload.digest,
            content_encoding=payload.content_encoding,
            payload_length=payload.length,
        )
        if row is None or not row.payload_digest:
            return None
        return RevisitTarget(
            url=row.url,
            date=datetime.fromisoformat(row.fetched_at),
            record_id=row.record_id,
            payload_digest=row.payload_digest,
        )

    def seen_decoded(self, payload: Payload) -> bool:
        found = self.index.find_identical(payload.url, payload.status, payload.body_sha256)
        return found is not None

    def record(self, capture: CaptureRef, payload: Payload, original: RevisitTarget | None) -> None:
        self.index.record_capture(
            CaptureRow(
                warc_file=capture.warc_file,
                warc_offset=capture.warc_offset,
                record_id=capture.warc_record_id,
                record_type="revisit" if original is not None else "response",
                url=capture.url,
                status=capture.status,
                fetched_at=iso_utc(capture.fetched_at),
                payload_digest=payload.digest,
                body_sha256=payload.body_sha256,
                refers_to=original.record_id if original is not None else None,
                content_encoding=payload.content_encoding,
                payload_length=payload.length,
            )
        )

    def file_done(self, path: str, size: int) -> None:
        self.index.mark_file(path, size)


def crawl_capture_log(crawler: Crawler) -> IndexCaptureLog | None:
    """The crawl's index as a CaptureLog (ARCHIVER_WARC_CAPTURE_LOG), or None without an index."""
    index = crawl_index(crawler)
    return IndexCaptureLog(index) if index is not None else None
