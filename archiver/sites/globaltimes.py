"""Global Times article pages: current (/page/, 2021 on) and legacy (/content/, 2009-2020)."""

from __future__ import annotations

import re
from datetime import date

from lxml.html import HtmlElement

from archiver.page import CapturedPage
from archiver.record import Author, DateCandidate, Image
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
from archiver.sites.dates import candidate, choose_published, disagree
from archiver.sites.templates import Reader, Template
from archiver.sites.urls import ArticleUrl

_TITLE_SUFFIX = re.compile(r"\s*[-|]\s*Global\s*Times\s*$", re.I)
# Labels of the byline block: "By X Source:Global Times Published: 2017/11/11 0:58:39".
_LABELS = r"(?:By\s|Source\s*:|Published\s*:|Updated\s*:|$)"
_BY = re.compile(r"(?:^|\s)By\s+(.+?)\s*(?=" + _LABELS + ")", re.I)
_SOURCE = re.compile(r"Source\s*:\s*(.*?)\s*(?=" + _LABELS + ")", re.I)
_PUBLISHED = re.compile(r"Published\s*:\s*(.*?)\s*(?=" + _LABELS + ")", re.I)
_UPDATED = re.compile(r"Updated\s*:\s*(.*?)\s*(?=" + _LABELS + ")", re.I)
_RELATED = re.compile(r"^(RELATED ARTICLES|Related (?:articles|stories|news))\s*:?$", re.I)
_EMAIL_TRAILER = re.compile(r"(?:^|(?<=[.!?\"”)]))\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*$")
_DROP_LINE = re.compile(
    r"^(Posted in\s*:.*|Copyright\b.*|.*All rights reserved.*"
    r"|Share\s*:?|Follow us on .*|Source\s*:.*|Global Times)$",
    re.I,
)


def _reader(template: str) -> Reader:
    def read(root: HtmlElement, page: CapturedPage, url: ArticleUrl) -> ParsedPage:
        return _parse(root, page, url, template)

    return read


def _current(root: HtmlElement) -> bool:
    return bool(root.xpath("//div[contains(@class,'article_title')]"))


def _legacy(root: HtmlElement) -> bool:
    return bool(root.xpath("//div[contains(@class,'article-title')]"))


def _readable(root: HtmlElement) -> bool:
    return bool(root.xpath("//h1|//h3"))


# The /page/ template came with the February 2021 redesign; /content/ pages captured before it
# were served in the row-fluid template.
TEMPLATES = (
    Template("globaltimes/current", _current, _reader("current"), valid_from=date(2021, 1, 1)),
    Template("globaltimes/legacy", _legacy, _reader("legacy"), valid_until=date(2021, 6, 30)),
)
# Unknown markup: headline from og:title or <title>, body by trafilatura.
FALLBACKS = (Template("globaltimes/generic", _readable, _reader("generic")),)


def _parse(root: HtmlElement, page: CapturedPage, url: ArticleUrl, template: str) -> ParsedPage:
    title = _title(root)
    byline = _byline(root)
    authors = _authors(root, byline)
    source = _field(_SOURCE, byline)
    if source is None and template == "current":
        # The current template prints a source only when it is not the paper itself.
        source = "Global Times"
    published_raw = _published_raw(root, byline)
    dates = _date_candidates(root, page, url, published_raw, _field(_UPDATED, byline))
    chosen = choose_published(dates, _PRIORITY)
    body = first(
        root,
        "//div[contains(@class,'article_right')]",
        "//div[contains(@class,'article_content')]",
        "//div[contains(@class,'row-content')]",
    )
    paragraphs, images, headline = _body(root, body, page.url, title)
    if template == "generic":
        dated = any(
            c.value for c in dates if c.source != "url" and c.source.startswith(("by", "me"))
        )
        fields.check_generic(root, url.article_id, title, paragraphs, dated)
    return ParsedPage(
        parser=f"globaltimes/{template}",
        title=title,
        subtitle=text_of(first(root, "//div[contains(@class,'article_subtitle')]")) or None,
        paragraphs=paragraphs,
        authors=authors,
        source=source,
        published_at=chosen.value if chosen else None,
        published_from=chosen.source if chosen else None,
        updated_at=next(
            (c.value for c in dates if c.source.endswith(("updated", "modified_time")) and c.value),
            None,
        ),
        dates_raw=dates,
        dates_disagree=disagree(dates),
        section=_section(root),
        language="zh" if is_cjk_text(title + " ".join(paragraphs[:5])) else "en",
        tags=fields.tags(root),
        newspaper_headline=headline,
        images=images,
        media=_media(root, images),
        body_by_fallback=body is None,
    )


def _title(root: HtmlElement) -> str:
    title_el = first(
        root,
        "//div[contains(@class,'article_title')]",
        "//div[contains(@class,'article-title')]//h3",
        "//div[contains(@class,'article-title')]",
    )
    title = text_of(title_el) or meta(root, "og:title") or ""
    title = clean(title) or _TITLE_SUFFIX.sub("", text_of(first(root, "//title")))
    if not title:
        raise PageError("no-title", "no headline on the page")
    return title


