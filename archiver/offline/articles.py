"""From WARC captures to articles: `article_captures`, the one grouping rule of every command."""

# extract FILE, fixtures add, reextract and verify all group with `article_captures`; its
# docstring states the rule, and README "From WARC records to articles" points to it.

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from archiver.page import CapturedPage
from archiver.sites.urls import ArticleUrl, absolute_url, article_url, parse_article_url
from archiver.warc.raw import iter_records, read_record_at
from archiver.warc.reader import BodyTooLarge, page_from_record
from archiver.warc.scan import Originals, RecordMeta, load_page, record_meta, revisit_page

_HREF = re.compile(rb"""href\s*=\s*["']([^"'<>]+)["']""", re.I)


class Captured(Protocol):
    """What grouping needs of a captured page: its URL and HTTP status."""

    @property
    def url(self) -> str: ...

    @property
    def status(self) -> int | None: ...


P = TypeVar("P", bound=Captured)


def counted(page: Captured) -> ArticleUrl | None:
    """The article URL of `page` when it counts for an article (an article page answered 200,
    its body not cut short: a WARC-Truncated capture is evidence, never a record)."""
    if page.status != 200 or getattr(page, "truncated", False):
        return None
    return article_url(page.url)  # not cached: see article_url


@dataclass
class ArticleCapture(Generic[P]):
    """One capture of one article: its pages by page number."""

    site: str
    article_id: str
    pages: dict[int, P] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.site, self.article_id)

    def in_order(self) -> list[P]:
        """The pages in page order, page 1 first."""
        return [self.pages[n] for n in sorted(self.pages)]


def article_captures(
    captures: Iterable[P], complete: Callable[[ArticleCapture[P]], bool] | None = None
) -> Iterator[ArticleCapture[P]]:
    """Group captured pages, given in capture order, into captures of articles.

    The rule, the same for every command:
    - Only article pages answered 200 count (`counted`). A revisit counts as the capture it
      is, with its original's body; a revisit whose original cannot be found is not given.
    - Capture order is WARC-Date, then file, then offset; within one WARC file that is file
      order (the writer dates a record when it writes it).
    - A page 1 starts a new capture of its article, unless the article's latest capture has
      no page 1 yet (its other pages came first), which it then joins. Any other page joins
      the article's latest capture, or begins one; a page already there is replaced (of a
      retried page, the last answer 200 is the page).
    - A capture is yielded when it closes: when the next page 1 of its article starts another
      capture, or at the end (those still open, in the order their first page came). With
      `complete`, a capture is also yielded as soon as `complete(capture)` is true after a page
      joined it, and pages other than page 1 that would join it later are dropped: memory then
      holds only the captures still being read. A capture without page 1 is never yielded.
    The output is fixed by the input: the same captures always give the same groups.
    """
    open_captures: dict[tuple[str, str], ArticleCapture[P]] = {}
    yielded_early: set[tuple[str, str]] = set()
    for page in captures:
        url = counted(page)
        if url is None:
            continue
        key = (url.site, url.article_id)
        current = open_captures.get(key)
        if url.page == 1 and current is not None and 1 in current.pages:
            yield open_captures.pop(key)
            current = None
        if current is None:
            if url.page != 1 and key in yielded_early:
                continue
            yielded_early.discard(key)
            current = open_captures[key] = ArticleCapture(url.site, url.article_id)
        current.pages[url.page] = page
        if complete is not None and complete(current):
            del open_captures[key]
            yielded_early.add(key)
            yield current
    yield from (capture for capture in open_captures.values() if 1 in capture.pages)


def complete_by_pager(capture: ArticleCapture[CapturedPage]) -> bool:
    """True when the capture holds page 1 and every page up to the highest page of the same
    article its pages link to (their pager), as the spider reads it."""
    last = max(_last_linked_page(page, capture.article_id) for page in capture.pages.values())
    return all(n in capture.pages for n in range(1, last + 1))


