"""The verdict's agreement rule: a run whose two readers stop agreeing fails, as fill rates do."""

from __future__ import annotations

from typing import Any

import pytest

from archiver.store.run_health import HealthSettings, agreement_stat, run_health

pytestmark = pytest.mark.unit


def _stats(agreements: list[float | None]) -> dict[str, int]:
    stats = {"archiver/discovery/articles": len(agreements)}
    for value in agreements:
        key = agreement_stat(value)
        stats[key] = stats.get(key, 0) + 1
    return stats


def _run(median: float | None) -> dict[str, Any]:
    return {"summary": {"agreement": {"median": median, "measured": 10}}, "verdict": "ok"}


def test_the_median_is_read_back_from_the_stats() -> None:
    health = run_health(_stats([0.91, 0.95, None, 0.2, 0.93]), [], HealthSettings())
    assert health["summary"]["agreement"] == {"median": 0.92, "measured": 4}
    assert health["verdict"] == "ok"  # no history: nothing to compare with
    none = run_health(_stats([None, None]), [], HealthSettings())
    assert none["summary"]["agreement"] == {"median": None, "measured": 0}


def test_a_drop_against_recent_runs_fails_the_run() -> None:
    history = [_run(0.94), _run(0.92), _run(0.93)]
    ok = run_health(_stats([0.9, 0.85, 0.95, 0.8, 0.93]), history, HealthSettings())
    assert ok["verdict"] == "ok", ok["problems"]
    bad = run_health(_stats([0.1, 0.12, 0.95, 0.08, 0.2]), history, HealthSettings())
    assert bad["verdict"] == "failed"
    assert bad["problems"] == [
        "site parser and trafilatura agree 0.12 (median), previously 0.93: "
        "the page template may have changed"
    ]


def test_few_records_old_runs_and_the_threshold_setting() -> None:
    history = [_run(0.93)] * 3
    few = run_health(_stats([0.1, 0.1, None, None, None, None]), history, HealthSettings())
    assert few["verdict"] == "ok"  # 2 measured records are too few to judge
    # Runs from before the second reader (no agreement) or that measured nothing are no baseline.
    older = [{"summary": {"fill_rates": {}}}, _run(None)]
    assert run_health(_stats([0.1] * 5), older, HealthSettings())["verdict"] == "ok"
    # Only the last `history` runs count.
    recent = [_run(0.2)] * 5 + [_run(0.93)] * 5
    assert run_health(_stats([0.5] * 5), recent, HealthSettings())["verdict"] == "failed"
    lenient = HealthSettings(agreement_drop=0.5)
    assert run_health(_stats([0.5] * 5), recent, lenient)["verdict"] == "ok"


def test_the_threshold_is_a_setting_with_a_documented_default() -> None:
    from scrapy.settings import Settings

    assert HealthSettings.from_settings(Settings()).agreement_drop == 0.2
    chosen = Settings({"ARCHIVER_RUN_SUMMARY_AGREEMENT_DROP": "0.45"})
    assert HealthSettings.from_settings(chosen).agreement_drop == 0.45
