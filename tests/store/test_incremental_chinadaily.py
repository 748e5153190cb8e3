"""China Daily incremental runs: latest skips what is archived, retries failures, refresh by date."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from archiver.mirror import MirrorServer, load_manifest
from archiver.store.index.archive_index import ArchiveIndex
from tests.crawling import CrawlResult, run_crawl

pytestmark = pytest.mark.crawl

SITE: Final = "chinadaily"
CLOCK = {"ARCHIVER_CLOCK": "tests.clocks.sept_28_2026"}
MULTI_PAGE = "https://www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d.html"
FAILS_FIRST = "/a/202609/24/WS6ab45b94a3107a2e1d4f5c21.html"
SOFT_404 = "WS6ab38f34a3107a2e1d4f4a6c"
REDIRECTED = "/a/202609/27/WS6ab878a0a3107a2e1d4f8b92.html"
# Published within 3 days of the clock (2026-09-25 00:00 Beijing time or later).
RECENT = {
    "/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html",
    "/a/202609/27/WS6ab878a0a3107a2e1d4f8b92.html",
}


def _article_paths(mirror: MirrorServer) -> list[str]:
    return sorted(r.path for r in mirror.requests if r.path.startswith("/a/"))


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, list[tuple[CrawlResult, list[str]]]]]:
    """1: lists + the multi-page article, one article failing (500); 2: latest again;
    3: refresh days=3 on a fixed clock; 4: refresh of everything (revisits only)."""
    root = tmp_path_factory.mktemp("archive")
    overlay = tmp_path_factory.mktemp("overlay")
    routes = {f"www.chinadaily.com.cn{FAILS_FIRST}": {"status": 500}}
    (overlay / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    lists = ",".join(load_manifest().start_urls(SITE))
    settings = {**CLOCK, "ARCHIVER_CHINADAILY_SECTIONS": lists}
    out: list[tuple[CrawlResult, list[str]]] = []
    plan: list[tuple[list[Path], dict[str, str]]] = [
        ([overlay], {"urls": f"{lists},{MULTI_PAGE}"}),
        ([], {}),  # mode=latest, the default
        ([], {"mode": "refresh", "days": "3"}),
        ([], {"mode": "refresh", "days": "36500"}),
    ]
    for overlays, args in plan:
        with MirrorServer(overlays=overlays) as mirror:
            result = run_crawl(SITE, root, mirror.url, args=args, settings=settings)
        out.append((result, _article_paths(mirror)))
    yield root, out


def test_every_run_succeeds(runs: tuple[Path, list[tuple[CrawlResult, list[str]]]]) -> None:
    for result, _ in runs[1]:
        assert result.returncode == 0, result.log[-3000:]


def test_a_failed_fetch_is_retried_by_the_next_latest_run(
    runs: tuple[Path, list[tuple[CrawlResult, list[str]]]],
) -> None:
    (first, _), (second, fetched) = runs[1][:2]
    assert first.stats["archiver/article/fetch_failed/http_500"] == 1
    # Latest fetches only the article that failed; the others are archived (and the soft
    # 404, refused last time, is not fetched again). REDIRECTED: an old URL whose redirect
    # lands on an archived article is followed again by every run.
    assert fetched == sorted([FAILS_FIRST, REDIRECTED])
    assert second.stats["archiver/versions/new_articles"] == 1
    assert second.stats["archiver/discovery/already_archived"] >= 7
    assert second.stats["archiver/discovery/not_an_article"] == 1
    with ArchiveIndex(runs[0]) as index:
        assert index.is_archived(SITE, "WS6ab45b94a3107a2e1d4f5c21")
        assert not index.is_archived(SITE, SOFT_404)


def test_refresh_days_uses_the_injected_clock(
    runs: tuple[Path, list[tuple[CrawlResult, list[str]]]],
) -> None:
    third, fetched = runs[1][2]
    assert set(fetched) == RECENT  # (REDIRECTED is one of them)
    assert third.stats["archiver/discovery/refresh"] == len(RECENT)


def test_a_full_refresh_of_unchanged_articles_writes_only_revisits(
    runs: tuple[Path, list[tuple[CrawlResult, list[str]]]],
) -> None:
    fourth, fetched = runs[1][3]
    # Every page of the multi-page article is fetched again and found unchanged.
    multi = [path for path in fetched if "WS664af0b2a31082fc043c814d" in path]
    assert len(multi) == 6
    assert "archiver/records/written" not in fourth.stats
    assert fourth.stats["archiver/versions/unchanged"] == fourth.stats["archiver/discovery/refresh"]
    assert fourth.stats["archiver/warc/revisits"] >= len(fetched)
    records = CrawlResult(0, "", runs[0], {}).records(SITE)
    multi_records = [r for r in records if r["article_id"] == "WS664af0b2a31082fc043c814d"]
    assert [(r["version"], len(r["captures"])) for r in multi_records] == [(1, 6)]


def test_a_redirect_to_a_failing_page_is_recorded_as_the_redirect(tmp_path: Path) -> None:
    article = "https://www.chinadaily.com.cn/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html"
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    moved = {"status": 301, "location": "https://www.chinadaily.com.cn/removed.html"}
    routes = {"www.chinadaily.com.cn/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html": moved}
    (overlay / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    root = tmp_path / "archive"
    with MirrorServer() as mirror:
        first = run_crawl(SITE, root, mirror.url, args={"urls": article})
    with MirrorServer(overlays=[overlay]) as mirror:  # /removed.html answers 404
        second = run_crawl(SITE, root, mirror.url, args={"urls": article})
    assert first.returncode == 0, first.log[-3000:]
    assert second.stats["archiver/articles/deleted"] == 1, second.log[-3000:]
    events = [
        json.loads(line)
        for path in sorted(root.glob("events/chinadaily/*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert [(e["kind"], e["status"], e["location"]) for e in events] == [
        ("deleted", 301, "https://www.chinadaily.com.cn/removed.html")
    ]


def test_a_section_that_keeps_answering_404_is_left_out_for_a_while(tmp_path: Path) -> None:
    settings = {
        "ARCHIVER_CHINADAILY_SECTIONS": "china/society,no/such-section",
        "ARCHIVER_INDEX_MISSING_LIST_RUNS": "2",
    }
    fetched: list[list[str]] = []
    results = []
    for _ in range(3):
        with MirrorServer() as mirror:
            results.append(run_crawl(SITE, tmp_path, mirror.url, settings=settings))
        fetched.append([r.path for r in mirror.requests if not r.path.startswith("/a/")])
    assert [r.returncode for r in results] == [0, 0, 0], results[-1].log[-3000:]
    assert ["/no/such-section" in paths for paths in fetched] == [True, True, False]
    assert all("/china/society" in paths for paths in fetched)
    assert results[2].stats["archiver/discovery/list_skipped_missing"] == 1