def _last_linked_page(page: CapturedPage, article_id: str) -> int:
    last = 1
    for href in _HREF.findall(page.body):
        linked = parse_article_url(absolute_url(href.decode("latin-1"), page.url))
        if linked is not None and linked.article_id == article_id:
            last = max(last, linked.page)
    return last


def group_articles(captures: Iterable[CapturedPage]) -> Iterator[list[CapturedPage]]:
    """Each article once, its pages in page order, as `archiver extract FILE` prints them.

    Grouped by `article_captures`, a capture yielded as soon as its pager says it is complete
    (`complete_by_pager`), so memory holds only the articles still being read; of an article
    captured more than once, the first capture yielded is taken, the others skipped.
    """
    taken: set[tuple[str, str]] = set()
    for capture in article_captures(captures, complete_by_pager):
        if capture.key not in taken:
            taken.add(capture.key)
            yield capture.in_order()


@dataclass(frozen=True, slots=True)
class PageRef:
    """One captured page as the archive holds it: a record, and the response it stands for
    when it is a revisit. No body: `load` reads it."""

    record: RecordMeta
    original: RecordMeta | None = None

    @property
    def url(self) -> str:
        return self.record.url

    @property
    def status(self) -> int | None:
        return self.record.status

    @property
    def truncated(self) -> bool:
        return self.record.truncated

    def load(self, root: Path) -> CapturedPage:
        """The page, body decoded (a revisit's from its original); WarcReadError if unreadable."""
        return load_page(root, self.record, self.original)


def archive_pages(
    records: Iterable[RecordMeta], originals: Originals, problems: list[str]
) -> Iterator[PageRef]:
    """The captured pages of scanned records, revisits paired with their original.

    A revisit that would count (`counted`) but has no original is left out and noted in
    `problems` ("<file> @<offset>: revisit of <url>: no original")."""
    for meta in records:
        if meta.type != "revisit":
            yield PageRef(meta)
        elif counted(meta) is not None:
            original = originals.original(meta)
            if original is None:
                problems.append(
                    f"{meta.warc_file} @{meta.offset}: revisit of {meta.url}: no original"
                )
                continue
            yield PageRef(meta, original)


@dataclass(frozen=True)
class FilePage:
    """A page read from one WARC file, with its body bytes as received (still content-encoded;
    a revisit's are its original's)."""

    page: CapturedPage
    payload: bytes
    truncated: bool = False

    @property
    def url(self) -> str:
        return self.page.url

    @property
    def status(self) -> int | None:
        return self.page.status


def file_pages(
    path: Path, warc_file: str, too_large: list[str] | None = None
) -> Iterator[FilePage]:
    """Every page captured in the WARC file at `path`, in file order.

    Responses, and revisits whose original response is earlier in the same file (a revisit of a
    capture in another file is left out: `archiver reextract` reads the whole archive).
    `warc_file` is what the pages' CaptureRefs name the file. A body inflating past the
    decoded-size limit is left out, its URL appended to `too_large`. Raises WarcReadError at
    damage, after yielding every page before it.
    """
    originals = Originals()
    for record in iter_records(path):
        if record.type not in ("response", "revisit") or not record.target_uri.startswith("http"):
            continue
        meta = record_meta(record, warc_file)
        if record.type == "response":
            originals.add(meta)
            if record.has_http:
                page = _bounded(
                    partial(page_from_record, record, path, warc_file), meta.url, too_large
                )
                if page is not None:
                    yield FilePage(page, record.payload, meta.truncated)
            continue
        original = originals.original(meta) if counted(meta) is not None else None
        if original is not None:
            source = read_record_at(path, original.offset)
            page = _bounded(partial(revisit_page, record, path, meta, source), meta.url, too_large)
            if page is not None:
                yield FilePage(page, source.payload, meta.truncated)


def _bounded(
    read: Callable[[], CapturedPage], url: str, too_large: list[str] | None
) -> CapturedPage | None:
    # A bomb is archived as received and skipped here: never parsed, never damage.
    try:
        return read()
    except BodyTooLarge:
        if too_large is not None:
            too_large.append(url)
        return None
