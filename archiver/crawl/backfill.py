"""mode=backfill over paginated section lists, resumable: one cursor per section in the index.

A spider that lists articles on paginated sections (China Daily) inherits `ListBackfillSpider`
and says where its sections and their pages are; this module keeps the cursors, each walked by
one worker at a time (archiver/crawl/cursor_claims.py). The id walk of
sites whose article ids are numbers is in archiver/crawl/idwalk.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from scrapy import Request

from archiver.crawl.spider import ArchiveSpider

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from archiver.crawl.args import CrawlArgs

# request.meta keys: the section a backfill list page (or an article listed on it) belongs to
# (its cursor's name), the list page number, and the page the run started the section at.
_SECTION = "archiver_backfill_section"
_PAGE = "archiver_backfill_page"
_START = "archiver_backfill_start"


def cursor_name(site: str, args: CrawlArgs, *scope: str) -> str:
    """`backfill:<site>:<since>:<until>[:<scope>]`: one cursor per site, window (and section)."""
    return ":".join(["backfill", site, str(args.since), str(args.until), *scope])


class SectionProgress:
    """One section's backfill in this run: which list pages still have articles in flight."""

    def __init__(self, start: int) -> None:
        self.start = start
        self.listed = start - 1  # highest list page parsed
        self.finished = False  # no next page, or the list is older than since
        self.pending: dict[int, int] = {}  # list page -> its articles not settled yet

    def cursor(self) -> str:
        """Where a rerun starts: the first page with an unsettled article, else the next page
        to list; "done" only once the list is finished and every article settled."""
        waiting = [page for page, count in self.pending.items() if count > 0]
        if waiting:
            return str(min(waiting))
        if self.finished:
            return "done"
        return str(max(self.start, self.listed + 1))


class ListBackfillSpider(ArchiveSpider):
    """Each section's list from the page an interrupted backfill reached (its cursor), deeper.

    The cursor names the first list page some of whose articles are not yet settled (fetched,
    or failed for good), so a stop at any moment (time box, CLOSESPIDER_*, kill) loses no
    article: a rerun lists that page again and skips what is archived. List requests have
    priority -page, below articles (0), so a page's articles are fetched before the next list
    page and the cursor keeps up.

    Subclasses implement `section_urls()` and `list_page_url()`; their `parse_list` passes each
    article request through `listed_article` and asks `next_list_request` for the next page.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._progress: dict[str, SectionProgress] = {}

    def section_urls(self) -> list[str]:
        """The first list page of every section to crawl."""
        raise NotImplementedError

    def list_page_url(self, section: str, page: int) -> str:
        """The URL of list page `page` (> 1) of `section`."""
        raise NotImplementedError

    def default_requests(self) -> Iterable[Request]:
        for url in self.section_urls():
            yield self.list_request(url, depth=1, priority=-1)

    def backfill_requests(self) -> Iterable[Request]:
        for url in self.section_urls():
            saved = self.cursor_claims.resume(cursor_name(self.site, self.args, url))
            if saved is None or saved == "done":
                continue  # walked by another worker, or finished
            page = int(saved) if saved and saved.isdigit() else 1
            self._progress[url] = SectionProgress(page)
            start = url if page == 1 else self.list_page_url(url, page)
            request = self.list_request(start, depth=page, priority=-page)
            request.meta.update({_SECTION: url, _START: page})
            yield request

    def listed_article(self, request: Request, response: Response) -> Request:
        """`request` (an article found on list page `response`), tracked by a backfill."""
        section: str = response.meta.get(_SECTION) or ""
        progress = self._progress.get(section)
        if progress is not None:
            # Settled when its callback yields no further page request, or its errback runs.
            page = self.list_depth(response)
            progress.pending[page] = progress.pending.get(page, 0) + 1
            request.meta.update({_SECTION: section, _PAGE: page})
            request.callback = self._backfill_article
            request.errback = self._backfill_failed
        return request

    def next_list_request(
        self, response: Response, next_page: str | None, deeper: bool
    ) -> Request | None:
        """The request of the list page after `response`, or None where the list stops here.

        `deeper` is False once the list is older than since=. The page limit counts pages
        listed in this run, so a resumed backfill goes on; hitting it is not the end of the
        list: the cursor keeps its page.
        """
        depth = self.list_depth(response)
        section: str = response.meta.get(_SECTION) or ""
        start = int(response.meta.get(_START, 1))
        within_limit = depth - start + 1 < self.args.list_page_limit
        progress = self._progress.get(section)
        if progress is not None:
            progress.listed = max(progress.listed, depth)
            progress.finished = not (next_page and deeper)
            self._save_cursor(section, progress)
            if section not in self._progress:
                return None  # another worker took the section over
        if not (next_page and within_limit and deeper):
            return None
        request = self.list_request(next_page, depth=depth + 1, priority=-(depth + 1))
        if section:
            request.meta.update({_SECTION: section, _START: start})
        return request

    def _backfill_article(self, response: Response) -> Iterator[Any]:
        out = list(self._parse_article(response))
        if not any(isinstance(item, Request) for item in out):
            self._settle(response.meta)
        yield from out

    def _backfill_failed(self, failure: Failure) -> Iterator[Any]:
        out = list(self._article_failed(failure))
        self._settle(failure.request.meta)  # type: ignore[attr-defined]
        yield from out

    def _settle(self, meta: dict[str, Any]) -> None:
        section: str = meta.get(_SECTION) or ""
        page = meta.get(_PAGE)
        progress = self._progress.get(section)
        if progress is None or page is None:
            return
        progress.pending[page] -= 1
        self._save_cursor(section, progress)

    def _save_cursor(self, section: str, progress: SectionProgress) -> None:
        name = cursor_name(self.site, self.args, section)
        if not self.cursor_claims.save(name, progress.cursor()):
            # Another worker took the section over: no further list page of it from this one.
            self._progress.pop(section, None)
