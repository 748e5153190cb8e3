"""Run real crawls in a subprocess against the mirror, and read what they wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

# Fast and deterministic against our own loopback mirror; everything else is the real default.
TEST_SETTINGS = {
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "ARCHIVER_EXTRACT_WORKERS": "1",
    "ARCHIVER_RETRY_BACKOFF_BASE": "0.2",
    "LOG_LEVEL": "INFO",
}


@dataclass
class CrawlResult:
    returncode: int
    log: str
    root: Path
    stats: dict[str, Any]

    def records(self, site: str | None = None) -> list[dict[str, Any]]:
        """Every JSON record written under root, in file then line order."""
        pattern = f"records/{site}/*.jsonl" if site else "records/*/*.jsonl"
        out: list[dict[str, Any]] = []
        for path in sorted(self.root.glob(pattern)):
            out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        return out

    def warc_files(self) -> list[Path]:
        return sorted(self.root.glob("warc/**/*.warc.gz"))


def run_crawl(
    site: str,
    root: Path,
    mirror_url: str,
    args: dict[str, str] | None = None,
    settings: dict[str, str] | None = None,
    timeout: float = 240,
    options: list[str] | None = None,
) -> CrawlResult:
    """`python -m scrapy crawl SITE` in a subprocess, output under `root`; waits for the end.

    `options` are more command-line options, e.g. ["-O", "items.jsonl"] for a feed export."""
    merged = {
        **TEST_SETTINGS,
        "ARCHIVER_DIR": str(root),
        "ARCHIVER_MIRROR": mirror_url,
        **(settings or {}),
    }
    command = [sys.executable, "-m", "scrapy", "crawl", site]
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    for name, value in (args or {}).items():
        command += ["-a", f"{name}={value}"]
    command += options or []
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "archiver.settings"}
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    reports = sorted((root / "runs").glob(f"{site}-*.json"), key=lambda p: p.stat().st_mtime)
    stats = json.loads(reports[-1].read_text(encoding="utf-8"))["stats"] if reports else {}
    return CrawlResult(done.returncode, done.stdout + done.stderr, root, stats)
