"""The archive index: an SQLite cache of what the WARC, records and events files hold."""

from __future__ import annotations

from archiver.store.index.archive_index import ArchiveIndex, CaptureRow

__all__ = ["ArchiveIndex", "CaptureRow"]
