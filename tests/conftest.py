"""Fixtures shared by several test folders, and the rule that unit tests start no process.

Every test carries a kind marker (registered in pyproject.toml): `unit` (in-process and fast),
`crawl` (starts processes: a Scrapy crawl, an `archiver` command, a scheduled job), `replay`
(pywb), `browser` (chromium), `redis` (redis-server), `postgres` (a PostgreSQL server).
`pytest -m unit` is the fast set.
Module-scoped fixtures here are still made once per test module, as when each module defined
its own copy.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from archiver.mirror import Manifest, MirrorServer
    from archiver.replay.env import ReplayEnv

# The fixtures import what they need when first used: a moved module then fails the tests
# that use it, not the collection of every test.

UNIT_NO_PROCESS = (
    "a test marked unit started a process ({command!r}); mark it crawl, replay, browser, redis "
    "or postgres instead (tests/conftest.py)"
)


def _refuse(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> NoReturn:
    raise AssertionError(UNIT_NO_PROCESS.format(command=args))


@contextmanager
def _no_process_if_unit(item: pytest.Item) -> Iterator[None]:
    """For tests marked unit, starting any child process raises.

    `_execute_child` is where every Popen (hence run, check_output, asyncio's subprocesses and
    Playwright's browser launch) forks, however the caller imported it. Patched around setup
    as well as the call, so a module-scoped fixture first needed by a unit test (a crawl, a
    pywb environment) is refused too: `-m unit` starts no crawl, pywb, chromium, Redis or
    PostgreSQL.
    """
    if item.get_closest_marker("unit") is None:
        yield
        return
    original = subprocess.Popen._execute_child  # type: ignore[attr-defined]
    subprocess.Popen._execute_child = _refuse  # type: ignore[attr-defined]
    try:
        yield
    finally:
        subprocess.Popen._execute_child = original  # type: ignore[attr-defined]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with _no_process_if_unit(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _no_process_if_unit(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    with _no_process_if_unit(item):
        return (yield)


@pytest.fixture(scope="module")
def mirror() -> Iterator[MirrorServer]:
    """The bundled offline mirror on 127.0.0.1, one per test module.

    Its bundled routes count nothing (no `times`), so tests of a module may share it; a test
    that needs an overlay starts a MirrorServer of its own.
    """
    from archiver.mirror import MirrorServer

    with MirrorServer() as server:
        yield server


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    """The mirror's ground truth: every article it serves and what its record must say."""
    from archiver.mirror import load_manifest

    return load_manifest()


@pytest.fixture(scope="module")
def env() -> ReplayEnv:
    """pywb's environment (`make pywb`, or ARCHIVER_REPLAY_ENV); the test fails without it."""
    from tests.replaying import replay_env

    return replay_env()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive root with both sites crawled from the mirror's start pages, per module."""
    from tests.replaying import crawl_archive

    return crawl_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="module")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A throwaway PostgreSQL server on 127.0.0.1, one per test module: its SQLAlchemy URL,
    `postgresql+psycopg://archiver@127.0.0.1:<port>/archiver`. A test that needs a database of
    its own makes one with tests.postgres_server.fresh_database."""
    from tests.postgres_server import postgres_server

    with postgres_server(tmp_path_factory.mktemp("postgres")) as url:
        yield url
