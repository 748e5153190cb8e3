"""The archive index: an SQLite cache of what the WARC, records and events files hold."""

from __future__ import annotations

from archiver.index.store import INDEX_FILE, ArchiveIndex, CaptureRow

__all__ = ["INDEX_FILE", "ArchiveIndex", "CaptureRow"]
