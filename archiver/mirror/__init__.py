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
from archiver.urls import absolute_url, parse_article_url, site_of

__all__ = [
    "Manifest",
    "ManifestArticle",
    "ManifestRedirect",
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


@dataclass(frozen=True)
class ManifestRedirect:
    """A URL the mirror answers with a redirect to the real absolute `location`."""

    url: str
    status: int
    location: str


@dataclass(frozen=True)
class Manifest:
    """Ground truth of the mirror: what a crawl starting from `lists` should find."""

    articles: tuple[ManifestArticle, ...]
    lists: tuple[str, ...]  # list/section/sitemap URLs; every article link on them is served
    redirects: tuple[ManifestRedirect, ...]
    others: tuple[str, ...]  # other served URLs (robots.txt, homepage), status 200
    missing: tuple[str, ...]  # URLs the real site answers 404 to and so does the mirror

    def start_urls(self, site: Site) -> list[str]:
        """URLs from which a crawl of `site` reaches every article the mirror serves.

        The site's lists, then the articles no list links (given to a crawl as urls=).
        """
        lists = [url for url in self.lists if site_of(url) == site]
        linked = _linked_articles(lists)
        for redirect in self.redirects:
            source, target = parse_article_url(redirect.url), parse_article_url(redirect.location)
            if source is not None and target is not None and source.canonical in linked:
                linked.add(target.canonical)
        direct = [a.url for a in self.articles if a.site == site and a.url not in linked]
        return lists + direct

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
    )
