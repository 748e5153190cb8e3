"""Archive first, in real crawls: failed WARC writes, half-fetched articles, soft-404 deletions,
the since= month boundary of Global Times and http:// URLs (subprocess against the mirror)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.durable import IO_ERROR_EXIT
from archiver.layout import INDEX_FILE
from archiver.mirror import MirrorServer
from archiver.mirror.server import BUNDLED_ROOT
from archiver.store.events import read_events
from archiver.store.index.archive_index import ArchiveIndex
from archiver.warc.raw import iter_records
from tests.crawling import run_crawl

pytestmark = pytest.mark.crawl

ARTICLE = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
ARTICLE_ID = "WS664167f4a31082fc043c6af7"
SIX_PAGES = "https://www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d.html"
SIX_PAGES_ID = "WS664af0b2a31082fc043c814d"
SOFT_404 = "www.chinadaily.com.cn/a/202609/23/WS6ab38f34a3107a2e1d4f4a6c.html"
LEGACY = "https://www.chinadaily.com.cn/china/2017-01/13/content_27943492.htm"
GT_SEPTEMBER = "https://www.globaltimes.cn/page/202609/1371581.shtml"
GT_AUGUST = "https://www.globaltimes.cn/page/202608/1370001.shtml"


def _overlay(tmp_path: Path, files: dict[str, bytes], routes: dict[str, object]) -> Path:
    root = tmp_path / "overlay"
    for name, body in files.items():
        path = root / "site" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    (root / "site").mkdir(parents=True, exist_ok=True)
    (root / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    return root


def _fetched(root: Path) -> list[str]:
    return [
        r.target_uri
        for path in sorted(root.glob("warc/**/*.warc.gz"))
        for r in iter_records(path)
        if r.type == "response"
    ]


def _index(root: Path) -> ArchiveIndex:
    return ArchiveIndex(root, root / INDEX_FILE)


def test_failed_warc_write_gives_no_record_and_fails_the_run(
    tmp_path: Path, mirror: MirrorServer
) -> None:
    tmp_path.joinpath("warc").write_text("not a directory")
    result = run_crawl("chinadaily", tmp_path, mirror.url, args={"urls": ARTICLE})
    # A file-system error: the crawl stops at once (archiver.durable), exit 74 not 3.
    assert result.returncode == IO_ERROR_EXIT, result.log[-3000:]
    assert "stopping the crawl: a write failed: " in result.log
    assert "Not a directory" in result.log
    assert result.stats["archiver/warc/errors/NotADirectoryError"] >= 1
    # Archive first: nothing in a WARC file, so no record and not marked archived.
    assert result.records() == []
    assert "archiver/records/written" not in result.stats
    assert result.stats["archiver/extract/failed/not-archived"] == 1
    assert not _index(tmp_path).is_archived("chinadaily", ARTICLE_ID)
    assert "WARC write errors" in result.log


def test_incomplete_article_is_neither_recorded_nor_a_new_version(
    tmp_path: Path, mirror: MirrorServer
) -> None:
    page_4 = "www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d_4.html"
    overlay = _overlay(tmp_path, {}, {page_4: {"status": 404}})
    root = tmp_path / "archive"
    with MirrorServer(overlays=[overlay]) as broken:
        first = run_crawl("chinadaily", root, broken.url, args={"urls": SIX_PAGES})
    # No earlier record: none is written (no half article), and the article is not archived.
    assert first.records() == [], first.log[-3000:]
    assert first.stats["archiver/records/skipped/incomplete"] == 1
    assert not _index(root).is_archived("chinadaily", SIX_PAGES_ID)

    whole = run_crawl("chinadaily", root, mirror.url, args={"urls": SIX_PAGES})
    assert whole.returncode == 0, whole.log[-3000:]
    assert [(r["url"], r["version"], len(r["pages"])) for r in whole.records()] == [  # type: ignore[arg-type]
        (SIX_PAGES, 1, 6)
    ]

    with MirrorServer(overlays=[overlay]) as broken:
        again = run_crawl("chinadaily", root, broken.url, args={"urls": SIX_PAGES})
    # Page 4 answering 404 is no edit: still one record, version 1, archived.
    assert [r["version"] for r in again.records()] == [1]
    assert again.stats["archiver/records/skipped/incomplete"] == 1
    assert "archiver/versions/new_versions" not in again.stats
    assert _index(root).is_archived("chinadaily", SIX_PAGES_ID)


def test_soft_404_of_an_archived_article_is_a_deletion(
    tmp_path: Path, mirror: MirrorServer
) -> None:
    root = tmp_path / "archive"
    assert run_crawl("chinadaily", root, mirror.url, args={"urls": ARTICLE}).returncode == 0
    not_found = (BUNDLED_ROOT / "site" / SOFT_404).read_bytes()
    path = "www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
    overlay = _overlay(tmp_path, {path: not_found}, {})
    with MirrorServer(overlays=[overlay]) as changed:
        result = run_crawl("chinadaily", root, changed.url, args={"urls": ARTICLE})
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["archiver/articles/deleted"] == 1
    assert "archiver/extract/failed/soft-404" not in result.stats
    events = [e for p in sorted(root.glob("events/*/*.jsonl")) for e in read_events(p)]
    assert [(e.kind, e.url, e.status, e.reason) for e in events] == [
        ("deleted", ARTICLE, 200, "soft-404")
    ]
    assert events[0].capture is not None and events[0].capture.status == 200
    assert _index(root).is_deleted("chinadaily", ARTICLE_ID)


def test_global_times_since_keeps_the_month_and_skips_the_month_before(
    tmp_path: Path,
) -> None:
    # A list without dates: only the URL's month (/page/YYYYMM/) says how old an article is.
    links = "".join(f'<li><a href="{url}">story</a></li>' for url in (GT_AUGUST, GT_SEPTEMBER))
    page = f"<html><body><ul>{links}</ul></body></html>".encode()
    overlay = _overlay(tmp_path, {"www.globaltimes.cn/boundary/index.html": page}, {})
    with MirrorServer(overlays=[overlay]) as server:
        result = run_crawl(
            "globaltimes",
            tmp_path / "archive",
            server.url,
            args={"urls": "https://www.globaltimes.cn/boundary/index.html", "since": "2026-09-01"},
        )
    assert result.returncode == 0, result.log[-3000:]
    assert [r["url"] for r in result.records()] == [GT_SEPTEMBER]
    assert result.stats["archiver/discovery/out_of_window"] == 1
    assert GT_AUGUST not in _fetched(tmp_path / "archive")


def test_http_url_is_fetched_over_http_and_recorded_canonical(
    tmp_path: Path, mirror: MirrorServer
) -> None:
    http = "http://" + LEGACY.removeprefix("https://")
    result = run_crawl("chinadaily", tmp_path, mirror.url, args={"urls": f"{http},{LEGACY}"})
    assert result.returncode == 0, result.log[-3000:]
    fetched = _fetched(tmp_path)
    assert http in fetched and LEGACY not in fetched
    # Once per run by (site, article id), whatever the scheme.
    assert result.stats["archiver/discovery/duplicate"] == 1
    (record,) = result.records()
    assert record["url"] == LEGACY
    assert [c["url"] for c in record["captures"]] == [http]  # type: ignore[index]
