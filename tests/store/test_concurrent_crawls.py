"""Two crawls of one site on one archive, and verify or reextract during a crawl."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Final

import pytest

from archiver.crawl.site_lock import LOCKED_EXIT
from archiver.mirror import Manifest, MirrorServer
from archiver.replay.env import ReplayEnv
from tests.crawling import REPO, TEST_SETTINGS
from tests.replaying import records

pytestmark = [pytest.mark.crawl, pytest.mark.replay]

SITE: Final = "chinadaily"


def _start(
    root: Path, mirror: MirrorServer, manifest: Manifest, **settings: str
) -> subprocess.Popen[str]:
    merged = {**TEST_SETTINGS, "ARCHIVER_DIR": str(root), "ARCHIVER_MIRROR": mirror.url}
    command = [sys.executable, "-m", "scrapy", "crawl", SITE]
    for name, value in {**merged, **settings}.items():
        command += ["-s", f"{name}={value}"]
    command += ["-a", f"urls={','.join(manifest.start_urls(SITE))}"]
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "archiver.settings"}
    return subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = process.communicate(timeout=240)
    return process.returncode, out


def _archiver(root: Path, env: ReplayEnv, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "archiver", *args, "--dir", str(root)]
    if args[0] == "verify":
        command += ["--env", str(env.path), "--workers", "2"]
    return subprocess.run(
        command, cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )


def _one_first_version_each(root: Path) -> None:
    firsts = Counter(r["url"] for r in records(root) if r["version"] == 1)
    assert firsts and max(firsts.values()) == 1, firsts.most_common(3)


def _verify_clean(root: Path, env: ReplayEnv) -> None:
    done = _archiver(root, env, "verify", "--json")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "Traceback" not in done.stderr


def test_a_second_crawl_started_at_once_is_refused(
    tmp_path: Path, mirror: MirrorServer, manifest: Manifest, env: ReplayEnv
) -> None:
    crawls = [_start(tmp_path, mirror, manifest) for _ in range(2)]
    (code_a, log_a), (code_b, log_b) = (_finish(c) for c in crawls)
    assert sorted([code_a, code_b]) == [0, LOCKED_EXIT], (log_a[-2000:], log_b[-2000:])
    refused = log_a if code_a == LOCKED_EXIT else log_b
    [error] = [line for line in refused.splitlines() if "error" in line.lower()]
    assert error.startswith("scrapy crawl: error: ") and "Traceback" not in refused
    assert "another crawl of chinadaily" in refused and "ARCHIVER_LOCK_WAIT" in refused
    assert len(list((tmp_path / "runs").glob("*.json"))) == 1  # the refused one never ran
    _one_first_version_each(tmp_path)
    _verify_clean(tmp_path, env)


def test_with_lock_wait_the_second_crawl_runs_after_the_first(
    tmp_path: Path, mirror: MirrorServer, manifest: Manifest, env: ReplayEnv
) -> None:
    crawls = [_start(tmp_path, mirror, manifest, ARCHIVER_LOCK_WAIT="200") for _ in range(2)]
    results = [_finish(c) for c in crawls]
    assert [code for code, _ in results] == [0, 0], [log[-2000:] for _, log in results]
    reports = [json.loads(p.read_text()) for p in sorted((tmp_path / "runs").glob("*.json"))]
    assert len(reports) == 2
    # One of them archived everything, the other found it archived: nothing fetched twice.
    new = sorted(r["stats"].get("archiver/records/written", 0) for r in reports)
    skipped = [r["stats"].get("archiver/discovery/already_archived", 0) for r in reports]
    assert new[0] == 0 and new[1] > 0 and max(skipped) > 0, (new, skipped)
    _one_first_version_each(tmp_path)
    _verify_clean(tmp_path, env)


def test_verify_and_reextract_during_a_crawl(
    tmp_path: Path, mirror: MirrorServer, manifest: Manifest, env: ReplayEnv
) -> None:
    # Slowed down so that the offline commands meet the crawl half done.
    crawl = _start(tmp_path / "archive", mirror, manifest, DOWNLOAD_DELAY="0.3")
    root = tmp_path / "archive"
    deadline = time.monotonic() + 60
    while not list(root.glob("warc/*/*.open")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert crawl.poll() is None, "the crawl ended before verify could meet it"
    during = [
        _archiver(root, env, "verify", "--json"),
        _archiver(root, env, "reextract", "--out", str(tmp_path / "re"), "--workers", "1"),
    ]
    code, log = _finish(crawl)
    assert code == 0, log[-3000:]
    for done in during:
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        assert done.returncode in (0, 1), done.stderr[-3000:]
    json.loads(during[0].stdout)  # a report, whatever it found half way
    _one_first_version_each(root)
    _verify_clean(root, env)
