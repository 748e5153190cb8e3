"""`archiver schedule`: run crawl jobs on cron expressions, one process each, never overlapping."""

from __future__ import annotations

from archiver.crawl.site_lock import SiteLock
from archiver.schedule.config import DEFAULT_CONFIG, Job, load_jobs
from archiver.schedule.runner import Scheduler

__all__ = ["DEFAULT_CONFIG", "Job", "Scheduler", "SiteLock", "load_jobs"]
