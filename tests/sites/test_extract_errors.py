"""extract_article on bad input, captures, hints, and the trafilatura fallback."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from archiver.page import CapturedPage
from archiver.record import CaptureRef
from archiver.sites.boilerplate import body_paragraphs
from archiver.sites.extract import ExtractionError, NotAnArticle, extract_article
from tests.fixture_pages import load

pytestmark = pytest.mark.unit

CD_URL = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
GT_URL = "https://www.globaltimes.cn/page/202602/1355123.shtml"


def _page(body: bytes, url: str = CD_URL, **kw: object) -> CapturedPage:
    return CapturedPage(url=url, body=body, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty-body"),
        (b"   \n\t ", "empty-body"),
        (bytes(range(256)) * 16, "not-html"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "not-html"),
        (b"just some words, no markup at all", "not-html"),
    ],
)
def test_bad_bodies(body: bytes, reason: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_article([_page(body)])
    assert caught.value.reason == reason


def test_html_without_article_is_soft_404() -> None:
    body = b"<html><head><title>404 Not Found</title></head><body><p>Sorry</p></body></html>"
    with pytest.raises(NotAnArticle) as caught:
        extract_article([_page(body)])
    assert caught.value.reason == "soft-404"


def test_gt_html_without_article() -> None:
    body = b"<html><head><title>Global Times</title></head><body><div>Menu</div></body></html>"
    with pytest.raises(NotAnArticle):
        extract_article([_page(body, url=GT_URL)])


def test_template_with_empty_body_is_no_text() -> None:
    body = (
        b'<html><body><div class="lft_art"><h1>Headline</h1>'
        b'<div id="Content"><p> </p></div></div></body></html>'
    )
    with pytest.raises(ExtractionError) as caught:
        extract_article([_page(body)])
    assert caught.value.reason == "no-text"
    assert not isinstance(caught.value, NotAnArticle)


def test_gallery_without_text() -> None:
    body = (
        b'<html><body><div class="lft_art"><h1>Photos</h1><div id="Content">'
        b'<figure class="image"><img src="//img2.chinadaily.com.cn/a.jpg"><figcaption>'
        b"A panda. [Photo/Agencies]</figcaption></figure></div></div></body></html>"
    )
    with pytest.raises(NotAnArticle) as caught:
        extract_article([_page(body)])
    assert caught.value.reason == "gallery"


@pytest.mark.parametrize(
    ("pages", "reason"),
    [
        ([], "no-pages"),
        (
            [CapturedPage(url="https://www.chinadaily.com.cn/china", body=b"<p>x</p>")],
            "unknown-url",
        ),
        (
            [CapturedPage(url=CD_URL.replace(".html", "_2.html"), body=b"<p>x</p>")],
            "missing-first-page",
        ),
        ([CapturedPage(url=CD_URL, body=b"<p>x</p>", status=404)], "http-status"),
        (
            [
                CapturedPage(
                    url=CD_URL, body=b"%PDF-1.4", headers=[("Content-Type", "application/pdf")]
                )
            ],
            "not-html",
        ),
        (
            [
                CapturedPage(url=CD_URL, body=b"<p>x</p>"),
                CapturedPage(url=GT_URL, body=b"<p>x</p>"),
            ],
            "mixed-articles",
        ),
    ],
)
def test_bad_page_sets(pages: list[CapturedPage], reason: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_article(pages)
    assert caught.value.reason == reason


def test_capture_refs_are_carried_and_nothing_else_changes() -> None:
    fixture = load("chinadaily-en-photostory-2024-05-20")
    plain = extract_article(fixture.pages)
    ref = CaptureRef(
        url=fixture.pages[0].url,
        warc_file="warc/ARCHIVER-20240520080000-00001.warc.gz",
        warc_offset=1234,
        warc_record_id="<urn:uuid:00000000-0000-4000-8000-000000000001>",
        fetched_at=datetime(2024, 5, 20, 8, 0, tzinfo=UTC),
        status=200,
    )
    captured = extract_article([replace(fixture.pages[0], capture=ref), fixture.pages[1]])
    assert plain.captures == []
    assert captured.captures == [ref]
    assert captured.model_copy(update={"captures": []}) == plain


def test_hints_become_date_candidates() -> None:
    page = load("chinadaily-en-2024-05-13").pages[0]
    hinted = replace(page, hints={"list_date": "2024-05-13 09:10", "note": "not a date"})
    record = extract_article([hinted])
    listed = [c for c in record.dates_raw if c.source == "list"]
    assert [c.raw for c in listed] == ["2024-05-13 09:10"]
    assert (
        listed[0].value is not None and listed[0].value.isoformat() == "2024-05-13T09:10:00+08:00"
    )
    assert record.published_at == extract_article([page]).published_at


def test_falls_back_to_id_time_when_byline_date_is_missing() -> None:
    page = load("chinadaily-en-2024-05-13").pages[0]
    body = page.body.replace(b"Updated: 2024-05-13 09:08", b"")
    record = extract_article([replace(page, body=body)])
    assert record.published_at is not None
    assert record.published_at.isoformat() == "2024-05-13T09:08:04+08:00"


def test_unknown_markup_uses_trafilatura() -> None:
    paragraphs = [
        f"Paragraph {i} of a story about river clean-up work in Hangzhou, with enough words "
        f"in it to look like real prose to a boilerplate detector, number {i}."
        for i in range(6)
    ]
    body = (
        "<html><head><title>River clean-up - Chinadaily.com.cn</title></head><body>"
        "<div class='nav'><a href='/'>Home</a> <a href='/china'>China</a></div>"
        "<h1>River clean-up</h1><div class='story'>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</div><div class='footer'>Copyright 1995 - 2024 . All rights reserved.</div>"
        "</body></html>"
    ).encode()
    record = extract_article([_page(body)])
    assert record.extractor.parser == "chinadaily/generic"
    assert record.text.split("\n\n") == paragraphs


def test_body_paragraphs_leaves_the_tree_alone_and_prunes_captions() -> None:
    import lxml.html

    html = (
        "<html><body><article><h1>T</h1>"
        + "".join(
            f"<p>Sentence number {i} says something long enough to count as text.</p>"
            for i in range(5)
        )
        + "<figure><img src='a.jpg'><figcaption>A caption [Photo/Agencies]</figcaption></figure>"
        "</article></body></html>"
    )
    tree = lxml.html.document_fromstring(html)
    before = lxml.html.tostring(tree)
    got = body_paragraphs(tree, "https://www.chinadaily.com.cn/a/202405/13/WS1.html")
    assert lxml.html.tostring(tree) == before
    assert any("Sentence number 0" in p for p in got)
    assert not any("Photo/Agencies" in p for p in got)
    assert body_paragraphs(tree, "https://x.test/") == got


def test_extraction_errors_survive_pickling_to_the_parent_process() -> None:
    import pickle

    from archiver.sites.extract import ExtractionError, NotAnArticle

    for error in (
        ExtractionError("no-title", "no <h1>"),
        NotAnArticle("soft-404", "page not found"),
    ):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert (copy.reason, str(copy)) == (error.reason, str(error))
