"""`archiver extract FILE`: records from a WARC file or one HTML page, offline."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from archiver.errors import CommandError
from archiver.extract import ExtractionError, extract_article
from archiver.page import CapturedPage
from archiver.urls import parse_article_url
from archiver.warc.reader import WarcReadError, iter_captures

# Enough to tell text from binary and to recognise a WARC file.
_SNIFF = 4096


def extract_file(path: Path, url: str | None, root: Path) -> int:
    """Print the records of `path` as JSON Lines; 0 if all went well, 1 otherwise.

    One-line errors go to stderr. A WARC cut mid-record still prints every record complete
    before the damage, then fails.
    """
    try:
        head = path.open("rb").read(_SNIFF)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not head:
        raise CommandError(f"{path} is empty")
    if _is_warc(head):
        return _extract_warc(path, root)
    if url is None:
        raise CommandError(f"{path} is not a WARC file; for an HTML page give its --url")
    if b"\x00" in head:
        raise CommandError(f"{path} is binary, neither a WARC file nor an HTML page")
    if parse_article_url(url) is None:
        raise CommandError(f"--url {url} is not an article URL of China Daily or Global Times")
    page = CapturedPage(url=url, body=path.read_bytes())
    try:
        record = extract_article([page])
    except ExtractionError as exc:
        raise CommandError(f"no article in {path}: {exc.reason}: {exc}") from None
    print(record.to_json_line())
    return 0


def _is_warc(head: bytes) -> bool:
    if head.startswith(b"WARC/"):
        return True
    if head.startswith(b"\x1f\x8b"):
        import zlib

        try:
            return zlib.decompressobj(31).decompress(head, 16).startswith(b"WARC/")
        except zlib.error:
            return False
    return False


def _extract_warc(path: Path, root: Path) -> int:
    damage: list[WarcReadError] = []

    def readable() -> Iterator[CapturedPage]:
        # Stop at the damage but keep what came before: those records are still printed.
        try:
            yield from iter_captures(path, root=_root_for(path, root))
        except WarcReadError as exc:
            damage.append(exc)

    for pages in group_articles(readable()):
        try:
            record = extract_article(pages)
        except ExtractionError as exc:
            print(f"archiver: skipped {pages[0].url}: {exc.reason}", file=sys.stderr)
            continue
        print(record.to_json_line(), flush=True)
    if damage:
        raise CommandError(str(damage[0]))
    return 0


def _root_for(path: Path, root: Path) -> Path | None:
    # Captures name WARC files relative to the archive root when the file lies under it.
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    return root


def group_articles(captures: Iterable[CapturedPage]) -> Iterator[list[CapturedPage]]:
    """Successful article responses grouped into articles (pages in page order).

    An article is emitted once all the WARC has been read, in the order its first page appears;
    a later capture of the same page replaces the earlier one.
    """
    articles: dict[tuple[str, str], dict[int, CapturedPage]] = {}
    for page in captures:
        article = parse_article_url(page.url)
        if article is None or page.status != 200:
            continue
        articles.setdefault((article.site, article.article_id), {})[article.page] = page
    for pages in articles.values():
        if 1 in pages:
            yield [pages[n] for n in sorted(pages)]
