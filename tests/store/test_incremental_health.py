"""A run's verdict: no articles or a fill-rate drop fails it, and `scrapy crawl` exits 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.mirror import MirrorServer
from archiver.store.run_health import HealthSettings, previous_runs, run_health
from tests.crawling import run_crawl

pytestmark = pytest.mark.crawl


def _stats(records: int, filled: dict[str, int]) -> dict[str, int]:
    stats = {"archiver/discovery/articles": records, "archiver/fields/records": records}
    stats |= {f"archiver/fields/filled/{name}": count for name, count in filled.items()}
    return stats


def _run(rates: dict[str, float]) -> dict[str, object]:
    return {"summary": {"fill_rates": rates}}


def test_a_fill_rate_drop_fails_the_run() -> None:
    history = [_run({"title": 1.0, "authors": 0.9, "subtitle": 0.2})] * 3
    ok = run_health(_stats(10, {"title": 10, "authors": 8}), history, HealthSettings())
    assert ok["verdict"] == "ok", ok["problems"]
    bad = run_health(_stats(10, {"title": 10, "authors": 2}), history, HealthSettings())
    assert bad["verdict"] == "failed"
    assert bad["problems"] == [
        "field 'authors' filled in 20% of records, previously 90%: "
        "the page template may have changed"
    ]
    few = run_health(_stats(2, {"title": 2}), history, HealthSettings())
    assert few["verdict"] == "ok"  # too few records to judge


def test_fill_rates_compare_only_runs_of_the_same_mode(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    summaries = [
        ("globaltimes-1", {"mode": "backfill", "summary": {"fill_rates": {"authors": 0.1}}}),
        ("globaltimes-2", {"mode": "latest", "summary": {"fill_rates": {"authors": 0.9}}}),
        ("globaltimes-3", {"summary": {"fill_rates": {"authors": 0.8}}}),  # before modes
        ("chinadaily-1", {"mode": "latest", "summary": {"fill_rates": {"authors": 0.2}}}),
    ]
    for name, data in summaries:
        (runs / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    latest = previous_runs(runs, "globaltimes", "latest")
    assert [run["summary"]["fill_rates"]["authors"] for run in latest] == [0.9, 0.8]
    backfill = previous_runs(runs, "globaltimes", "backfill")
    assert [run["summary"]["fill_rates"]["authors"] for run in backfill] == [0.1]
    # A latest run filling authors in 30% is a drop against latest runs only.
    verdict = run_health(_stats(10, {"authors": 3}), latest, HealthSettings())
    assert verdict["verdict"] == "failed"
    assert run_health(_stats(10, {"authors": 3}), backfill, HealthSettings())["verdict"] == "ok"


def test_a_run_without_articles_exits_3(tmp_path: Path) -> None:
    with MirrorServer() as mirror:
        result = run_crawl(
            "globaltimes",
            tmp_path,
            mirror.url,
            args={"urls": "https://www.globaltimes.cn/nothing-here/index.html"},
        )
    assert result.returncode == 3, result.log[-2000:]
    assert "run failed: no articles found" in result.log
    report = json.loads(next((tmp_path / "runs").glob("*.json")).read_text(encoding="utf-8"))
    assert report["verdict"] == "failed"
    assert report["summary"]["articles_found"] == 0
