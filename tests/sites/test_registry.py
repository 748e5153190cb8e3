"""The site registry: every site of the record schema is in it, with hosts and URL dates."""

from __future__ import annotations

from typing import get_args

import pytest

from archiver.record import Site
from archiver.sites.registry import SITE_NAMES, SITES
from archiver.sites.urls import parse_article_url, site_of

pytestmark = pytest.mark.unit


def test_every_site_of_the_schema_has_an_entry() -> None:
    assert tuple(SITES) == SITE_NAMES == get_args(Site)
    assert all(info.name == name for name, info in SITES.items())


def test_a_sites_hosts_are_its_domain_and_every_host_under_it() -> None:
    for info in SITES.values():
        assert site_of(f"https://{info.domain}/") == info.name
        assert site_of(f"https://www.{info.domain}/a") == info.name
        assert site_of(f"https://not{info.domain}/") is None


def test_url_date_precision_matches_the_url_grammar() -> None:
    # A "month" site's article URLs carry the first of the month; a "day" site's the day itself.
    cd = parse_article_url(
        "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
    )
    gt = parse_article_url("https://www.globaltimes.cn/page/202405/1312790.shtml")
    assert cd is not None and gt is not None
    assert SITES[cd.site].url_date == "day" and cd.url_date is not None and cd.url_date.day == 13
    assert SITES[gt.site].url_date == "month" and gt.url_date is not None and gt.url_date.day == 1
