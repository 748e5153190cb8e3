"""A spider's backfill cursor claims (archiver.crawl.cursor_claims) on a SQLite index, and the
verdict of a run that left its backfill to another worker."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from archiver.crawl.cursor_claims import CursorClaims
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.run_health import HealthSettings, log_health, run_health

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archiver.crawl.spider import ArchiveSpider

pytestmark = pytest.mark.unit

CURSOR = "backfill:globaltimes:2026-09-01:None"


def _worker(index: ArchiveIndex, name: str, stale: str = "300") -> tuple[CursorClaims, Crawler]:
    crawler = get_crawler(settings_dict={"ARCHIVER_BACKFILL_CLAIM_STALE": stale})
    spider = SimpleNamespace(index=index, settings=crawler.settings, crawler=crawler)
    claims = CursorClaims(cast("ArchiveSpider", spider))
    claims.worker = name  # two workers of one process
    return claims, crawler


def test_a_cursor_another_worker_holds_is_left_to_it_until_released(tmp_path: Path) -> None:
    with ArchiveIndex(tmp_path) as index:
        a, crawler_a = _worker(index, "host-1")
        b, crawler_b = _worker(index, "host-2")
        assert a.resume(CURSOR) == ""  # nothing saved yet: from the top
        assert b.resume(CURSOR) is None
        assert b.resume(CURSOR) is None
        assert crawler_b.stats is not None
        assert crawler_b.stats.get_value("archiver/backfill/claimed_elsewhere") == 2
        assert crawler_b.stats.get_value("archiver/backfill/walked_by") == "host-1"
        assert a.save(CURSOR, "1371600:202609")
        assert not b.save(CURSOR, "1")  # not b's to save
        crawler_a.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
        assert index.cursor_holder(CURSOR) is None
        assert b.resume(CURSOR) == "1371600:202609"  # resumed where a left it
        assert index.cursor_holder(CURSOR) == "host-2"


def test_a_worker_whose_claim_was_taken_over_stops_saving(tmp_path: Path) -> None:
    with ArchiveIndex(tmp_path) as index:
        slow, crawler = _worker(index, "host-1")
        eager, _ = _worker(index, "host-2", stale="0")  # any claim is stale to it
        assert slow.resume(CURSOR) == ""
        assert slow.save(CURSOR, "10:202609")
        assert eager.resume(CURSOR) == "10:202609"
        assert not slow.save(CURSOR, "9:202609")
        assert not slow.save(CURSOR, "8:202609")
        assert index.cursor(CURSOR) == "10:202609"
        assert crawler.stats is not None
        assert crawler.stats.get_value("archiver/backfill/claim_lost") == 1
        crawler.signals.send_catch_log(signals.spider_closed, spider=None, reason="finished")
        assert index.cursor_holder(CURSOR) == "host-2"  # the old holder frees nothing


def test_a_finished_cursor_is_not_claimed(tmp_path: Path) -> None:
    with ArchiveIndex(tmp_path) as index:
        index.set_cursor(CURSOR, "done")
        index.set_cursor(f"{CURSOR}:walk", "done:201001")  # an id walk's
        claims, _ = _worker(index, "host-1")
        assert claims.resume(CURSOR) == "done"
        assert claims.resume(f"{CURSOR}:walk") == "done:201001"
        assert index.cursor_holder(CURSOR) is None
        assert index.cursor_holder(f"{CURSOR}:walk") is None


def test_a_run_that_left_its_backfill_to_another_worker_is_ok(
    caplog: pytest.LogCaptureFixture,
) -> None:
    left = {"archiver/backfill/claimed_elsewhere": 1, "archiver/backfill/walked_by": "host-1"}
    health = run_health(left, [], HealthSettings())
    assert health["verdict"] == "ok", health["problems"]
    assert health["summary"]["backfill_walked_by"] == ["host-1"]
    with caplog.at_level(logging.INFO, logger="archiver.store.run_health"):
        log_health("globaltimes", health)
    assert "backfill walked by host-1: this run left it to that worker" in caplog.text
    # Without the claim, finding nothing is still a failure.
    assert run_health({}, [], HealthSettings())["verdict"] == "failed"
