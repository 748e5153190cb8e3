"""A replayed article opened in real headless Chromium: what a reader would see."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.replay.server import ReplayServer
from tests.crawling import REPO
from tests.replaying import crawl_archive, records, replay_env

ARTIFACTS = REPO / "test-artifacts"


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    return found


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,1600",
        "--virtual-time-budget=5000",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_replayed_article_renders_in_chromium(tmp_path: Path) -> None:
    binary = _chromium()
    root = crawl_archive(tmp_path / "archive")
    record = next(r for r in records(root) if r["site"] == "chinadaily" and r["language"] == "en")
    capture = record["captures"][0]
    ts = datetime.fromisoformat(capture["fetched_at"]).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    with ReplayServer(root, replay_env(), reindex_interval=0) as server:
        url = f"{server.url}{ts}mp_/{capture['url']}"
        dom = _run_chromium(binary, tmp_path / "profile-dom", "--dump-dom", url)
        assert dom.returncode == 0, dom.stderr[-2000:]
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"replay-{record['article_id']}.png"
        shot.unlink(missing_ok=True)
        taken = _run_chromium(binary, tmp_path / "profile-shot", f"--screenshot={shot}", url)
        assert taken.returncode == 0, taken.stderr[-2000:]
    title = re.search(r"<title>(.*?)</title>", dom.stdout, re.S)
    assert title is not None, dom.stdout[:2000]
    assert record["title"] in " ".join(title.group(1).split())
    body_text = re.sub(r"<[^>]+>", " ", dom.stdout)
    assert record["title"] in " ".join(body_text.split())
    assert "not found" not in dom.stdout.lower()
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank square
