"""`archiver serve` as a process over a crawled archive: pages over HTTP, kept up to date while
a crawl adds to the archive, read-only, loopback only, one-line errors."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest

from archiver.mirror import MirrorServer, load_manifest
from tests.crawling import REPO, run_crawl
from tests.explore.archiving import DELETED, EDITED, EDITED_TITLE, REFRESH, edit_overlay
from tests.explore.serving import serve

pytestmark = pytest.mark.crawl


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both sites crawled once from the mirror (the edit comes later, while serving)."""
    root = tmp_path_factory.mktemp("served") / "archive"
    manifest = load_manifest()
    with MirrorServer() as mirror:
        for site in ("chinadaily", "globaltimes"):
            urls = ",".join(manifest.start_urls(site))
            assert run_crawl(site, root, mirror.url, args={"urls": urls}).returncode == 0
    return root


def test_pages_follow_a_crawl_that_runs_while_serving(root: Path, tmp_path: Path) -> None:
    with serve(root, "--no-replay") as served:
        assert served.url.startswith("http://127.0.0.1:")
        assert served.json("/api/changes")["total"] == 0
        before = served.json(f"/api/article?url={quote(EDITED)}")
        assert [v["version"] for v in before["versions"]] == [1]
        with MirrorServer(overlays=[edit_overlay(tmp_path / "overlay")]) as mirror:
            crawl = run_crawl("globaltimes", root, mirror.url, args=REFRESH)
        assert crawl.returncode == 0, crawl.log[-3000:]
        changes = served.json("/api/changes")["changes"]
        assert {(c["kind"], c["url"]) for c in changes} == {
            ("edited", EDITED),
            ("deleted", DELETED),
        }
        after = served.json(f"/api/article?url={quote(EDITED)}")
        assert after["record"]["title"] == EDITED_TITLE
        assert [v["version"] for v in after["versions"]] == [1, 2]
        found = served.json("/api/search?q=" + quote('"travel bookings soar"'))
        assert [r["url"] for r in found["results"]] == [EDITED]
        status, headers, body = served.get("/changes.atom")
        assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
        assert len(ET.fromstring(body).findall("{http://www.w3.org/2005/Atom}entry")) == 2
        overview = served.json("/api/overview")
        assert len(overview["runs"]) == 3


def _snapshot(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# SQLite's companions of a WAL database: a reader may create them (an empty -wal) and marks
# what it reads in -shm, the shared-memory index, which holds no data of the archive.
SQLITE_COMPANIONS = {"index.sqlite3-wal", "index.sqlite3-shm"}


def test_serving_changes_no_file_of_the_archive(root: Path) -> None:
    before = _snapshot(root)
    paths = [
        "/",
        "/coverage",
        "/changes",
        "/changes.atom",
        "/search?q=tourism",
        "/search?q=自行车",
        f"/article?url={quote(EDITED)}",
        f"/article/diff?url={quote(EDITED)}",
        f"/api/record?url={quote(EDITED)}&version=1",
        "/article?url=nothing",
        "/api/search?q=%22",
        "/static/style.css",
        "/static/../index.sqlite3",
        "/static/%2e%2e/index.sqlite3",
    ]
    with serve(root, "--no-replay") as served:
        statuses = [served.get(quote(p, safe="/?=&%"))[0] for p in paths]
    assert statuses[:10] == [200] * 9 + [404]
    assert statuses[10:] == [400, 200, 404, 404]
    after = _snapshot(root)
    assert set(after) - set(before) <= SQLITE_COMPANIONS
    for name, digest in before.items():
        if name not in SQLITE_COMPANIONS:
            assert after[name] == digest, f"{name} changed"
    assert (root / "index.sqlite3-wal").stat().st_size == 0 or "index.sqlite3-wal" in before


def test_it_binds_loopback_only_by_default(root: Path) -> None:
    with serve(root, "--no-replay") as served:
        port = int(served.url.rsplit(":", 1)[1].strip("/"))
        assert served.get("/")[0] == 200
        with pytest.raises(OSError):  # another loopback address: nothing listens there
            socket.create_connection(("127.0.0.2", port), timeout=5).close()


def _archiver(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archiver", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_port_in_use_or_a_missing_archive_is_one_line(root: Path, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = _archiver("serve", "--dir", str(root), "--port", str(port), "--no-replay")
    assert busy.returncode == 1
    assert busy.stderr.strip().splitlines() == [
        f"archiver: error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
    missing = _archiver("serve", "--dir", str(tmp_path / "none"), "--no-replay")
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert missing.stderr.strip().splitlines() == [
        f"archiver: error: no archive at {tmp_path / 'none'}; give --dir"
    ]
    (tmp_path / "empty").mkdir()
    empty = _archiver("serve", "--dir", str(tmp_path / "empty"), "--no-replay")
    assert empty.returncode == 1 and "no index at" in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1
