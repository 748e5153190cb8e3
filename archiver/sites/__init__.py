"""Per-site article parsers: which template reads a page, chosen by its markup and capture date."""

from __future__ import annotations

from archiver.page import CapturedPage
from archiver.sites.common import PageError, ParsedPage, parse_html
from archiver.sites.fields import not_found, reject_list_page, reject_non_article
from archiver.sites.registry import site_info
from archiver.sites.templates import Template, page_day, select
from archiver.sites.urls import ArticleUrl

# A "page not found" page that still matches a template has next to no text of its own.
_SOFT_404_MAX_CHARS = 300

__all__ = ["PageError", "ParsedPage", "Template", "parse_page"]


def parse_page(page: CapturedPage, url: ArticleUrl) -> ParsedPage:
    """Read one article page with the template `templates.select` picks for it.

    Raises PageError: not_article with reason "blocked" (block, captcha or challenge page),
    "maintenance", "list-page" (a list or home page) or "soft-404" (a "page not found"
    answered with 200, or a page with no headline to read); "not-html", "no-title",
    "unknown-template" and similar when the page cannot be read.
    """
    root = parse_html(page.text)
    reject_non_article(root)
    reject_list_page(root)
    site = site_info(url.site)
    templates, fallbacks = site.templates, site.fallbacks
    matched = any(t.matches(root) for t in templates)
    if not matched and not_found(root):
        raise PageError("soft-404", "the page says it is not found", not_article=True)
    template = select(templates, root, page_day(page, url), fallbacks)
    if template is None or not template.matches(root):
        raise PageError("soft-404", "no article template and no headline", not_article=True)
    parsed = template.read(root, page, url)
    if not_found(root) and sum(len(p) for p in parsed.paragraphs) < _SOFT_404_MAX_CHARS:
        raise PageError("soft-404", "the page says it is not found", not_article=True)
    return parsed
