"""A 1 GiB gzip bomb at an article URL: archived as received, counted, named, never a record,
and neither the crawl nor any offline reader of the archive it made grows past 512 MB.

The peak RSS is read with wait4() on each command's own process (tests/faults/checks.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from archiver.replay.env import ReplayEnv
from tests.crawling import REPO
from tests.faults.checks import TRACEBACK, crawl_command, peak_rss, responses
from tests.faults.server import FaultServer, answer, from_mirror, gzip_bomb

pytestmark = pytest.mark.crawl

CD = "www.chinadaily.com.cn"
REAL = "/a/202405/13/WS664167f4a31082fc043c6af7.html"
BOMB = "/a/202405/13/WS664167f4a31082fc043cb0b0.html"
BOMB_URL = f"https://{CD}{BOMB}"
GIB = 1 << 30
MEMORY_BOUND = 512 * 1024 * 1024


@pytest.fixture(scope="module")
def bombed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str, int]:
    """(archive root, exit status, log, peak RSS) of a crawl of one article and one bomb."""
    root = tmp_path_factory.mktemp("bombed")
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    faults = {f"{CD}{BOMB}": answer(200, gzip_bomb(GIB), headers), f"{CD}{REAL}": from_mirror}
    with FaultServer(faults) as server:
        command = crawl_command("chinadaily", root, server.url, f"{BOMB_URL},https://{CD}{REAL}")
        code, log, peak = peak_rss(command)
    return root, code, log, peak


def _summary(root: Path) -> dict[str, object]:
    (report,) = root.glob("runs/chinadaily-*.json")
    data: dict[str, object] = json.loads(report.read_text(encoding="utf-8"))
    return data


def test_the_crawl_stays_under_512_mb_and_is_healthy(bombed: tuple[Path, int, str, int]) -> None:
    _root, code, log, peak = bombed
    assert code == 0, log[-3000:]
    assert TRACEBACK not in log
    assert peak < MEMORY_BOUND, f"peak RSS {peak >> 20} MiB"


def test_the_bomb_is_archived_as_received_counted_and_named(
    bombed: tuple[Path, int, str, int],
) -> None:
    root = bombed[0]
    (record,) = responses(root)[BOMB_URL]
    assert record.payload == gzip_bomb(GIB)
    assert record.http_header("Content-Encoding") == "gzip"
    report = _summary(root)
    stats = report["stats"]
    assert isinstance(stats, dict)
    assert stats["archiver/download/too_large"] == 1
    assert stats["archiver/article/fetch_failed/ResponseTooLarge"] == 1
    summary = report["summary"]
    assert isinstance(summary, dict)
    assert summary["too_large"] == [BOMB_URL]
    assert report["verdict"] == "ok"


def test_the_bomb_gets_no_record_and_the_article_beside_it_does(
    bombed: tuple[Path, int, str, int],
) -> None:
    root = bombed[0]
    lines = (root / "records").glob("chinadaily/*.jsonl")
    urls = [json.loads(line)["url"] for path in lines for line in path.read_text().splitlines()]
    assert urls == [f"https://{CD}{REAL}"]


@pytest.mark.replay
def test_verify_skips_the_bomb_under_512_mb(
    bombed: tuple[Path, int, str, int], env: ReplayEnv
) -> None:
    root = bombed[0]
    command = [sys.executable, "-m", "archiver", "verify", "--dir", str(root), "--json"]
    code, output, peak = peak_rss([*command, "--env", str(env.path), "--workers", "1"])
    assert code == 0, output
    assert peak < MEMORY_BOUND, f"peak RSS {peak >> 20} MiB"
    report = json.loads(output[output.index("{") :])
    checks = {c["name"]: c for c in report["checks"]}
    assert all(not c["problems"] for c in checks.values()), checks
    assert checks["unrecorded"]["skipped"] == 1
    assert any(BOMB_URL in note for note in checks["unrecorded"]["notes"])


def test_reextract_skips_the_bomb_under_512_mb(bombed: tuple[Path, int, str, int]) -> None:
    root = bombed[0]
    out = root.parent / "reextracted"
    command = [sys.executable, "-m", "archiver", "reextract", "--dir", str(root)]
    code, output, peak = peak_rss([*command, "--out", str(out), "--workers", "1"])
    assert code == 0, output
    assert TRACEBACK not in output
    assert peak < MEMORY_BOUND, f"peak RSS {peak >> 20} MiB"
    assert "too-large" in output
    lines = (out / "chinadaily.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["url"] for line in lines] == [f"https://{CD}{REAL}"]


def test_extract_file_reports_the_bomb_as_skipped_under_512_mb(
    bombed: tuple[Path, int, str, int],
) -> None:
    (warc,) = bombed[0].glob("warc/chinadaily/*.warc.gz")
    command = [sys.executable, "-m", "archiver", "extract", str(warc)]
    code, output, peak = peak_rss(command)
    assert code == 0, output
    assert TRACEBACK not in output
    assert peak < MEMORY_BOUND, f"peak RSS {peak >> 20} MiB"
    assert f"skipped {BOMB_URL}: too-large" in output


def test_fixtures_add_refuses_the_bomb_in_one_line(
    bombed: tuple[Path, int, str, int], tmp_path: Path
) -> None:
    (warc,) = bombed[0].glob("warc/chinadaily/*.warc.gz")
    command = [sys.executable, "-m", "archiver", "fixtures", "add", str(warc), "--url", BOMB_URL]
    done = subprocess.run(
        [*command, "--root", str(tmp_path)], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0
    assert TRACEBACK not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.replay
def test_export_wacz_of_the_bombed_archive_stays_under_512_mb(
    bombed: tuple[Path, int, str, int], env: ReplayEnv
) -> None:
    root = bombed[0]
    out = root.parent / "bombed.wacz"
    command = [sys.executable, "-m", "archiver", "export", "wacz", "--dir", str(root)]
    code, output, peak = peak_rss([*command, "--out", str(out), "--env", str(env.path)])
    assert code == 0, output
    assert TRACEBACK not in output
    assert peak < MEMORY_BOUND, f"peak RSS {peak >> 20} MiB"
    with zipfile.ZipFile(out) as package:
        packed = [i.file_size for i in package.infolist() if i.filename.endswith(".warc.gz")]
    # The article beside the bomb is exported; the bomb has no record, so no page of its own.
    assert packed and all(size > 0 for size in packed)
