"""`verify` and `reextract` on one archive as it grows: time per page and peak RSS per size.

python -m benchmarks.offline_scale [--sizes 1000,5000,20000] [--workers N] [--keep DIR]

Crawls the synthetic China Daily mirror (benchmarks/incremental.py: the bundled article page
with its own id and headline, listed on 5 sections) with DOWNLOAD_DELAY 0, growing one archive
to each size in turn (each crawl fetches only the articles not yet archived, as a nightly run
does), and at each size calls `measure`: the nightly `verify` (incremental: what the last
crawl added), `verify --full`, `verify` again with nothing new (`--sample 0`: the ledger's own
cost; and with the default rotating sample), and `reextract`. Every command runs as
`python -m archiver ...` in a process of its own, so its wall time, CPU time (its worker
processes included) and peak RSS (the largest of its processes) are its own. Time per page and
peak RSS should stay flat as the archive grows, and the incremental verify should cost in
proportion to what is new. Nothing here is a test: it prints figures (and, with --json, the
dicts). The crawl helper's `python -m benchmarks.crawl` calls `measure` on the archive it builds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def _run(command: list[str]) -> dict[str, Any]:
    """Run `command`; its wall seconds, CPU seconds and peak RSS (MiB), worker processes in.

    os.wait4 reports the child's own usage with that of the processes it reaped folded in:
    CPU times summed, ru_maxrss the largest single process."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "seconds": round(seconds, 3),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "exit": process.returncode,
            "stdout": out.read(),
            "stderr": err.read(),
        }


def _archiver(root: Path, workers: int, *args: str) -> list[str]:
    return [sys.executable, "-m", "archiver", *args, "--dir", str(root), "--workers", str(workers)]


VERIFY_RUNS: tuple[tuple[str, list[str]], ...] = (
    ("verify_new", []),  # the nightly run: what was added since the last verify, and the sample
    ("verify_full", ["--full"]),
    ("verify_unchanged", ["--sample", "0"]),  # nothing new, no sample: the ledger's own cost
    ("verify_sample", []),  # nothing new, the default rotating sample (5 % of the files)
)
LABELS = (*(label for label, _ in VERIFY_RUNS), "reextract")


def measure(root: Path, workers: int) -> dict[str, Any]:
    """`verify` (the incremental run after whatever was added since the last verify; `--full`;
    again with nothing new, without and with the rotating sample) and `reextract` on the
    archive at `root`, each in its own process with `workers` processes.

    Returns per command: seconds, cpu_seconds, peak_rss_mib (its largest process),
    ms_per_page (wall), cpu_ms_per_page, and for verify the `files` object of its report;
    plus `pages` and `articles` (re-extracted) and `records`. The replay check runs when
    ARCHIVER_REPLAY_ENV names pywb's environment."""
    figures: dict[str, Any] = {"workers": workers}
    for label, extra in VERIFY_RUNS:
        done = _run(_archiver(root, workers, "verify", "--json", *extra))
        report = json.loads(done["stdout"]) if done["stdout"].strip() else {}
        figures[label] = {
            **{k: done[k] for k in ("seconds", "cpu_seconds", "peak_rss_mib", "exit")},
            "files": report.get("files"),
            "ok": report.get("ok"),
        }
    with tempfile.TemporaryDirectory() as out:
        done = _run(_archiver(root, workers, "reextract", "--out", out))
    summary = done["stdout"]
    figures["pages"] = _summary(summary, "pages extracted")
    figures["articles"] = _summary(summary, "articles")
    figures["records"] = _summary(summary, "records written")
    figures["reextract"] = {k: done[k] for k in ("seconds", "cpu_seconds", "peak_rss_mib", "exit")}
    pages = max(figures["pages"], 1)
    for label in LABELS:
        figures[label]["ms_per_page"] = round(1000 * figures[label]["seconds"] / pages, 3)
        figures[label]["cpu_ms_per_page"] = round(1000 * figures[label]["cpu_seconds"] / pages, 3)
    return figures


def _summary(stdout: str, name: str) -> int:
    match = re.search(rf"^{re.escape(name)}\s+(\d+)", stdout, re.M)
    return int(match.group(1)) if match else 0


def grow(root: Path, articles: int, workers: int) -> float:
    """Crawl the synthetic mirror into `root` until it holds `articles` articles (those already
    archived are not fetched again); returns the crawl's seconds."""
    from archiver.mirror import MirrorServer
    from benchmarks.incremental import SYNTHETIC_SECTIONS, synthetic_overlay
    from tests.crawling import run_crawl

    with tempfile.TemporaryDirectory() as tmp:
        overlay = Path(tmp)
        sections = synthetic_overlay(overlay, articles, articles)
        pages = -(-articles // (SYNTHETIC_SECTIONS * 20))
        settings = {
            "ARCHIVER_CHINADAILY_SECTIONS": ",".join(sections),
            "ARCHIVER_EXTRACT_WORKERS": str(workers),
            # Files of 20 MB, so that the archive is many files as a real one after years
            # of runs (1 GB files, thousands of them), not one per crawl.
            "ARCHIVER_WARC_MAX_SIZE": str(20_000_000),
            "LOG_LEVEL": "WARNING",
        }
        started = time.perf_counter()
        with MirrorServer(overlays=[overlay]) as mirror:
            result = run_crawl(
                "chinadaily",
                root,
                mirror.url,
                args={"list_pages": str(pages)},
                settings=settings,
                timeout=6 * 3600,
            )
        if result.returncode not in (0, 3):
            raise SystemExit(f"synthetic crawl failed:\n{result.log[-2000:]}")
        return time.perf_counter() - started


def _line(size: int, figures: dict[str, Any]) -> str:
    parts = [f"{size:>6} articles, {figures['pages']:>6} pages:"]
    for label in LABELS:
        f = figures[label]
        parts.append(
            f"{label} {f['seconds']:7.1f} s {f['ms_per_page']:6.2f} ms/page "
            f"({f['cpu_ms_per_page']:6.2f} CPU) {f['peak_rss_mib']:6.0f} MiB"
        )
    return "\n    ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="archive sizes (articles)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    options = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    sizes = [int(s) for s in options.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        root = options.keep or Path(tmp) / "archive"
        results = {}
        for size in sizes:
            crawl = grow(root, size, options.workers)
            figures = measure(root, options.workers)
            figures["crawl_seconds"] = round(crawl, 1)
            results[size] = figures
            print(_line(size, figures), flush=True)
            for label, _ in VERIFY_RUNS:
                print(f"    {label} files: {figures[label]['files']}")
        if options.json:
            print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
