"""Spider arguments: parsing, validation and one-line errors."""

from __future__ import annotations

from datetime import date

import pytest

from archiver.spider_args import SpiderArgumentError, parse_crawl_args


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
