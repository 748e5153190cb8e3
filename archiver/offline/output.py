"""`reextract`'s output written as it comes, sorted on disk: memory flat in the archive's size."""

from __future__ import annotations

import heapq
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

SortKey = tuple[str, str, int]
"""A record's first capture: WARC-Date, file, offset (what output lines are sorted by)."""

DEFAULT_CHUNK = 20_000
"""Lines held in memory before they are sorted and spilled to a run file."""


class SortedOutput:
    """Lines of each site, written to OUT/<site>.jsonl sorted by their key at `finish`.

    `add` keeps at most `chunk` lines in memory; beyond that they are sorted and spilled to run
    files beside the output (`.reextract-*` in OUT, removed at the end), which `finish` merges.
    The result is what sorting all lines by key at once gives (ties keep the order they came
    in). Each OUT/<site>.jsonl is replaced atomically. Raises OSError.
    """

    def __init__(self, out: Path, chunk: int = DEFAULT_CHUNK) -> None:
        self.out = out
        self.chunk = chunk
        self.buffer: list[tuple[SortKey, int, str, str]] = []
        self.runs: list[Path] = []
        self.count = 0
        self.sites: set[str] = set()
        out.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=".reextract-", dir=out))

    def add(self, site: str, key: SortKey, line: str) -> None:
        self.buffer.append((key, self.count, site, line))
        self.count += 1
        self.sites.add(site)
        if len(self.buffer) >= self.chunk:
            self._spill()

    def _spill(self) -> None:
        self.buffer.sort()
        path = self.tmp / f"run-{len(self.runs):06d}"
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            for (date, file, offset), n, site, line in self.buffer:
                # Tab-separated: none of the fields holds a tab or a newline (JSON escapes them).
                fh.write(f"{date}\t{file}\t{offset}\t{n}\t{site}\t{line}\n")
        self.runs.append(path)
        self.buffer = []

    def finish(self, sites: Iterable[str]) -> list[Path]:
        """Write OUT/<site>.jsonl for each of `sites` (empty when it got no line); the paths."""
        try:
            self._spill()
            written: list[Path] = []
            for site in sorted(set(sites)):
                path = self.out / f"{site}.jsonl"
                tmp = path.with_name(path.name + ".tmp")
                with tmp.open("w", encoding="utf-8", newline="\n") as fh:
                    fh.writelines(line + "\n" for line in self._merged(site))
                os.replace(tmp, path)
                written.append(path)
            return written
        finally:
            self.close()

    def _merged(self, site: str) -> Iterator[str]:
        handles = [path.open(encoding="utf-8") for path in self.runs]
        try:
            rows = heapq.merge(*(_rows(fh) for fh in handles))
            yield from (line for _, _, row_site, line in rows if row_site == site)
        finally:
            for fh in handles:
                fh.close()

    def close(self) -> None:
        """Remove the run files (the output written so far stays)."""
        shutil.rmtree(self.tmp, ignore_errors=True)


def _rows(fh: IO[str]) -> Iterator[tuple[SortKey, int, str, str]]:
    for raw in fh:
        date, file, offset, n, site, line = raw.rstrip("\n").split("\t", 5)
        yield (date, file, int(offset)), int(n), site, line
