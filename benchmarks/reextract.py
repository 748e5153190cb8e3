"""Re-extraction throughput on all cores against bare trafilatura, side by side on the same pages.

python -m benchmarks.reextract [--copies N] [--workers N] [--rounds N] [--generic]
    [--no-second-reader]
python -m benchmarks.reextract --index-scale FILES [--index-lines N]

Builds an archive of the mirror's article pages, each captured N times (one WARC file per
capture round, distinct capture times), then alternates, `--rounds` times: bare trafilatura
(`bare_extraction`, comments and dedup off) over every page in ONE process, and `archiver
reextract` (run_reextract) over the archive with `--workers` processes. Reports pages/s, CPU
seconds per page (the stable figure on a shared machine) and

    ratio = reextract pages/s / (workers x bare trafilatura pages/s)      (goal >= 0.85)

taking each side's best round. `--generic` first renames the markup the site templates key on
(body containers, headline boxes), so every page goes the slow way: the generic reader with
trafilatura finding the body. `--no-second-reader` re-extracts as `archiver reextract
--no-second-reader` does: without trafilatura's second reading of every page, which the default
includes (and which puts the ratio under the goal: each page costs a trafilatura reading plus
the parser's). `--index-scale FILES` measures the replay index instead: FILES
WARC files already indexed (`--index-lines` captures each), then the time to look at an
unchanged archive, to add one new WARC file (merged into the index), and to rebuild the merged
index from every file's own (what adding a file cost before). Nothing here is a test: it prints
figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.mirror import MirrorServer, load_manifest
from archiver.offline.articles import group_articles
from archiver.offline.reextract import run_reextract
from archiver.page import CapturedPage
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


# Markup the site templates recognise (archiver/sites), renamed so that none matches.
_TEMPLATE_MARKERS = {
    b"lft_art": b"bench_l",
    b"ce_art": b"bench_c",
    b'id="Content"': b'id="BenchBody"',
    b"content-left": b"bench-left",
    b"dabiaoti": b"bench-h",
    b"article_title": b"bench_title",
    b"article-title": b"bench-title",
    b"info_l": b"bench_i",
}


def generic_markup(articles: list[list[CapturedPage]]) -> list[list[CapturedPage]]:
    """The pages with their template markers renamed: only the generic readers match them."""
    import dataclasses

    changed = []
    for article in articles:
        pages = []
        for page in article:
            body = page.body
            for old, new in _TEMPLATE_MARKERS.items():
                body = body.replace(old, new)
            pages.append(dataclasses.replace(page, body=body))
        changed.append(pages)
    return changed


def index_at_scale(files: int, lines: int, sample: Path) -> None:
    """Print the replay index's costs with `files` WARC files indexed; `sample` is a real WARC
    file to add (needs the pywb environment for cdxj-indexer)."""
    from archiver.replay.env import replay_env
    from archiver.replay.index import _cdxj_name, _lines, _merge, merged_index, update_index

    env = replay_env().require()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cache = root / "replay" / "cdxj"
        cache.mkdir(parents=True)
        stamps: dict[str, list[int]] = {}
        counts: dict[str, int] = {}
        for n in range(files):
            # A stand-in WARC file (indexing it is cdxj-indexer's cost, the same either way)
            # and its index, as `update_index` left them.
            name = f"warc/bench/bench-{n:06d}.warc.gz"
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(b"")
            stat = (root / name).stat()
            stamps[name] = [stat.st_size, stat.st_mtime_ns]
            counts[name] = lines
            with (cache / _cdxj_name(name)).open("w") as fh:
                for i in range(lines):
                    url = f"com,chinadaily,www)/a/{n:06d}/{i:05d}.html"
                    fh.write(f'{url} 2025{n % 12 + 1:02d}01000000 {{"filename": "{name}"}}\n')
        parts = [cache / _cdxj_name(n) for n in sorted(stamps)]
        started = time.perf_counter()
        total = _merge(parts, merged_index(root))
        full = time.perf_counter() - started
        started = time.perf_counter()
        assert sum(1 for _ in _lines(merged_index(root))) == total
        counting = time.perf_counter() - started
        state = {"files": stamps, "counts": counts, "lines": total}
        (cache / "state.json").write_text(json.dumps(state))
        started = time.perf_counter()
        update_index(root, env)
        unchanged = time.perf_counter() - started
        shutil.copyfile(sample, root / "warc" / "new.warc.gz")
        started = time.perf_counter()
        report = update_index(root, env)
        added = time.perf_counter() - started
        assert report.indexed == ["warc/new.warc.gz"], report
    print(f"replay index: {files} WARC files, {total} captures")
    print(f"  unchanged archive (stat only, counts from state.json): {unchanged:8.3f} s")
    print(f"  same, before (re-read the merged index to count):     {counting:8.3f} s")
    print(f"  one new WARC file (cdxj-indexer + merge into index):  {added:8.3f} s")
    print(f"  full re-merge of every file's index (before, merge only): {full:8.3f} s")


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
    parser.add_argument("--generic", action="store_true", help="force the generic readers")
    parser.add_argument(
        "--no-second-reader", dest="second_reader", action="store_false", help="as reextract's"
    )
    parser.add_argument("--index-scale", type=int, metavar="FILES", help="index benchmark")
    parser.add_argument("--index-lines", type=int, default=250, help="captures per WARC file")
    options = parser.parse_args(argv)
    articles = crawl_pages()
    if options.index_scale:
        with tempfile.TemporaryDirectory() as tmp:
            build_archive(Path(tmp), articles, 1)
            index_at_scale(
                options.index_scale, options.index_lines, next(Path(tmp).rglob("*.warc.gz"))
            )
        return 0
    if options.generic:
        articles = generic_markup(articles)
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
            result = run_reextract(
                root, workers=options.workers, second_reader=options.second_reader
            )
            if result.pages != pages or result.corrupt:
                raise SystemExit(f"reextract read {result.pages} of {pages} pages")
            ours.append((result.seconds, result.cpu_seconds))
        parsers = [json.loads(line.line)["extractor"]["parser"] for line in result.lines]
    return report(options, len(articles), pages, bare, ours, parsers, sum(result.failures.values()))


def report(
    options: argparse.Namespace,
    articles: int,
    pages: int,
    bare: list[tuple[float, float]],
    ours: list[tuple[float, float]],
    parsers: list[str],
    failures: int,
) -> int:
    """Print the best round of each side and the ratio; 0 when the goal is met, else 1."""
    bare_wall, bare_cpu = min(bare)
    ours_wall, ours_cpu = min(ours)
    bare_rate, ours_rate = pages / bare_wall, pages / ours_wall
    ratio = ours_rate / (options.workers * bare_rate)
    print(f"pages: {pages} ({articles} articles x {options.copies} captures)")
    generic = sum(1 for p in parsers if p.endswith("/generic"))
    print(
        f"records: {len(parsers)} ({generic} by a generic reader), extraction failures: {failures}"
    )
    print(
        f"CPUs: {os.cpu_count()}, reextract workers: {options.workers}, second reader: "
        f"{'on' if options.second_reader else 'off'}"
    )
    print(
        f"bare trafilatura, 1 process: {bare_rate:8.1f} pages/s  "
        f"{bare_cpu / pages * 1000:7.2f} ms CPU/page"
    )
    print(
        f"archiver reextract, {options.workers} proc.: {ours_rate:8.1f} pages/s  "
        f"{ours_cpu / pages * 1000:7.2f} ms CPU/page (all processes, scan and start-up included)"
    )
    print(f"ratio (reextract / workers x bare): {ratio:.2f}  (goal >= 0.85)")
    # CPU per page: what the processes cost, whatever else runs on a shared machine.
    print(f"ratio by CPU (bare CPU/page / reextract CPU/page): {bare_cpu / ours_cpu:.2f}")
    return 0 if ratio >= 0.85 else 1


if __name__ == "__main__":
    raise SystemExit(main())
