"""Figures for incremental crawls: WARC growth of an unchanged re-crawl, index lookup time.

Run: python -m benchmarks.incremental [--articles 1000000] [--lookups 20000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from archiver.index.store import ArchiveIndex
from archiver.mirror import MirrorServer
from archiver.warc.raw import iter_records

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.crawling import run_crawl  # noqa: E402 - the test harness runs the crawls

SITES = ("chinadaily", "globaltimes")


def warc_growth(root: Path) -> dict[str, float]:
    """Crawl both sites from the mirror, then again unchanged in each mode: added bytes / first."""
    sizes: dict[str, int] = {}
    with MirrorServer() as mirror:
        passes = [
            ("first", {}),
            ("latest", {"mode": "latest"}),
            ("refresh", {"mode": "refresh", "days": "36500"}),
        ]
        for label, extra in passes:
            total = 0
            for site in SITES:
                # Every pass starts from the sites' default start pages, as a scheduled job does.
                result = run_crawl(site, root, mirror.url, args=extra)
                if result.returncode not in (0, 3):
                    raise SystemExit(f"{site} {label} crawl failed:\n{result.log[-2000:]}")
                total += int(result.stats.get("archiver/warc/bytes", 0))
            sizes[label] = total
    sizes_by_type = _record_sizes(root)
    return {
        "response_200_bytes": _mean(sizes_by_type.get("response200", [])),
        "revisit_200_bytes": _mean(sizes_by_type.get("revisit200", [])),
        "request_bytes": _mean(sizes_by_type.get("request", [])),
        "first_crawl_bytes": sizes["first"],
        "latest_again_bytes": sizes["latest"],
        "latest_again_share": sizes["latest"] / sizes["first"],
        "refresh_all_bytes": sizes["refresh"],
        "refresh_all_share": sizes["refresh"] / sizes["first"],
    }


def _record_sizes(root: Path) -> dict[str, list[int]]:
    """Compressed bytes of every record, by type and HTTP status ("response200", "request")."""
    out: dict[str, list[int]] = {}
    for path in sorted(root.glob("warc/**/*.warc.gz")):
        records = list(iter_records(path))
        ends = [r.offset for r in records[1:]] + [path.stat().st_size]
        for record, end in zip(records, ends, strict=True):
            key = record.type + str(record.http_status or "")
            out.setdefault(key, []).append(end - record.offset)
    return out


def _mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


def lookup_time(root: Path, articles: int, lookups: int) -> dict[str, float]:
    """Index `articles` articles with one capture each; time the per-URL lookups a crawl makes."""
    with ArchiveIndex(root) as index:
        conn = index.conn
        started = time.perf_counter()
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, '2026-01-01', '2026-01-01', 1, ?, NULL, 1, "
            "NULL, '{}')",
            (("chinadaily", f"WS{n:024x}", _url(n), f"{n:064x}") for n in range(articles)),
        )
        conn.executemany(
            "INSERT INTO captures VALUES (?, ?, ?, 'response', ?, 200, '2026-01-01', 'sha1:X', ?, "
            "NULL)",
            (
                (f"warc/cd/{n // 10_000}.warc.gz", n, f"<urn:uuid:{n}>", _url(n), f"{n:064x}")
                for n in range(articles)
            ),
        )
        conn.execute("COMMIT")
        built = time.perf_counter() - started
        rng = random.Random(1)
        sample = [rng.randrange(articles) for _ in range(lookups)]
        started = time.perf_counter()
        for n in sample:
            archived = index.is_archived("chinadaily", f"WS{n:024x}")
            original = index.find_identical(_url(n), 200, f"{n:064x}")
            assert archived and original is not None
        per_url = (time.perf_counter() - started) / lookups
    return {"articles": articles, "build_seconds": built, "lookup_ms_per_url": per_url * 1000}


def _url(n: int) -> str:
    return f"https://www.chinadaily.com.cn/a/202609/24/WS{n:024x}.html"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        growth = warc_growth(Path(tmp) / "crawl")
        lookups = lookup_time(Path(tmp) / "index", options.articles, options.lookups)
    print(f"first crawl of the mirror: {growth['first_crawl_bytes']:,} WARC bytes")
    print(
        f"unchanged re-crawl, mode=latest: +{growth['latest_again_bytes']:,} bytes "
        f"({growth['latest_again_share']:.1%} of the first)"
    )
    print(
        f"unchanged re-crawl, mode=refresh (every article again): "
        f"+{growth['refresh_all_bytes']:,} bytes ({growth['refresh_all_share']:.1%})"
    )
    print(
        f"per capture (gzip, mean): full 200 response {growth['response_200_bytes']:,.0f} bytes, "
        f"revisit {growth['revisit_200_bytes']:,.0f}, request record {growth['request_bytes']:,.0f}"
    )
    print(
        f"index with {lookups['articles']:,} articles (built in {lookups['build_seconds']:.0f} s): "
        f"{lookups['lookup_ms_per_url']:.3f} ms per URL (is_archived + find_identical)"
    )


if __name__ == "__main__":
    main()
