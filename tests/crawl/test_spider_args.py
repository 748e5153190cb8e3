"""Spider arguments: parsing, validation and one-line errors."""

from __future__ import annotations

from datetime import date

import pytest

from archiver.crawl.args import SpiderArgumentError, parse_crawl_args
from archiver.sites.urls import parse_article_url
from spiders.chinadaily import ChinaDailySpider
from spiders.globaltimes import GlobalTimesSpider

pytestmark = pytest.mark.unit

GT_MAY = "https://www.globaltimes.cn/page/202405/1311111.shtml"
GT_APRIL = "https://www.globaltimes.cn/page/202404/1311110.shtml"
CD_MAY_13 = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"


def test_urls_split_on_commas_and_dates_parsed() -> None:
    args = parse_crawl_args(
        "chinadaily",
        {
            "urls": " https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html ,"
            "https://www.chinadaily.com.cn/world/china-us",
            "since": "2024-05-01",
            "until": "2024-05-31",
            "max_articles": "5",
        },
    )
    assert args.urls == (
        "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html",
        "https://www.chinadaily.com.cn/world/china-us",
    )
    assert (args.since, args.until, args.max_articles) == (date(2024, 5, 1), date(2024, 5, 31), 5)
    assert args.in_window(date(2024, 5, 13))
    assert not args.in_window(date(2024, 4, 30))
    assert not args.in_window(date(2024, 6, 1))
    assert args.in_window(None)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"since": "yesterday"}, "bad value for since='yesterday'"),
        (
            {"since": "1714521600"},
            "bad value for since='1714521600': expected a date as YYYY-MM-DD",
        ),
        ({"until": "20240501"}, "bad value for until='20240501': expected a date as YYYY-MM-DD"),
        ({"since": "2024-5-1"}, "bad value for since='2024-5-1'"),
        ({"max_articles": "0"}, "bad value for max_articles='0'"),
        ({"max_articles": "lots"}, "bad value for max_articles='lots'"),
        ({"colour": "red"}, "unknown argument 'colour'"),
        (
            {"urls": "https://www.globaltimes.cn/page/202609/1371581.shtml"},
            "is not a chinadaily URL",
        ),
        ({"urls": "www.chinadaily.com.cn/world"}, "is not an absolute http(s) URL"),
        (
            {"since": "2024-06-01", "until": "2024-05-01"},
            "since=2024-06-01 is after until=2024-05-01",
        ),
    ],
)
def test_bad_values_give_one_line_errors(raw: dict[str, str], message: str) -> None:
    with pytest.raises(SpiderArgumentError) as caught:
        parse_crawl_args("chinadaily", raw)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_since_makes_lists_deeper_unless_list_pages_given() -> None:
    assert parse_crawl_args("globaltimes", {}).list_page_limit == 1
    assert parse_crawl_args("globaltimes", {"since": "2024-01-01"}).list_page_limit == 200
    assert (
        parse_crawl_args("globaltimes", {"since": "2024-01-01", "list_pages": "3"}).list_page_limit
        == 3
    )


def _in_window(spider: ChinaDailySpider | GlobalTimesSpider, url: str, day: date | None) -> bool:
    article = parse_article_url(url)
    assert article is not None
    return spider._in_window(article, day)


def test_global_times_url_month_is_in_window_when_any_day_of_it_is() -> None:
    may = GlobalTimesSpider(since="2024-05-01")
    assert _in_window(may, GT_MAY, None)
    # April ends before since: the whole month is outside (it used to run to 1 May).
    assert not _in_window(may, GT_APRIL, None)
    mid_april = GlobalTimesSpider(since="2024-04-30", until="2024-04-30")
    assert _in_window(mid_april, GT_APRIL, None)
    assert not _in_window(mid_april, GT_MAY, None)
    assert _in_window(GlobalTimesSpider(until="2024-05-01"), GT_MAY, None)
    assert not _in_window(GlobalTimesSpider(until="2024-04-30"), GT_MAY, None)


def test_list_or_sitemap_date_wins_over_the_url_date() -> None:
    may = GlobalTimesSpider(since="2024-05-10")
    assert not _in_window(may, GT_MAY, date(2024, 5, 9))
    assert _in_window(may, GT_APRIL, date(2024, 5, 10))
    cd = ChinaDailySpider(since="2024-05-14")
    assert _in_window(cd, CD_MAY_13, date(2024, 5, 14))


def test_china_daily_url_date_is_a_day() -> None:
    assert _in_window(ChinaDailySpider(since="2024-05-13"), CD_MAY_13, None)
    assert not _in_window(ChinaDailySpider(since="2024-05-14"), CD_MAY_13, None)
    assert not _in_window(ChinaDailySpider(until="2024-05-12"), CD_MAY_13, None)


@pytest.mark.parametrize("spider", [ChinaDailySpider, GlobalTimesSpider])
def test_scrapyd_job_and_version_are_accepted_and_others_still_refused(spider: type) -> None:
    # Scrapyd starts every crawl with `-a _job=<id>` (and `-a _version=<v>` when scheduled with
    # one): the check before the crawl must let them through, and only them.
    scrapyd = {"_job": "6487ec79947edab326d6db28a2d86511", "_version": "1764500000"}
    spider.check_arguments({**scrapyd, "max_articles": "3"})
    crawl = spider(**scrapyd, max_articles="3")
    assert crawl.args.max_articles == 3
    assert crawl._job == scrapyd["_job"]  # Scrapyd's convention: the job id as an attribute
    with pytest.raises(SpiderArgumentError, match="unknown argument '_jobs'"):
        spider.check_arguments({**scrapyd, "_jobs": "x"})
    with pytest.raises(SpiderArgumentError, match="bad value for max_articles='none'"):
        spider.check_arguments({**scrapyd, "max_articles": "none"})
