"""`archiver serve` over a shared PostgreSQL index, as a process: given --index-url or
$ARCHIVER_INDEX_URL it serves the overview and a search over HTTP; an index it cannot read
(missing schema) is one line and exit status 1, no table made."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from archiver.store.index.location import driver_url
from tests.crawling import REPO
from tests.explore.serving import serve
from tests.explore.small_archive import CHINESE, EDITED, build
from tests.postgres_server import fresh_database

pytestmark = pytest.mark.postgres


def test_serve_reads_the_shared_index_over_http(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = fresh_database(postgres_url, "served")
    root = build(tmp_path / "archive", url)
    with serve(root, "--no-replay", "--index-url", url) as served:
        overview = served.json("/api/overview")
        assert {s["site"]: s["articles"] for s in overview["sites"]} == {
            "chinadaily": 2,
            "globaltimes": 2,
        }
        assert [c["kind"] for c in overview["changes"]["recent"]] == ["edited", "deleted"]
        found = served.json("/api/search?q=" + quote('"travel bookings soar"'))
        assert [r["url"] for r in found["results"]] == [EDITED]
        status, _, page = served.get("/search?q=" + quote("自行车"))
        assert status == 200 and "<mark>自行车</mark>" in page.decode()
        assert served.get(f"/article/diff?url={quote(EDITED)}")[0] == 200
    monkeypatch.setenv("ARCHIVER_INDEX_URL", url)  # the environment, as crawls take it
    with serve(root, "--no-replay") as served:
        found = served.json("/api/search?q=" + quote("自行车") + "&language=zh")
        assert [r["url"] for r in found["results"]] == [CHINESE]


def test_serve_refuses_a_database_without_an_index_in_one_line(
    postgres_url: str, tmp_path: Path
) -> None:
    url = fresh_database(postgres_url, "empty")
    root = tmp_path / "archive"
    root.mkdir()
    command = [sys.executable, "-m", "archiver", "serve", "--dir", str(root), "--port", "0"]
    done = subprocess.run(
        [*command, "--no-replay", "--index-url", url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "archiver index rebuild --index-url" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    with psycopg.connect(driver_url(url)) as conn:
        assert conn.execute("SELECT to_regclass('meta')").fetchone() == (None,)
