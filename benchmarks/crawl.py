"""Crawl speed side by side: fetch-only Scrapy, a hand-written WARC + trafilatura spider, archiver.

python -m benchmarks.crawl [--articles 5000] [--runs 2] [--workers N] [--skip-handwritten]
    [--offline]

Builds a synthetic China Daily mirror of `--articles` articles with the project's generator
(benchmarks.incremental.synthetic_overlay over the bundled mirror), serves it on 127.0.0.1 and
runs, each as its own process and `--runs` times in turn, three crawls of it with DOWNLOAD_DELAY
0 and 16 concurrent requests:

- fetch-only: a plain Scrapy spider that fetches lists and articles and discards them (the limit);
- hand-written: the same spider + warcio WARC writing + trafilatura in the callback;
- archiver: `scrapy crawl chinadaily` through ARCHIVER_MIRROR (WARC, index, extraction pool).

It also measures the extraction pool alone (archiver.sites.extract over the same article pages in
a pebble pool of the archiver's worker count). Each crawl reports article pages per second
(spider open to close), CPU milliseconds per article page of all its processes (the extraction
workers included) and of the crawl process alone (and by thread), and peak RSS; the pool is timed
after each round, and each round's ratios are printed as it ends; the table shows the best run
of each.
The goals (issue 12) are printed as ratios of figures taken in this one command:

    crawl CPU ratio = archiver crawl-process CPU per page / fetch-only's     (goal <= 1.5)
    rate ratio      = archiver pages/s / min(fetch-only, extraction pool)    (goal >= 0.8)

With `--offline`, and when benchmarks.offline_scale exists, its `measure(root, workers)` is
called on the archiver's last archive and whatever it returns is printed (verify, reextract).
Nothing here is a test: it prints figures; run it on an otherwise idle machine, or read the
load average it prints beside them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.mirror import MirrorServer
from benchmarks.incremental import SYNTHETIC_SECTIONS, synthetic_overlay

REPO = Path(__file__).resolve().parent.parent
CONCURRENCY = 16
KINDS = ("fetch-only", "hand-written", "archiver")


@dataclass
class Run:
    """One crawl's figures."""

    kind: str
    articles: int
    seconds: float
    cpu_all: float
    cpu_crawl: float
    rss_mib: float
    threads: dict[str, float]

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    def per_page(self, cpu: float) -> float:
        return 1000 * cpu / self.articles if self.articles else float("nan")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_crawl(kind: str, mirror: str, sections: list[str], pages: int, work: Path) -> Run:
    """One crawl of `kind` as a child process; its figures from the probe it carries."""
    out = Path(tempfile.mkdtemp(prefix=kind, dir=work))
    probe = out / "probe.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    if kind == "archiver":
        settings = {
            "ARCHIVER_DIR": str(out / "archive"),
            "ARCHIVER_MIRROR": mirror,
            "ARCHIVER_CHINADAILY_SECTIONS": ",".join(sections),
            "DOWNLOAD_DELAY": "0",
            "AUTOTHROTTLE_ENABLED": "False",
            "CONCURRENT_REQUESTS": str(CONCURRENCY),
            "CONCURRENT_REQUESTS_PER_DOMAIN": str(CONCURRENCY),
            "EXTENSIONS": json.dumps({"benchmarks.crawl_spiders.CrawlProbe": 0}),
            "CRAWL_PROBE_FILE": str(probe),
            "LOG_LEVEL": "INFO",
        }
        command = [sys.executable, "-m", "scrapy", "crawl", "chinadaily"]
        for name, value in settings.items():
            command += ["-s", f"{name}={value}"]
        command += ["-a", f"list_pages={pages}"]
        env["SCRAPY_SETTINGS_MODULE"] = "archiver.settings"
    else:
        command = [sys.executable, "-m", "benchmarks.crawl_spiders"]
        command += ["fetch" if kind == "fetch-only" else "handwritten", "--mirror", mirror]
        command += ["--sections", ",".join(sections), "--pages", str(pages)]
        command += ["--out", str(out), "--probe", str(probe)]
    before = _children_cpu()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    cpu_all = _children_cpu() - before
    if done.returncode != 0 or not probe.exists():
        raise SystemExit(f"{kind} crawl failed ({done.returncode}):\n{done.stderr[-3000:]}")
    figures = json.loads(probe.read_text(encoding="utf-8"))
    rss = max(figures["rss_self_kib"], figures["rss_children_kib"]) / 1024
    threads = figures.get("cpu_threads", {})
    return Run(
        kind, figures["articles"], figures["seconds"], cpu_all, figures["cpu_self"], rss, threads
    )


