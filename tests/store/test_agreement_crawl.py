"""A crawl whose pages changed so the parser reads the wrong part fails; the same crawl of the
unchanged pages, with the same recent runs, passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.mirror import MirrorServer
from archiver.mirror.server import BUNDLED_ROOT
from tests.crawling import CrawlResult, run_crawl
from tests.sites.redesign import redesigned

pytestmark = pytest.mark.crawl

PATHS = [
    "www.chinadaily.com.cn/a/202609/23/WS6ab3c558a3107a2e1d4f4f10.html",
    "www.chinadaily.com.cn/a/202609/24/WS6ab45b94a3107a2e1d4f5c21.html",
    "www.chinadaily.com.cn/a/202609/24/WS6ab47c28a3107a2e1d4f5d3e.html",
    "www.chinadaily.com.cn/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html",
]
URLS = ",".join(f"https://{path}" for path in PATHS)
# Judge runs of 3 records or more: 4 articles are crawled.
SETTINGS = {"ARCHIVER_RUN_SUMMARY_MIN_RECORDS": "3"}


def _history(root: Path) -> None:
    """Three earlier passing runs of the site, as their report files (the rule reads only these)."""
    runs = root / "runs"
    runs.mkdir(parents=True)
    for day, median in (("01", 0.95), ("02", 0.93), ("03", 0.96)):
        report = {
            "spider": "chinadaily",
            "mode": "latest",
            "verdict": "ok",
            "problems": [],
            "summary": {"fill_rates": {}, "agreement": {"median": median, "measured": 12}},
        }
        path = runs / f"chinadaily-202609{day}000000-test-1.json"
        path.write_text(json.dumps(report), encoding="utf-8")


def _crawl(root: Path, overlays: list[Path]) -> tuple[CrawlResult, dict[str, object]]:
    _history(root)
    with MirrorServer(overlays=overlays) as mirror:
        result = run_crawl("chinadaily", root, mirror.url, args={"urls": URLS}, settings=SETTINGS)
    newest = sorted((root / "runs").glob("chinadaily-*.json"))[-1]
    return result, json.loads(newest.read_text(encoding="utf-8"))


def test_a_crawl_of_misread_pages_fails_where_the_unchanged_pages_pass(tmp_path: Path) -> None:
    unchanged, report = _crawl(tmp_path / "unchanged", [])
    assert unchanged.returncode == 0, unchanged.log[-3000:]
    assert report["verdict"] == "ok"
    agreement = report["summary"]["agreement"]  # type: ignore[index]
    assert agreement["measured"] == 4 and agreement["median"] > 0.85
    assert all(r["extractor"]["agreement"] > 0.85 for r in unchanged.records())

    overlay = tmp_path / "overlay"
    for path in PATHS:
        target = overlay / "site" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(redesigned((BUNDLED_ROOT / "site" / path).read_bytes()))
    (overlay / "routes.json").write_text("{}", encoding="utf-8")
    changed, report = _crawl(tmp_path / "changed", [overlay])
    # Every article still gets a record (titles, dates, authors as before): only the second
    # reader notices that the text is a box of headlines.
    assert len(changed.records()) == 4
    assert changed.returncode == 3, changed.log[-3000:]
    assert report["verdict"] == "failed"
    assert report["problems"] == [
        "site parser and trafilatura agree "
        f"{report['summary']['agreement']['median']:.2f} (median), "  # type: ignore[index]
        "previously 0.95: the page template may have changed"
    ]
    assert "run failed: site parser and trafilatura agree" in changed.log
