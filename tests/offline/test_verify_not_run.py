"""`archiver verify` before pywb is set up: the replay check is "not run", not a failure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.cli.offline import _print_report
from archiver.mirror import MirrorServer
from archiver.offline.verify import Check
from tests.crawling import REPO, run_crawl

ARTICLE = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
SETUP = "archiver replay --setup"


@pytest.mark.unit
def test_a_check_not_run_is_said_and_does_not_fail(capsys: pytest.CaptureFixture[str]) -> None:
    checks = [
        Check("warc", "WARC files", checked=3),
        Check("replay", "replay index", not_run=f"no pywb environment; run `{SETUP}`"),
    ]
    assert _print_report(checks, as_json=False) == 0
    out = capsys.readouterr().out
    assert "replay" in out.splitlines()[2] and "not run" in out.splitlines()[2]
    assert f"replay: not run: no pywb environment; run `{SETUP}`" in out
    assert out.endswith("result: ok (replay not run)\n")
    assert _print_report(checks, as_json=True) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["not_run"] == ["replay"]


@pytest.mark.unit
def test_other_problems_still_fail(capsys: pytest.CaptureFixture[str]) -> None:
    checks = [
        Check("warc", "WARC files", checked=3, problems=["x.warc.gz: bad digest"]),
        Check("replay", "replay index", not_run="no pywb environment"),
    ]
    assert _print_report(checks, as_json=False) == 1
    out = capsys.readouterr().out
    assert "warc: x.warc.gz: bad digest" in out
    assert out.endswith("result: PROBLEMS FOUND (replay not run)\n")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("archive")
    with MirrorServer() as mirror:
        result = run_crawl("chinadaily", root, mirror.url, args={"urls": ARTICLE})
    assert result.returncode == 0, result.log[-2000:]
    yield root


def _verify(root: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # As a new user runs it: no ARCHIVER_REPLAY_ENV, and no .venv-pywb in the working directory.
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVER_REPLAY_ENV"}
    env["PYTHONPATH"] = str(REPO)
    command = [sys.executable, "-m", "archiver", "verify", "--dir", str(root), "--workers", "1"]
    return subprocess.run(
        [*command, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.crawl
def test_verify_after_a_first_crawl_passes_with_replay_not_run(
    crawled: Path, tmp_path: Path
) -> None:
    done = _verify(crawled, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "replay: not run: no pywb environment at .venv-pywb; run `archiver replay --setup" in (
        done.stdout
    )
    assert done.stdout.endswith("result: ok (replay not run)\n")


@pytest.mark.crawl
def test_a_named_environment_that_is_missing_is_a_problem(crawled: Path, tmp_path: Path) -> None:
    done = _verify(crawled, tmp_path, "--env", str(tmp_path / "no-such-env"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "replay: no pywb environment at" in done.stdout
    assert "result: PROBLEMS FOUND" in done.stdout
