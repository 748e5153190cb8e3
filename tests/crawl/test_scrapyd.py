"""Scrapyd end to end: deploy as the README says, schedule both sites, read what they wrote.

A real Scrapyd (the version pinned in pyproject's test extra) listens on a free loopback port in
a temporary directory. Its Python is a fresh venv that sees the test venv's dependencies but not
the checkout (tests/venvs.py), so its crawls can only run the deployed egg. The project is
deployed with `scrapyd-deploy` from a copy of the checkout under git, which must stay clean; the
crawls are scheduled through schedule.json against the bundled mirror and followed through
listjobs.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.mirror import Manifest, MirrorServer
from tests.crawling import TEST_SETTINGS
from tests.redis_server import _free_port
from tests.venvs import bare_venv, clean_env, copy_project, run

pytestmark = pytest.mark.crawl

SITES = ("chinadaily", "globaltimes")
GIT = ["git", "-c", "user.name=test", "-c", "user.email=test@example.org"]


class Scrapyd:
    """A running Scrapyd: its URL, its directory (logs/, eggs/) and its own log."""

    def __init__(self, url: str, home: Path, log: Path) -> None:
        self.url, self.home, self.log = url, home, log

    def get(self, action: str, **query: str) -> dict[str, Any]:
        address = f"{self.url}{action}?{urllib.parse.urlencode(query)}"
        with urllib.request.urlopen(address, timeout=30) as answer:
            data: dict[str, Any] = json.load(answer)
        assert data["status"] == "ok", data
        return data

    def post(self, action: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
        body = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(f"{self.url}{action}", body, timeout=60) as answer:
            data: dict[str, Any] = json.load(answer)
        assert data["status"] == "ok", data
        return data


@contextmanager
def scrapyd_server(tmp: Path) -> Iterator[Scrapyd]:
    """Scrapyd on 127.0.0.1 in `tmp`/scrapyd, run by a venv that has no archiver."""
    python = bare_venv(tmp / "scrapyd-venv") / "bin" / "python"
    done = subprocess.run(
        [python, "-c", "import archiver"], cwd=tmp, capture_output=True, check=False
    )
    assert done.returncode != 0, "the Scrapyd venv must not import archiver but from the egg"
    home = tmp / "scrapyd"
    home.mkdir()
    port = _free_port()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\n"
        "max_proc = 2\n"
    )
    log = home / "scrapyd.log"
    # HOME: no ~/.scrapyd.conf of this machine's user is read.
    env = clean_env(HOME=str(tmp))
    with log.open("wb") as out:
        process = subprocess.Popen(
            [python, "-m", "scrapyd"], cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    server = Scrapyd(f"http://127.0.0.1:{port}/", home, log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                server.get("daemonstatus.json")
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def _deploy(server: Scrapyd, tmp: Path) -> Path:
    """`scrapyd-deploy test` from a committed copy of the checkout; the copy must stay clean."""
    checkout = copy_project(tmp / "checkout")
    run(["git", "init", "-q"], checkout)
    run([*GIT, "add", "-A"], checkout)
    run([*GIT, "commit", "-q", "-m", "checkout"], checkout)
    # The target, as the README has users declare theirs: a [deploy:NAME] in their scrapy.cfg.
    config = tmp / "config"
    config.mkdir()
    (config / "scrapy.cfg").write_text(f"[deploy:test]\nurl = {server.url}\n")
    deploy = Path(sys.executable).parent / "scrapyd-deploy"
    out = run([str(deploy), "test"], checkout, clean_env(XDG_CONFIG_HOME=str(config)))
    assert json.loads(out)["status"] == "ok", out
    status = run(["git", "status", "--porcelain", "--ignored"], checkout)
    assert status == "", f"scrapyd-deploy left files in the checkout:\n{status}"
    return checkout


def _wait_for(server: Scrapyd, jobs: set[str], timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        listed = server.get("listjobs.json", project="archiver")
        if {job["id"] for job in listed["finished"]} >= jobs:
            return listed
        assert time.monotonic() < deadline, f"{listed}\n{server.log.read_text()[-3000:]}"
        time.sleep(0.5)


def _warc_response(root: Path, capture: dict[str, Any]) -> tuple[str, int]:
    """(WARC-Target-URI, HTTP status) of the record a record's capture points at."""
    with (root / capture["warc_file"]).open("rb") as stream:
        stream.seek(capture["warc_offset"])
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_headers.get_header("WARC-Record-ID") == capture["warc_record_id"]
        assert record.rec_type == "response"
        uri = record.rec_headers.get_header("WARC-Target-URI")
        return uri, record.http_headers.get_statuscode()


def test_scrapyd_deploys_the_project_and_runs_both_sites(
    tmp_path: Path, mirror: MirrorServer, manifest: Manifest
) -> None:
    root = tmp_path / "archive"
    with scrapyd_server(tmp_path) as server:
        _deploy(server, tmp_path)
        (version,) = server.get("listversions.json", project="archiver")["versions"]
        spiders = server.get("listspiders.json", project="archiver")["spiders"]
        assert sorted(spiders) == list(SITES)
        settings = {**TEST_SETTINGS, "ARCHIVER_MIRROR": mirror.url, "ARCHIVER_DIR": str(root)}
        jobs = {}
        for site in SITES:
            fields = [("project", "archiver"), ("spider", site)]
            fields += [("setting", f"{name}={value}") for name, value in settings.items()]
            if site == "chinadaily":
                fields.append(("_version", version))  # Scrapyd then passes -a _version too
            jobs[site] = server.post("schedule.json", fields)["jobid"]
        listed = _wait_for(server, set(jobs.values()))
        scrapyd_log = server.log.read_text()

    assert {job["spider"] for job in listed["finished"]} == set(SITES)
    assert "Process died" not in scrapyd_log, scrapyd_log[-5000:]  # a crawl exited non-zero
    for site, job in jobs.items():
        assert f"Process finished: project='archiver' spider='{site}' job='{job}'" in scrapyd_log
        assert f"_job={job}" in scrapyd_log
        log = (server.home / "logs" / "archiver" / site / f"{job}.log").read_text()
        assert "Spider closed (finished)" in log, log[-3000:]
        assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
        (report,) = (root / "runs").glob(f"{site}-*.json")
        assert json.loads(report.read_text())["verdict"] == "ok", report.read_text()

        assert list((root / "warc" / site).glob(f"{site}-*.warc.gz"))
        records = [
            json.loads(line)
            for path in sorted((root / "records" / site).glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()
        ]
        expected = [a.url for a in manifest.articles if a.site == site and a.expect == "article"]
        assert sorted(r["url"] for r in records) == sorted(expected)
        for record in records:
            for capture in record["captures"]:
                assert _warc_response(root, capture) == (capture["url"], "200")
