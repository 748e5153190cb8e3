"""Earlier versions of a record, read from the records file the index names (never a path a
request gives)."""

from __future__ import annotations

import json
import mmap
from pathlib import Path

from archiver.record import Article


def _inside(root: Path, relative: str) -> Path | None:
    """root/relative when it lies under root (the index is trusted, but checked), else None."""
    base = root.resolve()
    path = (base / relative).resolve()
    return path if path.is_relative_to(base) and path.is_file() else None


def record_line(root: Path, record_file: str, article_id: str, version: int) -> str | None:
    """The JSON line of one version of an article in `record_file` (relative to `root`), or
    None. The file is searched as bytes for the article id (memory-mapped, so a large file costs
    a scan at memory speed, not a parse of every line); only matching lines are parsed."""
    path = _inside(root, record_file)
    if path is None:
        return None
    needle = b'"article_id":' + json.dumps(article_id).encode("utf-8")
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return None
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            at = data.find(needle)
            while at != -1:
                start = data.rfind(b"\n", 0, at) + 1
                end = data.find(b"\n", at)
                if end == -1:
                    return None  # an unfinished last line: a crawl is writing it
                line = data[start:end].decode("utf-8")
                fields = json.loads(line)
                if fields.get("article_id") == article_id and fields.get("version") == version:
                    return line
                at = data.find(needle, end)
    return None


def load_record(root: Path, record_file: str, article_id: str, version: int) -> Article | None:
    """One version's record (see `record_line`), validated, or None when not found."""
    line = record_line(root, record_file, article_id, version)
    return None if line is None else Article.model_validate_json(line)
