"""What the fault tests read back: a crawl's WARC responses, `archiver verify`, a child's peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from pathlib import Path

from archiver.warc.raw import RawRecord, iter_records
from tests.crawling import REPO, TEST_SETTINGS

TRACEBACK = "Traceback (most recent call last)"


def responses(root: Path) -> dict[str, list[RawRecord]]:
    """Every response and revisit record of the archive under `root`, by target URL, in file
    order (an answer identical to an earlier one is written as a revisit)."""
    found: dict[str, list[RawRecord]] = defaultdict(list)
    for path in sorted(root.glob("warc/**/*.warc.gz")):
        for record in iter_records(path):
            if record.type in ("response", "revisit"):
                found[record.target_uri].append(record)
    return found


def verify(root: Path, env_path: Path) -> subprocess.CompletedProcess[str]:
    """`archiver verify --dir root` in a subprocess (pywb's environment at `env_path`)."""
    command = [sys.executable, "-m", "archiver", "verify", "--dir", str(root)]
    command += ["--env", str(env_path), "--workers", "1"]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def crawl_command(site: str, root: Path, mirror_url: str, urls: str) -> list[str]:
    """The `scrapy crawl` command tests.crawling.run_crawl runs (same test settings)."""
    settings = {**TEST_SETTINGS, "ARCHIVER_DIR": str(root), "ARCHIVER_MIRROR": mirror_url}
    command = [sys.executable, "-m", "scrapy", "crawl", site, "-a", f"urls={urls}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def peak_rss(command: list[str], timeout: float = 240) -> tuple[int, str, int]:
    """Run `command`; (exit status, output, peak RSS in bytes of it and its descendants).

    The peak comes from wait4() on this one child: its own maximum, or that of the largest
    descendant it waited for (pywb, worker processes). Nothing else the test process ran
    counts, as it would with getrusage(RUSAGE_CHILDREN). Killed after `timeout` seconds.
    """
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "archiver.settings"}
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        timer = threading.Timer(timeout, child.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            timer.cancel()
        # Reaped here, not by Popen (whose wait would discard the rusage): tell it.
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", "replace")
    return child.returncode, output, usage.ru_maxrss * 1024
