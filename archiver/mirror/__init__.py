"""Offline mirror of both sites for tests and `archiver demo`: bundled pages and a server."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from archiver.mirror.server import BUNDLED_ROOT, MirrorRequest, MirrorServer
from archiver.record import Site

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

    def article(self, url: str) -> ManifestArticle:
        """The entry whose canonical url is `url`; KeyError if none."""
        for a in self.articles:
            if a.url == url:
                return a
        raise KeyError(url)


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
