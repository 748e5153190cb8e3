"""The shapes of what a reconstructed page says: a figure, a China Daily and a Global Times article.

The texts themselves are in `chinadaily/text.py` and `globaltimes/text.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CdTemplate = Literal["current-en", "legacy-en", "legacy-zh-gb"]


@dataclass(frozen=True)
class Figure:
    """A body image: caption as the reader sees it and the credit printed with it."""

    src: str
    caption: str
    credit: str


@dataclass(frozen=True)
class CdArticle:
    """One reconstructed China Daily article page."""

    url: str  # canonical https URL
    article_id: str
    template: CdTemplate
    title: str
    description: str
    byline: str  # the part of the info line before the outlet, "" when there is none
    authors: tuple[str, ...]  # normal case, as the record wants them
    source: str
    updated: str  # "YYYY-MM-DD HH:MM"
    section: tuple[tuple[str, str], ...]  # breadcrumb (label, path) after Home
    paragraphs: tuple[str, ...]
    figure: Figure | None = None
    editor: str = "王鑫"
    catalog: str = "59b8d010a3108c54ed7dfc3a"
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GtArticle:
    """One reconstructed Global Times article page."""

    article_id: str
    month: str  # "YYYYMM" of /page/ URLs; "" for legacy /content/ pages
    title: str
    subtitle: str
    authors: tuple[str, ...]
    source: str  # "Global Times" or what "Source:" prints
    published: str  # "YYYY-MM-DD HH:MM:SS" Beijing time
    column: tuple[tuple[str, str], ...]  # (LABEL, section path)
    paragraphs: tuple[str, ...]
    keywords: tuple[str, ...] = ()
    figure: Figure | None = None
    related: tuple[str, ...] = ()  # article ids of the RELATED ARTICLES box
    newspaper_headline: str | None = None
    place: str | None = None  # legacy byline dateline, "By X in Shanghai"
    in_sitemap: bool = True
    excludes: tuple[str, ...] = field(default=())

    @property
    def url(self) -> str:
        """Canonical https URL."""
        if self.month:
            return f"https://www.globaltimes.cn/page/{self.month}/{self.article_id}.shtml"
        return f"https://www.globaltimes.cn/content/{self.article_id}.shtml"