@dataclass
class PoolRun:
    """The extraction pool alone: article pages per second, and CPU ms per page of its
    worker processes (the warm-up's few pages in)."""

    rate: float
    cpu_ms: float


def pool_rate(overlay: Path, articles: int, workers: int) -> PoolRun:
    """The extraction pool alone (the archiver's extract function, a pebble pool of `workers`
    processes), over up to `articles` of the mirror's pages."""
    from pebble import ProcessPool

    from archiver.page import CapturedPage
    from archiver.sites.extract import extract_article

    paths = sorted((overlay / "site").glob("www.chinadaily.com.cn/a/*/*/*.html"))[:articles]
    headers = [("Content-Type", "text/html; charset=utf-8")]
    pages = [
        [
            CapturedPage(
                url="https://" + str(p.relative_to(overlay / "site")),
                body=p.read_bytes(),
                headers=headers,
            )
        ]
        for p in paths
    ]
    before = _children_cpu()
    with ProcessPool(max_workers=workers) as pool:
        # Warm up: every worker imports the parsers once, as the crawl's workers do.
        for future in [pool.schedule(extract_article, args=(pages[0],)) for _ in range(workers)]:
            future.result()
        started = time.perf_counter()
        futures = [pool.schedule(extract_article, args=(page,)) for page in pages]
        for future in futures:
            future.result()
        seconds = time.perf_counter() - started
    # The workers were reaped when the pool closed: their CPU is now the children's.
    return PoolRun(len(pages) / seconds, 1000 * (_children_cpu() - before) / len(pages))


def offline_figures(root: Path, workers: int) -> Any:
    """benchmarks.offline_scale.measure(root, workers) when that module exists, else None."""
    try:
        module = importlib.import_module("benchmarks.offline_scale")
    except ImportError:
        return None
    measure = getattr(module, "measure", None)
    return measure(root, workers) if measure is not None else None


def cores_had(best: dict[str, Run], pool: PoolRun) -> float:
    """The most cores any measured run kept busy: what the machine gave (other jobs share it)."""
    busy = [run.cpu_all / run.seconds for run in best.values() if run.seconds]
    return min(float(os.cpu_count() or 1), max([*busy, pool.rate * pool.cpu_ms / 1000]))


def ceiling(fetch: Run, pool: PoolRun, crawl_factor: float, cores: float) -> float:
    """The highest rate ratio `cores` allow a crawl whose process costs `crawl_factor` times
    the fetch-only spider's CPU per page, its extraction the pool's: with every core busy,
    pages/s can be no more than cores / (CPU per page), nor than either limit alone."""
    cpu_ms = crawl_factor * fetch.per_page(fetch.cpu_crawl) + pool.cpu_ms
    limit = min(fetch.rate, pool.rate)
    return min(limit, 1000 * cores / cpu_ms) / limit


def table(best: dict[str, Run], pool: PoolRun) -> list[str]:
    """The printed table: one row per crawl, then the goals as ratios."""
    lines = [
        "| | pages/s | CPU ms per page, all processes | CPU ms per page, crawl process "
        "| peak RSS MiB |",
        "|---|---:|---:|---:|---:|",
    ]
    names = {
        "fetch-only": "plain Scrapy spider that fetches and discards (the limit)",
        "hand-written": "the same spider + warcio WARC writing + trafilatura in the callback",
        "archiver": "archiver",
    }
    for kind in KINDS:
        if kind not in best:
            continue
        run = best[kind]
        lines.append(
            f"| {names[kind]} | {run.rate:.1f} | {run.per_page(run.cpu_all):.1f} "
            f"| {run.per_page(run.cpu_crawl):.1f} | {run.rss_mib:.0f} |"
        )
    lines.append(
        f"| extraction pool alone (same pages, same workers) | {pool.rate:.1f} "
        f"| {pool.cpu_ms:.1f} | | |"
    )
    fetch, mine = best["fetch-only"], best["archiver"]
    cpu_ratio = mine.per_page(mine.cpu_crawl) / fetch.per_page(fetch.cpu_crawl)
    limit = min(fetch.rate, pool.rate)
    cores = cores_had(best, pool)
    rate_ratio = mine.rate / limit
    lines += [
        "",
        f"archiver crawl-process CPU per page / fetch-only's: {cpu_ratio:.2f} "
        f"(goal <= 1.5: {'met' if cpu_ratio <= 1.5 else 'NOT met'})",
        f"archiver pages/s / min(fetch-only, extraction pool) = {mine.rate:.1f} / {limit:.1f}: "
        f"{rate_ratio:.2f} (goal >= 0.8: {'met' if rate_ratio >= 0.8 else 'NOT met'})",
        f"highest rate ratio {cores:.2f} busy cores allow (the most any run here had; fetching "
        f"and extraction at the CPU each costs alone): {ceiling(fetch, pool, 1.0, cores):.2f} "
        "with a crawl process costing no more than the fetch-only spider, "
        f"{ceiling(fetch, pool, 1.5, cores):.2f} at the CPU goal (1.5x), "
        f"{ceiling(fetch, pool, cpu_ratio, cores):.2f} at the archiver's {cpu_ratio:.2f}x",
        f"archiver cores busy: {mine.cpu_all / mine.seconds:.2f} (crawl process "
        f"{mine.cpu_crawl / mine.seconds:.2f}) of {os.cpu_count()}",
        "archiver crawl process, CPU ms per page by thread (until the spider closed): "
        + ", ".join(
            f"{name} {mine.per_page(cpu):.1f}"
            for name, cpu in sorted(mine.threads.items(), key=lambda kv: -kv[1])
        ),
    ]
    return lines


