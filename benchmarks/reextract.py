"""Re-extraction throughput on all cores against bare trafilatura, side by side on the same pages.

python -m benchmarks.reextract [--copies N] [--workers N] [--rounds N]

Builds an archive of the mirror's article pages, each captured N times (one WARC file per
capture round, distinct capture times), then alternates, `--rounds` times: bare trafilatura
(`bare_extraction`, comments and dedup off) over every page in ONE process, and `archiver
reextract` (run_reextract) over the archive with `--workers` processes. Reports pages/s, CPU
seconds per page (the stable figure on a shared machine) and

    ratio = reextract pages/s / (workers x bare trafilatura pages/s)      (goal >= 0.85)

taking each side's best round. Nothing here is a test: it prints figures.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.extract_command import group_articles
from archiver.mirror import MirrorServer, load_manifest
from archiver.page import CapturedPage
from archiver.reextract import run_reextract
from archiver.warc.reader import iter_captures


def crawl_pages() -> list[list[CapturedPage]]:
    """Every article of the mirror (pages in order), from one real crawl of both sites."""
    from tests.crawling import run_crawl

    manifest = load_manifest()
    with tempfile.TemporaryDirectory() as tmp, MirrorServer() as mirror:
        root = Path(tmp)
        for site in ("chinadaily", "globaltimes"):
            urls = ",".join(manifest.start_urls(site))
            result = run_crawl(site, root, mirror.url, args={"urls": urls})
            if result.returncode != 0:
                raise SystemExit(f"crawl of {site} failed:\n{result.log[-2000:]}")
        captures = [c for p in sorted(root.glob("warc/*/*.warc.gz")) for c in iter_captures(p)]
        return list(group_articles(captures))


def build_archive(root: Path, articles: list[list[CapturedPage]], copies: int) -> int:
    """`copies` captures of every article page under root/warc; returns the page count."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    pages = 0
    for copy in range(copies):
        moment = (start + timedelta(hours=copy)).strftime("%Y-%m-%dT%H:%M:%SZ")
        path = root / "warc" / "bench" / f"bench-{copy:05d}.warc.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.0")
            for article in articles:
                for page in article:
                    headers = [(k, v) for k, v in page.headers if k.lower() == "content-type"]
                    http = StatusAndHeaders(
                        "200 OK",
                        [*headers, ("Content-Length", str(len(page.body)))],
                        protocol="HTTP/1.1",
                    )
                    record = writer.create_warc_record(
                        page.url,
                        "response",
                        payload=io.BytesIO(page.body),
                        length=len(page.body),
                        http_headers=http,
                        warc_headers_dict={"WARC-Date": moment},
                    )
                    writer.write_record(record)
                    pages += 1
    return pages


def bare_trafilatura(pages: list[CapturedPage]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of bare_extraction over every page in this process."""
    import trafilatura

    wall, cpu = time.perf_counter(), time.process_time()
    for page in pages:
        trafilatura.bare_extraction(
            page.body, url=page.url, include_comments=False, deduplicate=False
        )
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=20, help="captures of each article page")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args(argv)
    articles = crawl_pages()
    sample = [page for article in articles for page in article] * options.copies
    import trafilatura

    trafilatura.bare_extraction(sample[0].body, url=sample[0].url)  # imports and warm-up
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pages = build_archive(root, articles, options.copies)
        bare: list[tuple[float, float]] = []
        ours: list[tuple[float, float]] = []
        for _ in range(options.rounds):
            bare.append(bare_trafilatura(sample))
            result = run_reextract(root, workers=options.workers)
            if result.pages != pages or result.corrupt:
                raise SystemExit(f"reextract read {result.pages} of {pages} pages")
            ours.append((result.seconds, result.cpu_seconds))
    bare_wall, bare_cpu = min(bare)
    ours_wall, ours_cpu = min(ours)
    bare_rate, ours_rate = pages / bare_wall, pages / ours_wall
    ratio = ours_rate / (options.workers * bare_rate)
    print(f"pages: {pages} ({len(articles)} articles x {options.copies} captures)")
    print(f"CPUs: {os.cpu_count()}, reextract workers: {options.workers}")
    print(
        f"bare trafilatura, 1 process: {bare_rate:8.1f} pages/s  "
        f"{bare_cpu / pages * 1000:7.2f} ms CPU/page"
    )
    print(
        f"archiver reextract, {options.workers} proc.: {ours_rate:8.1f} pages/s  "
        f"{ours_cpu / pages * 1000:7.2f} ms CPU/page (all processes, scan and start-up included)"
    )
    print(f"ratio (reextract / workers x bare): {ratio:.2f}  (goal >= 0.85)")
    return 0 if ratio >= 0.85 else 1


if __name__ == "__main__":
    raise SystemExit(main())
