"""Repeated crawls against the mirror: revisits, new versions on edits, deletions, index = files."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from archiver.mirror import Manifest, MirrorServer, bundled_root
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import rebuild
from archiver.warc.consistency import check_file
from archiver.warc.raw import iter_records
from tests.crawling import CrawlResult, run_crawl
from tests.store.index_rows import index_rows

pytestmark = pytest.mark.crawl

SITE: Final = "globaltimes"
EDITED_TEXT = "https://www.globaltimes.cn/page/202609/1371581.shtml"
EDITED_TITLE = "https://www.globaltimes.cn/page/202609/1371539.shtml"
DELETED = "https://www.globaltimes.cn/page/202609/1371412.shtml"
REFRESH = {"mode": "refresh", "days": "36500"}


def _overlay(tmp: Path, manifest: Manifest) -> Path:
    """Mirror overlay: one article's text edited, one's headline, one article gone (404)."""
    site = bundled_root() / "site" / "www.globaltimes.cn"
    target = tmp / "site" / "www.globaltimes.cn" / "page" / "202609"
    target.mkdir(parents=True)
    text_page = (site / "page" / "202609" / "1371581.shtml").read_text(encoding="utf-8")
    snippet = manifest.article(EDITED_TEXT).text_includes[0]
    head, body = text_page.split('class="article_right"', 1)
    assert snippet in body
    edited = head + 'class="article_right"' + body.replace(snippet, "CORRECTION: " + snippet, 1)
    (target / "1371581.shtml").write_text(edited, encoding="utf-8")
    title_page = (site / "page" / "202609" / "1371539.shtml").read_text(encoding="utf-8")
    old_title = manifest.article(EDITED_TITLE).title
    assert old_title and f'class="article_title">{old_title}<' in title_page
    retitled = title_page.replace(
        f'class="article_title">{old_title}<', 'class="article_title">Travel rush eases<'
    )
    (target / "1371539.shtml").write_text(retitled, encoding="utf-8")
    routes = {"www.globaltimes.cn/page/202609/1371412.shtml": {"status": 404}}
    (tmp / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    return tmp


@pytest.fixture(scope="module")
def crawls(
    tmp_path_factory: pytest.TempPathFactory, manifest: Manifest
) -> Iterator[tuple[Path, list[CrawlResult]]]:
    """Crawl, crawl again (refresh, unchanged), then refresh against the edited mirror."""
    root = tmp_path_factory.mktemp("archive")
    overlay = _overlay(tmp_path_factory.mktemp("overlay"), manifest)
    start = {"urls": ",".join(manifest.start_urls(SITE))}
    with MirrorServer() as mirror:
        first = run_crawl(SITE, root, mirror.url, args=start)
        second = run_crawl(SITE, root, mirror.url, args=REFRESH)
    with MirrorServer(overlays=[overlay]) as mirror:
        third = run_crawl(SITE, root, mirror.url, args=REFRESH)
    yield root, [first, second, third]


def _records(root: Path) -> list[dict[str, object]]:
    return CrawlResult(0, "", root, {}).records(SITE)


def _warc_bytes(root: Path) -> dict[Path, int]:
    return {p: p.stat().st_size for p in root.glob("warc/**/*.warc.gz")}


def test_every_run_succeeds(crawls: tuple[Path, list[CrawlResult]]) -> None:
    _, results = crawls
    for result in results:
        assert result.returncode == 0, result.log[-3000:]
        assert "Traceback" not in result.log, result.log[-3000:]


def test_unchanged_crawl_writes_revisits_and_no_records(
    crawls: tuple[Path, list[CrawlResult]], manifest: Manifest
) -> None:
    _, (first, second, _) = crawls
    articles = [a for a in manifest.articles if a.site == SITE and a.expect == "article"]
    assert first.stats["archiver/versions/new_articles"] == len(articles)
    assert "archiver/records/written" not in second.stats
    assert second.stats["archiver/versions/unchanged"] == len(articles)
    assert second.stats["archiver/warc/revisits"] >= len(articles)


def test_revisit_records_name_their_original(crawls: tuple[Path, list[CrawlResult]]) -> None:
    root, _ = crawls
    records = [r for p in sorted(root.glob("warc/**/*.warc.gz")) for r in iter_records(p)]
    by_id = {r.record_id: r for r in records}
    revisits = [r for r in records if r.type == "revisit"]
    assert revisits
    for revisit in revisits:
        original = by_id[revisit.header("WARC-Refers-To") or ""]
        assert original.type == "response"
        assert revisit.header("WARC-Refers-To-Target-URI") == original.target_uri
        assert revisit.header("WARC-Refers-To-Date") == original.header("WARC-Date")
        assert revisit.header("WARC-Payload-Digest") == original.header("WARC-Payload-Digest")
        profile = revisit.header("WARC-Profile") or ""
        assert profile.endswith("/revisit/identical-payload-digest")
        assert revisit.http_status == original.http_status
        assert revisit.payload == b""  # the body is the original's; not stored twice
    for path in root.glob("warc/**/*.warc.gz"):
        assert check_file(path) == [], path


def test_edits_make_new_versions_with_their_changes(
    crawls: tuple[Path, list[CrawlResult]],
) -> None:
    root, (_, _, third) = crawls
    assert third.stats["archiver/versions/new_versions"] == 2
    versions = {(r["url"], r["version"]): r for r in _records(root)}
    text_v2 = versions[(EDITED_TEXT, 2)]
    assert text_v2["previous_version"] == 1
    assert text_v2["changes"] == ["text"]
    assert "CORRECTION: " in str(text_v2["text"])
    title_v2 = versions[(EDITED_TITLE, 2)]
    assert title_v2["title"] == "Travel rush eases"
    assert "title" in title_v2["changes"]  # type: ignore[operator]
    assert "text" not in title_v2["changes"]  # type: ignore[operator]
    assert versions[(EDITED_TEXT, 1)]["changes"] == []
    counts = Counter((r["url"], r["version"]) for r in _records(root))
    assert max(counts.values()) == 1


def test_a_404_is_a_deletion_not_a_version(crawls: tuple[Path, list[CrawlResult]]) -> None:
    root, (_, _, third) = crawls
    assert third.stats["archiver/articles/deleted"] == 1
    events = [
        json.loads(line)
        for path in root.glob("events/*/*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert [(e["kind"], e["url"], e["status"]) for e in events] == [("deleted", DELETED, 404)]
    assert events[0]["capture"]["status"] == 404
    assert all(r["url"] != DELETED or r["version"] == 1 for r in _records(root))


def test_changes_command_lists_edits_and_deletions(
    crawls: tuple[Path, list[CrawlResult]], capsys: pytest.CaptureFixture[str]
) -> None:
    from archiver.cli import main

    root, _ = crawls
    assert main(["changes", "--dir", str(root), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    kinds = sorted((c["kind"], c["url"]) for c in lines)
    assert kinds == [("deleted", DELETED), ("edited", EDITED_TITLE), ("edited", EDITED_TEXT)]
    edit = next(c for c in lines if c["url"] == EDITED_TEXT)
    assert (edit["version"], edit["changes"]) == (2, ["text"])
    assert main(["changes", "--dir", str(root), "--site", "chinadaily", "--json"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["changes", "--dir", str(root), "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == "no changes: no article edited or deleted since 2999-01-01\n"
    assert main(["changes", "--dir", str(root)]) == 0
    text = capsys.readouterr().out
    assert "+title: Travel rush eases" in text
    assert "CORRECTION: " in text


def test_run_summary_reports_the_figures(crawls: tuple[Path, list[CrawlResult]]) -> None:
    root, _ = crawls
    reports = sorted(root.glob("runs/*.json"), key=lambda p: p.stat().st_mtime)
    last = json.loads(reports[-1].read_text(encoding="utf-8"))
    summary = last["summary"]
    assert last["verdict"] == "ok", last["problems"]
    assert summary["new_versions"] == 2
    assert summary["deletions"] == 1
    assert summary["revisits"] > 0
    assert summary["errors"]["article/http_404"] == 1
    assert summary["fill_rates"]["title"] == 1.0
    assert summary["pages_fetched"] > 0


def test_live_index_equals_rebuilt_index(
    crawls: tuple[Path, list[CrawlResult]], tmp_path: Path
) -> None:
    root, _ = crawls
    with ArchiveIndex(root) as live:
        expected = index_rows(live)
        assert live.is_deleted(SITE, "1371412")
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("index.sqlite3*"))
    with ArchiveIndex(copy) as rebuilt:
        rebuild(rebuilt)
        got = index_rows(rebuilt)
    assert got["captures"] and got["articles"]
    assert {t: len(rows) for t, rows in got.items()} == {
        t: len(rows) for t, rows in expected.items()
    }
    assert got == expected
