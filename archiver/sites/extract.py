"""Article extraction: the pages of one article in, one validated Article record out."""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree
from pydantic import ValidationError

import archiver
from archiver.page import CapturedPage
from archiver.record import Article, ExtractorInfo, Image, Kind
from archiver.sites import PageError, ParsedPage, parse_page
from archiver.sites.agreement import agreement
from archiver.sites.boilerplate import TRAFILATURA_VERSION, body_paragraphs
from archiver.sites.common import unique
from archiver.sites.fields import contributors
from archiver.sites.urls import ArticleUrl, article_url

# Version of the extraction rules, recorded as `extractor.version`. Bump it whenever the output
# for any page changes (tests/sites/test_extract_version.py pins a hash of all fixture outputs
# to it), so re-extraction and incremental runs can tell records of older rules apart.
EXTRACTOR_VERSION = "2026.11.2"


class ExtractionError(Exception):
    """The pages cannot be turned into a record; `reason` is a short slug for stats."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message

    def __reduce__(self) -> tuple[type[ExtractionError], tuple[str, str]]:
        # Raised in worker processes and pickled back: rebuild from both arguments, which the
        # default (`cls(*self.args)`, one argument) cannot do, and which breaks the whole pool.
        return (type(self), (self.reason, self.message))


class NotAnArticle(ExtractionError):
    """The page is no article and gets no record; `reason` says what it is.

    "video" and "gallery": a player or pictures with no text at all; "soft-404": a "page not
    found" answered with 200; "blocked": a block, rate-limit, captcha or JavaScript-challenge
    page; "maintenance": a "down for maintenance" page; "list-page": a section list or home
    page served at an article URL. Pages with text that are not plain articles (video pages
    with a description, live blogs) get a record whose `kind` says so instead.
    """


_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/octet-stream")


def extract_article(pages: Sequence[CapturedPage], *, second_reader: bool = True) -> Article:
    """One record from all pages of one article, page 1 first.

    Every page's url must be an article URL of the same article; title, byline, dates, section,
    tags and language come from page 1, text and images from every page in page order.
    `captures` lists the pages' CaptureRefs that are set. With `second_reader`, trafilatura
    reads every page too and `extractor.agreement` is the token F1 of the two readings (None
    without it, or when trafilatura read the body itself). Pure: same pages, equal record.
    Raises ExtractionError (reason "no-pages", "unknown-url", "mixed-articles",
    "missing-first-page", "http-status", "empty-body", "not-html", "no-title", "no-text",
    "unknown-template" (markup no template knows and no sign of an article on the page),
    "invalid-record") or NotAnArticle ("video", "gallery", "soft-404", "blocked",
    "maintenance", "list-page").
    """
    if not pages:
        raise ExtractionError("no-pages", "no pages given")
    urls = [_article_url(p) for p in pages]
    if len({(u.site, u.article_id) for u in urls}) != 1:
        raise ExtractionError("mixed-articles", "pages belong to different articles")
    if urls[0].page != 1:
        raise ExtractionError(
            "missing-first-page", f"first page given is page {urls[0].page} ({pages[0].url})"
        )
    parsed = [_parse(p, u) for p, u in zip(pages, urls, strict=True)]
    record = _assemble(pages, urls[0], parsed)
    if not second_reader or any(page.body_by_fallback for page in parsed):
        return record
    extractor = record.extractor.model_copy(update={"agreement": _agreement(pages, record.text)})
    return record.model_copy(update={"extractor": extractor})


def _agreement(pages: Sequence[CapturedPage], text: str) -> float | None:
    # The second reader sees each page whole, as if no site parser existed; its paragraphs
    # (with the same captions, share bars and related boxes pruned as in the fallback) are set
    # against the parser's text. Given the decoded text, not the parser's tree: trafilatura
    # parses it once itself, cheaper than copying the tree (1.5 ms a page, measured).
    try:
        second = [p for page in pages for p in body_paragraphs(page.text, page.url)]
    except Exception:  # a signal: never the reason a page loses its record
        return None
    return agreement(text, "\n\n".join(second))


def _article_url(page: CapturedPage) -> ArticleUrl:
    # Not the cached parse_article_url: a page is extracted once, and re-extracting an archive
    # would only fill the cache with every page's URL.
    url = article_url(page.url)
    if url is None:
        raise ExtractionError("unknown-url", f"not an article URL: {page.url}")
    return url


def _parse(page: CapturedPage, url: ArticleUrl) -> ParsedPage:
    if page.status != 200:
        raise ExtractionError("http-status", f"HTTP {page.status} for {page.url}")
    if not page.body.strip():
        raise ExtractionError("empty-body", f"empty body for {page.url}")
    content_type = (page.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type and content_type not in _HTML_TYPES:
        raise ExtractionError("not-html", f"Content-Type {content_type} for {page.url}")
    if _binary(page.body):
        raise ExtractionError("not-html", f"body of {page.url} is binary, not HTML")
    try:
        return parse_page(page, url)
    except PageError as exc:
        if _too_deep(page.body):
            # libxml2 stops at 256 nested elements: what the parser saw is a stump, so the
            # page is hostile or broken markup, not a "page not found".
            raise ExtractionError("too-deep", f"markup nested too deep in {page.url}") from exc
        kind = NotAnArticle if exc.not_article else ExtractionError
        raise kind(exc.reason, f"{exc} ({page.url})") from exc


def _too_deep(body: bytes) -> bool:
    """True when the HTML parser hit its nesting limit on `body` (read only for failed pages)."""
    parser = etree.HTMLParser()
    etree.fromstring(body, parser)
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


def _binary(body: bytes) -> bool:
    # HTML never holds NUL or many C0 control bytes; images, PDFs and compressed junk do.
    head = body[:4096]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return b"\x00" in head or controls * 20 > len(head)


def _assemble(pages: Sequence[CapturedPage], url: ArticleUrl, parsed: list[ParsedPage]) -> Article:
    lead = parsed[0]
    paragraphs = [p for page in parsed for p in page.paragraphs]
    images: list[Image] = []
    for page in parsed:
        images += [img for img in page.images if all(img.url != i.url for i in images)]
    text = "\n\n".join(paragraphs)
    if not re.search(r"\w", text):
        media = set().union(*(page.media for page in parsed))
        if "video" in media:
            raise NotAnArticle("video", f"video page without text: {url.canonical}")
        if "gallery" in media:
            raise NotAnArticle("gallery", f"gallery without text: {url.canonical}")
        raise ExtractionError("no-text", f"no body text found: {url.canonical}")
    if not lead.title:
        raise ExtractionError("no-title", f"no headline: {url.canonical}")
    headlines = [page.newspaper_headline for page in parsed if page.newspaper_headline]
    try:
        return Article(
            url=url.canonical,
            site=url.site,
            article_id=url.article_id,
            kind=page_kind(lead.title, paragraphs, set().union(*(page.media for page in parsed))),
            title=lead.title,
            subtitle=lead.subtitle,
            authors=lead.authors,
            source=lead.source,
            published_at=lead.published_at,
            updated_at=lead.updated_at,
            dates_raw=lead.dates_raw,
            published_from=lead.published_from,
            dates_disagree=lead.dates_disagree,
            section=lead.section,
            language=lead.language,
            tags=lead.tags,
            contributors=contributors(paragraphs),
            editors=unique(name for page in parsed for name in page.editors),
            newspaper_headline=headlines[-1] if headlines else None,
            text=text,
            images=images,
            pages=[p.url for p in pages],
            captures=[p.capture for p in pages if p.capture is not None],
            extractor=ExtractorInfo(
                archiver=archiver.__version__,
                trafilatura=TRAFILATURA_VERSION,
                parser=lead.parser,
                version=EXTRACTOR_VERSION,
            ),
        )
    except ValidationError as exc:
        raise ExtractionError("invalid-record", str(exc)) from exc


# Live blogs: "LIVE: ..." / "Live updates: ..." / "直播：..." headlines, or entries that start
# with a time of day ("10:32 Rescue teams reached ...").
_LIVE_TITLE = re.compile(
    r"^\s*(?:\[?LIVE\]?\s*[:|：\-–]|Live updates?\b|Live\s*:|【?直播】?\s*[:：]?)", re.I
)
_LIVE_ENTRY = re.compile(r"^(?:Updated\s*(?:at)?\s*)?\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?\b")
# A video page's text is a description; a story that embeds a video is longer than this.
_VIDEO_MAX_WORDS = 120
_LIVE_MIN_ENTRIES = 3


def page_kind(title: str, paragraphs: list[str], media: set[str]) -> Kind:
    """ "liveblog", "video" or "article" for a page with text (see Article.kind)."""
    if _LIVE_TITLE.match(title) or sum(bool(_LIVE_ENTRY.match(p)) for p in paragraphs) >= (
        _LIVE_MIN_ENTRIES
    ):
        return "liveblog"
    if "video" in media and _words(paragraphs) <= _VIDEO_MAX_WORDS:
        return "video"
    return "article"


def _words(paragraphs: list[str]) -> int:
    # CJK text has no spaces: count each ideograph as a word.
    text = " ".join(paragraphs)
    return len(text.split()) + sum(1 for c in text if "\u3400" <= c <= "\u9fff")