def measure_all(
    options: argparse.Namespace,
    kinds: list[str],
    mirror: str,
    sections: list[str],
    pages: int,
    work: Path,
) -> tuple[dict[str, list[Run]], list[PoolRun], list[float]]:
    """Every crawl `options.runs` times in turn, the extraction pool alone after each round
    (so that each round's figures are taken close together); also the load averages seen."""
    runs: dict[str, list[Run]] = {k: [] for k in kinds}
    pools: list[PoolRun] = []
    loads = [os.getloadavg()[0]]
    for number in range(options.runs):
        for kind in kinds:
            run = run_crawl(kind, mirror, sections, pages, work)
            runs[kind].append(run)
            loads.append(os.getloadavg()[0])
            print(
                f"run {number + 1} {kind}: {run.articles} articles, {run.rate:.1f} "
                f"pages/s, CPU {run.per_page(run.cpu_all):.1f} ms/page all, "
                f"{run.per_page(run.cpu_crawl):.1f} crawl process",
                flush=True,
            )
        pools.append(pool_rate(work / "mirror", min(options.articles, 1000), options.workers))
        loads.append(os.getloadavg()[0])
        fetch, mine = runs["fetch-only"][-1], runs["archiver"][-1]
        cpu_ratio = mine.per_page(mine.cpu_crawl) / fetch.per_page(fetch.cpu_crawl)
        print(
            f"run {number + 1} extraction pool alone: {pools[-1].rate:.1f} pages/s, CPU "
            f"{pools[-1].cpu_ms:.1f} ms/page; this round's archiver CPU ratio {cpu_ratio:.2f}, "
            f"rate ratio {mine.rate / min(fetch.rate, pools[-1].rate):.2f}",
            flush=True,
        )
    return runs, pools, loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000, help="synthetic mirror articles")
    parser.add_argument("--runs", type=int, default=2, help="runs of each crawl (best shown)")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="extraction workers (the archiver's default)",
    )
    parser.add_argument("--skip-handwritten", action="store_true", help="omit the slow one")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="also benchmarks.offline_scale.measure on the archive, if present",
    )
    options = parser.parse_args()
    kinds = [k for k in KINDS if not (options.skip_handwritten and k == "hand-written")]
    with tempfile.TemporaryDirectory(prefix="crawlbench") as tmp:
        work = Path(tmp)
        sections = synthetic_overlay(work / "mirror", options.articles, options.articles)
        pages = -(-options.articles // (SYNTHETIC_SECTIONS * 20))
        with MirrorServer(overlays=[work / "mirror"]) as mirror:
            runs, pools, loads = measure_all(options, kinds, mirror.url, sections, pages, work)
        pool = max(pools, key=lambda p: p.rate)
        best = {kind: max(found, key=lambda r: r.rate) for kind, found in runs.items()}
        print()
        print(
            f"{options.articles} articles, {options.runs} runs each (best shown), "
            f"{options.workers} extraction workers, {os.cpu_count()} cores, load average "
            f"during the runs {statistics.mean(loads):.1f} (max {max(loads):.1f})"
        )
        print("\n".join(table(best, pool)))
        if options.offline:
            archives = sorted(work.glob("archiver*/archive"))
            figures = offline_figures(archives[-1], options.workers) if archives else None
            print("offline (verify, reextract) on the archiver's archive:")
            print(json.dumps(figures, indent=2, default=str) if figures is not None else "n/a")


if __name__ == "__main__":
    main()
