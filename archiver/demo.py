"""`archiver demo`: crawl both sites from the bundled mirror on 127.0.0.1 and summarise."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.layout import ArchiveLayout
from archiver.record import Site
from archiver.sites.registry import SITE_NAMES, site_info


@dataclass
class SiteRun:
    site: str
    returncode: int
    seconds: float
    log: Path
    stats: dict[str, Any]


def crawl_command(site: Site, root: Path, mirror_url: str, start_urls: list[str]) -> list[str]:
    """The `scrapy crawl` command line the demo runs for `site` against the mirror.

    With no `start_urls` the spider starts from its default start pages (no urls= argument).
    """
    settings = {
        "ARCHIVER_DIR": str(root),
        "ARCHIVER_MIRROR": mirror_url,
        # The mirror is our own process on loopback: the politeness delay protects the real
        # sites and would only make the demo slow here.
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "LOG_LEVEL": "INFO",
    }
    command = [sys.executable, "-m", "scrapy", "crawl", site_info(site).spider]
    if start_urls:
        command += ["-a", "urls=" + ",".join(start_urls)]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_demo(root: Path) -> int:
    """Serve the mirror, crawl both sites in parallel, print a summary; 0 when all went well."""
    from archiver.mirror import load_manifest
    from archiver.mirror.server import MirrorServer

    manifest = load_manifest()
    root.mkdir(parents=True, exist_ok=True)
    logs = ArchiveLayout(root).logs_dir
    logs.mkdir(exist_ok=True)
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "archiver.settings"}
    runs: list[SiteRun] = []
    with MirrorServer() as mirror:
        print(f"archiver demo: mirror of {len(manifest.articles)} article URLs at {mirror.url}")
        started = time.monotonic()
        children = []
        for site in SITE_NAMES:
            log = logs / f"demo-{site}.log"
            with log.open("wb") as out:
                # The default start pages reach the whole mirror; were some article out of their
                # reach, name the lists and it (urls= replaces the default start pages).
                start = manifest.start_urls(site) if manifest.unreached(site) else []
                child = subprocess.Popen(
                    crawl_command(site, root, mirror.url, start),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            children.append((site, child, log))
            print(f"  crawling {site} (log: {log})")
        for site, child, log in children:
            code = child.wait()
            elapsed = time.monotonic() - started
            runs.append(SiteRun(site, code, elapsed, log, _latest_stats(root, site)))
            print(f"  {site} finished in {elapsed:.1f}s, exit status {code}")
    return _print_summary(root, runs)


def _latest_stats(root: Path, site: Site) -> dict[str, Any]:
    # Run reports are named after the spider (archiver/store/run_summary.py).
    runs = ArchiveLayout(root).runs_dir
    spider = site_info(site).spider
    reports = sorted(runs.glob(f"{spider}-*.json"), key=lambda p: p.stat().st_mtime)
    if not reports:
        return {}
    stats: dict[str, Any] = json.loads(reports[-1].read_text(encoding="utf-8"))["stats"]
    return stats


# The summary's columns after `site`: header and what it counts, printed as a legend after the
# table (the README's Quick start says the same).
COLUMNS = (
    ("new/changed", "articles given a record this run: new, or a new version of an edited one"),
    ("unchanged", "articles fetched again whose content had not changed (no new record)"),
    ("archived", "articles an earlier run archived, so not fetched again"),
    ("pages", "HTTP exchanges written to the WARC files (robots.txt, lists, articles, images)"),
    ("revisits", "of those pages, the ones unchanged since an earlier capture (WARC revisits)"),
    ("extract-fail", "pages archived that gave no record (the reasons are listed under the row)"),
    ("fetch-fail", "article pages not fetched: errors that remained after the retries"),
)


def _print_summary(root: Path, runs: list[SiteRun]) -> int:
    ok = True
    print()
    widths = [max(len(name), 6) for name, _ in COLUMNS]
    print(
        f"{'site':<12} " + " ".join(f"{n:>{w}}" for (n, _), w in zip(COLUMNS, widths, strict=True))
    )
    for run in runs:
        stats = run.stats
        written = stats.get("archiver/records/written", 0)
        # Fetched again but unchanged, or not fetched because archived by an earlier run: a
        # second demo finds everything archived already, which is success, not "no articles".
        unchanged = stats.get("archiver/versions/unchanged", 0)
        archived = stats.get("archiver/discovery/already_archived", 0)
        fetch_failed = _sum(stats, "archiver/article/fetch_failed/")
        figures = (
            written,
            unchanged,
            archived,
            stats.get("archiver/warc/exchanges", 0),
            stats.get("archiver/warc/revisits", 0),
            stats.get("archiver/extract/failed", 0),
            fetch_failed,
        )
        print(
            f"{run.site:<12} " + " ".join(f"{v:>{w}}" for v, w in zip(figures, widths, strict=True))
        )
        for key in sorted(stats):
            if key.startswith("archiver/extract/failed/"):
                print(f"{'':<12} extraction failed ({key.rsplit('/', 1)[1]}): {stats[key]}")
        warc_errors = _sum(stats, "archiver/warc/errors/")
        if run.returncode != 0 or not (written or unchanged or archived) or warc_errors:
            ok = False
            print(
                f"{'':<12} problem: exit {run.returncode}, {warc_errors} WARC errors; see {run.log}"
            )
    print()
    for name, meaning in COLUMNS:
        print(f"  {name:<13}{meaning}")
    layout = ArchiveLayout(root)
    warcs = sorted(layout.warc_root.rglob("*.warc.gz"))
    size = sum(p.stat().st_size for p in warcs)
    print()
    print(f"WARC: {len(warcs)} file(s), {size / 1e6:.2f} MB under {layout.warc_root}")
    print(f"records: {layout.records_root}  run reports: {layout.runs_dir}")
    print("result: ok" if ok else "result: FAILED (see the logs above)")
    return 0 if ok else 1


def _sum(stats: dict[str, Any], prefix: str) -> int:
    return sum(int(v) for k, v in stats.items() if k.startswith(prefix))
