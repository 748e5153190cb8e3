"""Append article records to JSON Lines files under ARCHIVER_DIR/records/<site>/."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from archiver.record import Article


class RecordWriter:
    """One JSON Lines file per site per run, created on the first record.

    File names carry the run start time, host and pid so parallel or repeated runs never write
    to the same file. Each line is flushed as written: a killed crawl loses at most the line
    being written, never earlier ones.
    """

    def __init__(self, root: Path, run_name: str, started: datetime | None = None) -> None:
        self.root = root
        stamp = (started or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
        self.stem = f"{run_name}-{stamp}-{socket.gethostname()}-{os.getpid()}"
        self._files: dict[str, IO[str]] = {}
        self.paths: dict[str, Path] = {}

    def write(self, record: Article) -> Path:
        """Append `record` as one line; returns the file written to."""
        handle = self._files.get(record.site)
        if handle is None:
            path = self.root / "records" / record.site / f"{self.stem}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a", encoding="utf-8", newline="\n")
            self._files[record.site] = handle
            self.paths[record.site] = path
        handle.write(record.to_json_line() + "\n")
        handle.flush()
        return self.paths[record.site]

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
