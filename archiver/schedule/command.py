"""`archiver schedule`: run the scheduler, one job, or print the crontab or default config."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from archiver.errors import CommandError
from archiver.schedule.config import DEFAULT_CONFIG, load_jobs
from archiver.schedule.runner import Scheduler, crontab, run_job_now


def run_schedule(
    root: Path,
    config: Path | None,
    *,
    print_crontab: bool = False,
    print_config: bool = False,
    job: str | None = None,
) -> int:
    """See `archiver schedule --help`. Runs until interrupted unless a --print or --job is given."""
    if print_config:
        print(DEFAULT_CONFIG, end="")
        return 0
    jobs = load_jobs(config)
    if print_crontab:
        print(crontab(jobs, root, config), end="")
        return 0
    if job is not None:
        chosen = [j for j in jobs if j.label == job]
        if not chosen:
            names = ", ".join(j.label for j in jobs)
            raise CommandError(f"no job {job!r}; jobs: {names}")
        return run_job_now(chosen[0], root)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    scheduler = Scheduler(jobs, root, clock=datetime.now)
    for entry in jobs:
        logging.info("%s: next run %s", entry.label, scheduler.next_at[entry.label])
    scheduler.run_forever()
    return 0
