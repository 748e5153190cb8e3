"""One version of a record, read from the records file the index names (never a path a
request gives)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from archiver.record import Article


def _inside(root: Path, relative: str) -> Path | None:
    """root/relative when it lies under root (the index is trusted, but checked), else None."""
    base = root.resolve()
    path = (base / relative).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None


CHUNK = 1 << 20
"""Bytes read at a time when a records file is searched: memory stays flat in its size."""


def record_line(root: Path, record_file: str, article_id: str, version: int) -> str | None:
    """The JSON line of one version of an article in `record_file` (relative to `root`), or
    None. The file is searched as bytes for the article id, CHUNK bytes at a time (a scan at
    memory speed, not a parse of every line, in constant memory); only the lines holding the
    id are parsed. A last line without its newline (a crawl still writing it) is not read."""
    path = _inside(root, record_file)
    if path is None:
        return None
    needle = b'"article_id":' + json.dumps(article_id).encode("utf-8")
    with path.open("rb") as handle:
        for line in _lines_with(handle, needle):
            fields = json.loads(line)
            if fields.get("article_id") == article_id and fields.get("version") == version:
                return line.decode("utf-8")
    return None


def _lines_with(handle: BinaryIO, needle: bytes) -> Iterator[bytes]:
    """Every complete line of the file that contains `needle`, in file order."""
    pending = b""  # the unfinished last line of what was read so far
    while chunk := handle.read(CHUNK):
        data = pending + chunk
        complete = data.rfind(b"\n") + 1
        pending = data[complete:]
        at = data.find(needle, 0, complete)
        while at != -1:
            start = data.rfind(b"\n", 0, at) + 1
            end = data.index(b"\n", at)
            yield data[start:end]
            at = data.find(needle, end, complete)


def load_record(root: Path, record_file: str, article_id: str, version: int) -> Article | None:
    """One version's record (see `record_line`), validated, or None when not found."""
    line = record_line(root, record_file, article_id, version)
    return None if line is None else Article.model_validate_json(line)
