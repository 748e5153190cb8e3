"""Extraction rules found by an audit: captions, charsets, contributors, trailers, CD updates."""

from __future__ import annotations

from dataclasses import replace

import pytest

from archiver.page import CapturedPage
from archiver.sites.common import lines_of, parse_html
from archiver.sites.extract import ExtractionError, NotAnArticle, extract_article
from archiver.sites.fields import contributors
from tests.fixture_pages import load

pytestmark = pytest.mark.unit

CD_URL = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
GT_URL = "https://www.globaltimes.cn/page/202412/1324567.shtml"


def _cd_with_body(paragraphs_html: str) -> CapturedPage:
    """The real 2024-05-13 China Daily page with its div#Content replaced."""
    page = load("chinadaily-en-2024-05-13").pages[0]
    html = page.body.decode("utf-8")
    start = html.index('<div id="Content">') + len('<div id="Content">')
    end = html.index("</div>", html.index("</p>", start))
    return replace(page, body=(html[:start] + paragraphs_html + html[end:]).encode())


def _gt(body_html: str) -> CapturedPage:
    html = (
        "<html><head><title>Story - Global Times</title></head><body>"
        "<div class='article_title'>A story about renewables</div>"
        "<div class='author_share_left'>By Li Hao Published: Dec 03, 2024 10:37 PM</div>"
        f"<div class='article_right'>{body_html}</div></body></html>"
    )
    return CapturedPage(url=GT_URL, body=html.encode())


# --- captions: only next to a picture ----------------------------------------------------------


def test_credit_like_endings_away_from_pictures_stay_in_the_text() -> None:
    page = _cd_with_body(
        "<p>The report was released on Tuesday. [Xinhua]</p>"
        "<p>Officials said the findings would shape next year's plan.</p>"
    )
    record = extract_article([page])
    assert record.text.split("\n\n") == [
        "The report was released on Tuesday. [Xinhua]",
        "Officials said the findings would shape next year's plan.",
    ]


def test_a_caption_paragraph_next_to_its_picture_leaves_the_text() -> None:
    page = _cd_with_body(
        '<p><img src="//img2.chinadaily.com.cn/images/202405/13/a.jpeg"></p>'
        "<p>Workers check panels at a solar farm in Qinghai. [Photo/Xinhua]</p>"
        "<p>The report was released on Tuesday. [Xinhua]</p>"
    )
    record = extract_article([page])
    assert record.text == "The report was released on Tuesday. [Xinhua]"
    assert record.images[0].caption == "Workers check panels at a solar farm in Qinghai."
    assert record.images[0].credit == "Photo/Xinhua"


def test_gt_chart_line_in_the_body_is_text() -> None:
    record = extract_article(
        [
            _gt(
                "Renewables grew fast last year.<br><br>"
                "Chart: Share of renewables rose to 31 percent in 2024, up from 29 percent.<br><br>"
                "Analysts expect the trend to continue."
            )
        ]
    )
    assert "Chart: Share of renewables rose to 31 percent in 2024, up from 29 percent." in (
        record.text.split("\n\n")
    )


def test_gt_caption_after_a_picture_leaves_the_text() -> None:
    record = extract_article(
        [
            _gt(
                "Renewables grew fast last year.<br><br>"
                '<center><img src="https://www.globaltimes.cn/Portals/0/a.jpg"></center>'
                "Wind turbines in Gansu. Photo: VCG<br><br>"
                "Analysts expect the trend to continue."
            )
        ]
    )
    assert record.text.split("\n\n") == [
        "Renewables grew fast last year.",
        "Analysts expect the trend to continue.",
    ]
    assert record.images[0].credit == "VCG"


