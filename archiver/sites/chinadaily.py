"""China Daily article pages: current English, current Chinese and legacy (content_) templates."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from lxml.html import HtmlElement

from archiver.page import CapturedPage
from archiver.record import Author, DateCandidate, Image, Language
from archiver.sites import boilerplate, fields
from archiver.sites.bylines import parse_byline
from archiver.sites.common import (
    Line,
    PageError,
    ParsedPage,
    captioned_images,
    clean,
    figure_images,
    first,
    has_credit,
    is_cjk_text,
    lines_of,
    meta,
    text_of,
    unique,
)
from archiver.sites.dates import (
    candidate,
    choose_published,
    date_candidate,
    disagree,
    object_id_time,
)
from archiver.sites.templates import Reader, Template
from archiver.sites.urls import ArticleUrl

# Title suffixes of <title>: "Headline - Chinadaily.com.cn", "标题 - 中国日报网".
_TITLE_SUFFIX = re.compile(
    r"\s*[-|_]\s*(Chinadaily\.com\.cn|中国日报网|China Daily(?: [A-Z]{2,})?)\s*$", re.I
)
_BOILERPLATE_LINE = re.compile(
    r"^(BACK TO THE TOP|Copyright\b.*|.*All rights reserved.*|Shared from .*"
    r"|Most Viewed in 24 Hours|Special Coverage|Ten photos you don't wanna miss|Next|Previous"
    r"|>>\|?|\|<<|\d+(\s+\d+)*\s*(Next)?)$",
    re.I,
)
# Inline "Related stories" headings; the link-only lines after one belong to the box.
_RELATED = re.compile(
    r"^(Related (?:articles|stories|news|reading)|相关(?:新闻|阅读|报道))\s*[:：]?$", re.I
)
_DATE_IN_LINE = re.compile(r"\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}")
_BREADCRUMBS = (
    "//span[@id='bread-nav']//a",
    "//ol[@id='bread-nav1']//a",
    "//div[contains(@class,'da-bre')]//a",
    "//*[contains(@class,'crumb')]//a",
    "//div[contains(@class,'location')]//a",
)
_HOME = frozenset({"home", "首页", "中国日报网", "chinadaily.com.cn", "china daily"})


def _reader(template: str) -> Reader:
    def read(root: HtmlElement, page: CapturedPage, url: ArticleUrl) -> ParsedPage:
        return _parse(root, page, url, template)

    return read


def _current_en(root: HtmlElement) -> bool:
    # The left column alone is on list pages too; an article also has its body or byline box.
    return bool(
        root.xpath("//div[contains(@class,'lft_art') or contains(@class,'ce_art')]")
        and root.xpath("//div[@id='Content']|//span[contains(@class,'info_l')]")
    )


def _current_zh(root: HtmlElement) -> bool:
    return bool(root.xpath("//h1[contains(@class,'dabiaoti')]"))


def _legacy(root: HtmlElement) -> bool:
    return bool(
        root.xpath("//div[@id='Content']") or root.xpath("//div[contains(@class,'content-left')]")
    )


def _readable(root: HtmlElement) -> bool:
    return bool(root.xpath("//h1"))


# Most specific first. The WS/`/a/` CMS replaced the content_ one during 2017-2019 (print-edition
# pages kept content_ URLs into 2019); both keep the body in div#Content, so a page showing
# only that container is read with the template of its capture date.
TEMPLATES = (
    Template(
        "chinadaily/current-en",
        _current_en,
        _reader("current-en"),
        valid_from=date(2017, 1, 1),
    ),
    Template(
        "chinadaily/current-zh",
        _current_zh,
        _reader("current-zh"),
    ),
    Template(
        "chinadaily/legacy",
        _legacy,
        _reader("legacy"),
        valid_until=date(2019, 12, 31),
    ),
)
# Markup none of the templates knows: the generic reader takes the <h1> and lets trafilatura
# find the body, so a redesign degrades the record instead of losing it.
FALLBACKS = (
    Template(
        "chinadaily/generic",
        _readable,
        _reader("generic"),
    ),
)


def _parse(root: HtmlElement, page: CapturedPage, url: ArticleUrl, template: str) -> ParsedPage:
    title = _title(root, template)
    if not title:
        raise PageError("no-title", "no headline on the page")
    info = _info(root, template)
    body = first(root, "//div[@id='Content']", "//div[contains(@class,'article')]")
    paragraphs, images, notes = _body(root, body, page.url, title)
    language: Language = "zh" if is_cjk_text(title + " ".join(paragraphs[:5])) else "en"
    authors, source, date_raw = _read_info(info, template)
    source = source or meta(root, "source")
    dates = _date_candidates(root, page, url, date_raw)
    updates = _updates(dates)
    # A byline time that is an update is no publication candidate (nor a disagreement).
    publication = [c for c in dates if c not in updates]
    chosen = choose_published(publication, _PRIORITY)
    if template == "generic":
        dated = any(c.value for c in dates if c.source == "byline" or c.source.startswith("meta"))
        fields.check_generic(root, url.article_id, title, paragraphs, dated)
    media: set[str] = set()
    if root.xpath("//video|//iframe[contains(@src,'video') or contains(@src,'player')]"):
        media.add("video")
    if images:
        media.add("gallery")
    return ParsedPage(
        parser=f"chinadaily/{template}",
        title=title,
        subtitle=_subtitle(root, template),
        paragraphs=paragraphs,
        authors=authors,
        source=source,
        published_at=chosen.value if chosen else None,
        published_from=chosen.source if chosen else None,
        updated_at=_updated_at(updates, chosen.value if chosen else None),
        dates_raw=dates,
        dates_disagree=disagree(publication),
        section=_section(root),
        language=language,
        tags=fields.tags(root),
        editors=fields.editors(notes),
        images=images,
        media=frozenset(media),
        body_by_fallback=body is None,
    )


def _title(root: HtmlElement, template: str) -> str:
    xpaths = {
        "current-zh": ("//h1[contains(@class,'dabiaoti')]",),
        "current-en": (
            "//div[contains(@class,'lft_art')]//h1",
            "//div[contains(@class,'ce_art')]//h1",
        ),
        "legacy": ("//div[contains(@class,'content-left')]//h1", "//h1"),
        "generic": ("//h1",),
    }[template]
    title = text_of(first(root, *xpaths))
    if not title:
        title = meta(root, "og:title") or ""
    if not title:
        title = _TITLE_SUFFIX.sub("", text_of(first(root, "//title")))
    return clean(title)


def _subtitle(root: HtmlElement, template: str) -> str | None:
    h1 = first(
        root,
        "//div[contains(@class,'lft_art')]//h1",
        "//div[contains(@class,'ce_art')]//h1",
        "//h1[contains(@class,'dabiaoti')]",
        "//div[contains(@class,'content-left')]//h1",
    )
    if h1 is None:
        return None
    for sib in h1.itersiblings():
        if sib.tag in ("h2", "h3"):
            return text_of(sib) or None
        if isinstance(sib.tag, str) and sib.tag not in ("h2", "h3"):
            return None
    return None


def _info(root: HtmlElement, template: str) -> list[str]:
    """The byline/source/date pieces as printed, in order."""
    if template == "current-zh":
        return [text_of(el) for el in root.xpath("//div[contains(@class,'xinf-le')]")]
    el = first(root, "//span[contains(@class,'info_l')]", "//div[contains(@class,'info')]")
    if el is not None:
        return [text_of(el)]
    # Legacy: the first short block near the headline that carries a date or "By".
    scope = first(root, "//div[contains(@class,'content-left')]")
    if scope is None:
        scope = root
    for cand in scope.xpath(".//p|.//div|.//span"):
        if cand.xpath("ancestor-or-self::div[@id='Content']"):
            continue
        text = text_of(cand)
        if len(text) < 300 and ("Updated" in text or "来源" in text or _DATE_IN_LINE.search(text)):
            return [text]
    return []


def _read_info(pieces: list[str], template: str) -> tuple[list[Author], str | None, str | None]:
    """(authors, source label, printed date) from the info line(s)."""
    authors: list[Author] = []
    source: str | None = None
    date_raw: str | None = None
    for piece in pieces:
        for seg in (clean(s) for s in re.split(r"\s*\|\s*", piece)):
            if not seg:
                continue
            m = re.search(r"来源\s*[:：]\s*(.*)$", seg)
            if m:
                before = clean(seg[: m.start()])
                if before and _DATE_IN_LINE.search(before):
                    date_raw = date_raw or before
                rest = clean(m.group(1))
                dm = _DATE_IN_LINE.search(rest)
                if dm:
                    date_raw = date_raw or clean(rest[dm.start() :])
                    rest = clean(rest[: dm.start()])
                source = source or (rest or None)
                continue
            m = re.search(r"作者\s*[:：]\s*(.*)$", seg)
            if m:
                authors += [Author(name=n) for n in re.split(r"[\s、，,]+", m.group(1)) if n]
                continue
            if re.match(r"By\b", seg, re.I):
                # Older pages: "By Zhang Chunyan (China Daily)".
                sm = re.search(r"\(\s*([^()]+?)\s*\)\s*$", seg)
                if sm:
                    source = source or sm.group(1)
                    seg = seg[: sm.start()]
                authors += parse_byline(seg)
                continue
            dm = _DATE_IN_LINE.search(seg)
            if dm:
                date_raw = date_raw or seg
                continue
            source = source or seg
    return authors, source, date_raw


def _skip(el: HtmlElement) -> bool:
    ident = (el.get("id") or "") + " " + (el.get("class") or "")
    return bool(re.search(r"div_currpage|selectpage|share|related|\bad\b|advert", ident, re.I))


def _body(
    root: HtmlElement, body: HtmlElement | None, page_url: str, title: str
) -> tuple[list[str], list[Image], list[str]]:
    """Paragraphs, images and editor notes of the article body.

    The site's own container (div#Content) is read first: it holds exactly the article's <p>
    elements, and trafilatura applied to these pages keeps the editor's note and drops short
    paragraphs on photo-story pages. trafilatura is the fallback when the container is missing.
    """
    if body is None:
        paragraphs = [p for p in boilerplate.body_paragraphs(root, page_url) if clean(p) != title]
        lines = [Line(p, False, "p") for p in paragraphs]
        return _filter(lines), [], _notes(lines)
    images = figure_images(body, page_url)
    images, caption_lines = captioned_images(body, page_url, images)
    lines = [ln for ln in lines_of(body, _skip) if ln.text not in caption_lines]
    return _filter(lines), images, _notes(lines)


def _notes(lines: list[Line]) -> list[str]:
    return [ln.text for ln in lines if fields.EDITOR_NOTE.match(ln.text)]


def _filter(lines: list[Line]) -> list[str]:
    out: list[str] = []
    in_related = False
    for line in lines:
        text = line.text
        if fields.EDITOR_NOTE.match(text) or _BOILERPLATE_LINE.match(text):
            continue
        if _RELATED.match(text):
            in_related = True
            continue
        if in_related:
            if line.link_only:
                continue
            in_related = False
        if line.near_media and has_credit(text) and len(text) < 400:
            # A caption printed as a paragraph next to its picture: the credit marks it (kept
            # as an image field). Away from a picture, "... [Xinhua]" is a body paragraph.
            continue
        out.append(text)
    return out


def _section(root: HtmlElement) -> list[str]:
    for xp in _BREADCRUMBS:
        names = [clean(text_of(a)).lstrip("/>›» ").strip() for a in root.xpath(xp)]
        names = [n for n in names if n and n.lower() not in _HOME]
        if names:
            return unique(names)
    return []


def _date_candidates(
    root: HtmlElement, page: CapturedPage, url: ArticleUrl, date_raw: str | None
) -> list[DateCandidate]:
    out: list[DateCandidate] = []
    byline = candidate("byline", date_raw)
    if byline is not None:
        out.append(byline)
    out += fields.meta_dates(root)
    ws_time = object_id_time(url.article_id)
    if ws_time is not None:
        out.append(DateCandidate(source="article-id", raw=url.article_id, value=ws_time))
    for key in sorted(page.hints):
        if key.endswith("_date"):
            c = candidate(key.removesuffix("_date"), page.hints[key])
            if c is not None:
                out.append(c)
    if url.url_date is not None:
        out.append(date_candidate("url", url.url_date))
    return out


# The page prints one time, labelled "Updated:". Up to this long after the CMS creation time in
# the WS id it is the publication time (they agree to the minute on unedited stories); later,
# the story was edited: the id time is the publication time and the byline the update time.
_EDIT_GAP = timedelta(minutes=15)


def _updates(dates: list[DateCandidate]) -> list[DateCandidate]:
    """The candidates that state an update: a byline time long after the WS id time, and
    meta article:modified_time."""
    created = next((c.value for c in dates if c.source == "article-id"), None)
    out: list[DateCandidate] = []
    for c in dates:
        if c.value is None:
            continue
        edited = c.source == "byline" and created is not None and c.value - created > _EDIT_GAP
        if edited or c.source == "meta:article:modified_time":
            out.append(c)
    return out


def _updated_at(updates: list[DateCandidate], published: datetime | None) -> datetime | None:
    """The latest update more than _EDIT_GAP after publication; None when there is none."""
    later = [
        c.value
        for c in updates
        if c.value is not None and (published is None or c.value - published > _EDIT_GAP)
    ]
    return max(later) if later else None


# The site's order of trust (dates.choose_published): the printed time, the CMS id time, the
# page's own meta, then discovery times (list, sitemap), then the URL's day.
_PRIORITY = (
    "byline",
    "article-id",
    "meta:article:published_time",
    "meta:publishdate",
    "list",
    "sitemap",
    "url",
)
