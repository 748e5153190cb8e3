"""Per-site article parsers: which parser reads a page, chosen by the page's site."""

from __future__ import annotations

from collections.abc import Callable

from archiver.page import CapturedPage
from archiver.record import Site
from archiver.sites import chinadaily, globaltimes
from archiver.sites.common import PageError, ParsedPage
from archiver.urls import ArticleUrl

Parser = Callable[[CapturedPage, ArticleUrl], ParsedPage]

PARSERS: dict[Site, Parser] = {
    "chinadaily": chinadaily.parse,
    "globaltimes": globaltimes.parse,
}

__all__ = ["PARSERS", "PageError", "ParsedPage", "Parser", "parse_page"]


def parse_page(page: CapturedPage, url: ArticleUrl) -> ParsedPage:
    """Read one article page with its site's parser (the template is picked from the markup)."""
    return PARSERS[url.site](page, url)