def test_lines_know_when_a_picture_is_next_to_them() -> None:
    root = parse_html(
        "<div><p>Before.</p><p>Above. [Photo/Xinhua]</p><figure><img src='a.jpg'></figure>"
        "<p>Below.</p><p>Far away.</p><p class='picture'>Marked. [Photo/CFP]</p></div>"
    )
    lines = lines_of(root.find(".//div"))
    assert [(ln.text, ln.near_media) for ln in lines] == [
        ("Before.", False),
        ("Above. [Photo/Xinhua]", True),
        ("Below.", True),
        ("Far away.", False),
        ("Marked. [Photo/CFP]", True),
    ]


# --- charsets -----------------------------------------------------------------------------------

ZH = "中国日报网消息：国务院新闻办公室今天举行发布会，介绍前三季度经济运行情况。" * 3


def test_undeclared_gb18030_is_not_read_as_utf8() -> None:
    body = f"<html><head><title>t</title></head><body><p>{ZH}</p></body></html>"
    page = CapturedPage(url=CD_URL, body=body.encode("gb18030"))
    assert "\ufffd" not in page.text and ZH in page.text
    assert page.encoding == "gb18030"


def test_utf8_labelled_gb2312_is_read_as_utf8() -> None:
    body = (
        '<html><head><meta charset="gb2312"><title>t</title></head>'
        f"<body><p>{ZH} — “quoted” café</p></body></html>"
    )
    page = CapturedPage(
        url=CD_URL,
        body=body.encode("utf-8"),
        headers=[("Content-Type", "text/html; charset=gb2312")],
    )
    assert "\ufffd" not in page.text and "“quoted” café" in page.text
    assert page.encoding == "utf-8"


def test_real_gb2312_pages_keep_their_declared_encoding() -> None:
    page = load("chinadaily-legacy-zh-gb2312-2015-03-12").pages[0]
    assert page.encoding == "gb18030" and "\ufffd" not in page.text


def test_broken_bytes_that_no_retry_fixes_keep_the_declared_reading() -> None:
    # Neither strict UTF-8 nor strict GB18030 can read \xff: the declared reading stays.
    body = b"<html><body><p>caf\xc3\xa9 \xff ok</p></body></html>"
    page = CapturedPage(
        url=CD_URL, body=body, headers=[("Content-Type", "text/html; charset=utf-8")]
    )
    assert page.encoding != "gb18030"
    assert "café \ufffd ok" in page.text


# --- contributors and trailers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "names"),
    [
        ("Zhao Yimeng in Beijing contributed to this story.", ["Zhao Yimeng"]),
        (
            "Li Hongyang in Shanghai and Xu Wei in Beijing contributed to this story.",
            ["Li Hongyang", "Xu Wei"],
        ),
        ("Xinhua contributed to this story.", ["Xinhua"]),
    ],
)
def test_contributors_leave_out_the_place(paragraph: str, names: list[str]) -> None:
    assert contributors([paragraph]) == names


def test_gt_opinion_desk_address_is_dropped_and_the_sentence_kept() -> None:
    record = extract_article(
        [
            _gt(
                "Rural areas need patient investment.<br><br>"
                "The author is a commentator on economic affairs. opinion@globaltimes.com.cn"
                "<br><br>opinion@globaltimes.com.cn"
            )
        ]
    )
    assert record.text.split("\n\n") == [
        "Rural areas need patient investment.",
        "The author is a commentator on economic affairs.",
    ]


# --- China Daily: published and updated ---------------------------------------------------------


def _cd_dated(byline: str, modified: str | None = None) -> CapturedPage:
    page = load("chinadaily-en-2024-05-13").pages[0]
    body = page.body.replace(b"Updated: 2024-05-13 09:08", byline.encode())
    if modified is not None:
        tag = f'<meta property="article:modified_time" content="{modified}">\n'
        body = body.replace(b"</head>", tag.encode() + b"</head>", 1)
    return replace(page, body=body)


