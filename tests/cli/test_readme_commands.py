"""README commands not covered elsewhere, run as a user runs them: subprocesses, real files."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.mirror import MirrorServer
from archiver.warc.consistency import check_file
from archiver.warc.raw import iter_records
from tests.crawling import REPO, run_crawl

pytestmark = pytest.mark.crawl

ARTICLE = "https://www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d.html"


def archiver(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archiver", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def small_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A six-page article crawled with a WARC size limit small enough to roll over."""
    root = tmp_path_factory.mktemp("archive")
    with MirrorServer() as mirror:
        result = run_crawl(
            "chinadaily",
            root,
            mirror.url,
            args={"urls": ARTICLE},
            settings={"ARCHIVER_WARC_MAX_SIZE": "20000", "ARCHIVER_REQUISITES_ENABLED": "False"},
        )
    assert result.returncode == 0, result.log[-2000:]
    yield root


def test_warc_max_size_rolls_over_and_every_file_stands_alone(small_files: Path) -> None:
    files = sorted(small_files.glob("warc/**/*.warc.gz"))
    assert len(files) >= 3
    for path in files:
        records = list(iter_records(path))
        assert records[0].type == "warcinfo", path
        assert check_file(path) == [], path
    assert not list(small_files.glob("warc/**/*.open"))


def test_index_rebuild_command_reads_the_files(small_files: Path) -> None:
    (small_files / "index.sqlite3").unlink(missing_ok=True)
    done = archiver("index", "rebuild", "--dir", str(small_files))
    assert done.returncode == 0, done.stderr
    assert "1 articles" in done.stdout, done.stdout
    assert (small_files / "index.sqlite3").exists()


def test_index_rebuild_without_an_archive_is_one_line(tmp_path: Path) -> None:
    done = archiver("index", "rebuild", "--dir", str(tmp_path / "nothing"))
    assert done.returncode == 1
    assert done.stderr.startswith("archiver: error: no archive at")


def test_schedule_prints_config_and_crontab(tmp_path: Path) -> None:
    config = archiver("schedule", "--print-config", "--dir", str(tmp_path))
    assert config.returncode == 0 and "[[job]]" in config.stdout
    (tmp_path / "jobs.toml").write_text(config.stdout)
    command = ["schedule", "--config", str(tmp_path / "jobs.toml"), "--print-crontab"]
    refused = archiver(*command, "--dir", str(tmp_path))
    assert refused.returncode == 1
    assert refused.stderr.startswith("archiver: error: the schedule would crawl the live sites")
    assert len(refused.stderr.splitlines()) == 1
    filled = config.stdout.replace('contact = ""', 'contact = "ops@example.org"')
    (tmp_path / "jobs.toml").write_text(filled)
    cron = archiver(*command, "--dir", str(tmp_path))
    assert cron.returncode == 0, cron.stderr
    lines = [line for line in cron.stdout.splitlines() if line and not line.startswith("#")]
    # One line per job of the default config, each starting with its cron expression.
    assert len(lines) == sum(line == "[[job]]" for line in config.stdout.splitlines())
    assert all("--job " in line for line in lines)
    assert lines[0].startswith("5 * * * * ")


def test_mirror_module_serves_until_stopped() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "archiver.mirror", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        url = line.split("serving at ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        request = urllib.request.Request(
            url + "/sitemap.xml", headers={"Host": "www.globaltimes.cn"}
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.status == 200
                    assert b"<urlset" in response.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
