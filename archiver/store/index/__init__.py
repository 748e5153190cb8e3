"""The archive index: a cache of what the WARC, records and events files hold, in an SQLite file
or a PostgreSQL database that crawls on several machines share."""

from __future__ import annotations

from archiver.store.index.archive_index import ArchiveIndex, CaptureRow

__all__ = ["ArchiveIndex", "CaptureRow"]
