"""Per article, where its records pass from an older extractor version to the current one.

`verify` re-extracts each article from where the crawl's records passed to this extractor
version (`archiver.offline.reextract.Baseline`). Found from every record `verify` reads, held
as a few fields a record while they are read, then as the WARC-Record-ID where numbering starts
(and where the older record's line is, read when its article is re-extracted).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path

from archiver.offline.reextract import Baseline
from archiver.record import Article

ArticleKey = tuple[str, str]
Place = tuple[str, int]  # a records file (relative to the root) and a line's text position
# (first capture's fetched_at, version, made by the current extractor, first capture's
# WARC-Record-ID, where its line is: only for a record of an older extractor)
_Seen = tuple[datetime, int, bool, str, Place | None]


class BaselineFinder:
    """Collects the records of each article (`add`), then finds the baselines (`baselines`)."""

    def __init__(self) -> None:
        self._seen: dict[ArticleKey, _Seen | list[_Seen]] = {}

    def add(self, key: ArticleKey, record: Article, current: bool, place: Place) -> None:
        """One record of article `key`, in the order read; `current`: made by the current
        extractor version; `place`: where its line is. A record without captures is left out."""
        if not record.captures:
            return
        first = record.captures[0]
        seen: _Seen = (
            first.fetched_at,
            record.version,
            current,
            first.warc_record_id,
            None if current else place,
        )
        before = self._seen.setdefault(key, seen)
        if before is not seen:
            if isinstance(before, list):
                before.append(seen)
            else:
                self._seen[key] = [before, seen]

    def baselines(self, root: Path) -> Baselines:
        """Records of one article are taken in capture order; the last place where a record of
        the current version follows one of another version is the baseline `reextract`
        numbers versions from, as the crawl (archiver.store.versions) did; else, when the first
        record is a version 1 of the current version, its first capture (earlier captures had
        no record). What was collected is let go."""
        found: dict[ArticleKey, str | tuple[str, Place]] = {}
        for key in list(self._seen):
            held = self._seen.pop(key)
            items = held if isinstance(held, list) else [held]
            items.sort(key=lambda item: (item[0], item[1]))
            start: str | tuple[str, Place] | None = None
            if items[0][1] == 1 and items[0][2]:
                # Captures before the first record were never recorded (the run was killed or
                # stopped by a full disk before it could): the crawl numbered from this one.
                start = items[0][3]
            for before, after in itertools.pairwise(items):
                if not before[2] and after[2] and before[4] is not None:
                    start = (after[3], before[4])
            if start is not None:
                found[key] = start
        self._seen = {}
        return Baselines(root, found)


class Baselines(Mapping[ArticleKey, Baseline]):
    """The baselines found, each made when it is asked for: an older record's line is read
    from its records file then, not held."""

    def __init__(self, root: Path, found: dict[ArticleKey, str | tuple[str, Place]]) -> None:
        self.root = root
        self._found = found

    def __getitem__(self, key: ArticleKey) -> Baseline:
        found = self._found[key]
        if isinstance(found, str):
            return Baseline(None, found)
        start, (file, position) = found
        with (self.root / file).open(encoding="utf-8") as fh:
            fh.seek(position)
            return Baseline(fh.readline().rstrip("\n"), start)

    def __len__(self) -> int:
        return len(self._found)

    def __iter__(self) -> Iterator[ArticleKey]:
        return iter(self._found)
