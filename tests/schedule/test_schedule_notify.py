"""A job's notify command: run with the run summary on stdin after a failed run (or always);
a notify command that fails, hangs or cannot start is logged and the scheduler goes on."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from archiver.errors import ArchiverError
from archiver.mirror import MirrorServer
from archiver.schedule import Job, Scheduler
from archiver.schedule.config import parse_jobs
from tests.crawling import TEST_SETTINGS

ARTICLE = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
NOTHING = "https://www.globaltimes.cn/nothing-here/index.html"
# The scheduler's clock only decides what is due; these tests start jobs themselves.
_NOW = datetime(2026, 9, 24, 3, 0)
ARCHIVER = [sys.executable, "-m", "archiver"]
# Copies its stdin to the file named by its argument: a list command, run without a shell.
COPY_STDIN = [
    sys.executable,
    "-c",
    "import shutil, sys; shutil.copyfileobj(sys.stdin.buffer, open(sys.argv[1], 'wb'))",
]


def _job(name: str, site: str, url: str, mirror: str, **notify: Any) -> Job:
    return Job(
        name=name,
        site=site,  # type: ignore[arg-type]
        cron="0 * * * *",
        time_box=5,
        args={"urls": url},
        settings={**TEST_SETTINGS, "ARCHIVER_MIRROR": mirror},
        **notify,
    )


def _run(scheduler: Scheduler, job: Job) -> None:
    assert scheduler.start(job)
    for _ in range(2400):
        scheduler.wait(0.1)
        if job.label not in scheduler.running:
            break
    scheduler.notifier.drain()


@pytest.mark.crawl
def test_notify_gets_the_summary_of_a_failed_run_and_not_of_a_passed_one(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    out = tmp_path / "notified"
    out.mkdir()
    with MirrorServer() as mirror:
        failing = _job("gt", "globaltimes", NOTHING, mirror.url, notify=f"cat > {out}/gt.json")
        passing = _job("cd", "chinadaily", ARTICLE, mirror.url, notify=[*COPY_STDIN, f"{out}/cd"])
        always = _job(
            "cd-always",
            "chinadaily",
            ARTICLE,
            mirror.url,
            notify=f"cat > {out}/$ARCHIVER_JOB.$ARCHIVER_VERDICT.json",
            notify_on="always",
        )
        scheduler = Scheduler([failing, passing, always], root, clock=lambda: _NOW)
        for job in (failing, passing, always):
            _run(scheduler, job)
    assert scheduler.finished == [("gt", 3), ("cd", 0), ("cd-always", 0)]
    assert sorted(p.name for p in out.iterdir()) == ["cd-always.ok.json", "gt.json"]
    failed = json.loads((out / "gt.json").read_text(encoding="utf-8"))
    report = next((root / "runs").glob("globaltimes-*.json"))
    written = json.loads(report.read_text(encoding="utf-8"))
    assert failed == {
        "job": "gt",
        "exit_status": 3,
        "report": f"runs/{report.name}",
        **written,
    }
    assert failed["verdict"] == "failed"
    assert failed["problems"][0].startswith("no articles found")
    passed = json.loads((out / "cd-always.ok.json").read_text(encoding="utf-8"))
    assert passed["verdict"] == "ok" and passed["exit_status"] == 0
    assert passed["summary"]["new_articles"] == 0  # the second crawl of the same article
    assert scheduler.notifier.failed == []


def _fake_crawl(status: int) -> list[str]:
    # A crawl process that dies at once without a run report (a broken install, a kill).
    return [sys.executable, "-c", f"raise SystemExit({status})"]


@pytest.mark.crawl
def test_a_failing_hanging_or_missing_notify_command_is_logged_and_the_scheduler_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "notified"
    jobs = [
        Job(site="chinadaily", cron="0 * * * *", name="fails", notify=f"cat > {out}; exit 7"),
        Job(site="globaltimes", cron="0 * * * *", name="hangs", notify="sleep 60"),
        Job(site="chinadaily", cron="0 * * * *", name="missing", notify=["/nonexistent/notify"]),
    ]
    scheduler = Scheduler(
        jobs,
        tmp_path,
        clock=lambda: _NOW,
        command_for=lambda job: _fake_crawl(4),
        notify_timeout=1.0,
    )
    caplog.set_level(logging.INFO, logger="archiver.schedule")
    started = time.monotonic()
    for job in jobs:
        _run(scheduler, job)
    assert time.monotonic() - started < 20  # the hanging command was cut at its limit
    assert [status for _, status in scheduler.finished] == [4, 4, 4]
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    notify_errors = [m for m in errors if "notify" in m]
    assert notify_errors == [
        "fails: notify command exited with status 7 (output in the job log)",
        "hangs: notify command killed after 1 s without finishing",
        "missing: notify command could not start: No such file or directory",
    ]
    assert all("\n" not in m for m in errors)
    assert scheduler.notifier.failed == ["fails", "hangs", "missing"]
    # The failing command still got the payload: no report, so the exit status speaks.
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["verdict"] == "failed" and payload["exit_status"] == 4
    assert payload["report"] is None
    assert payload["problems"] == ["the crawl exited with status 4 and wrote no run report"]
    # The killed command's process group is gone; the scheduler still starts jobs.
    assert scheduler.notifier.pending == []
    assert scheduler.start(jobs[0])
    scheduler.stop_all()


@pytest.mark.crawl
def test_schedule_job_notifies_in_the_foreground(tmp_path: Path) -> None:
    # `archiver schedule --job` (cron, systemd) notifies too, before it exits.
    out = tmp_path / "notified.json"
    with MirrorServer() as mirror:
        settings = {**TEST_SETTINGS, "ARCHIVER_MIRROR": mirror.url}
        config = tmp_path / "jobs.toml"
        config.write_text(
            '[[job]]\nname = "gt"\nsite = "globaltimes"\ncron = "0 * * * *"\n'
            f'time_box = 5\nnotify = "cat > {out}"\nargs = {{ urls = "{NOTHING}" }}\n'
            "[job.settings]\n"
            + "".join(f'{name} = "{value}"\n' for name, value in settings.items()),
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
        done = subprocess.run(
            [*ARCHIVER, "schedule", "--dir", "archive", "--config", str(config), "--job", "gt"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
    assert done.returncode == 3, done.stdout + done.stderr
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert (payload["job"], payload["verdict"], payload["exit_status"]) == ("gt", "failed", 3)
    assert "Traceback" not in done.stderr


@pytest.mark.unit
@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('notify = ""', "job 1: notify: Value error, an empty notify command"),
        ("notify = []", "job 1: notify: Value error, an empty notify command"),
        ('notify = "x"\nnotify_on = "sometimes"', "job 1: notify_on: Input should be"),
        ("notify = 3", "job 1: notify"),
    ],
)
def test_bad_notify_settings_are_refused_at_load(entry: str, message: str) -> None:
    text = f'[[job]]\nsite = "chinadaily"\ncron = "0 * * * *"\n{entry}\n'
    with pytest.raises(ArchiverError, match=message.replace("[", r"\[")):
        parse_jobs(text)


@pytest.mark.unit
def test_notify_keys_are_read_from_the_config() -> None:
    jobs = parse_jobs(
        '[[job]]\nsite = "chinadaily"\ncron = "0 * * * *"\nnotify = "mail -s x a@b.org"\n'
        '[[job]]\nsite = "globaltimes"\ncron = "0 * * * *"\nnotify = ["notify-send", "x"]\n'
        'notify_on = "always"\n'
    )
    assert [(j.notify, j.notify_on) for j in jobs] == [
        ("mail -s x a@b.org", "failure"),
        (["notify-send", "x"], "always"),
    ]
