"""A damaged, foreign or newer index under real crawls, `archiver changes` and `index rebuild`."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final

import pytest

from archiver.mirror import Manifest, MirrorServer
from archiver.store.index.archive_index import ArchiveIndex
from tests.crawling import REPO, CrawlResult, run_crawl
from tests.store.index_rows import index_rows

pytestmark = pytest.mark.crawl

SITE: Final = "chinadaily"
INDEX: Final = "index.sqlite3"


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00not sqlite\xff" * 4000)


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _foreign(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE captures (id INTEGER PRIMARY KEY, what TEXT)")
    conn.execute("INSERT INTO captures (what) VALUES ('somebody else')")
    conn.commit()
    conn.close()


def _zero(path: Path) -> None:
    path.write_bytes(b"")


def _newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


DAMAGES: Final[dict[str, Callable[[Path], None]]] = {
    "garbage": _garbage,
    "truncated": _truncated,
    "foreign": _foreign,
    "zero-byte": _zero,
}
MESSAGES: Final = {
    "garbage": "file is not a database",
    "truncated": "malformed",
    "foreign": "not an archiver index",
    "zero-byte": None,  # SQLite reads an empty file as an empty database: nothing to move
}


@pytest.fixture(scope="module")
def base(
    tmp_path_factory: pytest.TempPathFactory, mirror: MirrorServer, manifest: Manifest
) -> tuple[Path, CrawlResult]:
    """One crawl of the site's start pages; its index checkpointed into the main file."""
    root = tmp_path_factory.mktemp("base")
    result = run_crawl(SITE, root, mirror.url, {"urls": ",".join(manifest.start_urls(SITE))})
    assert result.returncode == 0, result.log[-3000:]
    with ArchiveIndex(root) as index:
        index.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return root, result


def _damaged_copy(base: Path, target: Path, damage: Callable[[Path], None]) -> Path:
    shutil.copytree(base, target)
    for companion in ("-wal", "-shm"):
        (target / f"{INDEX}{companion}").unlink(missing_ok=True)
    damage(target / INDEX)
    return target


def _archiver(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "archiver", *args, "--dir", str(root)]
    return subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )


def _moved(root: Path) -> list[Path]:
    return sorted(root.glob(f"{INDEX}.damaged-*"))


def _agrees_with_files(root: Path, tmp: Path) -> None:
    fresh = tmp / "fresh"
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(f"{INDEX}*"))
    done = _archiver(fresh, "index", "rebuild")
    assert done.returncode == 0, done.stderr
    with ArchiveIndex(root) as healed, ArchiveIndex(fresh) as rebuilt:
        assert index_rows(healed) == index_rows(rebuilt)


@pytest.mark.parametrize("kind", list(DAMAGES))
def test_a_crawl_heals_a_damaged_index(
    kind: str,
    base: tuple[Path, CrawlResult],
    mirror: MirrorServer,
    manifest: Manifest,
    tmp_path: Path,
) -> None:
    source, first = base
    root = _damaged_copy(source, tmp_path / "archive", DAMAGES[kind])
    records_before = len(first.records())
    again = run_crawl(SITE, root, mirror.url, {"urls": ",".join(manifest.start_urls(SITE))})
    assert again.returncode == 0, again.log[-3000:]
    assert "Traceback" not in again.log
    message = MESSAGES[kind]
    if message is None:
        assert _moved(root) == []
    else:
        [warning] = [line for line in again.log.splitlines() if "moved aside to" in line]
        assert message in warning and "WARNING" in warning
        assert len(_moved(root)) == 1
        assert again.stats["archiver/index/moved_aside"] == _moved(root)[0].name
    # Healed from the files: what was archived is not fetched or recorded again.
    assert again.stats.get("archiver/discovery/already_archived", 0) > 0
    assert len(again.records()) == records_before
    _agrees_with_files(root, tmp_path)


@pytest.mark.parametrize("kind", list(DAMAGES))
def test_changes_and_rebuild_heal_a_damaged_index(
    kind: str, base: tuple[Path, CrawlResult], tmp_path: Path
) -> None:
    root = _damaged_copy(base[0], tmp_path / "archive", DAMAGES[kind])
    changes = _archiver(root, "changes", "--json")
    assert changes.returncode == 0, changes.stderr
    assert "Traceback" not in changes.stderr
    if MESSAGES[kind] is not None:
        # One line of healing, then `changes --json` says on stderr that there were none.
        assert [line for line in changes.stderr.splitlines() if line.strip()] == [
            next(line for line in changes.stderr.splitlines() if "moved aside to" in line),
            "no changes: no article edited or deleted",
        ]
        assert len(_moved(root)) == 1
    DAMAGES[kind](root / INDEX)
    rebuilt = _archiver(root, "index", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stderr == ""  # the old file is never opened: no warning, no traceback
    assert f"({len(base[1].records())} articles)" in rebuilt.stdout
    _agrees_with_files(root, tmp_path)


def test_an_index_of_a_newer_archiver_is_refused_not_destroyed(
    base: tuple[Path, CrawlResult], mirror: MirrorServer, manifest: Manifest, tmp_path: Path
) -> None:
    root = _damaged_copy(base[0], tmp_path / "archive", _newer)
    before = (root / INDEX).read_bytes()
    crawl = run_crawl(SITE, root, mirror.url, {"urls": ",".join(manifest.start_urls(SITE))})
    assert crawl.returncode == 1
    assert "Traceback" not in crawl.log
    [line] = [line for line in crawl.log.splitlines() if "newer archiver" in line]
    assert line.startswith("scrapy crawl: error: ") and "schema version 99" in line
    assert len(list((root / "runs").glob("*.json"))) == 1  # the base crawl's only
    changes = _archiver(root, "changes")
    assert changes.returncode == 1
    assert changes.stderr.startswith("archiver: error: ") and "newer archiver" in changes.stderr
    assert len(changes.stderr.strip().splitlines()) == 1
    assert (root / INDEX).read_bytes() == before and _moved(root) == []
    # An explicit rebuild replaces it from the files, and crawls work again.
    assert _archiver(root, "index", "rebuild").returncode == 0
    again = run_crawl(SITE, root, mirror.url, {"urls": ",".join(manifest.start_urls(SITE))})
    assert again.returncode == 0, again.log[-3000:]
    assert len(again.records()) == len(base[1].records())
