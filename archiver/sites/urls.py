"""What a URL of either site is: an article page (which article, which page of it) or not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from archiver.record import Site

Scheme = Literal["current", "legacy"]

DOMAINS: dict[Site, str] = {"chinadaily": "chinadaily.com.cn", "globaltimes": "globaltimes.cn"}
"""Each site's domain: the domain itself and every host under it belong to the site."""

# Current China Daily CMS (2017/18 on), on every *.chinadaily.com.cn host, English and Chinese:
# /a/YYYYMM/DD/WS<24 hex>.html, further pages WS..._2.html.
_CD_CURRENT = re.compile(
    r"^/a/(?P<ym>\d{6})/(?P<d>\d{2})/(?P<id>WS[0-9a-f]{24})(?:_(?P<page>\d+))?\.html$"
)
# Old China Daily CMS (about 2000-2018, /cndy/ print pages until 2019):
# .../YYYY-MM/DD/content_<id>.htm, further pages content_<id>_2.htm (form unverified).
_CD_LEGACY = re.compile(
    r"^(?P<prefix>(?:/[\w.-]+)*)/(?P<y>\d{4})-(?P<m>\d{2})/(?P<d>\d{2})/"
    r"content_(?P<id>\d+)(?:_(?P<page>\d+))?\.html?$"
)
_GT_CURRENT = re.compile(r"^/page/(?P<ym>\d{6})/(?P<id>\d+)\.shtml$")
_GT_LEGACY = re.compile(r"^/content/(?P<id>\d+)\.shtml$")


@dataclass(frozen=True)
class ArticleUrl:
    """An article page URL, taken apart."""

    site: Site
    article_id: str
    scheme: Scheme
    page: int
    canonical: str
    # The date the URL states: the day for China Daily, the first of the month for Global Times
    # /page/ URLs; None where the URL has no date.
    url_date: date | None
    # URL of page N is canonical with this suffix inserted before the extension (China Daily).
    _page_pattern: str = ""

    def page_url(self, number: int) -> str:
        """URL of page `number` (1 is the canonical URL) of a multi-page article."""
        if number == 1 or not self._page_pattern:
            return self.canonical
        return self._page_pattern.format(number)


def site_of(url: str) -> Site | None:
    """Which site a URL belongs to, by host; None for any other host."""
    host = (urlsplit(_absolute(url)).hostname or "").lower()
    for site, domain in DOMAINS.items():
        if host == domain or host.endswith("." + domain):
            return site
    return None


# `parse_article_url` is this function cached (below).
def article_url(url: str) -> ArticleUrl | None:
    """Classify `url`; None when it is not an article page of either site.

    Protocol-relative links ("//www.chinadaily.com.cn/...") are accepted and given https:.
    """
    parts = urlsplit(_absolute(url))
    host = (parts.hostname or "").lower()
    site = site_of(url)
    path = parts.path
    if site == "chinadaily":
        m = _CD_CURRENT.match(path)
        if m:
            ym, day = m["ym"], m["d"]
            base = f"https://{host}/a/{ym}/{day}/{m['id']}"
            return ArticleUrl(
                site="chinadaily",
                article_id=m["id"],
                scheme="current",
                page=int(m["page"] or 1),
                canonical=base + ".html",
                url_date=_safe_date(int(ym[:4]), int(ym[4:]), int(day)),
                _page_pattern=base + "_{}.html",
            )
        m = _CD_LEGACY.match(path)
        if m:
            ext = path.rsplit(".", 1)[1]
            base = f"https://{host}{m['prefix']}/{m['y']}-{m['m']}/{m['d']}/content_{m['id']}"
            return ArticleUrl(
                site="chinadaily",
                article_id=f"content_{m['id']}",
                scheme="legacy",
                page=int(m["page"] or 1),
                canonical=f"{base}.{ext}",
                url_date=_safe_date(int(m["y"]), int(m["m"]), int(m["d"])),
                _page_pattern=base + "_{}." + ext,
            )
        return None
    if site == "globaltimes":
        m = _GT_CURRENT.match(path)
        if m:
            ym = m["ym"]
            return ArticleUrl(
                site="globaltimes",
                article_id=m["id"],
                scheme="current",
                page=1,
                canonical=f"https://www.globaltimes.cn/page/{ym}/{m['id']}.shtml",
                url_date=_safe_date(int(ym[:4]), int(ym[4:]), 1),
            )
        m = _GT_LEGACY.match(path)
        if m:
            return ArticleUrl(
                site="globaltimes",
                article_id=m["id"],
                scheme="legacy",
                page=1,
                canonical=f"https://www.globaltimes.cn/content/{m['id']}.shtml",
                url_date=None,
            )
    return None


# Cached (the result is immutable): a crawl asks about one URL several times (list, request,
# response, redirect, pager, pipeline). A pass over every page of an archive (verify,
# reextract, extraction) calls `article_url`: there the cache would only hold every URL (700
# bytes each, up to 11 MB) and seldom serve one again.
parse_article_url = lru_cache(maxsize=1 << 14)(article_url)


def absolute_url(href: str, base: str) -> str:
    """Resolve a link found on page `base`; protocol-relative links get https:."""
    from urllib.parse import urljoin

    href = href.strip()
    if href.startswith("//"):
        return "https:" + href
    return urljoin(base, href)


def _absolute(url: str) -> str:
    url = url.strip()
    return "https:" + url if url.startswith("//") else url


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def without_fragment(url: str) -> str:
    """`url` with any #fragment removed (list pages link `index2.html#list`)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
