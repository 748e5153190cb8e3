"""The `archiver` command: schema (with its reviewed snapshot) and extract's error handling."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.mirror import MirrorServer
from archiver.offline.articles import group_articles
from archiver.page import CapturedPage
from tests.crawling import REPO, run_crawl

SNAPSHOT = Path(__file__).parent.parent / "snapshots" / "article.schema.json"
ARTICLE = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"


def archiver(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archiver", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.crawl
def test_schema_matches_reviewed_snapshot() -> None:
    done = archiver("schema")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    if os.environ.get("ARCHIVER_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(done.stdout, encoding="utf-8")
    # A schema change must show up as a reviewed diff of this file:
    # rerun with ARCHIVER_UPDATE_SNAPSHOTS=1 and commit the new snapshot.
    assert schema == json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for field in (
        "url",
        "site",
        "article_id",
        "title",
        "authors",
        "published_at",
        "text",
        "captures",
    ):
        assert field in schema["properties"]
        assert schema["properties"][field].get("description")


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("archive")
    with MirrorServer() as mirror:
        result = run_crawl("chinadaily", root, mirror.url, args={"urls": ARTICLE})
    assert result.returncode == 0, result.log[-2000:]
    yield root


@pytest.mark.crawl
def test_extract_warc_prints_the_crawl_record(archived: Path) -> None:
    (warc,) = archived.glob("warc/**/*.warc.gz")
    done = archiver("extract", str(warc), "--dir", str(archived))
    assert done.returncode == 0, done.stderr
    (written,) = archived.glob("records/chinadaily/*.jsonl")
    assert done.stdout == written.read_text(encoding="utf-8")


@pytest.mark.crawl
def test_extract_warc_without_dir_infers_the_root_from_the_layout(archived: Path) -> None:
    # <root>/warc/<spider>/<file>: warc_file relative to <root>, as the crawl wrote it, even
    # though the default --dir (ARCHIVER_DIR, "archive") is elsewhere.
    (warc,) = archived.glob("warc/**/*.warc.gz")
    done = archiver("extract", str(warc))
    assert done.returncode == 0, done.stderr
    (written,) = archived.glob("records/chinadaily/*.jsonl")
    assert done.stdout == written.read_text(encoding="utf-8")
    (capture,) = json.loads(done.stdout)["captures"]
    assert capture["warc_file"] == warc.relative_to(archived).as_posix()


def _page(url: str, links: tuple[str, ...] = ()) -> CapturedPage:
    body = "".join(f'<a href="{link}">next</a>' for link in links)
    return CapturedPage(url=url, body=f"<html><body>{body}</body></html>".encode())


@pytest.mark.unit
def test_group_articles_emits_each_article_once_complete() -> None:
    two = "https://www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d"
    single = "https://www.globaltimes.cn/page/202609/1371581.shtml"
    pending = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
    captures = [
        _page(f"{two}.html", links=(f"{two}_2.html",)),
        _page(single),
        _page(pending, links=(pending.replace(".html", "_3.html"),)),
        _page(f"{two}_2.html", links=(f"{two}.html",)),
        _page("https://www.globaltimes.cn/china/index.html"),
        _page(single),  # once emitted, an article is not emitted again
    ]
    read: list[str] = []

    def reading() -> Iterator[CapturedPage]:
        for page in captures:
            read.append(page.url)
            yield page

    groups = group_articles(reading())
    # Emitted as soon as complete, before the rest of the file is read (bounded memory).
    assert [p.url for p in next(groups)] == [single]
    assert len(read) == 2
    assert [p.url for p in next(groups)] == [f"{two}.html", f"{two}_2.html"]
    assert len(read) == 4
    # At the end: what never completed, in first-capture order.
    assert [[p.url for p in group] for group in groups] == [[pending]]


@pytest.mark.crawl
def test_extract_html_page(tmp_path: Path) -> None:
    page = (
        REPO
        / "archiver/mirror/site/www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
    )
    done = archiver("extract", str(page), "--url", ARTICLE)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["title"] == "Youngsters becoming more fitness-conscious"
    assert record["captures"] == []


@pytest.mark.crawl
@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (b"", (), "is empty"),
        (b"\x00\x01\x02binary\x00", ("--url", ARTICLE), "is binary"),
        (b"<html><body><p>hello</p></body></html>", (), "give its --url"),
        (
            b"<html><body><p>hello</p></body></html>",
            ("--url", "https://example.com/x"),
            "not an article URL",
        ),
        (b"<html><body><p>hello</p></body></html>", ("--url", ARTICLE), "no article in"),
    ],
)
def test_extract_bad_input_is_one_line_error(
    tmp_path: Path, content: bytes, args: tuple[str, ...], message: str
) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    done = archiver("extract", str(path), *args)
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert message in done.stderr and done.stderr.startswith("archiver: error:")


@pytest.mark.crawl
def test_extract_truncated_warc_prints_complete_records_then_fails(
    archived: Path, tmp_path: Path
) -> None:
    (warc,) = archived.glob("warc/**/*.warc.gz")
    data = warc.read_bytes()
    # Two copies: the article record is complete in the first, the file is cut in the second.
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data + data[: len(data) - 200])
    done = archiver("extract", str(cut))
    assert done.returncode == 1
    assert [json.loads(line)["url"] for line in done.stdout.splitlines()] == [ARTICLE]
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.crawl
def test_missing_file_is_one_line_error(tmp_path: Path) -> None:
    done = archiver("extract", str(tmp_path / "nope.warc.gz"))
    assert done.returncode == 1 and "cannot read" in done.stderr
