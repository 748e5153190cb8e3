"""What both spiders share: arguments, once-per-run article fetching, multi-page assembly."""

from __future__ import annotations

import logging
from calendar import monthrange
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy import Request, Spider
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object

from archiver.crawl.args import SCRAPYD_ARGUMENTS, CrawlArgs, parse_crawl_args
from archiver.crawl.claims import ArticleClaims
from archiver.crawl.cursor_claims import CursorClaims
from archiver.crawl.pages import captured_page
from archiver.crawl.scaleout import claims_for
from archiver.record import CaptureRef, Site
from archiver.sites.registry import site_info
from archiver.sites.urls import ArticleUrl, parse_article_url
from archiver.store.events import DELETION_STATUSES
from archiver.store.index.crawl import SETTINGS_DEFAULTS as INDEX_SETTINGS
from archiver.store.index.crawl import crawl_index, not_article_key
from archiver.store.items import ArticleGone, ArticlePages

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from archiver.store.index.archive_index import ArchiveIndex

logger = logging.getLogger(__name__)

# request.meta keys this module owns.
_ARTICLE = "archiver_article"
_PAGES = "archiver_pages"
_HINTS = "archiver_hints"
_DEPTH = "archiver_list_depth"


class ArchiveSpider(Spider):
    """Base of the site spiders. Subclasses say where articles are listed; this class fetches them.

    Subclasses implement `default_requests()` (start pages when no urls= is given),
    `parse_list()` (a list, section, sitemap or feed page: yield article and list requests via
    `article_request` / `list_request`) and, for multi-page sites, `more_pages()`.
    """

    site: ClassVar[Site]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        known = {key: kwargs.pop(key) for key in list(kwargs) if key in CrawlArgs.model_fields}
        super().__init__(*args, **kwargs)
        self.args: CrawlArgs = parse_crawl_args(self.site, known)
        self._claims: ArticleClaims | None = None
        self._cursor_claims: CursorClaims | None = None
        self._seen_archived: set[tuple[str, str]] = set()
        self._scheduled = 0

    @property
    def claims(self) -> ArticleClaims:
        """Once-per-run article bookkeeping: this process's, or shared in Redis when scaled out."""
        if self._claims is None:
            self._claims = claims_for(self.crawler, self.name)
        return self._claims

    @property
    def cursor_claims(self) -> CursorClaims:
        """The backfill cursors this worker walks: claimed in the index, released at close."""
        if self._cursor_claims is None:
            self._cursor_claims = CursorClaims(self)
        return self._cursor_claims

    @classmethod
    def check_arguments(cls, raw: dict[str, Any]) -> None:
        """Validate `-a` arguments before the crawl starts (Scrapyd's `_job` and `_version` are
        accepted); raises SpiderArgumentError."""
        parse_crawl_args(cls.site, {k: v for k, v in raw.items() if k in CrawlArgs.model_fields})
        if set(raw) - set(CrawlArgs.model_fields) - SCRAPYD_ARGUMENTS:
            parse_crawl_args(cls.site, raw)  # raises the one-line "unknown argument" error

    @property
    def index(self) -> ArchiveIndex | None:
        """The archive index (what is archived already), or None when it is switched off."""
        return crawl_index(self.crawler)

    def now(self) -> datetime:
        """The crawl's clock (ARCHIVER_CLOCK, as the WARC writer uses), timezone-aware."""
        clock = self.settings.get("ARCHIVER_CLOCK")
        moment: datetime = load_object(clock)() if clock else datetime.now().astimezone()
        return moment

    async def start(self) -> AsyncIterator[Request]:
        if not self.args.urls:
            if self.args.mode == "refresh":
                for request in self.refresh_requests():
                    yield request
            starts = self.backfill_requests if self.args.mode == "backfill" else None
            for request in (starts or self.default_requests)():
                if not self._missing_list(request.url):
                    yield request
            return
        for url in self.args.urls:
            if parse_article_url(url) is None:
                yield self.list_request(url, depth=1)
                continue
            article = self.article_request(url, forced=True)
            if article is not None:
                yield article

    # -- to implement -------------------------------------------------------------------------

    def default_requests(self) -> Iterable[Request]:
        raise NotImplementedError

    def parse_list(self, response: Response) -> Iterator[Request]:
        raise NotImplementedError

    def more_pages(self, response: Response, article: ArticleUrl) -> list[str]:
        """URLs of pages 2..N of a multi-page article, in order (page 1 is `response`)."""
        return []

    def backfill_requests(self) -> Iterable[Request]:
        """Start requests of mode=backfill (default: the usual start pages, followed deeper)."""
        return self.default_requests()

    def refresh_requests(self) -> Iterable[Request]:
        """mode=refresh: archived articles published in the last `days` days, fetched again."""
        index = self.index
        if index is None:
            return
        since = self.now() - timedelta(days=self.args.days)
        for url in index.published_since(self.site, since):
            request = self.article_request(url, forced=True)
            if request is not None:
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("archiver/discovery/refresh")
                yield request

    # -- requests -----------------------------------------------------------------------------

    def list_request(self, url: str, depth: int, **kwargs: Any) -> Request:
        """A list, section, sitemap or feed page: always fetched, never skipped as seen."""
        return Request(
            url,
            callback=self._parse_list_counted,
            meta={_DEPTH: depth},
            errback=self._list_failed,
            **kwargs,
        )

    def article_request(
        self,
        url: str,
        hints: dict[str, str] | None = None,
        day: date | None = None,
        forced: bool = False,
    ) -> Request | None:
        """A request for page 1 of the article at `url`, or None when it is not to be fetched.

        Each article (site, article id) is fetched once per run. Articles outside since/until
        (by `day`, else the date in the URL) and articles the index says are archived are
        skipped unless `forced` (named in urls=, or re-fetched by mode=refresh).
        """
        article = parse_article_url(url)
        if article is None:
            return None
        stats = self.crawler.stats
        assert stats is not None
        if not forced:
            if not self._in_window(article, day):
                stats.inc_value("archiver/discovery/out_of_window")
                return None
            if self.index is not None and self.index.is_archived(article.site, article.article_id):
                # Counted once per article, however many lists link it.
                if (article.site, article.article_id) not in self._seen_archived:
                    self._seen_archived.add((article.site, article.article_id))
                    stats.inc_value("archiver/discovery/already_archived")
                return None
            if self._not_an_article(article):
                stats.inc_value("archiver/discovery/not_an_article")
                return None
            if self.args.max_articles is not None and self._scheduled >= self.args.max_articles:
                stats.inc_value("archiver/discovery/over_max_articles")
                return None
        if not self.claims.claim(article.site, article.article_id):
            stats.inc_value("archiver/discovery/duplicate")
            return None
        self._scheduled += 1
        stats.inc_value("archiver/discovery/articles")
        # Fetched with the scheme it was named or linked with (an http:// legacy URL may answer
        # differently over https); only the record's url is the canonical https form.
        first = _with_scheme(article.page_url(1), url)
        return Request(
            first,
            callback=self._parse_article,
            errback=self._article_failed,
            meta={_ARTICLE: parse_article_url(first), _HINTS: dict(hints or {}), _PAGES: []},
            # Once-per-run is decided above by article id; the URL fingerprint must not also
            # drop a page that a redirect or a retry brings back.
            dont_filter=True,
        )

    def _missing_list(self, url: str) -> bool:
        # A start page that answered 404/410 in ARCHIVER_INDEX_MISSING_LIST_RUNS runs in a row
        # is left out for ARCHIVER_INDEX_MISSING_LIST_DAYS days (then tried once again).
        runs = self._index_setting("ARCHIVER_INDEX_MISSING_LIST_RUNS")
        days = self._index_setting("ARCHIVER_INDEX_MISSING_LIST_DAYS")
        if self.index is None or runs <= 0 or days <= 0:
            return False
        since = self.now() - timedelta(days=days)
        if not self.index.skipped(url, "missing_list", since, min_count=runs):
            return False
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("archiver/discovery/list_skipped_missing")
        logger.info("list %s skipped: it answered 404/410 in the last %d runs", url, runs)
        return True

    def _not_an_article(self, article: ArticleUrl) -> bool:
        # Refused recently (video, gallery, soft 404): see ARCHIVER_INDEX_NOT_ARTICLE_DAYS.
        days = self._index_setting("ARCHIVER_INDEX_NOT_ARTICLE_DAYS")
        if self.index is None or days <= 0:
            return False
        key = not_article_key(article.site, article.article_id)
        return self.index.skipped(key, "not_article", self.now() - timedelta(days=days))

    def _index_setting(self, name: str) -> int:
        return self.settings.getint(name, INDEX_SETTINGS[name])

    def _in_window(self, article: ArticleUrl, day: date | None) -> bool:
        if day is not None:
            return self.args.in_window(day)
        if article.url_date is None:
            return True
        if site_info(article.site).url_date == "month":
            # The URL names only the month: skip only when the whole month is outside.
            first = article.url_date
            last = date(first.year, first.month, monthrange(first.year, first.month)[1])
            since, until = self.args.since, self.args.until
            return not (
                (since is not None and last < since) or (until is not None and first > until)
            )
        return self.args.in_window(article.url_date)

    # -- callbacks ----------------------------------------------------------------------------

    def _parse_list_counted(self, response: Response) -> Iterator[Request]:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("archiver/discovery/list_pages")
        if self.index is not None:
            self.index.clear_skip(response.url)
        yield from self.parse_list(response)

    def _parse_article(self, response: Response) -> Iterator[Request | ArticlePages | ArticleGone]:
        assert self.crawler.stats is not None
        article: ArticleUrl = response.meta[_ARTICLE]
        landed = parse_article_url(response.url)
        if landed is None:
            # Redirected away (to a front page, a login wall): archived, no record; a deletion
            # when the article was archived before (the pipeline decides).
            self.crawler.stats.inc_value("archiver/article/redirected_away")
            logger.info(
                "article %s redirected to %s; archived, not extracted",
                article.canonical,
                response.url,
            )
            if not response.meta[_PAGES]:
                reasons = response.meta.get("redirect_reasons") or [0]
                status = reasons[0] if isinstance(reasons[0], int) else 302
                yield ArticleGone(
                    article.site,
                    article.article_id,
                    article.canonical,
                    status,
                    response.url,
                    _capture(response.meta),
                )
            return
        if (landed.site, landed.article_id) != (article.site, article.article_id):
            # An old URL now redirecting to the article's new URL: the record is that article's.
            if not self.claims.claim(landed.site, landed.article_id):
                self.crawler.stats.inc_value("archiver/discovery/duplicate")
                return
            self.crawler.stats.inc_value("archiver/article/redirected_to_article")
            article = parse_article_url(landed.page_url(1)) or landed
            response.meta[_ARTICLE] = article
        pages = [*response.meta[_PAGES], captured_page(response, response.meta[_HINTS])]
        if len(pages) == 1:
            remaining = [_with_scheme(u, response.url) for u in self.more_pages(response, article)]
        else:
            remaining = response.meta["archiver_remaining"]
        if remaining:
            yield response.request.replace(  # type: ignore[union-attr]
                url=remaining[0],
                meta={**response.meta, _PAGES: pages, "archiver_remaining": remaining[1:]},
            )
            return
        yield ArticlePages(site=article.site, article_id=article.article_id, pages=pages)

    def _article_failed(self, failure: Failure) -> Iterator[ArticlePages | ArticleGone]:
        assert self.crawler.stats is not None
        request = failure.request  # type: ignore[attr-defined]
        reason = _failure_reason(failure)
        self.crawler.stats.inc_value(f"archiver/article/fetch_failed/{reason}")
        pages = request.meta.get(_PAGES) or []
        logger.warning("article page %s not fetched (%s)", request.url, reason)
        error = failure.value
        gone: ArticleUrl = request.meta[_ARTICLE]
        redirected = _redirected_away(request, gone)
        if not pages and redirected is not None:
            # Redirected away from the article to a page that then failed: the deletion is
            # the redirect (its status and target), whatever the target answered.
            yield ArticleGone(
                gone.site,
                gone.article_id,
                gone.canonical,
                redirected,
                request.url,
                _capture(request.meta),
            )
        elif (
            not pages
            and isinstance(error, HttpError)
            and error.response.status in DELETION_STATUSES
        ):
            yield ArticleGone(
                gone.site,
                gone.article_id,
                gone.canonical,
                error.response.status,
                None,
                _capture(request.meta),
            )
        if pages:
            # A later page of a multi-page article failed: keep the pages we have, say so.
            self.crawler.stats.inc_value("archiver/article/incomplete")
            article: ArticleUrl = request.meta[_ARTICLE]
            yield ArticlePages(article.site, article.article_id, list(pages), incomplete=True)

    def _list_failed(self, failure: Failure) -> None:
        assert self.crawler.stats is not None
        request = failure.request  # type: ignore[attr-defined]
        reason = _failure_reason(failure)
        self.crawler.stats.inc_value(f"archiver/discovery/list_failed/{reason}")
        error = failure.value
        if (
            self.index is not None
            and isinstance(error, HttpError)
            and error.response.status in DELETION_STATUSES
            and not request.meta.get("redirect_urls")
        ):
            self.index.mark_skip(request.url, "missing_list", self.now())
        logger.warning("list page %s not fetched (%s)", request.url, reason)

    def list_depth(self, response: Response) -> int:
        """How deep in a paginated list `response` is (1 = first page)."""
        return int(response.meta.get(_DEPTH, 1))


def _with_scheme(url: str, like: str) -> str:
    """`url` (https, as ArticleUrl builds them) with the http: scheme when `like` has it."""
    if like.startswith("http://") and url.startswith("https://"):
        return "http://" + url[len("https://") :]
    return url


def _redirected_away(request: Request, article: ArticleUrl) -> int | None:
    """The first redirect's status when `request` was redirected off `article`, else None."""
    if not request.meta.get("redirect_urls"):
        return None
    landed = parse_article_url(request.url)
    if landed is not None and (landed.site, landed.article_id) == (
        article.site,
        article.article_id,
    ):
        return None
    reasons = request.meta.get("redirect_reasons") or [302]
    return reasons[0] if isinstance(reasons[0], int) else 302


def _capture(meta: dict[str, Any]) -> CaptureRef | None:
    capture = meta.get("archiver_capture")
    return capture if isinstance(capture, CaptureRef) else None


def _failure_reason(failure: Failure) -> str:
    error = failure.value
    if isinstance(error, HttpError):
        return f"http_{error.response.status}"
    return type(failure.value).__name__
