"""Which images and stylesheets of an article page are fetched with it (archiver.crawl.requisites)."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from archiver.crawl.requisites import on_site, requisite_urls

pytestmark = pytest.mark.unit

PAGE = b"""<html><head>
<link rel="stylesheet" href="//img2.chinadaily.com.cn/static/css/r-content.css?var=79">
<link rel="stylesheet" href="https://cdn.example.com/other.css">
<link rel="icon" href="/favicon.ico">
</head><body>
<img src="/images/logo.png">
<div id="Content">
<figure><img src="//img2.chinadaily.com.cn/images/202609/24/lead.jpeg"></figure>
<p><img src="https://img3.chinadaily.com.cn/images/second.jpg#x"></p>
<p><img src="https://tracker.example.net/pixel.gif"></p>
<p><img src="//img2.chinadaily.com.cn/images/202609/24/lead.jpeg"></p>
</div></body></html>"""


def _response() -> HtmlResponse:
    url = "https://www.chinadaily.com.cn/a/202609/24/WS6ab45b94a3107a2e1d4f5c21.html"
    return HtmlResponse(url, body=PAGE, encoding="utf-8")


def test_article_images_and_stylesheets_on_the_sites_domains() -> None:
    assert requisite_urls(_response(), 20) == [
        "https://img2.chinadaily.com.cn/images/202609/24/lead.jpeg",
        "https://img3.chinadaily.com.cn/images/second.jpg",
        "https://img2.chinadaily.com.cn/static/css/r-content.css?var=79",
    ]
    assert requisite_urls(_response(), 1) == [
        "https://img2.chinadaily.com.cn/images/202609/24/lead.jpeg"
    ]


def test_site_domains() -> None:
    assert on_site("https://img2.chinadaily.com.cn/x.jpg")
    assert on_site("http://chinadaily.com.cn/x.css")
    assert on_site("https://www.globaltimes.cn/Portals/0/a.jpeg")
    assert not on_site("https://notchinadaily.com.cn/x.jpg")
    assert not on_site("https://globaltimes.cn.example.org/x.jpg")
    assert not on_site("data:image/png;base64,AAAA")
