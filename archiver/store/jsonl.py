"""Append JSON lines to one file per site per run: how records and events are written."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from archiver.durable import append_whole


class JsonLinesWriter:
    """Writes `<folder(site)>/<stem>.jsonl`, one file per site, created on its first line.

    The stem (archiver.layout.run_stem) carries the run's start time, host and pid, so parallel
    or repeated runs never write to the same file. Each line is appended whole (one write, cut
    back on a failure: a full disk never leaves half a line) and fsynced before `write`
    returns, so the index can say "archived" only for a line that survives a power loss. A line
    a kill cut short is cut back by the next crawl's index sync (archiver.store.index.ingest).
    """

    def __init__(self, folder: Callable[[str], Path], stem: str) -> None:
        self.folder = folder
        self.stem = stem
        self._files: dict[str, int] = {}
        self.paths: dict[str, Path] = {}
        """The file of each site written to so far."""

    def path(self, site: str) -> Path:
        """The file `write` appends the site's lines to."""
        return self.folder(site) / f"{self.stem}.jsonl"

    def write(self, site: str, line: str) -> Path:
        """Append `line` (one JSON document, no newline) to the site's file; returns the file.

        Raises OSError (disk full, I/O error); the file then holds only whole lines.
        """
        fd = self._files.get(site)
        if fd is None:
            path = self.path(site)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._files[site] = fd
            self.paths[site] = path
        try:
            append_whole(fd, (line + "\n").encode("utf-8"))
            os.fsync(fd)
        except OSError:
            self._drop_if_empty(site)
            raise
        return self.paths[site]

    def _drop_if_empty(self, site: str) -> None:
        # A file whose first line failed (disk full) would stay behind empty: remove it.
        fd = self._files[site]
        if os.fstat(fd).st_size == 0:
            os.close(fd)
            self.paths.pop(site).unlink(missing_ok=True)
            del self._files[site]

    def close(self) -> None:
        for fd in self._files.values():
            os.close(fd)
        self._files.clear()
