"""A scaled-out run is judged as a whole: the last worker to close counts what all found."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings

from archiver.store.run_health import HealthSettings, run_health
from archiver.store.run_share import RunShare, run_key, share_of_run
from tests.redis_server import redis_server

NOTHING = {"archiver/discovery/articles": 0}
PROBLEM = "no articles found: the site's lists or markup may have changed"


@pytest.mark.unit
def test_a_worker_left_nothing_by_the_others_passes_while_they_work() -> None:
    alone = run_health(NOTHING, [], HealthSettings())
    assert (alone["verdict"], alone["problems"]) == ("failed", [PROBLEM])
    early = run_health(NOTHING, [], HealthSettings(), RunShare(found=0, last=False))
    assert early["verdict"] == "ok"
    last = run_health(NOTHING, [], HealthSettings(), RunShare(found=12, last=True))
    assert last["verdict"] == "ok"
    assert last["summary"]["run_articles_found"] == 12
    empty_run = run_health(NOTHING, [], HealthSettings(), RunShare(found=0, last=True))
    assert (empty_run["verdict"], empty_run["problems"]) == ("failed", [PROBLEM])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.mark.redis
def test_the_last_of_the_workers_sees_the_count_of_all(redis_url: str, tmp_path: Path) -> None:
    import redis

    settings = Settings({"ARCHIVER_REDIS_URL": redis_url, "ARCHIVER_REDIS_RUN": "r1"})
    server = redis.Redis.from_url(redis_url)
    for _ in range(3):  # three workers open (what RedisWorker.spider_opened does)
        server.incr(run_key("r1", "globaltimes", "workers"))
    assert share_of_run(settings, "globaltimes", 0) == RunShare(found=0, last=False)
    assert share_of_run(settings, "globaltimes", 7) == RunShare(found=7, last=False)
    assert share_of_run(settings, "globaltimes", 5) == RunShare(found=12, last=True)
    assert share_of_run(Settings(), "globaltimes", 5) is None  # not scaled out


@pytest.mark.redis
def test_redis_gone_at_close_judges_the_worker_alone(tmp_path: Path) -> None:
    settings = Settings({"ARCHIVER_REDIS_URL": "redis://127.0.0.1:1/0", "ARCHIVER_REDIS_RUN": "r1"})
    assert share_of_run(settings, "globaltimes", 3) is None
