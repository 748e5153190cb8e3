"""The scheduler loop: fire due jobs as `scrapy crawl` processes, one per site, time-boxed."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from croniter import croniter
from scrapy.settings import Settings

from archiver.crawl.addon import contact_warning
from archiver.crawl.site_lock import LOCK_FD_ENV, SiteLock
from archiver.errors import ArchiverError
from archiver.layout import ArchiveLayout
from archiver.schedule.config import Job
from archiver.schedule.notify import NOTIFY_TIMEOUT, Notifier

logger = logging.getLogger(__name__)

# After the time box, Scrapy's CLOSESPIDER_TIMEOUT has asked the spider to stop; this long
# later the process gets SIGTERM (Scrapy's graceful shutdown), and as long again SIGKILL.
GRACE = timedelta(minutes=2)


CRAWL_SETTINGS_MODULE = "archiver.settings"


def crawl_settings(job: Job) -> Settings:
    """The settings a job's crawl starts from: the archiver's settings module and the job's own
    (the add-on and the command-line values crawl_command adds aside)."""
    settings = Settings()
    settings.setmodule(CRAWL_SETTINGS_MODULE, priority="project")
    settings.setdict(job.settings, priority="cmdline")
    return settings


def require_contacts(jobs: Sequence[Job], config: Path | None = None) -> None:
    """Refuse to schedule crawls of the live sites that would tell them no contact.

    A manual crawl without ARCHIVER_CONTACT only warns; an unattended one runs for years, so
    it must not start without (as Heritrix will not build a job without an operator contact).
    Raises ArchiverError naming the jobs and how to set it (in `config`, the file the jobs
    came from, or in a config written out from the default). Jobs through ARCHIVER_MIRROR pass.
    """
    missing = [job.label for job in jobs if contact_warning(crawl_settings(job)) is not None]
    if not missing:
        return
    setting = 'contact = "you@example.org" (your e-mail or URL, sent to the sites)'
    if config is None:
        how = (
            "write the default out with `archiver schedule --print-config > jobs.toml`, set "
            f"{setting} in it and run `archiver schedule --config jobs.toml`"
        )
    else:
        how = f"set {setting} at the top of {config}, or ARCHIVER_CONTACT in the job's settings"
    raise ArchiverError(
        f"the schedule would crawl the live sites without a contact ({', '.join(missing)}): {how}"
    )


def crawl_env() -> dict[str, str]:
    """The environment of a crawl process: ours, with Scrapy pointed at archiver's settings.

    `scrapy crawl` finds a project through scrapy.cfg in or above its working directory, or
    through SCRAPY_SETTINGS_MODULE; the latter works from anywhere (cron, systemd, a pip
    install without the checkout).
    """
    return {**os.environ, "SCRAPY_SETTINGS_MODULE": CRAWL_SETTINGS_MODULE}


def crawl_command(job: Job, root: Path) -> list[str]:
    """The `scrapy crawl` command line of a job, with CLOSESPIDER_TIMEOUT as its time box.

    Run it with `crawl_env()` and `cwd=root`: it needs no checkout (no scrapy.cfg).
    """
    command = [sys.executable, "-m", "scrapy", "crawl", job.site]
    settings = {
        "ARCHIVER_DIR": str(root.absolute()),
        "CLOSESPIDER_TIMEOUT": str(job.time_box * 60),
        **job.settings,
    }
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    for name, value in job.spider_args.items():
        command += ["-a", f"{name}={value}"]
    return command


@dataclass
class Run:
    """A job's crawl process while it runs."""

    job: Job
    process: subprocess.Popen[bytes]
    lock: SiteLock
    started: datetime
    terminated: bool = False
    # Wall-clock start, whatever the scheduler's clock: tells this run's report from older ones.
    wall_started: float = field(default_factory=time.time)


