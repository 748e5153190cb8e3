"""Read Google News sitemaps (and plain ones) safely: no entities, no network, bounded size."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_ROOTS = frozenset({"urlset", "sitemapindex"})


class SitemapError(ValueError):
    """A sitemap document that does not parse as one (empty, not XML, another root)."""


@dataclass(frozen=True)
class SitemapEntry:
    """One <url> of a sitemap; `published` is news:publication_date as printed, if any."""

    url: str
    published: str | None
    title: str | None

    @property
    def day(self) -> date | None:
        """The publication day in the timezone the sitemap states, or None."""
        if not self.published:
            return None
        try:
            return datetime.fromisoformat(self.published).date()
        except ValueError:
            return None


def iter_news_sitemap(body: bytes) -> Iterator[SitemapEntry]:
    """Entries of a sitemap document; a malformed document yields what parsed before the fault.

    Raises SitemapError when nothing parses as a sitemap (empty, binary, HTML, another root):
    the caller counts it, so a sitemap that broke is not mistaken for one with no news.
    Entities are never expanded (a "billion laughs" body stays small) or fetched.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"not XML: {exc}") from None
    if root is None:
        raise SitemapError("not XML")
    name = etree.QName(root).localname if isinstance(root.tag, str) else ""
    if name not in _ROOTS:
        raise SitemapError(f"root element <{name}> is not <urlset> or <sitemapindex>")
    for url in root.iter(f"{{{_SITEMAP_NS}}}url", "url"):
        loc = _text(url, f"{{{_SITEMAP_NS}}}loc") or _text(url, "loc")
        if not loc:
            continue
        yield SitemapEntry(
            url=loc,
            published=_text(url, f".//{{{_NEWS_NS}}}publication_date"),
            title=_text(url, f".//{{{_NEWS_NS}}}title"),
        )


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None
