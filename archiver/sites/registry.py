"""The sites the archiver knows, as data: every module outside sites/ asks here, never by name.

The parsers of each site (templates and fallbacks) are listed beside `parse_page` in
archiver/sites/__init__.py: this module stays free of them, so that the URL grammar
(archiver/sites/urls.py), which the parsers import, can ask it for a site's hosts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from archiver.record import Site


@dataclass(frozen=True)
class SiteInfo:
    """One site: its name in records, its hosts, its spider, what its article URLs say."""

    name: Site
    domain: str
    """Every host under this domain (and the domain itself) belongs to the site."""
    spider: str
    """The Scrapy spider that crawls it (`scrapy crawl <spider>`)."""
    url_date: Literal["day", "month"]
    """What the date in an article URL names: the day, or only the month (the URL carries the
    first of it, so a since/until window must not cut the rest of the month off)."""

    def owns_host(self, host: str) -> bool:
        """True when `host` (lower case) is the site's domain or one of its sub-domains."""
        return host == self.domain or host.endswith("." + self.domain)


SITES: dict[Site, SiteInfo] = {
    "chinadaily": SiteInfo("chinadaily", "chinadaily.com.cn", "chinadaily", url_date="day"),
    "globaltimes": SiteInfo("globaltimes", "globaltimes.cn", "globaltimes", url_date="month"),
}

SITE_NAMES: tuple[Site, ...] = get_args(Site)
"""Every site, in the record schema's order ("chinadaily", "globaltimes")."""


def site_info(name: Site) -> SiteInfo:
    """The registry entry of a site."""
    return SITES[name]


def site_of_host(host: str) -> Site | None:
    """The site a host (lower case) belongs to, or None."""
    for info in SITES.values():
        if info.owns_host(host):
            return info.name
    return None
