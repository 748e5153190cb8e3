"""One rule from WARC records to articles: extract FILE, fixtures add and reextract agree."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archiver.fixtures.fixture import add, load
from archiver.offline.articles import article_captures, file_pages
from archiver.offline.extract_file import extract_warc
from archiver.offline.reextract import plan_jobs
from archiver.record import Article
from archiver.warc.digests import payload_digest
from archiver.warc.exchange import HttpExchange
from archiver.warc.scan import scan_file
from archiver.warc.writer import RevisitTarget, RotatingWarcWriter
from tests.fixture_pages import FIXTURES

pytestmark = pytest.mark.unit

T0 = datetime(2025, 6, 18, 5, 0, 0, tzinfo=UTC)
HTML = [("Content-Type", "text/html; charset=utf-8")]
MULTIPAGE = load(FIXTURES / "chinadaily-en-multipage-2025-06-18")
SINGLE = load(FIXTURES / "chinadaily-en-2024-05-13")


@dataclass(frozen=True)
class Seen:
    url: str
    status: int | None = 200


def _urls(pages: list[Seen]) -> list[str]:
    return [p.url for p in pages]


def test_the_rule() -> None:
    one = "https://www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d"
    other = "https://www.globaltimes.cn/page/202609/1371581.shtml"
    captures = [
        Seen(f"{one}_2.html"),  # before its page 1: the capture page 1 then joins
        Seen(other, status=503),  # not answered 200: does not count
        Seen(f"{one}.html"),
        Seen(other),
        Seen("https://www.globaltimes.cn/china/index.html"),  # no article page
        Seen(f"{one}_2.html", status=503),
        Seen(other),  # a page 1 again: a new capture, the first one closes
        Seen(f"{one}_3.html"),
    ]
    groups = [(c.key, _urls(c.in_order())) for c in article_captures(captures)]
    assert groups == [
        (("globaltimes", "1371581"), [other]),
        (
            ("chinadaily", "WS664af0b2a31082fc043c814d"),
            [f"{one}.html", f"{one}_2.html", f"{one}_3.html"],
        ),
        (("globaltimes", "1371581"), [other]),
    ]
    # A page with no page 1 before the end gives no article.
    assert list(article_captures([Seen(f"{one}_2.html")])) == []


def _exchange(url: str, body: bytes, status: int = 200) -> HttpExchange:
    return HttpExchange(
        url=url,
        method="GET",
        request_headers=[("Host", url.split("/")[2])],
        request_body=b"",
        protocol="HTTP/1.1",
        status=status,
        reason="OK" if status == 200 else "Service Unavailable",
        response_headers=[*HTML, ("Content-Length", str(len(body)))],
        response_body=body,
    )


def _archive(root: Path) -> Path:
    """One WARC file: page 2 of a story before its page 1, a retried single page, and a revisit
    of that page (a second capture of it, whose original is in the same file)."""
    ticks = itertools.count()
    ids = itertools.count(1)
    page1, page2 = MULTIPAGE.pages
    single = SINGLE.pages[0]
    with RotatingWarcWriter(
        root / "warc" / "t",
        "t",
        10**9,
        {"software": "test"},
        root=root,
        clock=lambda: T0 + timedelta(seconds=next(ticks)),
        record_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(ids):012d}>",
        host="h",
        pid=1,
    ) as writer:
        writer.write_exchange(_exchange(page2.url, page2.body))
        writer.write_exchange(_exchange(single.url, b"<html>busy</html>", status=503))
        writer.write_exchange(_exchange(page1.url, page1.body))
        first = writer.write_exchange(_exchange(single.url, single.body))
        target = RevisitTarget(
            single.url, first.fetched_at, first.warc_record_id, payload_digest(single.body)
        )
        writer.write_revisit(_exchange(single.url, single.body), target)
    (path,) = writer.files
    return path


def test_every_command_groups_one_warc_alike(tmp_path: Path) -> None:
    path = _archive(tmp_path)
    name = path.relative_to(tmp_path).as_posix()
    # extract FILE and fixtures add read the file alone ...
    from_file = sorted(
        (c.key, tuple(p.page.capture.warc_offset for p in c.in_order() if p.page.capture))
        for c in article_captures(file_pages(path, name))
    )
    # ... reextract and verify the scanned archive.
    jobs, problems = plan_jobs([scan_file(tmp_path, name)])
    from_archive = sorted(
        ((job.site, job.article_id), tuple(p.record.offset for p in capture))
        for job in jobs
        for capture in job.captures
    )
    assert problems == []
    assert from_file == from_archive
    story, single = MULTIPAGE.pages[0].url, SINGLE.pages[0].url
    pages_per_capture = [(j.captures[0][0].url, [len(c) for c in j.captures]) for j in jobs]
    assert pages_per_capture == [(story, [2]), (single, [1, 1])]


def test_extract_prints_each_article_once(tmp_path: Path) -> None:
    path = _archive(tmp_path)
    records = list(extract_warc(path, tmp_path))
    assert all(isinstance(r, Article) for r in records)
    assert [r.url for r in records if isinstance(r, Article)] == [
        MULTIPAGE.pages[0].url,
        SINGLE.pages[0].url,
    ]


def test_fixtures_add_takes_the_last_capture(tmp_path: Path) -> None:
    path = _archive(tmp_path)
    folder = add(path, SINGLE.pages[0].url, tmp_path / "fixtures")
    made = load(folder)
    # The revisit is the last capture: its own record, its original's body.
    scan = scan_file(tmp_path, path.relative_to(tmp_path).as_posix())
    (revisit,) = [meta for meta in scan.records if meta.type == "revisit"]
    assert revisit.record_id in made.responses[0]["note"]
    assert made.pages[0].body == SINGLE.pages[0].body
    assert made.expected["title"] == SINGLE.expected["title"]
    story = load(add(path, MULTIPAGE.pages[0].url, tmp_path / "fixtures"))
    assert [p.url for p in story.pages] == [p.url for p in MULTIPAGE.pages]
