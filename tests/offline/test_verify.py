"""`archiver verify` on a clean crawl and on archives damaged in each way it must notice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archiver.replay.env import ReplayEnv
from tests.crawling import REPO
from tests.replaying import copy_archive, records, write_revisit

pytestmark = [pytest.mark.crawl, pytest.mark.replay]


def _verify(root: Path, env: ReplayEnv, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "archiver", "verify", "--dir", str(root)]
    command += ["--env", str(env.path), "--workers", "2", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def _report(root: Path, env: ReplayEnv, *args: str) -> tuple[int, dict[str, Any]]:
    done = _verify(root, env, "--json", *args)
    report = json.loads(done.stdout)
    return done.returncode, {c["name"]: c for c in report["checks"]}


def test_a_fresh_crawl_verifies_clean(archive: Path, env: ReplayEnv, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    write_revisit(root, records(root)[0]["captures"][0]["url"])
    done = _verify(root, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "result: ok" in done.stdout
    # A second verify reads only what changed since the first (the ledger): --full reads all.
    code, checks = _report(root, env, "--full")
    assert code == 0
    assert list(checks) == [
        "warc",
        "revisits",
        "records",
        "events",
        "reextract",
        "unrecorded",
        "replay",
    ]
    n = len(records(root))
    assert checks["warc"]["checked"] == 3
    assert checks["revisits"]["checked"] == 1
    assert checks["records"]["checked"] == n and checks["reextract"]["checked"] == n
    assert checks["replay"]["checked"] == sum(len(r["captures"]) for r in records(root))
    assert all(c["problems"] == [] for c in checks.values())


def _rewrite_record(root: Path, change: Any) -> None:
    path = sorted(root.glob("records/chinadaily/*.jsonl"))[0]
    lines = path.read_text("utf-8").splitlines()
    record = json.loads(lines[0])
    change(record)
    lines[0] = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n", "utf-8")


def test_edited_record_fails_reextraction(archive: Path, env: ReplayEnv, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    _rewrite_record(root, lambda r: r.update(title=r["title"] + " (edited)"))
    code, checks = _report(root, env)
    assert code == 1
    assert len(checks["reextract"]["problems"]) == 1
    assert "differs in title" in checks["reextract"]["problems"][0]
    assert checks["records"]["problems"] == []


def test_capture_pointing_elsewhere_is_reported(
    archive: Path, env: ReplayEnv, tmp_path: Path
) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    _rewrite_record(root, lambda r: r["captures"][0].update(warc_offset=0))
    code, checks = _report(root, env)
    assert code == 1
    problems = checks["records"]["problems"]
    assert any("warcinfo record, not a response" in p for p in problems), problems
    assert checks["replay"]["problems"], "offset 0 is in no replay index"


def test_damaged_warc_and_lost_original_are_reported(
    archive: Path, env: ReplayEnv, tmp_path: Path
) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    write_revisit(root, records(root)[0]["captures"][0]["url"], lost_original=True)
    victim = sorted(root.glob("warc/globaltimes/*.warc.gz"))[0]
    victim.write_bytes(victim.read_bytes()[:-100])
    code, checks = _report(root, env)
    assert code == 1
    assert any("unreadable" in p for p in checks["warc"]["problems"]), checks["warc"]["problems"]
    assert any("no original" in p for p in checks["revisits"]["problems"])
