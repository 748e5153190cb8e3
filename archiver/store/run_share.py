"""A scaled-out run judged as a whole: what its workers found together, and who is last.

Each worker of a run on Redis (archiver.crawl.scaleout) counts itself in when it opens;
as it closes it adds the articles it found to the run's count and counts itself out. The
last one out judges the run by the count of all of them, so that a worker the others left
no article to does not fail a run that found plenty (its exit status and report say ok).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def run_key(run: str, spider: str, suffix: str) -> str:
    """The Redis key of one part of a scaled-out run: `archiver:<run>:<spider>:<suffix>`."""
    return f"archiver:{run}:{spider}:{suffix}"


@dataclass(frozen=True)
class RunShare:
    """A scaled-out run as one worker sees it when it closes."""

    found: int
    """Articles found by the run's workers closed so far, this one included."""
    last: bool
    """No other worker of the run is still open: this one judges the run."""


def share_of_run(settings: BaseSettings, spider: str, found: int) -> RunShare | None:
    """Add this worker's `found` articles to its run's count and count it out of the run.

    None when the crawl is not scaled out (no ARCHIVER_REDIS_URL), or Redis does not answer
    (the worker is then judged alone, as before). Called once, as the worker closes.
    """
    if not settings.get("ARCHIVER_REDIS_URL"):
        return None
    from redis import Redis
    from redis.exceptions import RedisError

    run = str(settings.get("ARCHIVER_REDIS_RUN"))
    try:
        server = Redis.from_url(str(settings.get("ARCHIVER_REDIS_URL")), socket_timeout=10)
        pipe = server.pipeline()  # MULTI/EXEC: both counts move together
        pipe.incrby(run_key(run, spider, "found"), found)
        pipe.decr(run_key(run, spider, "workers"))
        total, still_open = pipe.execute()
    except RedisError as exc:
        logger.error("run %s not judged as a whole (Redis: %s)", run, exc)
        return None
    return RunShare(found=int(total), last=int(still_open) <= 0)
