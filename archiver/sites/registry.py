"""The sites the archiver knows, as data: every module outside sites/ asks here, never by name.

Per site: its name in records, the domain its hosts are under (stated with the URL grammar in
archiver/sites/urls.py, which the parsers import), its spider, what the date in its article
URLs names, and its page templates with the fallbacks for markup none of them knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from archiver.record import Site
from archiver.sites import chinadaily, globaltimes
from archiver.sites.templates import Template
from archiver.sites.urls import DOMAINS


@dataclass(frozen=True)
class SiteInfo:
    """One site, as the crawl, the parsers and the offline tools need to know it."""

    name: Site
    domain: str
    """Every host under this domain (and the domain itself) belongs to the site."""
    spider: str
    """The Scrapy spider that crawls it (`scrapy crawl <spider>`)."""
    url_date: Literal["day", "month"]
    """What the date in an article URL names: the day, or only the month (the URL carries the
    first of it, so a since/until window must not cut the rest of the month off)."""
    templates: Sequence[Template]
    """Its page templates, most specific first (archiver/sites/templates.py chooses one)."""
    fallbacks: Sequence[Template]
    """Readers for markup no template knows: headline from the page, body by trafilatura."""


SITES: dict[Site, SiteInfo] = {
    "chinadaily": SiteInfo(
        "chinadaily",
        DOMAINS["chinadaily"],
        spider="chinadaily",
        url_date="day",
        templates=chinadaily.TEMPLATES,
        fallbacks=chinadaily.FALLBACKS,
    ),
    "globaltimes": SiteInfo(
        "globaltimes",
        DOMAINS["globaltimes"],
        spider="globaltimes",
        url_date="month",
        templates=globaltimes.TEMPLATES,
        fallbacks=globaltimes.FALLBACKS,
    ),
}

SITE_NAMES: tuple[Site, ...] = get_args(Site)
"""Every site, in the record schema's order ("chinadaily", "globaltimes")."""


def site_info(name: Site) -> SiteInfo:
    """The registry entry of a site."""
    return SITES[name]
