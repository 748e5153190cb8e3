"""`archiver extract FILE`: records from a WARC file or one HTML page, offline."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from archiver.errors import CommandError
from archiver.page import CapturedPage
from archiver.sites.extract import ExtractionError, extract_article
from archiver.sites.urls import absolute_url, parse_article_url
from archiver.warc.reader import WarcReadError, iter_captures

# Enough to tell text from binary and to recognise a WARC file.
_SNIFF = 4096
_HREF = re.compile(rb"""href\s*=\s*["']([^"'<>]+)["']""", re.I)


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
    """The archive root captures name the WARC file relative to, or None (the bare file name).

    `root` when `path` lies under it; else `<root>` when `path` is `<root>/warc/<spider>/<file>`
    (the crawl's layout), so that `extract FILE` without --dir gives the crawl's warc_file.
    """
    resolved = path.resolve()
    try:
        resolved.relative_to(root.resolve())
    except ValueError:
        pass
    else:
        return root
    if resolved.parent.parent.name == "warc":
        return resolved.parent.parent.parent
    return None


def group_articles(captures: Iterable[CapturedPage]) -> Iterator[list[CapturedPage]]:
    """Successful (200) article responses grouped into articles (pages in page order).

    An article is emitted as soon as it is complete: page 1 and every page up to the highest
    page number its pages' pager links name (one page when they name none), so memory holds
    only the articles still being fetched when the WARC was written (and the keys of those
    emitted). A later capture of a page not yet emitted replaces the earlier one; captures of
    an article already emitted are skipped (one group per article, as a crawl fetches each
    article once per run). At the end of the file the incomplete articles follow,
    in the order their first capture appears (those without page 1 are dropped). The order is
    thus fixed by the file: the same WARC always gives the same output, byte for byte.
    """
    articles: dict[tuple[str, str], dict[int, CapturedPage]] = {}
    last_page: dict[tuple[str, str], int] = {}
    emitted: set[tuple[str, str]] = set()
    for page in captures:
        article = parse_article_url(page.url)
        if article is None or page.status != 200:
            continue
        key = (article.site, article.article_id)
        if key in emitted:
            continue
        pages = articles.setdefault(key, {})
        pages[article.page] = page
        last_page[key] = max(last_page.get(key, 1), _last_linked_page(page, article.article_id))
        if all(n in pages for n in range(1, last_page[key] + 1)):
            del articles[key], last_page[key]
            emitted.add(key)
            yield [pages[n] for n in sorted(pages)]
    for pages in articles.values():
        if 1 in pages:
            yield [pages[n] for n in sorted(pages)]


def _last_linked_page(page: CapturedPage, article_id: str) -> int:
    # The highest page of the same article the page links to (its pager), as the spider reads
    # it: every page up to that one exists.
    last = 1
    for href in _HREF.findall(page.body):
        linked = parse_article_url(absolute_url(href.decode("latin-1"), page.url))
        if linked is not None and linked.article_id == article_id:
            last = max(last, linked.page)
    return last
