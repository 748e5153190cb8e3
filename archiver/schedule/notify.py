"""Tell a person: run a job's `notify` command with the run summary JSON on standard input."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.layout import ArchiveLayout
from archiver.schedule.config import Job

logger = logging.getLogger(__name__)

NOTIFY_TIMEOUT = 60.0
"""Seconds a notify command may run before it (and its process group) is killed."""


@dataclass
class Pending:
    """A notify command while it runs."""

    label: str
    process: subprocess.Popen[bytes]
    deadline: float  # time.monotonic()


def notify_argv(command: str | list[str]) -> list[str]:
    """A string runs through /bin/sh -c (pipes, redirections); a list runs as it is, unquoted."""
    return ["/bin/sh", "-c", command] if isinstance(command, str) else list(command)


def find_report(root: Path, site: str, pid: int, since: float) -> Path | None:
    """The run report the crawl process `pid` wrote (runs/<site>-<time>-<host>-<pid>.json), not
    older than `since` (a wall-clock time: an old report of a reused pid is not this run's)."""
    found = [
        path
        for path in ArchiveLayout(root).runs_dir.glob(f"{site}-*-{pid}.json")
        if path.stat().st_mtime >= since - 1
    ]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def run_payload(root: Path, job: Job, status: int, report: Path | None) -> dict[str, Any]:
    """What the notify command reads: the run report as written (spider, mode, verdict,
    problems, summary, stats) plus `job`, `exit_status` and `report` (its path under the archive,
    or null). A crawl that died before writing one is reported failed with a problem saying so."""
    data: dict[str, Any] = {}
    if report is not None:
        try:
            loaded = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            loaded = {"problems": [f"run report {report.name} unreadable: {exc}"]}
        data = loaded if isinstance(loaded, dict) else {}
    if report is None or "verdict" not in data:
        problems = list(data.get("problems") or [])
        problems.append(f"the crawl exited with status {status} and wrote no run report")
        data = {"spider": job.site, "mode": job.mode, **data}
        data |= {"verdict": "failed", "problems": problems}
    relative = ArchiveLayout(root).relative(report) if report is not None else None
    return {"job": job.label, "exit_status": status, "report": relative, **data}


def should_notify(job: Job, status: int, payload: dict[str, Any]) -> bool:
    """True when the job has a notify command and the run failed (or notify_on is "always")."""
    if job.notify is None:
        return False
    failed = status != 0 or payload.get("verdict") != "ok"
    return failed or job.notify_on == "always"


class Notifier:
    """Starts notify commands and watches them; nothing here raises into the scheduler.

    A command runs in its own session, in the archive directory, with the payload on stdin
    (a temporary file, so a command that never reads it cannot block anyone) and
    ARCHIVER_JOB, ARCHIVER_VERDICT and ARCHIVER_EXIT_STATUS in its environment; its output is
    appended to the job's log. One that exits non-zero, cannot start, or is still running after
    `timeout` seconds (then killed with its process group) is logged in one line.
    """

    def __init__(self, root: Path, timeout: float = NOTIFY_TIMEOUT) -> None:
        self.root = root
        self.timeout = timeout
        self.pending: list[Pending] = []
        self.failed: list[str] = []  # labels whose notify command failed, timed out or broke

    def run_finished(self, job: Job, status: int, pid: int, started: float) -> None:
        """A run of `job` (crawl process `pid`, started at wall-clock `started`) ended."""
        if job.notify is None:
            return
        try:
            report = find_report(self.root, job.site, pid, started)
            payload = run_payload(self.root, job, status, report)
            if should_notify(job, status, payload):
                self._start(job, job.notify, payload)
        except Exception as exc:  # the scheduler outlives any notify trouble, whatever it is
            self._failed(job.label, f"could not be run: {exc}")

    def _start(self, job: Job, command: str | list[str], payload: dict[str, Any]) -> None:
        log_path = ArchiveLayout(self.root).logs_dir / f"{job.label}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "ARCHIVER_JOB": job.label,
            "ARCHIVER_VERDICT": str(payload.get("verdict")),
            "ARCHIVER_EXIT_STATUS": str(payload["exit_status"]),
        }
        body = (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode()
        with tempfile.TemporaryFile() as stdin, log_path.open("ab") as log:
            stdin.write(body)
            stdin.seek(0)
            try:
                process = subprocess.Popen(
                    notify_argv(command),
                    stdin=stdin,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self.root.absolute(),
                    env=env,
                    start_new_session=True,
                )
            except OSError as exc:
                self._failed(job.label, f"could not start: {exc.strerror or exc}")
                return
        logger.info("%s: notify started (pid %d)", job.label, process.pid)
        self.pending.append(Pending(job.label, process, time.monotonic() + self.timeout))

    def poll(self) -> None:
        """Collect finished commands; kill those past their time limit."""
        now = time.monotonic()
        for entry in list(self.pending):
            status = entry.process.poll()
            if status is None and now < entry.deadline:
                continue
            self.pending.remove(entry)
            if status is None:
                _kill_group(entry.process)
                self._failed(entry.label, f"killed after {self.timeout:g} s without finishing")
            elif status != 0:
                self._failed(entry.label, f"exited with status {status} (output in the job log)")

    def drain(self) -> None:
        """Wait for every running command, each up to its time limit."""
        while self.pending:
            self.poll()
            if self.pending:
                time.sleep(0.05)

    def _failed(self, label: str, why: str) -> None:
        self.failed.append(label)
        logger.error("%s: notify command %s", label, why)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    # The shell's children (a mail client, curl) are in the same new session: kill them all.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