def _byline(root: HtmlElement) -> str:
    return text_of(
        first(
            root,
            "//div[contains(@class,'author_share_left')]",
            "//div[contains(@class,'article_top')]//div[contains(@class,'author')]",
            "//div[contains(@class,'article-source')]//div[contains(@class,'text-left')]",
            "//div[contains(@class,'article-source')]",
        )
    )


def _published_raw(root: HtmlElement, byline: str) -> str | None:
    return (
        _field(_PUBLISHED, byline)
        or text_of(first(root, "//span[contains(@class,'pub_time')]"))
        .removeprefix("Published:")
        .strip()
        or None
    )


def _media(root: HtmlElement, images: list[Image]) -> frozenset[str]:
    media: set[str] = set()
    if root.xpath("//video|//iframe[contains(@src,'video') or contains(@src,'player')]"):
        media.add("video")
    if images:
        media.add("gallery")
    return frozenset(media)


def _field(rule: re.Pattern[str], text: str) -> str | None:
    m = rule.search(text)
    return (clean(m.group(1)) or None) if m else None


def _authors(root: HtmlElement, byline: str) -> list[Author]:
    by = _field(_BY, byline)
    if by:
        return parse_byline(by)
    names = unique(text_of(a) for a in root.xpath("//a[contains(@class,'author_name')]"))
    return [a for n in names for a in parse_byline(n)]


def _section(root: HtmlElement) -> list[str]:
    names = [
        text_of(a)
        for a in root.xpath(
            "//span[contains(@class,'cloumm_level_one')]//a"
            "|//span[contains(@class,'cloumm_level_two')]//a"
        )
    ]
    if not names:
        column = first(root, "//div[contains(@class,'article_column')]")
        if column is not None:
            links = column.xpath(".//a")
            names = [text_of(a) for a in links] if links else text_of(column).split("/")
    if not names:
        names = [text_of(a) for a in root.xpath("//div[contains(@class,'crumbs')]//a")]
    names = [clean(n).strip("/>» ") for n in names]
    return unique(n for n in names if n and n.lower() not in ("home", "global times"))


def _skip(el: HtmlElement) -> bool:
    ident = (el.get("id") or "") + " " + (el.get("class") or "")
    return bool(
        re.search(
            r"related|share|author_card|article_left|article_footer|picture|caption|\bad\b|advert"
            r"|comment",
            ident,
            re.I,
        )
    )


def _body(
    root: HtmlElement, body: HtmlElement | None, page_url: str, title: str
) -> tuple[list[str], list[Image], str | None]:
    """Paragraphs and images of the article body.

    The site container is read first: its text is bare text nodes split by <br>, which
    trafilatura merges or drops (one <br> run becomes one paragraph or is lost), so the lines
    between <br>s are the paragraphs. trafilatura is the fallback when no container is found.
    """
    if body is None:
        found = [p for p in boilerplate.body_paragraphs(root, page_url) if p != title]
        lines = [Line(p, False, "p") for p in found]
        images: list[Image] = []
    else:
        images, captions = captioned_images(body, page_url, figure_images(body, page_url))
        lines = [ln for ln in lines_of(body, _skip) if ln.text not in captions]
    headlines = [h for ln in lines if (h := fields.newspaper_headline(ln.text))]
    return _filter(lines), images, (headlines[-1] if headlines else None)


def _filter(lines: list[Line]) -> list[str]:
    out: list[str] = []
    in_related = False
    for line in lines:
        text = line.text
        if fields.newspaper_headline(text) is not None:
            continue
        if _RELATED.match(text):
            in_related = True
            continue
        if in_related:
            if line.link_only:
                continue
            in_related = False
        if line.link_only and len(out) == 0 and len(text) < 40:
            continue  # a stray link (column name) before the first paragraph
        if _DROP_LINE.match(text) or (line.near_media and has_credit(text) and len(text) < 400):
            # Captions printed as paragraphs next to their picture are image fields; away
            # from a picture "Chart: ..." or "... [Xinhua]" is body text.
            continue
        # "The author is a commentator ... opinion@globaltimes.com.cn": the desk's address is
        # a trailer, the sentence before it is content.
        text = _EMAIL_TRAILER.sub("", text)
        if text:
            out.append(text)
    return out


# The site's order of trust (dates.choose_published): the printed time, the page's meta, then
# discovery times. The URL states only a month, so it never decides.
_PRIORITY = ("byline", "meta:article:published_time", "meta:publishdate", "sitemap", "list")


def _date_candidates(
    root: HtmlElement,
    page: CapturedPage,
    url: ArticleUrl,
    published: str | None,
    updated: str | None,
) -> list[DateCandidate]:
    out: list[DateCandidate] = []
    # Keep the label: a candidate's raw value is the text as printed.
    printed = (
        ("byline", f"Published: {published}" if published else None),
        ("byline:updated", f"Updated: {updated}" if updated else None),
    )
    for c in (candidate(source, raw) for source, raw in printed):
        if c is not None:
            out.append(c)
    out += fields.meta_dates(root)
    for key in sorted(page.hints):
        if key.endswith("_date"):
            c = candidate(key.removesuffix("_date"), page.hints[key])
            if c is not None:
                out.append(c)
    if url.url_date is not None:
        # /page/YYYYMM/ states only the month: provenance, not a publication time.
        out.append(DateCandidate(source="url", raw=url.url_date.strftime("%Y%m"), value=None))
    return out
