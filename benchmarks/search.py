"""Figures for full-text search: index build speed and query latency on synthetic archives.

Run: python -m benchmarks.search [--sizes 30000,300000] [--runs 15] [--dir DIR]

For each size, a synthetic archive (benchmarks/synthetic_archive.py: records made from the
bundled pages, ten years of both sites, some Chinese) is written and its index built as
`archiver index rebuild` builds it (timed: records per second, everything included). The search
tables are then emptied and filled again from the articles alone (timed: the search index's own
build speed). Each query of QUERIES then runs `--runs` times, round robin, on a read-only
connection as the explorer opens it; p50 and p95 per query and over all. Peak RSS is the
process's (ru_maxrss), build included.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.schema import transaction
from archiver.store.index.search import SearchQuery, clear, fill_from_articles, search
from benchmarks.synthetic_archive import build

Q = SearchQuery
YEAR = {"since": date(2021, 1, 1), "until": date(2021, 12, 31)}
QUERIES: list[tuple[str, SearchQuery]] = [
    ("word, common", Q("china")),
    ("word, common, relevance", Q("china", order="relevance")),
    ("word, rarer", Q("nanmu")),
    ("word, rarer, relevance", Q("nanmu", order="relevance")),
    ("two words", Q("trade exports")),
    ("phrase, common", Q('"more than"')),
    ("phrase, rarer", Q('"industrial profits"')),
    ("phrase, relevance", Q('"first eight months"', order="relevance")),
    ("prefix", Q("econ*")),
    ("prefix, relevance", Q("tour*", order="relevance")),
    ("Chinese, 2 chars", Q("中美")),
    ("Chinese, 2 chars, relevance", Q("合作", order="relevance")),
    ("Chinese, 4 chars", Q("国际社会")),
    ("word + site", Q("china", site="globaltimes")),
    ("word + section", Q("trade", section="Society")),
    ("word + one year", Q("china", **YEAR)),  # type: ignore[arg-type]
    ("word + one year, relevance", Q("china", order="relevance", **YEAR)),  # type: ignore[arg-type]
    ("Chinese + language + site", Q("中国", language="zh", site="chinadaily")),
    ("phrase + site + year", Q('"golden nanmu"', site="chinadaily", **YEAR)),  # type: ignore[arg-type]
    ("no words, newest", Q("")),
    ("no words + section + year", Q("", section="World", **YEAR)),  # type: ignore[arg-type]
    ("word, page 10", Q("china", page=10)),
    ("rare phrase, no hit", Q('"zebra crossing"')),
]

# The known slow case, shown apart: a phrase of words that are each common but rarely stand
# together. FTS5 reads the positions of every article holding all its words to find the few
# where they touch (Chinese: two common characters, as in a name).
WORST: list[tuple[str, SearchQuery]] = [
    ("common words, rarely together", Q('"china said"')),
    ("the same, reversed", Q('"economy china"')),
    ("Chinese, common characters apart", Q("国美")),
]


def measure(
    index_path: Path, runs: int, queries: list[tuple[str, SearchQuery]] = QUERIES
) -> list[tuple[str, int, float, float]]:
    """(label, total, p50 ms, p95 ms) for every query; the last row is "all queries"."""
    conn = sqlite3.connect(f"{index_path.absolute().as_uri()}?mode=ro", uri=True)
    times: dict[str, list[float]] = {label: [] for label, _ in queries}
    totals: dict[str, int] = {}
    try:
        for _ in range(runs):
            for label, query in queries:
                started = time.perf_counter()
                totals[label] = search(conn, query).total
                times[label].append((time.perf_counter() - started) * 1000)
    finally:
        conn.close()
    rows = [(label, totals[label], *_p50_p95(times[label])) for label, _ in queries]
    every = [t for label in times for t in times[label]]
    return [*rows, ("all queries", -1, *_p50_p95(every))]


def _p50_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def search_build(root: Path) -> tuple[int, float, float]:
    """Empty the search tables and fill them from the articles: (documents, seconds, CPU
    seconds)."""
    with ArchiveIndex(root) as index:
        started, cpu = time.perf_counter(), time.process_time()
        with transaction(index.conn):
            clear(index.conn)
            count = fill_from_articles(index.conn)
        return count, time.perf_counter() - started, time.process_time() - cpu


def run(root: Path, records: int, runs: int) -> None:
    made = build(root, records, seed=1)
    documents, seconds, cpu = search_build(root)
    assert made.index_path is not None
    size = made.index_path.stat().st_size
    print(f"\n## {records:,} records ({made.articles:,} articles)\n")
    print(
        f"- index rebuild from records/ (all tables): {made.index_seconds:.0f} s, "
        f"{records / made.index_seconds:,.0f} records/s; per CPU second "
        f"{records / made.index_cpu_seconds:,.0f}; index {size / 1e6:,.0f} MB"
    )
    print(
        f"- search index alone, from the articles: {documents / seconds:,.0f} articles/s; "
        f"per CPU second {documents / cpu:,.0f}"
    )
    report(made.index_path, runs)


def report(index_path: Path, runs: int) -> None:
    """Print the query table, the known slow cases and the peak RSS."""
    print("\n| query | hits | p50 ms | p95 ms |\n| --- | ---: | ---: | ---: |")
    for label, total, p50, p95 in measure(index_path, runs):
        shown = f"{total:,}" if total >= 0 else ""
        print(f"| {label} | {shown} | {p50:.1f} | {p95:.1f} |")
    print("\nKnown slow (not in the figures above):\n")
    for label, total, p50, p95 in measure(index_path, max(3, runs // 5), WORST)[:-1]:
        print(f"| {label} | {total:,} | {p50:.1f} | {p95:.1f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS so far: {peak:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30000,300000", help="record counts, comma-separated")
    parser.add_argument("--runs", type=int, default=15, help="runs of each query")
    parser.add_argument("--dir", type=Path, help="keep the archives here (default: temporary)")
    parser.add_argument(
        "--queries-only", action="store_true", help="time the queries on archives kept in --dir"
    )
    options = parser.parse_args()
    for records in (int(size) for size in options.sizes.split(",")):
        if options.queries_only:
            if options.dir is None:
                parser.error("--queries-only needs --dir")
            print(f"\n## {records:,} records (queries only)")
            report(options.dir / f"archive-{records}" / "index.sqlite3", options.runs)
            continue
        if options.dir is not None:
            run(options.dir / f"archive-{records}", records, options.runs)
            continue
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), records, options.runs)


if __name__ == "__main__":
    main()
