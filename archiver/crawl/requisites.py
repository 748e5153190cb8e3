"""Page requisites: the images and stylesheets of each fetched article page, into the WARC too."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

REQUISITES_ENABLED = True
"""ARCHIVER_REQUISITES_ENABLED: fetch the images and stylesheets of article pages (default True)."""
REQUISITES_MAX_PER_PAGE = 20
"""ARCHIVER_REQUISITES_MAX_PER_PAGE: at most this many requisites requested per article page."""
PRIORITY = -100
"""Requisites wait behind every list and article request (Scrapy runs higher priorities first)."""

META = "archiver_requisite"
"""request.meta key marking a requisite request (value: the article page's URL)."""

# request.meta key of spider_base: set on every article page request (page 1 and later pages).
_ARTICLE = "archiver_article"
_SITE_DOMAINS = ("chinadaily.com.cn", "globaltimes.cn")
# Article body images (each site's body containers), figures, and stylesheets, as CSS: the
# definition of what a requisite is (tests/replay/test_replay_requisites.py checks
# `requisite_urls` against `response.css(selector).getall()` for each).
SELECTORS = (
    "#Content img::attr(src)",
    ".article img::attr(src)",
    ".article_content img::attr(src)",
    ".article_right img::attr(src)",
    "article img::attr(src)",
    "figure img::attr(src)",
    "link[rel~=stylesheet]::attr(href)",
)
# The same, as what each image's ancestors must show: seven XPath queries walked the whole
# tree seven times per article page on the reactor thread; one walk over <img> and <link>
# elements does it (the tree is the response's own, parsed once and shared with the spider).
_IMAGE_ANCESTORS: tuple[tuple[str, str], ...] = (
    ("id", "Content"),
    ("class", "article"),
    ("class", "article_content"),
    ("class", "article_right"),
    ("tag", "article"),
    ("tag", "figure"),
)
_STYLESHEET = len(_IMAGE_ANCESTORS)
"""Index of the stylesheet selector in SELECTORS."""
# CSS's `.name` and `[rel~=name]` split on XML whitespace only (normalize-space), where
# str.split() would also split on no-break spaces.
_TOKENS = re.compile(r"[^ \t\r\n]+")


def on_site(url: str) -> bool:
    """True for http(s) URLs on the sites' own domains (any *.chinadaily.com.cn host, such as
    img2.chinadaily.com.cn, and *.globaltimes.cn)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https"):
        return False
    return any(host == d or host.endswith("." + d) for d in _SITE_DOMAINS)


def requisite_urls(response: HtmlResponse, limit: int) -> list[str]:
    """The article page's images and stylesheets on the sites' domains, absolute, deduplicated,
    in selector then document order, at most `limit`."""
    matches: list[tuple[int, int, str]] = []
    containers: dict[Any, frozenset[int]] = {}
    for position, element in enumerate(response.selector.root.iter("img", "link")):
        if element.tag == "link":
            rel = element.get("rel")
            href = element.get("href")
            if rel is not None and href is not None and "stylesheet" in _TOKENS.findall(rel):
                matches.append((_STYLESHEET, position, href))
            continue
        src = element.get("src")
        parent = element.getparent()
        if src is not None and parent is not None:
            matches.extend((kind, position, src) for kind in _inside(parent, containers))
    found: dict[str, None] = {}
    for _, _, value in sorted(matches):
        url = urljoin(response.url, value.strip()).split("#", 1)[0]
        if url and url not in found and on_site(url):
            found[url] = None
    return list(found)[:limit]


def _inside(element: Any, known: dict[Any, frozenset[int]]) -> frozenset[int]:
    """Indexes of the image selectors whose container is `element` or one of its ancestors;
    remembered per element in `known` (images share their ancestors)."""
    chain = []
    while element is not None and element not in known:
        chain.append(element)
        element = element.getparent()
    kinds = known[element] if element is not None else frozenset()
    for ancestor in reversed(chain):
        kinds = kinds | _marks(ancestor)
        known[ancestor] = kinds
    return kinds


def _marks(element: Any) -> frozenset[int]:
    """Indexes of the image selectors whose container `element` is itself."""
    classes = _TOKENS.findall(element.get("class") or "")
    own = {"tag": (element.tag,), "id": (element.get("id"),), "class": classes}
    return frozenset(
        kind for kind, (what, name) in enumerate(_IMAGE_ANCESTORS) if name in own[what]
    )


class RequisitesMiddleware:
    """Requests the requisites of each article page fetched with status 200.

    Installed twice by the add-on. As a spider middleware it adds, next to what the article
    callback yields, one low-priority request per image (`img[src]` in the article body, `figure
    img`) and stylesheet (`link[rel=stylesheet]`) on the sites' own domains, each URL once per
    run. The requests go through the usual downloader middlewares (robots.txt, politeness,
    retries), and the WARC extension stores every response as it arrives. As a downloader
    middleware it then drops each requisite's response (IgnoreRequest, which Scrapy does not
    log), so no callback ever sees it; a failed requisite is counted
    (`archiver/requisites/failed/<status or error>`), never an error of the article.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ARCHIVER_REQUISITES_ENABLED", REQUISITES_ENABLED):
            raise NotConfigured
        self.limit = settings.getint("ARCHIVER_REQUISITES_MAX_PER_PAGE", REQUISITES_MAX_PER_PAGE)
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    # -- spider middleware ---------------------------------------------------------------------

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from result
        yield from self._requests(response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in result:
            yield item
        for request in self._requests(response):
            yield request

    def _requests(self, response: Response) -> Iterator[Request]:
        if (
            response.status != 200
            or _ARTICLE not in response.meta
            or META in response.meta
            or not isinstance(response, HtmlResponse)
        ):
            return
        for url in requisite_urls(response, self.limit):
            if url in self.seen:
                continue
            self.seen.add(url)
            self.stats.inc_value("archiver/requisites/requested")
            yield Request(url, priority=PRIORITY, meta={META: response.url})

    # -- downloader middleware -----------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Response:
        if META not in request.meta:
            return response
        # Already in the WARC (the extension writes at response_downloaded, before this).
        if response.status == 200:
            self.stats.inc_value("archiver/requisites/fetched")
        else:
            self.stats.inc_value(f"archiver/requisites/failed/{response.status}")
        raise IgnoreRequest(f"page requisite {request.url} archived")

    def process_exception(self, request: Request, exception: Exception) -> None:
        if META not in request.meta or isinstance(exception, IgnoreRequest):
            return
        self.stats.inc_value(f"archiver/requisites/failed/{type(exception).__name__}")
        raise IgnoreRequest(f"page requisite {request.url}: {exception!r}")
