"""Append JSON lines to one file per site per run: how records and events are written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO


class JsonLinesWriter:
    """Writes `<folder(site)>/<stem>.jsonl`, one file per site, created on its first line.

    The stem (archiver.layout.run_stem) carries the run's start time, host and pid, so parallel
    or repeated runs never write to the same file. Each line is flushed as written: a killed
    crawl loses at most the line being written, never earlier ones.
    """

    def __init__(self, folder: Callable[[str], Path], stem: str) -> None:
        self.folder = folder
        self.stem = stem
        self._files: dict[str, IO[str]] = {}
        self.paths: dict[str, Path] = {}
        """The file of each site written to so far."""

    def write(self, site: str, line: str) -> Path:
        """Append `line` (one JSON document, no newline) to the site's file; returns the file."""
        handle = self._files.get(site)
        if handle is None:
            path = self.folder(site) / f"{self.stem}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a", encoding="utf-8", newline="\n")
            self._files[site] = handle
            self.paths[site] = path
        handle.write(line + "\n")
        handle.flush()
        return self.paths[site]

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
