"""Offline mirror of both sites for tests and `archiver demo`: bundled pages and a server."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from archiver.mirror.server import BUNDLED_ROOT, MirrorRequest, MirrorServer, file_path_for
from archiver.record import Site
from archiver.sites.urls import absolute_url, parse_article_url, site_of

__all__ = [
    "Manifest",
    "ManifestArticle",
    "ManifestRedirect",
    "ManifestRequisite",
    "MirrorRequest",
    "MirrorServer",
    "bundled_root",
    "load_manifest",
]

Expect = Literal["article", "not-article"]


@dataclass(frozen=True)
class ManifestArticle:
    """One article-like URL the mirror serves, with what a correct crawl extracts from it."""

    url: str  # real canonical https URL of page 1
    site: Site
    article_id: str
    pages: int
    title: str | None
    expect: Expect
    published: str | None  # "YYYY-MM-DD HH:MM", Beijing time, as the page prints it
    authors: tuple[str, ...]  # normal case, "An Baijie"
    source: str | None
    language: str
    template: str  # which page template the mirror serves it in, e.g. "chinadaily/current-en"
    real: bool  # a real capture (True) or reconstructed for the mirror (False)
    text_includes: tuple[str, ...]  # snippets the extracted body text must contain
    text_excludes: tuple[str, ...]  # snippets it must not contain (captions, boxes, trailers)
    status: int = 200
    # The text_excludes that are picture captions or credits: found in the record's images
    # (credits as printed, "[Photo/Agencies]" or "Photo: VCG"; records drop brackets/"Photo:").
    image_snippets: tuple[str, ...] = ()


@dataclass(frozen=True)
class ManifestRedirect:
    """A URL the mirror answers with a redirect to the real absolute `location`."""

    url: str
    status: int
    location: str


@dataclass(frozen=True)
class ManifestRequisite:
    """A picture or stylesheet an article page links and the mirror serves (status 200)."""

    page: str  # canonical URL of the article page that links it
    url: str  # absolute URL as the page links it (query included)
    content_type: str  # what the mirror sends: "image/jpeg", "text/css"


# A list URL that is a later page of a paginated China Daily list (not a start page).
_LATER_PAGE = re.compile(r"/page_\d+\.html$")


@dataclass(frozen=True)
class Manifest:
    """Ground truth of the mirror: what a crawl starting from `lists` should find."""

    articles: tuple[ManifestArticle, ...]
    lists: tuple[str, ...]  # list/section/sitemap URLs; every article link on them is served
    redirects: tuple[ManifestRedirect, ...]
    others: tuple[str, ...]  # other served URLs (robots.txt, homepage), status 200
    missing: tuple[str, ...]  # URLs the real site answers 404 to and so does the mirror
    requisites: tuple[ManifestRequisite, ...] = ()

    def default_start_pages(self, site: Site) -> list[str]:
        """The site's lists a crawl without urls= starts from (first pages of lists, sitemap).

        They are the spiders' default start pages (tested); later list pages are not in it.
        """
        return [u for u in self.lists if site_of(u) == site and not _LATER_PAGE.search(u)]

    def unreached(self, site: Site) -> list[str]:
        """Article URLs a crawl from the default start pages (list_pages=1) does not reach.

        Empty for the bundled mirror: a crawl with no urls= archives every article.
        """
        linked = self._linked_with_redirects(self.default_start_pages(site))
        return [a.url for a in self.articles if a.site == site and a.url not in linked]

    def start_urls(self, site: Site) -> list[str]:
        """URLs from which a crawl of `site` reaches every article the mirror serves.

        The site's lists, then the articles no list links (given to a crawl as urls=).
        """
        lists = [url for url in self.lists if site_of(url) == site]
        linked = self._linked_with_redirects(lists)
        direct = [a.url for a in self.articles if a.site == site and a.url not in linked]
        return lists + direct

    def linked_from(self, list_url: str) -> set[str]:
        """Canonical URLs of the articles one bundled list page or sitemap links.

        An article reached through a redirect the list links counts as linked.
        """
        return self._linked_with_redirects([list_url])

    def _linked_with_redirects(self, lists: list[str]) -> set[str]:
        linked = _linked_articles(lists)
        for redirect in self.redirects:
            source, target = parse_article_url(redirect.url), parse_article_url(redirect.location)
            if source is not None and target is not None and source.canonical in linked:
                linked.add(target.canonical)
        return linked

    def article(self, url: str) -> ManifestArticle:
        """The entry whose canonical url is `url`; KeyError if none."""
        for a in self.articles:
            if a.url == url:
                return a
        raise KeyError(url)


def _linked_articles(lists: list[str]) -> set[str]:
    # Canonical URLs of the articles the bundled list pages and sitemaps link.
    linked: set[str] = set()
    for url in lists:
        parts = urlsplit(url)
        relative = file_path_for(parts.path)
        if relative is None:
            continue
        path = bundled_root() / "site" / (parts.hostname or "") / relative
        text = path.read_text(encoding="utf-8", errors="replace")
        for href in re.findall(r"""(?:href=["']|<loc>)\s*([^"'<\s]+)""", text):
            article = parse_article_url(absolute_url(href, url))
            if article is not None:
                linked.add(article.canonical)
    return linked


def bundled_root() -> Path:
    """Directory of the bundled mirror data (holds site/, routes.json, manifest.json)."""
    return BUNDLED_ROOT


def load_manifest(path: Path | None = None) -> Manifest:
    """Read manifest.json (default: the bundled one)."""
    raw: dict[str, Any] = json.loads(
        (path or bundled_root() / "manifest.json").read_text(encoding="utf-8")
    )
    articles = tuple(
        ManifestArticle(
            url=a["url"],
            site=a["site"],
            article_id=a["article_id"],
            pages=int(a["pages"]),
            title=a["title"],
            expect=a["expect"],
            published=a["published"],
            authors=tuple(a["authors"]),
            source=a["source"],
            language=a["language"],
            template=a["template"],
            real=bool(a["real"]),
            text_includes=tuple(a.get("text_includes", ())),
            text_excludes=tuple(a.get("text_excludes", ())),
            status=int(a.get("status", 200)),
            image_snippets=tuple(a.get("image_snippets", ())),
        )
        for a in raw["articles"]
    )
    return Manifest(
        articles=articles,
        lists=tuple(raw["lists"]),
        redirects=tuple(
            ManifestRedirect(url=r["url"], status=int(r["status"]), location=r["location"])
            for r in raw.get("redirects", ())
        ),
        others=tuple(raw.get("others", ())),
        missing=tuple(raw.get("missing", ())),
        requisites=tuple(
            ManifestRequisite(page=r["page"], url=r["url"], content_type=r["content_type"])
            for r in raw.get("requisites", ())
        ),
    )
