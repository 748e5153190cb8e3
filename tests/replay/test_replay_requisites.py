"""Which images and stylesheets of an article page are fetched with it (archiver.crawl.requisites)."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from archiver.crawl.requisites import SELECTORS, on_site, requisite_urls
from tests.fixture_pages import load, names

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


EDGES = b"""<html class="article_right_not"><head>
<link rel="Stylesheet" href="/upper.css"><link rel="alternate stylesheet" href="/alt.css">
<link rel="stylesheet"><link href="/no-rel.css">
</head><body><img src="/outside-any-container.jpg">
<div class="x\tarticle_content\ny"><img src=" /tabbed-class.jpg "><img></div>
<div class="article\xa0extra"><span><img src="/no-break-space-class.jpg"></span></div>
<div id="content"><img src="/lowercase-id.jpg"></div>
<article><figure class="article_right" id="Content"><img src="/every-container.jpg"></figure>
<img src="/every-container.jpg#again"></article>
<figure><img src="/figure.jpg"><img src="/a.jpg"></figure><img src="/a.jpg">
</body></html>"""


def _by_css(response: HtmlResponse, limit: int) -> list[str]:
    # What a requisite is, by definition: each selector's values, in selector order.
    found: list[str] = []
    for selector in SELECTORS:
        for value in response.css(selector).getall():
            url = response.urljoin(value.strip()).split("#", 1)[0]
            if url and url not in found and on_site(url):
                found.append(url)
    return found[:limit]


def _pages() -> list[HtmlResponse]:
    url = "https://www.chinadaily.com.cn/a/202609/24/WS6ab45b94a3107a2e1d4f5c21.html"
    pages = [HtmlResponse(url, body=body, encoding="utf-8") for body in (PAGE, EDGES)]
    for name in names():
        for page in load(name).pages:
            pages.append(HtmlResponse(page.url, body=page.body, encoding="utf-8"))
    return pages


def test_one_walk_finds_what_the_css_selectors_find() -> None:
    """requisite_urls walks the tree once instead of running the seven selectors: on every
    fixture page of both sites and on edge cases (class tokens split on tabs and newlines but
    not on no-break spaces, case-sensitive ids and rel tokens, several containers at once,
    fragments and duplicates) it finds the same URLs in the same order."""
    pages = _pages()
    found_any = 0
    for response in pages:
        for limit in (20, 3):
            assert requisite_urls(response, limit) == _by_css(response, limit), response.url
        found_any += bool(requisite_urls(response, 20))
    assert found_any >= len(pages) // 2
    assert requisite_urls(pages[1], 20) == [
        "https://www.chinadaily.com.cn/every-container.jpg",
        "https://www.chinadaily.com.cn/tabbed-class.jpg",
        "https://www.chinadaily.com.cn/figure.jpg",
        "https://www.chinadaily.com.cn/a.jpg",
        "https://www.chinadaily.com.cn/alt.css",
    ]
