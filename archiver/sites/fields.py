"""Fields both sites state alike: tags, contributors, editor notes, meta dates, non-articles."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from archiver.record import DateCandidate
from archiver.sites.common import PageError, clean, meta, split_keywords, text_of
from archiver.sites.dates import candidate
from archiver.sites.urls import parse_article_url

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
_IN_PLACE = re.compile(r"\s+in\s+[A-Z].*$")
_CONTRIBUTOR_JOIN = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|\s*&\s*|\s*,\s*)")


def contributors(paragraphs: list[str]) -> list[str]:
    """Who a "... contributed to this story." sentence at the end of a paragraph credits."""
    out: list[str] = []
    for paragraph in paragraphs:
        m = _CONTRIBUTED.search(paragraph)
        if m is None:
            continue
        for name in _CONTRIBUTOR_JOIN.split(m.group("who")):
            # "Zhao Yimeng in Beijing contributed ...": the place is not part of the name.
            name = _IN_PLACE.sub("", clean(name)).strip(" .")
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

# Block, rate-limit, captcha and JavaScript-challenge pages of CDNs and WAFs (Cloudflare's
# "Just a moment...", Aliyun's "您的访问被阻断"), answered with 200 more often than not.
_BLOCKED = re.compile(
    r"access denied|request (?:was |has been )?blocked|you have been blocked"
    r"|are you a (?:human|robot)|verify you are (?:a )?human|captcha|unusual traffic"
    r"|too many requests|web application firewall|just a moment\.\.\.|attention required"
    r"|checking (?:if )?(?:the site connection|your browser)|enable javascript and cookies"
    r"|ddos protection|安全验证|访问被拒绝|访问受限|请输入验证码|拒绝访问|访问被阻断",
    re.I,
)
_MAINTENANCE = re.compile(
    r"under maintenance|(?:scheduled|planned) maintenance|performing (?:some )?maintenance"
    r"|down for maintenance|we(?:'|’)ll be back soon|系统维护|网站维护",
    re.I,
)
_NOT_FOUND = re.compile(
    r"\b404\b|page not found|not be found|cannot be found|can't be found|does not exist"
    r"|no longer available|页面不存在|找不到|无法找到|已删除|已被删除",
    re.I,
)


def reject_non_article(root: HtmlElement) -> None:
    """Raise PageError (not_article) for block/captcha ("blocked") and maintenance pages.

    Only short pages are judged: a block page is a few lines, while an article may well quote
    the words "access denied".
    """
    body = first_body(root)
    words = text_of(body)
    title = text_of(root.find(".//title"))
    if len(words) >= 1500:
        return
    if _BLOCKED.search(title) or _BLOCKED.search(words):
        raise PageError("blocked", f"block or captcha page (title {title!r})", not_article=True)
    # A short story may well say "under maintenance": only the title or a heading counts.
    headings = " ".join(text_of(h) for h in body.xpath(".//h1|.//h2|.//h3")[:3])
    if _MAINTENANCE.search(title) or _MAINTENANCE.search(headings):
        raise PageError("maintenance", f"maintenance page (title {title!r})", not_article=True)


def not_found(root: HtmlElement) -> bool:
    """True when the page says it is a "page not found" (title or a heading)."""
    title = text_of(root.find(".//title"))
    headings = " ".join(text_of(h) for h in root.xpath("//h1|//h2")[:3])
    return bool(_NOT_FOUND.search(title) or _NOT_FOUND.search(headings))


def first_body(root: HtmlElement) -> HtmlElement:
    """The <body> element, or the root when the markup has none."""
    body = root.find(".//body")
    return body if body is not None else root


# A section list page carries one "tw3_01_2" item per story; an article page has none.
_LIST_ITEM = "//*[contains(concat(' ', normalize-space(@class), ' '), ' tw3_01_2 ')]"
_LIST_MIN_ITEMS = 5
# Headings that link to other stories: a home or list page, when no template knows the markup.
# An article's related-stories box has a few; a list page has one per story.
_HEADLINE_LINKS = "//h1//a[@href]|//h2//a[@href]|//h3//a[@href]|//h4//a[@href]"
_LIST_MIN_HEADLINES = 8


def reject_list_page(root: HtmlElement) -> None:
    """Raise PageError("list-page", not_article) for a China Daily section list page."""
    items = len(root.xpath(_LIST_ITEM))
    if items >= _LIST_MIN_ITEMS:
        raise PageError("list-page", f"section list page ({items} list items)", not_article=True)


def headline_links(root: HtmlElement, own_id: str, xpath: str = _HEADLINE_LINKS) -> int:
    """How many other articles the links `xpath` finds (default: in h1-h4) point to."""
    ids: set[str] = set()
    for a in root.xpath(xpath):
        found = parse_article_url(a.get("href") or "")
        if found is not None and found.article_id != own_id:
            ids.add(found.article_id)
    return len(ids)


# Article evidence for readers of unknown markup: enough body text, in paragraphs.
_EVIDENCE_MIN_CHARS = 300
_EVIDENCE_MIN_PARAGRAPHS = 2
_SITE_NAMES = frozenset(
    {"global times", "china daily", "chinadaily.com.cn", "中国日报网", "中国日报", "环球时报"}
)


def check_generic(
    root: HtmlElement, own_id: str, title: str, paragraphs: list[str], dated: bool
) -> None:
    """Refuse what a generic (unknown-markup) reader read unless the page shows an article.

    Raises PageError "list-page" (not_article) when the first <h1> links to another story or
    the headings link to 8 or more (a home or list page); "unknown-template" when the headline
    is only the site's name, or when there is no article evidence: a date printed in the byline
    or <meta>, og:type "article", or at least 300 characters of text in at least 2 paragraphs.
    """
    if headline_links(root, own_id, "(//h1)[1]//a[@href]|(//h1)[1]/ancestor::a[@href]"):
        raise PageError("list-page", "the main heading links to another story", not_article=True)
    links = headline_links(root, own_id)
    if links >= _LIST_MIN_HEADLINES:
        raise PageError(
            "list-page", f"headings link to {links} other stories (a list page)", not_article=True
        )
    if clean(title).casefold() in _SITE_NAMES:
        raise PageError("unknown-template", f"unknown markup; the headline is {title!r}")
    long_enough = (
        len(paragraphs) >= _EVIDENCE_MIN_PARAGRAPHS
        and sum(len(p) for p in paragraphs) >= _EVIDENCE_MIN_CHARS
    )
    og_article = (meta(root, "og:type") or "").lower() == "article"
    if not (dated or og_article or long_enough):
        raise PageError(
            "unknown-template",
            "unknown markup and no sign of an article (no date, no og:type, little text)",
        )
