"""The scans of an archive's WARC files, one held in memory at a time: read from the scan cache.

`verify` and `reextract` look at every WARC file's scan (archiver.warc.scan.FileScan) several
times: the articles a file holds, revisits and their originals, the planning of re-extraction.
Held all at once they cost about 650 bytes per captured page, so `ScanSet` keeps only their
names and reads a scan again from the cache (archiver.offline.ledger) each time it is needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload

from archiver.offline.articles import counted
from archiver.offline.ledger import FileKeyValue, cached_scan, save_scan
from archiver.sites.urls import ArticleUrl
from archiver.warc.scan import FileScan, Originals, RecordMeta, scan_file


class ScanSet(Sequence[FileScan]):
    """The scans of some WARC files under `root`, in the order they were added.

    A scan is saved to the cache when added and read back from it on each access; one that
    cannot be saved (a read-only archive, a full disk) is kept in memory instead. Should its
    cache file be gone or replaced by then, the file is scanned again.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.names: list[str] = []
        self.keys: dict[str, FileKeyValue] = {}
        self.held: dict[str, FileScan] = {}

    def add(self, scan: FileScan, key: FileKeyValue) -> None:
        """A scan just made from the file whose key is `key`."""
        self.names.append(scan.warc_file)
        if save_scan(self.root, scan, key):
            self.keys[scan.warc_file] = key
        else:
            self.held[scan.warc_file] = scan

    def add_saved(self, name: str, key: FileKeyValue) -> None:
        """A file whose cached scan was made from the file as it is (`cached_scan` found it)."""
        self.names.append(name)
        self.keys[name] = key

    def arrange(self, names: list[str]) -> None:
        """Put the scans in the order of `names` (those added that are not there are dropped)."""
        self.names = [name for name in names if name in self.keys or name in self.held]

    def load(self, name: str) -> FileScan:
        held = self.held.get(name)
        if held is not None:
            return held
        scan = cached_scan(self.root, name, self.keys[name])
        return scan if scan is not None else scan_file(self.root, name)

    def __len__(self) -> int:
        return len(self.names)

    @overload
    def __getitem__(self, index: int) -> FileScan: ...

    @overload
    def __getitem__(self, index: slice) -> list[FileScan]: ...

    def __getitem__(self, index: int | slice) -> FileScan | list[FileScan]:
        if isinstance(index, slice):
            return [self.load(name) for name in self.names[index]]
        return self.load(self.names[index])

    def __iter__(self) -> Iterator[FileScan]:
        return (self.load(name) for name in self.names)


def counted_records(scans: Iterable[FileScan]) -> Iterator[tuple[RecordMeta, ArticleUrl]]:
    """Every record of `scans` that counts for an article (`counted`), with its article URL,
    in scan order."""
    for scan in scans:
        for meta in scan.records:
            url = counted(meta)
            if url is not None:
                yield meta, url


def originals_for(scans: Iterable[FileScan], revisits: Iterable[RecordMeta]) -> Originals:
    """An `Originals` that finds for each of `revisits` what one made from every record of
    `scans` finds, holding only the responses those revisits may stand for."""
    ids: set[str] = set()
    places: set[tuple[str, str]] = set()
    for revisit in revisits:
        if revisit.refers_to:
            ids.add(revisit.refers_to)
        places.add((revisit.refers_to_uri or revisit.url, revisit.refers_to_date or ""))
    originals = Originals()
    if not ids and not places:
        return originals
    for scan in scans:
        for meta in scan.records:
            if meta.record_id in ids or (meta.url, meta.date) in places:
                originals.add(meta)
    return originals