class Scheduler:
    """Fires jobs when their cron expression comes due; never two runs of one site at once.

    `clock` gives the (aware or naive local) time; `command_for(job)` the command line (default
    `crawl_command`). A job that comes due while its site is busy is skipped and counted in
    `skipped`; missed firings (the scheduler was down) fire once. A run past its time box plus
    GRACE gets SIGTERM, and SIGKILL one GRACE later. `finished` holds (job label, exit status).
    A job's `notify` command runs after a run as `notifier` decides (archiver.schedule.notify),
    limited to `notify_timeout` seconds, never holding up the loop.
    """

    def __init__(
        self,
        jobs: Sequence[Job],
        root: Path,
        clock: Callable[[], datetime],
        command_for: Callable[[Job], list[str]] | None = None,
        grace: timedelta = GRACE,
        notify_timeout: float = NOTIFY_TIMEOUT,
    ) -> None:
        self.jobs = list(jobs)
        self.root = root
        self.clock = clock
        self.grace = grace
        self.command_for = command_for or (lambda job: crawl_command(job, root))
        start = clock()
        self.next_at = {job.label: _next(job, start) for job in self.jobs}
        self.running: dict[str, Run] = {}
        self.finished: list[tuple[str, int]] = []
        self.skipped: list[str] = []
        self.started: list[str] = []
        self.notifier = Notifier(root, notify_timeout)

    def tick(self) -> None:
        """Reap finished runs, enforce time boxes, start the jobs that are due now."""
        now = self.clock()
        self._reap()
        self.notifier.poll()
        for run in list(self.running.values()):
            self._enforce(run, now)
        for job in self.jobs:
            if now >= self.next_at[job.label]:
                self.next_at[job.label] = _next(job, now)
                self.start(job, now)

    def start(self, job: Job, now: datetime | None = None) -> bool:
        """Start `job` now unless its site is busy (then log, count in `skipped`, and False)."""
        lock = SiteLock(self.root, job.site)
        if not lock.acquire():
            logger.warning("%s: skipped, a run of %s is still going", job.label, job.site)
            self.skipped.append(job.label)
            return False
        log_path = self._log_path(job.label)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                self.command_for(job),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root.absolute(),
                # The crawl takes its site's lock itself; it adopts this descriptor instead,
                # so the lock stays held without a gap between scheduler and crawl.
                env={**crawl_env(), LOCK_FD_ENV: str(lock.fileno())},
                pass_fds=(lock.fileno(),),
                start_new_session=True,
            )
        logger.info("%s: started (pid %d)", job.label, process.pid)
        self.running[job.label] = Run(job, process, lock, now or self.clock())
        self.started.append(job.label)
        return True

    def wait(self, timeout: float) -> None:
        """Wait (real time) up to `timeout` seconds for every running process, then reap."""
        deadline = time.monotonic() + timeout
        for run in list(self.running.values()):
            try:
                run.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                break
        self._reap()

    def stop_all(self, timeout: float = 30.0) -> None:
        """SIGTERM every running crawl (a graceful stop), SIGKILL what is left after `timeout`."""
        for run in self.running.values():
            run.process.terminate()
        self.wait(timeout)
        for run in list(self.running.values()):
            run.process.kill()
            run.process.wait()
        self._reap()
        # The runs just stopped may have notifications to send: let them go out (time-limited).
        self.notifier.drain()

    def seconds_to_next(self) -> float:
        """Seconds until the next job is due (at least 1, at most 60, to poll running ones)."""
        now = self.clock()
        soonest = min(self.next_at.values(), default=now + timedelta(minutes=1))
        return min(60.0, max(1.0, (soonest - now).total_seconds()))

    def run_forever(self, sleep: Callable[[float], None] = time.sleep) -> None:
        """tick() and sleep until interrupted."""
        while True:
            self.tick()
            sleep(self.seconds_to_next())

    def _reap(self) -> None:
        for label, run in list(self.running.items()):
            status = run.process.poll()
            if status is None:
                continue
            run.lock.release()
            del self.running[label]
            self.finished.append((label, status))
            if status == 0:
                logger.info("%s: finished", label)
            else:
                where = ArchiveLayout(self.root).relative(self._log_path(label))
                logger.error("%s: exited with status %d (see %s)", label, status, where)
            self.notifier.run_finished(run.job, status, run.process.pid, run.wall_started)

    def _log_path(self, label: str) -> Path:
        return ArchiveLayout(self.root).logs_dir / f"{label}.log"

    def _enforce(self, run: Run, now: datetime) -> None:
        deadline = run.started + timedelta(minutes=run.job.time_box) + self.grace
        if now < deadline:
            return
        sig = signal.SIGKILL if now >= deadline + self.grace or run.terminated else signal.SIGTERM
        if sig == signal.SIGTERM and run.terminated:
            return
        logger.warning("%s: over its time box, sending %s", run.job.label, sig.name)
        try:
            os.kill(run.process.pid, sig)
        except ProcessLookupError:
            return
        run.terminated = True


def _next(job: Job, after: datetime) -> datetime:
    moment: datetime = croniter(job.cron, after).get_next(datetime)
    return moment


def crontab(jobs: Sequence[Job], root: Path, config: Path | None) -> str:
    """crontab(5) lines running each job through `archiver schedule --job` (which locks)."""
    program = Path(sys.executable).with_name("archiver")
    config_part = f" --config {config.absolute()}" if config else ""
    lines = [f"# archiver jobs; logs in {ArchiveLayout(root.absolute()).logs_dir}/"]
    for job in jobs:
        lines.append(
            f"{job.cron} cd {Path.cwd()} && {program} schedule --dir {root.absolute()}"
            f"{config_part} --job {job.label}"
        )
    return "\n".join(lines) + "\n"


def run_job_now(job: Job, root: Path) -> int | None:
    """Run one job in the foreground (cron, systemd); its exit status, or None when it did not
    start because another run of its site holds the site's lock."""
    scheduler = Scheduler([job], root, clock=datetime.now)
    if not scheduler.start(job):
        return None
    run = scheduler.running[job.label]
    deadline = time.monotonic() + (job.time_box * 60) + scheduler.grace.total_seconds()
    try:
        status = run.process.wait(max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        run.process.terminate()
        try:
            status = run.process.wait(scheduler.grace.total_seconds())
        except subprocess.TimeoutExpired:
            run.process.kill()
            status = run.process.wait()
    run.lock.release()
    scheduler.notifier.run_finished(job, status, run.process.pid, run.wall_started)
    scheduler.notifier.drain()
    return status
