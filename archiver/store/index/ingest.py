"""Fill the index from the files (WARC, records, events): after a kill, or from scratch."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from archiver.durable import cut_partial_line
from archiver.layout import OPEN_SUFFIX, ArchiveLayout, left_by_dead_writer
from archiver.record import Article
from archiver.store.events import ArticleEvent
from archiver.store.index import statements
from archiver.store.index.archive_index import ArchiveIndex, CaptureRow, iso_utc
from archiver.warc.digests import body_sha256, content_encoding
from archiver.warc.raw import RawRecord, WarcReadError, iter_records

logger = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """What a sync read: files, captures, records and events indexed, WARC files recovered,
    records and events files whose unfinished last line was cut."""

    files: int = 0
    captures: int = 0
    records: int = 0
    events: int = 0
    recovered: list[Path] = field(default_factory=list)
    lines_cut: list[Path] = field(default_factory=list)
    unarchived: int = 0
    """Articles no longer archived: their record names a capture a recovery cut off."""
    problems: list[str] = field(default_factory=list)
    touched: set[tuple[str, str]] = field(default_factory=set, repr=False)
    """Articles (site, id) whose records or events were read: their derived columns change."""
    touched_urls: set[str] = field(default_factory=set, repr=False)
    """URLs of the status-200 captures read (an article's last sighting)."""


def capture_row(record: RawRecord, warc_file: str) -> CaptureRow | None:
    """The index row of a response or revisit record with an HTTP message; None for others."""
    if record.type not in ("response", "revisit") or not record.has_http:
        return None
    status, date = record.http_status, record.header("WARC-Date")
    if status is None or not date:
        return None
    revisit = record.type == "revisit"
    return CaptureRow(
        warc_file=warc_file,
        warc_offset=record.offset,
        record_id=record.record_id,
        record_type=record.type,
        url=record.target_uri,
        status=status,
        fetched_at=iso_utc(datetime.fromisoformat(date)),
        payload_digest=record.header("WARC-Payload-Digest"),
        body_sha256=None
        if revisit
        else body_sha256(record.payload, record.http_header_values("Content-Encoding")),
        refers_to=record.header("WARC-Refers-To") if revisit else None,
        content_encoding=content_encoding(record.http_header_values("Content-Encoding")),
        payload_length=None if revisit else len(record.payload),
    )


@dataclass(frozen=True)
class Cut:
    """A WARC file recovery cut back: its final path, and the bytes kept (0: removed)."""

    path: Path
    kept: int


def recover_open_warcs(root: Path, host: str | None = None) -> list[Path]:
    """Finish the `.warc.gz.open` files that crawls killed on this host left behind.

    A file whose writer (the pid in its name) still runs is left alone. The others are cut
    back to their last complete request/response pair (a pair the kill cut in half is
    dropped) and renamed to their final name; a file with no complete record is removed.
    Returns the final paths of the files recovered.
    """
    return [cut.path for cut in _recover_open_warcs(root, host) if cut.kept]


def _recover_open_warcs(root: Path, host: str | None) -> list[Cut]:
    cuts: list[Cut] = []
    for path in sorted(ArchiveLayout(root).warc_root.glob(f"**/*.warc.gz{OPEN_SUFFIX}")):
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        if not left_by_dead_writer(final.name[: -len(".warc.gz")], host):
            continue
        keep = _complete_length(path)
        if keep == 0:
            logger.warning("removing %s: a killed crawl left no complete record in it", path)
            path.unlink()
            cuts.append(Cut(final, 0))
            continue
        with path.open("r+b") as fh:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
        os.rename(path, final)
        logger.warning("recovered %s left open by a killed crawl (%d bytes kept)", final, keep)
        cuts.append(Cut(final, keep))
    return cuts


def recover_partial_lines(root: Path, host: str | None = None) -> list[Path]:
    """Cut back the last line of records and events files that killed crawls left unfinished.

    A kill or power loss in the middle of an append leaves a line without its newline; the
    file is cut to its last complete line (files of running crawls, by the pid in their name,
    are left alone). Returns the files cut.
    """
    layout = ArchiveLayout(root)
    cut: list[Path] = []
    for folder in (layout.records_root, layout.events_root):
        for path in sorted(folder.glob("*/*.jsonl")):
            if left_by_dead_writer(path.stem, host) and cut_partial_line(path):
                logger.warning("cut the unfinished last line of %s left by a killed crawl", path)
                cut.append(path)
    return cut


REFRESH_ONE_BY_ONE = 20_000
"""Up to this many articles read by a sync are refreshed one by one; more, all in one go."""


def sync(index: ArchiveIndex, root: Path | None = None) -> SyncReport:
    """Bring the index up to date with the files under `root` (default: the index's root).

    Recovers WARC files left open by killed crawls and cuts back records and events lines
    they left unfinished, then reads every WARC, records and events file the index has not
    seen at its current size. Captures a recovery cut off leave the index last, and articles
    whose records name them are no longer archived (fetched again). Idempotent: reading a file
    twice changes nothing.
    """
    root = index.root if root is None else root
    layout = ArchiveLayout(root)
    cuts = _recover_open_warcs(root, None)
    report = SyncReport(recovered=[cut.path for cut in cuts if cut.kept])
    report.lines_cut = recover_partial_lines(root)
    for path in sorted(layout.warc_root.glob("**/*.warc.gz")):
        if _pending(index, root, path):
            report.captures += _ingest_warc(index, root, path, report)
            report.files += 1
    for path in sorted(layout.records_root.glob("*/*.jsonl")):
        if _pending(index, root, path):
            report.records += _ingest_records(index, root, path, report)
            report.files += 1
    for path in sorted(layout.events_root.glob("*/*.jsonl")):
        if _pending(index, root, path):
            report.events += _ingest_events(index, root, path, report)
            report.files += 1
    if report.files:
        resolve_revisits(index)
        if len(report.touched) + len(report.touched_urls) <= REFRESH_ONE_BY_ONE:
            index.refresh_some(sorted(report.touched), sorted(report.touched_urls))
        else:
            index.refresh_all()
    for cut in cuts:
        # After the records are read: a record line ingested above may name a cut capture.
        lost = index.forget_captures_from(_relative(root, cut.path), cut.kept)
        if lost:
            logger.warning(
                "%d archived articles lost their capture in %s: fetched again", lost, cut.path
            )
        report.unarchived += lost
    return report


def rebuild(index: ArchiveIndex, root: Path | None = None) -> SyncReport:
    """Empty the index and read every file again (`archiver index rebuild`)."""
    index.clear()
    return sync(index, root)


def resolve_revisits(index: ArchiveIndex) -> None:
    """Give revisit rows their original's body hash and length (it may be indexed later)."""
    index.db.run(statements.revisit_bodies)
    index.db.run(statements.revisit_lengths)


def _pending(index: ArchiveIndex, root: Path, path: Path) -> bool:
    return index.file_size(_relative(root, path)) != path.stat().st_size


def _ingest_warc(index: ArchiveIndex, root: Path, path: Path, report: SyncReport) -> int:
    rel = _relative(root, path)
    size = path.stat().st_size
    count = 0
    with index.db.begin():
        try:
            for record in iter_records(path):
                row = capture_row(record, rel)
                if row is not None:
                    index.record_capture(row)
                    count += 1
                    if row.status == 200:
                        report.touched_urls.add(row.url)
        except WarcReadError as exc:
            report.problems.append(str(exc))
            logger.warning("indexed %s up to the damage: %s", path, exc)
        index.mark_file(rel, size)
    return count


def _ingest_records(index: ArchiveIndex, root: Path, path: Path, report: SyncReport) -> int:
    rel = _relative(root, path)
    size = path.stat().st_size
    count = 0
    with path.open(encoding="utf-8") as handle, index.db.begin():
        for number, line in enumerate(handle, 1):
            if not line.endswith("\n"):
                break  # the line a killed run was writing
            try:
                record = Article.model_validate_json(line)
            except ValidationError as exc:
                report.problems.append(f"{path}:{number}: not an article record: {exc.title}")
                continue
            index.record_version(record, rel, refresh=False)
            report.touched.add((record.site, record.article_id))
            count += 1
    index.mark_file(rel, size)
    return count


def _ingest_events(index: ArchiveIndex, root: Path, path: Path, report: SyncReport) -> int:
    rel = _relative(root, path)
    size = path.stat().st_size
    count = 0
    with path.open(encoding="utf-8") as handle, index.db.begin():
        for number, line in enumerate(handle, 1):
            if not line.endswith("\n"):
                break
            try:
                event = ArticleEvent.model_validate_json(line)
            except ValidationError as exc:
                report.problems.append(f"{path}:{number}: not an event: {exc.title}")
                continue
            index.record_event(event, refresh=False)
            report.touched.add((event.site, event.article_id))
            count += 1
    index.mark_file(rel, size)
    return count


def _complete_length(path: Path) -> int:
    # Bytes up to the end of the last record that completes a unit: the warcinfo record, or a
    # request record (the writer puts each response first and its request right after).
    keep = 0
    previous: RawRecord | None = None
    try:
        for record in iter_records(path):
            if previous is not None and previous.type in ("warcinfo", "request"):
                keep = record.offset
            previous = record
    except WarcReadError as exc:
        # The damaged record starts at exc.offset: when the record before it completed a
        # unit, everything up to that offset is whole and stays (a kill mid-record must not
        # also cut the complete pair before it).
        if previous is not None and previous.type in ("warcinfo", "request"):
            keep = exc.offset
        return keep
    if previous is not None and previous.type in ("warcinfo", "request"):
        keep = path.stat().st_size
    return keep


def _relative(root: Path, path: Path) -> str:
    return ArchiveLayout(root).relative(path)
