"""The site lock a crawl takes: refuse, wait, adopt the scheduler's descriptor, share when scaled out."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings

from archiver.crawl import site_lock
from archiver.crawl.site_lock import LOCK_FD_ENV, SiteBusy, SiteLock, hold_site_lock

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _fresh_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Each test is a new "process": nothing held yet, no descriptor handed down.
    held: dict[Path, SiteLock] = {}
    monkeypatch.setattr(site_lock, "_HELD", held)
    monkeypatch.delenv(LOCK_FD_ENV, raising=False)
    yield
    for lock in held.values():
        lock.release()


def _settings(root: Path, **more: str) -> Settings:
    return Settings({"ARCHIVER_DIR": str(root), **more})


def test_a_second_holder_is_refused_in_one_line(tmp_path: Path) -> None:
    other = SiteLock(tmp_path, "chinadaily")
    assert other.acquire()
    with pytest.raises(SiteBusy) as refused:
        hold_site_lock(_settings(tmp_path), "chinadaily")
    message = str(refused.value)
    assert "another crawl of chinadaily" in message and "ARCHIVER_LOCK_WAIT" in message
    assert "\n" not in message
    hold_site_lock(_settings(tmp_path), "globaltimes")  # another site is free
    other.release()
    assert hold_site_lock(_settings(tmp_path), "chinadaily").path == other.path


def test_lock_wait_waits_for_the_holder(tmp_path: Path) -> None:
    other = SiteLock(tmp_path, "chinadaily")
    assert other.acquire()
    timer = threading.Timer(0.5, other.release)
    timer.start()
    try:
        hold_site_lock(_settings(tmp_path, ARCHIVER_LOCK_WAIT="10"), "chinadaily")
    finally:
        timer.join()


def test_lock_wait_gives_up_after_its_seconds(tmp_path: Path) -> None:
    other = SiteLock(tmp_path, "chinadaily")
    assert other.acquire()
    with pytest.raises(SiteBusy, match=r"after waiting 0\.5 s"):
        hold_site_lock(_settings(tmp_path, ARCHIVER_LOCK_WAIT="0.5"), "chinadaily")
    other.release()


def test_the_schedulers_descriptor_is_adopted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scheduler = SiteLock(tmp_path, "chinadaily")
    assert scheduler.acquire()
    inherited = os.dup(scheduler.fileno())  # what the child gets: the same open file
    monkeypatch.setenv(LOCK_FD_ENV, str(inherited))
    held = hold_site_lock(_settings(tmp_path), "chinadaily")
    assert held.fileno() == inherited
    assert LOCK_FD_ENV not in os.environ  # not handed further down
    scheduler.release()
    other = SiteLock(tmp_path, "chinadaily")
    assert not other.acquire()  # still held through the adopted descriptor


def test_a_descriptor_of_another_file_is_not_taken_for_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = SiteLock(tmp_path, "chinadaily")
    assert holder.acquire()
    with (tmp_path / "unrelated").open("ab") as unrelated:
        monkeypatch.setenv(LOCK_FD_ENV, str(unrelated.fileno()))
        with pytest.raises(SiteBusy):
            hold_site_lock(_settings(tmp_path), "chinadaily")
    holder.release()


def test_scaled_out_workers_share_and_keep_a_plain_crawl_out(tmp_path: Path) -> None:
    worker = SiteLock(tmp_path, "chinadaily", shared=True)
    assert worker.acquire()
    scaled = _settings(tmp_path, ARCHIVER_REDIS_URL="redis://127.0.0.1:1/0")
    hold_site_lock(scaled, "chinadaily")
    for lock in site_lock._HELD.values():
        lock.release()
    site_lock._HELD.clear()
    with pytest.raises(SiteBusy):
        hold_site_lock(_settings(tmp_path), "chinadaily")
    worker.release()
