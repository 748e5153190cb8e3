"""Fields both sites state alike: tags, contributors, editor notes, meta dates, non-articles."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from archiver.record import DateCandidate
from archiver.sites.common import PageError, clean, meta, split_keywords, text_of
from archiver.sites.dates import candidate

# Keywords that name the outlet, not the story.
_SITE_TAGS = frozenset(
    {
        "china daily",
        "chinadaily",
        "chinadaily.com.cn",
        "中国日报",
        "中国日报网",
        "global times",
        "globaltimes",
        "globaltimes.cn",
        "环球时报",
        "news",
        "新闻",
    }
)


def tags(root: HtmlElement) -> list[str]:
    """meta keywords split and trimmed, site names dropped, repeats dropped ignoring case."""
    out: list[str] = []
    seen: set[str] = set()
    for tag in split_keywords(meta(root, "keywords")):
        tag = tag.strip(" .'\"")
        key = tag.casefold()
        if tag and key not in seen and key not in _SITE_TAGS:
            seen.add(key)
            out.append(tag)
    return out


# "Xinhua contributed to this story.", "Reuters and AFP contributed to this report."
_CONTRIBUTED = re.compile(
    r"(?:^|(?<=[.!?\"”]\s))(?P<who>[A-Z][\w.'’\- ,&]{1,80}?)\s+contributed\s+to\s+"
    r"(?:this|the)\s+(?:story|report|article)\.?\s*$"
)
_CONTRIBUTOR_JOIN = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|\s*&\s*|\s*,\s*)")


def contributors(paragraphs: list[str]) -> list[str]:
    """Who a "... contributed to this story." sentence at the end of a paragraph credits."""
    out: list[str] = []
    for paragraph in paragraphs:
        m = _CONTRIBUTED.search(paragraph)
        if m is None:
            continue
        for name in _CONTRIBUTOR_JOIN.split(m.group("who")):
            name = clean(name).strip(" .")
            if name and name not in out:
                out.append(name)
    return out


# "【责任编辑：严玉洁】", "（编辑：严玉洁 王辉）", "[责编：李明]", "(Editor: Li Yan)".
EDITOR_NOTE = re.compile(
    r"^[【\[(（]\s*(?:责任编辑|编辑|责编|Editors?)\s*[:：]\s*(?P<names>[^】\])）]*?)\s*[】\])）]$",
    re.I,
)


def editors(lines: list[str]) -> list[str]:
    """Names in the editor notes among `lines`, in order, each once."""
    out: list[str] = []
    for line in lines:
        m = EDITOR_NOTE.match(clean(line))
        if m is None:
            continue
        for name in re.split(r"[\s、，,/]+", m.group("names")):
            if name and name not in out:
                out.append(name)
    return out


_NEWSPAPER_HEADLINE = re.compile(r"^Newspaper\s+headline\s*:\s*(?P<headline>.+)$", re.I)


def newspaper_headline(line: str) -> str | None:
    """The print headline in a Global Times "Newspaper headline: ..." trailer, else None."""
    m = _NEWSPAPER_HEADLINE.match(clean(line))
    return clean(m.group("headline")) if m else None


# Meta tags that state dates: (name, source label). Updates are candidates too, never published.
_META_DATES = (
    ("publishdate", "meta:publishdate"),
    ("article:published_time", "meta:article:published_time"),
    ("pubdate", "meta:pubdate"),
    ("article:modified_time", "meta:article:modified_time"),
)


def meta_dates(root: HtmlElement) -> list[DateCandidate]:
    """Date candidates from <meta> tags, as printed."""
    out: list[DateCandidate] = []
    for name, source in _META_DATES:
        c = candidate(source, meta(root, name))
        if c is not None:
            out.append(c)
    return out


# --- pages that are no article -------------------------------------------------------------

# Block, rate-limit and captcha pages of CDNs and WAFs (answered with 200 more often than not).
_BLOCKED = re.compile(
    r"access denied|request (?:was )?blocked|you have been blocked|are you a (?:human|robot)"
    r"|verify you are (?:a )?human|captcha|unusual traffic|too many requests|web application "
    r"firewall|安全验证|访问被拒绝|访问受限|请输入验证码|拒绝访问",
    re.I,
)
_NOT_FOUND = re.compile(
    r"\b404\b|page not found|not be found|cannot be found|can't be found|does not exist"
    r"|no longer available|页面不存在|找不到|无法找到|已删除|已被删除",
    re.I,
)


def reject_non_article(root: HtmlElement) -> None:
    """Raise PageError (not_article) for block/captcha pages; other pages pass.

    Only short pages are judged: a block page is a few lines, while an article may well quote
    the words "access denied".
    """
    body = first_body(root)
    words = text_of(body)
    title = text_of(root.find(".//title"))
    if len(words) < 1500 and (_BLOCKED.search(title) or _BLOCKED.search(words)):
        raise PageError("blocked", f"block or captcha page (title {title!r})", not_article=True)


def not_found(root: HtmlElement) -> bool:
    """True when the page says it is a "page not found" (title or a heading)."""
    title = text_of(root.find(".//title"))
    headings = " ".join(text_of(h) for h in root.xpath("//h1|//h2")[:3])
    return bool(_NOT_FOUND.search(title) or _NOT_FOUND.search(headings))


def first_body(root: HtmlElement) -> HtmlElement:
    """The <body> element, or the root when the markup has none."""
    body = root.find(".//body")
    return body if body is not None else root
