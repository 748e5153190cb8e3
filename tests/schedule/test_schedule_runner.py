"""The scheduler on a fake clock, with real child processes and real file locks."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from archiver.errors import ArchiverError
from archiver.mirror import MirrorServer, load_manifest
from archiver.schedule import DEFAULT_CONFIG, Job, Scheduler, SiteLock, load_jobs
from archiver.schedule.config import parse_jobs
from archiver.schedule.runner import crawl_command, crontab
from tests.crawling import TEST_SETTINGS


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def _sleeper(seconds: float) -> list[str]:
    return [sys.executable, "-c", f"import time; time.sleep({seconds})"]


HOURLY = Job(site="chinadaily", mode="latest", cron="0 * * * *", time_box=50)
NIGHTLY = Job(
    site="chinadaily", mode="backfill", cron="30 1 * * *", time_box=60, args={"since": "2020-01-01"}
)
ARCHIVER = [sys.executable, "-m", "archiver"]
GT = Job(site="globaltimes", mode="latest", cron="*/10 * * * *", time_box=5)


@pytest.mark.crawl
def test_jobs_fire_when_due_and_a_busy_site_is_skipped(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 9, 24, 0, 55))
    running = {"chinadaily": 30.0, "globaltimes": 0.0}
    scheduler = Scheduler(
        [HOURLY, NIGHTLY, GT],
        tmp_path,
        clock,
        command_for=lambda job: _sleeper(running[job.site]),
    )
    scheduler.tick()
    assert scheduler.started == []  # nothing due at 00:55
    clock.advance(minutes=5)  # 01:00: hourly and the 10-minute job
    scheduler.tick()
    assert scheduler.started == ["chinadaily-latest", "globaltimes-latest"]
    for _ in range(200):  # the 0 s job ends; the 30 s one does not
        scheduler.wait(0.05)
        if scheduler.finished:
            break
    assert scheduler.finished == [("globaltimes-latest", 0)]
    clock.advance(minutes=30)  # 01:30: the nightly job of a site still crawling
    scheduler.tick()
    assert scheduler.skipped == ["chinadaily-backfill"]
    assert "chinadaily-backfill" not in scheduler.running
    assert scheduler.started.count("globaltimes-latest") == 2  # missed 01:10, 01:20: once
    assert scheduler.next_at["chinadaily-backfill"] == datetime(2026, 9, 25, 1, 30)
    scheduler.stop_all()
    assert ("chinadaily-latest", -15) in scheduler.finished
    assert scheduler.running == {}


@pytest.mark.crawl
def test_a_run_over_its_time_box_is_stopped(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 9, 24, 0, 59, 59))
    job = Job(site="globaltimes", cron="0 * * * *", time_box=5)
    scheduler = Scheduler(
        [job], tmp_path, clock, command_for=lambda job: _sleeper(60), grace=timedelta(minutes=1)
    )
    clock.advance(seconds=1)
    scheduler.tick()
    assert list(scheduler.running) == ["globaltimes-latest"]
    clock.advance(minutes=5, seconds=59)
    scheduler.tick()
    assert scheduler.running  # still inside time box + grace
    clock.advance(seconds=2)
    scheduler.tick()  # SIGTERM
    scheduler.wait(10)
    assert scheduler.finished == [("globaltimes-latest", -15)]
    lock = SiteLock(tmp_path, "globaltimes")
    assert lock.acquire()  # the lock went with the process
    lock.release()


@pytest.mark.unit
def test_the_lock_excludes_a_second_holder(tmp_path: Path) -> None:
    first, second = SiteLock(tmp_path, "chinadaily"), SiteLock(tmp_path, "chinadaily")
    other = SiteLock(tmp_path, "globaltimes")
    assert first.acquire()
    assert not second.acquire()
    assert other.acquire()
    first.release()
    assert second.acquire()
    second.release()
    other.release()


@pytest.mark.unit
def test_default_config_and_crontab(tmp_path: Path) -> None:
    jobs = load_jobs(None)
    assert {(j.site, j.mode) for j in jobs} == {
        (site, mode)
        for site in ("chinadaily", "globaltimes")
        for mode in ("latest", "refresh", "backfill")
    }
    config = tmp_path / "jobs.toml"
    config.write_text(DEFAULT_CONFIG, encoding="utf-8")
    assert load_jobs(config) == jobs
    lines = crontab(jobs, tmp_path, config).splitlines()
    assert lines[1].startswith("5 * * * * cd ")
    assert lines[1].endswith(f"--config {config.absolute()} --job chinadaily-latest")
    command = crawl_command(jobs[0], tmp_path)
    assert command[-4:] == ["-s", "CLOSESPIDER_TIMEOUT=3000", "-a", "mode=latest"]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[job]]\nsite = "x"\ncron = "0 * * * *"', "job 1: site"),
        ('[[job]]\nsite = "chinadaily"\ncron = "every hour"', "job 1: cron"),
        ("[jobs]\n", "unknown table"),
        ("", "no [[job]]"),
        ("[[job]\n", "not valid TOML"),
        (
            '[[job]]\nsite = "chinadaily"\nmode = "backfill"\ncron = "0 1 * * *"',
            "job 1: args: Value error, mode=backfill needs since=",
        ),
        (
            '[[job]]\nsite = "globaltimes"\ncron = "0 1 * * *"\nargs = { pages = "2" }',
            "job 1: args: .*unknown argument 'pages'",
        ),
    ],
)
def test_bad_configs_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ArchiverError, match=message.replace("[", r"\[")):
        parse_jobs(text)


@pytest.mark.crawl
def test_job_runs_a_real_crawl_outside_the_checkout(tmp_path: Path) -> None:
    # cron and systemd start `archiver schedule --job` anywhere: no scrapy.cfg in sight.
    work = tmp_path / "elsewhere"
    work.mkdir()
    urls = ",".join(load_manifest().start_urls("globaltimes")[:3])
    with MirrorServer() as mirror:
        settings = {**TEST_SETTINGS, "ARCHIVER_MIRROR": mirror.url}
        config = work / "jobs.toml"
        config.write_text(
            '[[job]]\nname = "gt"\nsite = "globaltimes"\ncron = "0 * * * *"\n'
            f'time_box = 5\nargs = {{ urls = "{urls}" }}\n[job.settings]\n'
            + "".join(f'{name} = "{value}"\n' for name, value in settings.items()),
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        done = subprocess.run(
            [*ARCHIVER, "schedule", "--dir", "archive", "--config", "jobs.toml", "--job", "gt"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    log = (work / "archive" / "logs" / "gt.log").read_text(encoding="utf-8")
    assert done.returncode == 0, done.stdout + done.stderr + log[-3000:]
    assert "Spider closed (finished)" in log
    assert list((work / "archive" / "records" / "globaltimes").glob("*.jsonl"))
    assert list((work / "archive" / "warc" / "globaltimes").glob("*.warc.gz"))


@pytest.mark.crawl
def test_a_scheduled_crawl_keeps_its_lock_and_a_manual_one_is_refused(tmp_path: Path) -> None:
    # The scheduler holds the site's lock and hands its descriptor to the crawl, which adopts
    # it (no deadlock on its own scheduler's lock); a crawl started by hand meanwhile exits 4.
    from archiver.crawl.site_lock import LOCKED_EXIT
    from tests.crawling import run_crawl

    urls = ",".join(load_manifest().start_urls("globaltimes"))
    with MirrorServer() as mirror:
        settings = {**TEST_SETTINGS, "ARCHIVER_MIRROR": mirror.url, "DOWNLOAD_DELAY": "0.3"}
        job = Job(
            site="globaltimes",
            mode="latest",
            cron="0 * * * *",
            time_box=5,
            args={"urls": urls},
            settings=settings,
        )
        scheduler = Scheduler([job], tmp_path, clock=datetime.now)
        assert scheduler.start(job)
        manual = run_crawl("globaltimes", tmp_path, mirror.url, {"urls": urls})
        assert scheduler.running, "the scheduled crawl ended before the manual one was tried"
        scheduler.wait(240)
    assert manual.returncode == LOCKED_EXIT
    assert "scrapy crawl: error: another crawl of globaltimes" in manual.log
    assert scheduler.finished == [(job.label, 0)]
    log = (tmp_path / "logs" / f"{job.label}.log").read_text(encoding="utf-8")
    assert "Spider closed (finished)" in log and "Traceback" not in log
    assert len(list((tmp_path / "runs").glob("*.json"))) == 1