@pytest.mark.parametrize(
    ("byline", "modified", "published", "updated"),
    [
        # WS id time is 2024-05-13 09:08:04. The byline agrees to the minute: published.
        ("Updated: 2024-05-13 09:08", None, "2024-05-13T09:08:00+08:00", None),
        # Within 15 minutes: still the publication time.
        ("Updated: 2024-05-13 09:20", None, "2024-05-13T09:20:00+08:00", None),
        # Later: the story was edited; the id time is published, the byline updated.
        (
            "Updated: 2024-05-13 11:30",
            None,
            "2024-05-13T09:08:04+08:00",
            "2024-05-13T11:30:00+08:00",
        ),
        # meta article:modified_time is an update candidate too; the latest wins.
        (
            "Updated: 2024-05-13 09:08",
            "2024-05-13T15:02:00+08:00",
            "2024-05-13T09:08:00+08:00",
            "2024-05-13T15:02:00+08:00",
        ),
        # A modified time within minutes of publication is no update.
        (
            "Updated: 2024-05-13 09:08",
            "2024-05-13T09:10:00+08:00",
            "2024-05-13T09:08:00+08:00",
            None,
        ),
    ],
)
def test_cd_published_and_updated(
    byline: str, modified: str | None, published: str, updated: str | None
) -> None:
    record = extract_article([_cd_dated(byline, modified)])
    assert record.published_at is not None
    assert record.published_at.isoformat() == published
    assert (record.updated_at.isoformat() if record.updated_at else None) == updated


# --- pages that are no article ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (
            "<html><head><title>Just a moment...</title></head><body><h1>www.globaltimes.cn</h1>"
            "<p>Checking if the site connection is secure</p></body></html>",
            "blocked",
        ),
        (
            "<html><head><title>Attention Required! | Cloudflare</title></head><body>"
            "<h1>Sorry, you have been blocked</h1></body></html>",
            "blocked",
        ),
        (
            "<html><body><h3>Enable JavaScript and cookies to continue</h3></body></html>",
            "blocked",
        ),
        (
            "<html><head><title>维护公告</title></head><body><h1>网站维护中</h1>"
            "<p>请稍后再访问。</p></body></html>",
            "maintenance",
        ),
    ],
)
def test_challenge_and_maintenance_pages(html: str, reason: str) -> None:
    with pytest.raises(NotAnArticle) as caught:
        extract_article([CapturedPage(url=GT_URL, body=html.encode())])
    assert caught.value.reason == reason


def test_generic_reader_needs_article_evidence() -> None:
    short = "<p>One short line.</p><p>Another.</p>"
    bare = (
        "<html><head><title>A headline - Global Times</title></head>"
        f"<body><h1>A headline</h1>{short}</body></html>"
    )
    with pytest.raises(ExtractionError) as caught:
        extract_article([CapturedPage(url=GT_URL, body=bare.encode())])
    assert caught.value.reason == "unknown-template"
    # The same page with a printed date, or declared an article, is read.
    for head in (
        '<meta property="article:published_time" content="2024-12-03T10:00:00+08:00">',
        '<meta property="og:type" content="article">',
    ):
        html = bare.replace("<title>", head + "<title>")
        record = extract_article([CapturedPage(url=GT_URL, body=html.encode())])
        assert record.extractor.parser == "globaltimes/generic"
        assert record.title == "A headline"


def test_cd_left_column_without_body_or_byline_is_not_current_en() -> None:
    # div.lft_art alone is on list pages too; with neither div#Content nor span.info_l the
    # page is no current-en article.
    html = (
        "<html><head><title>China-US - China Daily</title></head><body>"
        "<div class='lft_art'><h1>China-US</h1><p>Registration Number: 130349</p></div>"
        "</body></html>"
    )
    with pytest.raises(ExtractionError) as caught:
        extract_article([CapturedPage(url=CD_URL, body=html.encode())])
    assert caught.value.reason == "unknown-template"


def test_a_short_story_about_maintenance_is_an_article() -> None:
    record = extract_article(
        [_gt("The Nanpu Bridge is under scheduled maintenance until Friday, the city said.")]
    )
    assert record.kind == "article"
    assert record.text.startswith("The Nanpu Bridge is under scheduled maintenance")
