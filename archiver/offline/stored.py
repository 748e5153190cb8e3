"""The records `verify` checks, held compactly: where each one is, never the record itself.

A record is about 3 KB of JSON and 12 KB once parsed; holding every record a `verify --full`
reads cost about 17 KiB a record. `StoredRecords` keeps, per record, where its line is (read
again when it is needed: to compare it, to name a problem), whether the current extractor made
it, its captures' places, and the hash of its capture ids, by which a re-extracted record
finds it: about 50 bytes a record, in arrays.
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from archiver.record import Article

_FAR = 1 << 63
_OPEN_FILES = 16  # records files kept open to read lines again (an archive may have thousands)


def numbered_lines(path: Path) -> Iterator[tuple[int, int, str]]:
    """(number, position, line) of every line of the text file at `path`, without its newline.

    The lines are those iterating the file in text mode gives; `position` is what `tell()`
    says before the line: `seek(position)` and `readline()` read it again."""
    with path.open(encoding="utf-8") as fh:
        number = 0
        while True:
            position = fh.tell()
            line = fh.readline()
            if not line:
                return
            number += 1
            yield number, position, line.rstrip("\n")


def capture_ids_of(line: str) -> tuple[str, ...]:
    """The WARC record ids of the captures of the record on `line`."""
    return tuple(str(c["warc_record_id"]) for c in json.loads(line)["captures"])


class StoredRecords:
    """Records of records/ files, numbered in the order they are added (0, 1, ...).

    `current[n]` is 1 when the current extractor version made record n. Every record is added
    before any is looked for (`candidates`). Lines are read again through the last few files'
    handles, kept open until `close`.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[str] = []  # records files, relative to root, by index
        self._file_index: dict[str, int] = {}
        self._file = array("I")
        self._number = array("I")
        self._position = array("q")
        self._far: dict[int, int] = {}  # positions past 2**63 (a text decoder's state in them)
        self.current = bytearray()
        # (hash of its capture ids, record) of each record of the current extractor, sorted by
        # hash before the first look-up: 12 bytes a record where a dict would take 100.
        self._hashes = array("q")
        self._hashed = array("I")
        self._sorted = False
        self.warc_files: list[str] = []  # the WARC files captures name, by index
        self._warc_index: dict[str, int] = {}
        self._first_capture = array("I", [0])  # record n's captures: [first[n], first[n + 1])
        self._capture_file = array("I")
        self._capture_offset = array("q")
        self._handles: dict[int, TextIO] = {}

    def __len__(self) -> int:
        return len(self._number)

    def add(self, file: str, number: int, position: int, record: Article, current: bool) -> None:
        """Record `record`, line `number` of `file` at text position `position`. A record not
        made by the current extractor is never a candidate for a re-extraction."""
        n = len(self._number)
        self._file.append(self._file_index.setdefault(file, len(self.files)))
        if len(self.files) < len(self._file_index):
            self.files.append(file)
        self._number.append(number)
        if position < _FAR:
            self._position.append(position)
        else:
            self._position.append(-1)
            self._far[n] = position
        self.current.append(1 if current else 0)
        if current:
            self._hashes.append(hash(tuple(c.warc_record_id for c in record.captures)))
            self._hashed.append(n)
        for capture in record.captures:
            index = self._warc_index.setdefault(capture.warc_file, len(self.warc_files))
            if index == len(self.warc_files):
                self.warc_files.append(capture.warc_file)
            self._capture_file.append(index)
            self._capture_offset.append(capture.warc_offset)
        self._first_capture.append(len(self._capture_file))

    def file(self, n: int) -> str:
        return self.files[self._file[n]]

    def where(self, n: int) -> str:
        """Where record n is: "records/<site>/<file>.jsonl:<line number>"."""
        return f"{self.file(n)}:{self._number[n]}"

    def line(self, n: int) -> str:
        """The line of record n, as it was read."""
        file = self._file[n]
        handle = self._handles.pop(file, None)
        if handle is None:
            if len(self._handles) >= _OPEN_FILES:  # the one used least recently is closed
                self._handles.pop(next(iter(self._handles))).close()
            handle = (self.root / self.files[file]).open(encoding="utf-8")
        self._handles[file] = handle  # last: the most recently used
        position = self._position[n]
        handle.seek(self._far[n] if position < 0 else position)
        return handle.readline().rstrip("\n")

    def record(self, n: int) -> Article:
        return Article.model_validate_json(self.line(n))

    def capture_ids(self, n: int) -> tuple[str, ...]:
        return capture_ids_of(self.line(n))

    def captures(self, n: int) -> Iterator[tuple[int, str, int]]:
        """(index among the record's captures, WARC file, offset) of each capture of record n."""
        for i in range(self._first_capture[n], self._first_capture[n + 1]):
            file = self.warc_files[self._capture_file[i]]
            yield i - self._first_capture[n], file, self._capture_offset[i]

    def candidates(self, ids: tuple[str, ...]) -> list[int]:
        """The records of the current extractor whose capture ids hash as `ids` do, in order:
        those whose captures are `ids`, and maybe others (`capture_ids` tells)."""
        if not self._sorted:
            order = sorted(range(len(self._hashes)), key=self._hashes.__getitem__)
            self._hashes = array("q", (self._hashes[i] for i in order))
            self._hashed = array("I", (self._hashed[i] for i in order))
            self._sorted = True
        key = hash(ids)
        i = bisect_left(self._hashes, key)
        found: list[int] = []
        while i < len(self._hashes) and self._hashes[i] == key:
            found.append(self._hashed[i])
            i += 1
        return found

    def unindexed(self, indexed: Iterable[tuple[str, int]]) -> set[tuple[str, int]]:
        """(WARC file, offset) of the captures of these records that `indexed` does not give."""
        places = [array("q") for _ in self.warc_files]
        for file, offset in zip(self._capture_file, self._capture_offset, strict=True):
            places[file].append(offset)
        places = [array("q", sorted(set(offsets))) for offsets in places]
        seen = [bytearray(len(offsets)) for offsets in places]
        for name, offset in indexed:
            index = self._warc_index.get(name)
            if index is not None:
                i = bisect_left(places[index], offset)
                if i < len(places[index]) and places[index][i] == offset:
                    seen[index][i] = 1
        return {
            (self.warc_files[file], offset)
            for file, offsets in enumerate(places)
            for offset, found in zip(offsets, seen[file], strict=True)
            if not found
        }

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()
        self._handles.clear()
