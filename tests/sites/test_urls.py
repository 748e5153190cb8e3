"""URL classification of both sites' article schemes."""

from __future__ import annotations

from datetime import date

import pytest

from archiver.sites.urls import absolute_url, parse_article_url, site_of

pytestmark = pytest.mark.unit


def test_china_daily_current_article_protocol_relative() -> None:
    article = parse_article_url(
        "//www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
    )
    assert article is not None
    assert article.site == "chinadaily"
    assert article.article_id == "WS664167f4a31082fc043c6af7"
    assert article.scheme == "current"
    assert article.page == 1
    assert (
        article.canonical
        == "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
    )
    assert article.url_date == date(2024, 5, 13)


def test_china_daily_later_page_points_back_to_page_one() -> None:
    article = parse_article_url(
        "https://www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d_3.html"
    )
    assert article is not None
    assert article.page == 3
    assert (
        article.page_url(1)
        == "https://www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d.html"
    )
    assert article.page_url(6).endswith("WS664af0b2a31082fc043c814d_6.html")


@pytest.mark.parametrize(
    ("url", "article_id", "day"),
    [
        (
            "http://europe.chinadaily.com.cn/2017-07/07/content_30037478.htm",
            "content_30037478",
            date(2017, 7, 7),
        ),
        (
            "http://www.chinadaily.com.cn/china/2017-01/13/content_27943492.htm",
            "content_27943492",
            date(2017, 1, 13),
        ),
        (
            "http://usa.chinadaily.com.cn/epaper/2016-07/15/content_26104748.htm",
            "content_26104748",
            date(2016, 7, 15),
        ),
    ],
)
def test_china_daily_legacy_articles(url: str, article_id: str, day: date) -> None:
    article = parse_article_url(url)
    assert article is not None
    assert (article.article_id, article.scheme, article.url_date) == (article_id, "legacy", day)
    assert article.canonical.startswith("https://")


def test_chinese_channel_uses_same_scheme() -> None:
    article = parse_article_url(
        "https://china.chinadaily.com.cn/a/202311/17/WS65571297a310d5acd876f404.html"
    )
    assert article is not None and article.article_id == "WS65571297a310d5acd876f404"


def test_global_times_both_schemes() -> None:
    current = parse_article_url("https://www.globaltimes.cn/page/202609/1371581.shtml")
    legacy = parse_article_url("http://www.globaltimes.cn/content/1094642.shtml")
    assert current is not None and legacy is not None
    assert (current.article_id, current.scheme, current.url_date) == (
        "1371581",
        "current",
        date(2026, 9, 1),
    )
    assert (legacy.article_id, legacy.scheme, legacy.url_date) == ("1094642", "legacy", None)
    assert legacy.canonical == "https://www.globaltimes.cn/content/1094642.shtml"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.chinadaily.com.cn/world/china-us",
        "https://www.chinadaily.com.cn/world/china-us/page_2.html",
        "https://www.globaltimes.cn/china/index.html",
        "https://www.globaltimes.cn/sitemap.xml",
        "https://example.com/a/202405/13/WS664167f4a31082fc043c6af7.html",
        "https://www.chinadaily.com.cn/a/202413/45/WS664167f4a31082fc043c6af7.html",
    ],
)
def test_non_articles(url: str) -> None:
    article = parse_article_url(url)
    assert article is None or article.url_date is None


def test_site_of_and_absolute_url() -> None:
    assert site_of("https://usa.chinadaily.com.cn/x") == "chinadaily"
    assert site_of("https://www.globaltimes.cn/") == "globaltimes"
    assert site_of("https://notchinadaily.com.cn/") is None
    assert (
        absolute_url("//img2.chinadaily.com.cn/a.jpg", "https://x/")
        == "https://img2.chinadaily.com.cn/a.jpg"
    )
    assert absolute_url("page_2.html", "https://www.chinadaily.com.cn/world/china-us/") == (
        "https://www.chinadaily.com.cn/world/china-us/page_2.html"
    )
