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
"""Lines held in memory at most before they are sorted and spilled to a run file."""
DEFAULT_HELD = 1_000_000
"""Characters of lines held in memory at most before they are spilled: about a MiB whatever
the archive's size (records are about 3,000 characters: 20,000 of them would be 60 MB)."""
FAN_IN = 64
"""Run files merged at once: when as many runs of one size are on disk they are merged into
one, so that the final merge never opens more files than this (and the file limit stays far)."""


class SortedOutput:
    """Lines of each site, written to OUT/<site>.jsonl sorted by their key at `finish`.

    `add` keeps at most `chunk` lines, or `held` characters of lines, in memory; beyond that
    they are sorted and spilled to run files beside the output (`.reextract-*` in OUT, removed
    at the end), which `finish` merges (FAN_IN runs of one size are merged into one as they
    come). The result is what sorting all lines by key at once gives (ties keep the order they
    came in). Each OUT/<site>.jsonl is replaced atomically. Raises OSError.
    """

    def __init__(self, out: Path, chunk: int = DEFAULT_CHUNK, held: int = DEFAULT_HELD) -> None:
        self.out = out
        self.chunk = chunk
        self.held = held
        self.buffer: list[tuple[SortKey, int, str, str]] = []
        self.buffered = 0  # characters of the lines in `buffer`
        self.runs: list[tuple[int, Path]] = []  # (merges it went through, run file)
        self.made = 0  # run files made, for their names
        self.count = 0
        self.sites: set[str] = set()
        out.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=".reextract-", dir=out))

    def add(self, site: str, key: SortKey, line: str) -> None:
        self.buffer.append((key, self.count, site, line))
        self.count += 1
        self.buffered += len(line)
        self.sites.add(site)
        if len(self.buffer) >= self.chunk or self.buffered >= self.held:
            self._spill()

    def _spill(self) -> None:
        self.buffer.sort()
        self._write_run(iter(self.buffer), 0)
        self.buffer = []
        self.buffered = 0
        level = self.runs[-1][0]
        same = [path for merges, path in self.runs if merges == level]
        while len(same) >= FAN_IN:
            handles = [path.open(encoding="utf-8") for path in same]
            try:
                self.runs = [run for run in self.runs if run[0] != level]
                self._write_run(heapq.merge(*(_rows(fh) for fh in handles)), level + 1)
            finally:
                for fh in handles:
                    fh.close()
            for path in same:
                path.unlink()
            level += 1
            same = [path for merges, path in self.runs if merges == level]

    def _write_run(self, rows: Iterator[tuple[SortKey, int, str, str]], merges: int) -> None:
        path = self.tmp / f"run-{self.made:06d}"
        self.made += 1
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            for (date, file, offset), n, site, line in rows:
                # Tab-separated: none of the fields holds a tab or a newline (JSON escapes them).
                fh.write(f"{date}\t{file}\t{offset}\t{n}\t{site}\t{line}\n")
        self.runs.append((merges, path))

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
        handles = [path.open(encoding="utf-8") for _, path in self.runs]
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
