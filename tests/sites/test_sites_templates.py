"""Template versioning: `select` and `valid_on` with markup that fits two generations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from lxml.html import HtmlElement

from archiver.page import CapturedPage
from archiver.sites.common import ParsedPage, parse_html
from archiver.sites.extract import extract_article
from archiver.sites.templates import Template, page_day, select
from archiver.sites.urls import ArticleUrl, parse_article_url
from tests.fixture_pages import load

pytestmark = pytest.mark.unit


def _never(root: HtmlElement, page: CapturedPage, url: ArticleUrl) -> ParsedPage:
    raise AssertionError("not read in these tests")


def _has(cls: str) -> Template:
    return Template(cls, lambda root: bool(root.xpath(f"//div[@class='{cls}']")), _never)


# Old markup until the end of 2019, new markup from 2017: both are live 2017-2019.
OLD = replace(_has("old"), valid_until=date(2019, 12, 31))
NEW = replace(_has("new"), valid_from=date(2017, 1, 1))
FALLBACK = Template("fallback", lambda root: bool(root.xpath("//h1")), _never)
BOTH = parse_html("<html><body><div class='new'></div><div class='old'></div><h1>x</h1></body>")


@pytest.mark.parametrize(
    ("template", "day", "valid"),
    [
        (OLD, date(2010, 5, 1), True),
        (OLD, date(2019, 12, 31), True),  # inclusive
        (OLD, date(2020, 1, 1), False),
        (NEW, date(2016, 12, 31), False),
        (NEW, date(2017, 1, 1), True),  # inclusive
        (NEW, date(2030, 1, 1), True),  # open-ended
        (FALLBACK, date(1999, 1, 1), True),
    ],
)
def test_valid_on(template: Template, day: date, valid: bool) -> None:
    assert template.valid_on(day) is valid


@pytest.mark.parametrize(
    ("day", "chosen"),
    [
        (date(2016, 6, 1), "old"),  # before the cut-over: only the old rules were live
        (date(2018, 6, 1), "new"),  # both live: the first (most specific) valid one
        (date(2021, 6, 1), "new"),  # after the old template's end
        (None, "new"),  # no date: the first candidate
    ],
)
def test_select_overlapping_markup_by_capture_date(day: date | None, chosen: str) -> None:
    template = select([NEW, OLD], BOTH, day, [FALLBACK])
    assert template is not None and template.name == chosen


def test_select_when_no_candidate_is_valid_takes_the_first_candidate() -> None:
    late_old = replace(OLD, valid_from=date(2015, 1, 1))
    only_old = parse_html("<html><body><div class='old'></div></body></html>")
    template = select([NEW, late_old], only_old, date(2010, 1, 1), [FALLBACK])
    assert template is not None and template.name == "old"


def test_select_falls_back_only_without_a_matching_template() -> None:
    plain = parse_html("<html><body><h1>x</h1></body></html>")
    template = select([NEW, OLD], plain, date(2018, 1, 1), [FALLBACK])
    assert template is not None and template.name == "fallback"
    assert select([NEW, OLD], plain, date(2018, 1, 1)) is None


def test_page_day_is_the_capture_date_in_beijing() -> None:
    url = parse_article_url("https://www.globaltimes.cn/content/1207402.shtml")
    assert url is not None
    page = CapturedPage(
        url=url.canonical, body=b"", fetched_at=datetime(2020, 12, 31, 17, tzinfo=UTC)
    )
    assert page_day(page, url) == date(2021, 1, 1)
    assert page_day(replace(page, fetched_at=None), url) == url.url_date


@pytest.mark.parametrize(
    ("fetched", "parser"),
    [
        (datetime(2020, 12, 31, 15, 59, 59, tzinfo=UTC), "globaltimes/legacy"),
        # Midnight in Beijing: the current template's first day.
        (datetime(2020, 12, 31, 16, 0, 0, tzinfo=UTC), "globaltimes/current"),
    ],
)
def test_the_current_global_times_template_starts_on_its_first_beijing_day(
    fetched: datetime, parser: str
) -> None:
    page = load("globaltimes-legacy-2020-11-20-both-templates-capture-date").pages[0]
    record = extract_article([replace(page, fetched_at=fetched)])
    assert record.extractor.parser == parser


@pytest.mark.parametrize(
    ("fetched", "parser", "source"),
    [
        (datetime(2020, 11, 20, 15, tzinfo=UTC), "globaltimes/legacy", None),
        # Both templates live: the current one, listed first, wins.
        (datetime(2021, 3, 1, 4, tzinfo=UTC), "globaltimes/current", "Global Times"),
        (datetime(2021, 7, 1, 4, tzinfo=UTC), "globaltimes/current", "Global Times"),
    ],
)
def test_capture_date_changes_the_template_and_a_field(
    fetched: datetime, parser: str, source: str | None
) -> None:
    # The same bytes, with markup of both generations: the capture date decides how they are
    # read, and the current template implies the paper as source where legacy pages print it.
    page = load("globaltimes-legacy-2020-11-20-both-templates-capture-date").pages[0]
    record = extract_article([replace(page, fetched_at=fetched)])
    assert record.extractor.parser == parser
    assert record.source == source
