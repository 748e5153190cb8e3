"""Figures for the explorer (`archiver serve`): page latency and server memory by archive size.

Run: python -m benchmarks.explorer [--sizes 30000,300000] [--work DIR] [--requests 200]
[--postgres]

For each size, a synthetic archive (`benchmarks.synthetic_archive`: records made from the bundled
pages, about 5% of the articles edited) is built under --work (reused when already there), given
deletion events for 0.5% of its articles and 2,000 run reports, and served by the real `archiver
serve` (waitress, --no-replay) on a free loopback port. Each page is then requested in turn over
HTTP, one request at a time: searches (English words, phrases, prefixes, Chinese substrings;
newest first and by relevance; with and without filters), article pages of random articles,
diffs of edited ones, the overview, coverage (default period and a year), the changes list. It
prints p50/p95/max per page in milliseconds and the server's resident memory (VmRSS after the
requests, VmHWM: its peak). With --postgres, the same archive is also indexed into a PostgreSQL
server the benchmark starts (tests/postgres_server.py: `archiver index rebuild --index-url`'s
code) and served from it with --index-url, and both are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from archiver.store.events import ArticleEvent
from archiver.store.index.archive_index import ArchiveIndex

REPO = Path(__file__).resolve().parent.parent
GOALS_MS = {"search": 50, "article": 100, "overview": 300, "coverage": 300}
EN_WORDS = ("china", "trade", "bookings", "holiday", "cooperation", "economy", "rural", "market")
EN_PHRASES = ('"National Day"', '"trade talks"', '"rural areas"')
EN_PREFIXES = ("coop*", "econ*", "tour*", "expor*")
ZH_WORDS = ("合作", "自行车", "北京", "经济", "中美", "国际社会")


def archive(work: Path, size: int) -> Path:
    """The synthetic archive of `size` records under `work`, built once."""
    root = work / f"archive-{size}"
    if (root / "index.sqlite3").is_file() and (root / "runs").is_dir():
        return root
    from benchmarks.synthetic_archive import build

    made = build(root, size, seed=0)
    print(
        f"built {made.records:,} records ({made.articles:,} articles) in "
        f"{made.write_seconds + made.index_seconds:.0f} s",
        flush=True,
    )
    _add_deletions_and_runs(root, made.articles)
    return root


def _sample_lines(root: Path, count: int, rng: random.Random) -> list[dict[str, object]]:
    """`count` records read at random places of the records files (no full read)."""
    files = sorted(root.glob("records/*/*.jsonl"))
    out: list[dict[str, object]] = []
    while len(out) < count:
        path = rng.choice(files)
        with path.open("rb") as handle:
            handle.seek(rng.randrange(max(1, path.stat().st_size - 100_000)))
            handle.readline()  # the rest of a line cut by the seek
            line = handle.readline()
        if line.endswith(b"\n"):
            out.append(json.loads(line))
    return out


def _add_deletions_and_runs(root: Path, articles: int) -> None:
    rng = random.Random(1)
    gone = _sample_lines(root, max(1, articles // 200), rng)
    at = datetime(2026, 9, 28, tzinfo=UTC)
    events = root / "events"
    with ArchiveIndex(root) as index:
        for record in gone:
            event = ArticleEvent(
                kind="deleted",
                site=record["site"],  # type: ignore[arg-type]
                article_id=str(record["article_id"]),
                url=str(record["url"]),
                at=at,
                status=404,
            )
            folder = events / event.site
            folder.mkdir(parents=True, exist_ok=True)
            with (folder / "synthetic-0.jsonl").open("a", encoding="utf-8") as handle:
                handle.write(event.model_dump_json() + "\n")
            index.record_event(event)
    runs = root / "runs"
    runs.mkdir(exist_ok=True)
    fields = ("title", "text", "authors", "published_at", "section", "images", "subtitle")
    for number in range(2000):
        site = ("chinadaily", "globaltimes")[number % 2]
        ended = at - timedelta(hours=2000 - number)
        report = {
            "spider": site,
            "mode": "latest",
            "summary": {
                "pages_fetched": rng.randrange(50, 400),
                "new_articles": rng.randrange(0, 60),
                "new_versions": rng.randrange(0, 5),
                "deletions": rng.randrange(0, 2),
                "errors": {"article/http_404": rng.randrange(0, 3)},
                "duration_seconds": rng.uniform(60, 900),
                "fill_rates": {f: round(rng.uniform(0.4, 1.0), 3) for f in fields},
            },
            "verdict": "failed" if rng.random() < 0.03 else "ok",
            "problems": [],
            "stats": {f"archiver/stat/{n}": n for n in range(150)},
        }
        name = f"{site}-{ended:%Y%m%d%H%M%S}-bench-{number}.json"
        (runs / name).write_text(json.dumps(report), encoding="utf-8")


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as answer:
        answer.read()
        if answer.status != 200:
            raise SystemExit(f"{url}: {answer.status}")
    return (time.perf_counter() - started) * 1000


def _memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in MB."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) // 1024
    return found


def paths(root: Path, requests: int) -> dict[str, list[str]]:
    """The pages to request, by kind (search, article, diff, overview, coverage, changes)."""
    rng = random.Random(2)
    sample = _sample_lines(root, requests, rng)
    edited = [r for r in _sample_lines(root, requests * 10, rng) if r.get("version") == 2]
    queries = [*EN_WORDS, *EN_PHRASES, *EN_PREFIXES, *ZH_WORDS]
    searches: list[str] = []
    while len(searches) < requests:
        q = rng.choice(queries)
        extra = rng.choice(
            ["", "&order=relevance", "&site=chinadaily", "&since=2024-01-01", "&language=en&page=3"]
        )
        searches.append(f"/api/search?q={quote(q)}{extra}")
    return {
        "search": searches,
        "search page": [p.replace("/api/search", "/search") for p in searches[: requests // 4]],
        "article": [f"/article?url={quote(str(r['url']))}" for r in sample],
        "diff": [f"/article/diff?url={quote(str(r['url']))}" for r in edited[:50]],
        "overview": ["/"] * 30,
        "coverage": ["/coverage"] * 15 + ["/coverage?since=2025-09-01&until=2026-08-31"] * 15,
        "changes": ["/changes", "/changes?kind=deleted", "/changes?page=5", "/changes.atom"] * 5,
    }


def measure(root: Path, requests: int, index_url: str | None = None) -> dict[str, object]:
    """Serve `root` (from `index_url` when given) and time every page; latencies in ms, memory
    in MB."""
    env = {**os.environ, "ARCHIVER_REPLAY_ENV": str(root / "no-pywb")}
    command = [
        sys.executable,
        "-m",
        "archiver",
        "serve",
        "--dir",
        str(root),
        "--port",
        "0",
        "--no-replay",
        *(["--index-url", index_url] if index_url else []),
    ]
    server = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base = server.stdout.readline().split()[1]
        todo = paths(root, requests)
        for path in ("/", "/coverage", todo["search"][0]):  # first use: imports, caches
            _get(base + path.lstrip("/"))
        started = _memory(server.pid)
        figures: dict[str, object] = {}
        for kind, items in todo.items():
            times = sorted(_get(base + path.lstrip("/")) for path in items)
            figures[kind] = {
                "n": len(times),
                "p50": round(statistics.median(times), 1),
                "p95": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                "max": round(times[-1], 1),
            }
        figures["memory_mb"] = {"after_start": started, "after_requests": _memory(server.pid)}
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30000,300000", help="record counts, comma-separated")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "archiver-explorer-bench",
        help="where the synthetic archives are built, and kept for the next run",
    )
    parser.add_argument("--requests", type=int, default=200, help="searches and article pages")
    parser.add_argument(
        "--postgres", action="store_true", help="also serve each archive from PostgreSQL"
    )
    options = parser.parse_args()
    results, shared = {}, {}
    for size in (int(s) for s in options.sizes.split(",")):
        root = archive(options.work, size)
        results[size] = measure(root, options.requests)
        print(json.dumps({size: results[size]}, indent=1), flush=True)
        if options.postgres:
            shared[size] = measure_postgres(root, options.work / f"postgres-{size}", options)
            print(json.dumps({f"{size} on PostgreSQL": shared[size]}, indent=1), flush=True)
    print(_table(results))
    if shared:
        print("\nOn PostgreSQL:\n" + _table(shared))


def measure_postgres(root: Path, work: Path, options: argparse.Namespace) -> dict[str, object]:
    """Index `root` into a PostgreSQL server started for it, then serve and time it there."""
    import shutil

    from archiver.store.index.rebuild import rebuild_shared
    from tests.postgres_server import postgres_server

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    with postgres_server(work) as url:
        started = time.perf_counter()
        _report, articles = rebuild_shared([root], url)
        print(f"indexed {articles:,} articles into PostgreSQL in "
              f"{time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
        return measure(root, options.requests, url)


def _table(results: dict[int, dict[str, object]]) -> str:
    sizes = sorted(results)
    lines = [
        "| page | goal | " + " | ".join(f"{s:,} records p50 / p95 / max" for s in sizes) + " |",
        "| --- | --- |" + " --- |" * len(sizes),
    ]
    for kind in ("search", "search page", "article", "diff", "overview", "coverage", "changes"):
        goal = GOALS_MS.get(kind.split()[0])
        cells = []
        for size in sizes:
            f = results[size][kind]
            assert isinstance(f, dict)
            cells.append(f"{f['p50']} / {f['p95']} / {f['max']} ms")
        lines.append(
            f"| {kind} | {f'p95 < {goal} ms' if goal else ''} | " + " | ".join(cells) + " |"
        )
    memory = []
    for size in sizes:
        m = results[size]["memory_mb"]
        assert isinstance(m, dict)
        memory.append(
            f"{m['after_requests'].get('VmRSS')} MB (peak {m['after_requests'].get('VmHWM')} MB)"
        )
    lines.append("| server memory (RSS after the requests) | flat | " + " | ".join(memory) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
