"""Records from one WARC file or one saved HTML page, offline (`archiver extract FILE`)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from archiver.layout import ArchiveLayout
from archiver.offline.articles import file_pages, group_articles
from archiver.page import CapturedPage
from archiver.record import Article
from archiver.sites.extract import ExtractionError, extract_article
from archiver.warc.raw import WarcReadError

SNIFF = 4096
"""Bytes read to tell a WARC file from an HTML page or a binary file."""


def is_warc(head: bytes) -> bool:
    """True when `head` (the first SNIFF bytes of a file) starts a WARC file, gzipped or not."""
    if head.startswith(b"WARC/"):
        return True
    if head.startswith(b"\x1f\x8b"):
        try:
            return zlib.decompressobj(31).decompress(head, 16).startswith(b"WARC/")
        except zlib.error:
            return False
    return False


@dataclass(frozen=True)
class Skipped:
    """An article whose pages gave no record: its first page's URL and the reason slug."""

    url: str
    reason: str


def extract_warc(path: Path, root: Path) -> Iterator[Article | Skipped]:
    """Each article of the WARC file at `path`, extracted, as `archiver.offline.articles`
    groups it (`group_articles`: each article once, as soon as its pager says it is complete).

    Captures name the file relative to `warc_root_for(path, root)`. A file cut or damaged
    mid-record yields every article read before the damage, then raises WarcReadError.
    """
    damage: list[WarcReadError] = []
    too_large: list[str] = []

    def readable() -> Iterator[CapturedPage]:
        # Stop at the damage but keep what came before: those articles are still extracted.
        # A page cut short (WARC-Truncated) is never extracted; a body over the decoded-size
        # limit is left out by file_pages and reported below.
        try:
            for read in file_pages(path, _warc_file(path, warc_root_for(path, root)), too_large):
                if not read.truncated:
                    yield read.page
        except WarcReadError as exc:
            damage.append(exc)

    for pages in group_articles(readable()):
        try:
            yield extract_article(pages)
        except ExtractionError as exc:
            yield Skipped(pages[0].url, exc.reason)
    for url in too_large:
        yield Skipped(url, "too-large")
    if damage:
        raise damage[0]


def warc_root_for(path: Path, root: Path) -> Path | None:
    """The archive root captures name the WARC file relative to, or None (the bare file name).

    `root` when `path` lies under it; else `<root>` when `path` is `<root>/warc/<spider>/<file>`
    (the crawl's layout), so that `extract FILE` without --dir gives the crawl's warc_file.
    """
    resolved = path.resolve()
    try:
        ArchiveLayout(root.resolve()).relative(resolved)
    except ValueError:
        pass
    else:
        return root
    candidate = resolved.parent.parent.parent
    if ArchiveLayout(candidate).warc_dir(resolved.parent.name) == resolved.parent:
        return candidate
    return None


def _warc_file(path: Path, root: Path | None) -> str:
    return path.name if root is None else ArchiveLayout(root).relative(path)


def extract_html(path: Path, url: str) -> Article:
    """The record of the saved HTML page at `path`, served from `url`; no captures.

    Raises ExtractionError (or NotAnArticle) when the page holds no article, OSError when it
    cannot be read.
    """
    return extract_article([CapturedPage(url=url, body=path.read_bytes())])
