"""Figures for incremental crawls: WARC growth of an unchanged re-crawl, index lookup time.

Run: python -m benchmarks.incremental [--articles 1000000] [--lookups 20000] [--synthetic 300]
[--lookups-only] [--no-postgres]

Index look-ups are timed on both backends in one run: SQLite, and PostgreSQL on a server the
benchmark starts on 127.0.0.1 (Debian's package, as the tests start it).

WARC growth is measured twice: on the bundled mirror (29 articles, many list and missing
pages: the worst case) and on a synthetic China Daily mirror generated from the bundled
templates (`--synthetic` articles on 5 sections of 3 list pages each, real page sizes), re-crawled
unchanged and then with a few new articles at the top of every list (as an hourly run finds).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from archiver.mirror import MirrorServer, bundled_root
from archiver.store.index.archive_index import ArchiveIndex
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


SYNTHETIC_SECTIONS = 5
_TEMPLATE_ARTICLE = "www.chinadaily.com.cn/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html"
_TEMPLATE_LIST = "www.chinadaily.com.cn/china/society/index.html"


def _synthetic_id(n: int) -> str:
    return f"WS6c{n:022x}"


def _synthetic_url(n: int) -> str:
    return f"https://www.chinadaily.com.cn/a/202609/{10 + n % 18:02d}/{_synthetic_id(n)}.html"


def synthetic_overlay(dest: Path, articles: int, newest: int) -> list[str]:
    """Write a mirror overlay of `newest` articles numbered down from `newest - 1`, the
    `articles` newest of them listed on SYNTHETIC_SECTIONS sections (20 per list page, newest
    first). Article pages are the bundled template page with its own id and headline; list
    pages the bundled list page with its items and pager replaced. Returns the section paths.
    """
    site = bundled_root() / "site"
    article = (site / _TEMPLATE_ARTICLE).read_text(encoding="utf-8")
    template_id = "WS6ab5a918a3107a2e1d4f6a07"
    title = article.split("<h1>", 1)[1].split("</h1>", 1)[0]
    for n in range(newest):
        url = _synthetic_url(n)
        path = dest / "site" / url.split("://", 1)[1]
        path.parent.mkdir(parents=True, exist_ok=True)
        page = article.replace(template_id, _synthetic_id(n)).replace(
            title, f"{title} (synthetic {n})"
        )
        path.write_text(page, encoding="utf-8")
    listing = (site / _TEMPLATE_LIST).read_text(encoding="utf-8")
    head = listing[: listing.index('<div class="mb10 tw3_01_2')]
    pager = listing.index('<div id="div_currpage">')
    tail = listing[listing.index("</div>", pager) + len("</div>") :]
    ordered = list(range(newest - 1, newest - 1 - articles, -1))
    sections = [f"bench/s{k}" for k in range(SYNTHETIC_SECTIONS)]
    per_section = [ordered[k::SYNTHETIC_SECTIONS] for k in range(SYNTHETIC_SECTIONS)]
    for section, numbers in zip(sections, per_section, strict=True):
        pages = [numbers[i : i + 20] for i in range(0, len(numbers), 20)]
        for number, items in enumerate(pages, 1):
            body = "".join(
                f'<div class="mb10 tw3_01_2 "><span class="tw3_01_2_t"><h4><a href="'
                f'{_synthetic_url(n)}">{title} (synthetic {n})</a></h4><b>2026-09-'
                f"{10 + n % 18:02d} 10:00</b></span></div>\n"
                for n in items
            )
            more = (
                f'<a href="https://www.chinadaily.com.cn/{section}/page_{number + 1}.html">'
                f"{number + 1}</a>"
                if number < len(pages)
                else ""
            )
            name = "index.html" if number == 1 else f"page_{number}.html"
            path = dest / "site" / "www.chinadaily.com.cn" / section / name
            path.parent.mkdir(parents=True, exist_ok=True)
            page = head + body + f'<div id="div_currpage">{more}</div>' + tail
            path.write_text(page, encoding="utf-8")
    return sections


def synthetic_growth(root: Path, articles: int, new_per_run: int) -> dict[str, float]:
    """First crawl of the synthetic mirror, an unchanged `latest` re-crawl, and a re-crawl
    after `new_per_run` articles were published (every list shifted): WARC bytes each."""
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        before, after = Path(tmp) / "before", Path(tmp) / "after"
        sections = synthetic_overlay(before, articles, articles)
        synthetic_overlay(after, articles, articles + new_per_run)
        pages = -(-articles // (SYNTHETIC_SECTIONS * 20))
        settings = {"ARCHIVER_CHINADAILY_SECTIONS": ",".join(sections)}
        args = {"list_pages": str(pages)}
        for label, overlay in (("first", before), ("unchanged", before), ("new", after)):
            with MirrorServer(overlays=[overlay]) as mirror:
                result = run_crawl("chinadaily", root, mirror.url, args=args, settings=settings)
            if result.returncode not in (0, 3):
                raise SystemExit(f"synthetic {label} crawl failed:\n{result.log[-2000:]}")
            sizes[label] = int(result.stats.get("archiver/warc/bytes", 0))
            sizes[f"{label}_new"] = int(result.stats.get("archiver/versions/new_articles", 0))
    return {
        "articles": articles,
        "new_per_run": new_per_run,
        "first_bytes": sizes["first"],
        "unchanged_bytes": sizes["unchanged"],
        "unchanged_share": sizes["unchanged"] / sizes["first"],
        "new_bytes": sizes["new"],
        "new_share": sizes["new"] / sizes["first"],
        "first_new_articles": sizes["first_new"],
        "new_new_articles": sizes["new_new"],
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
            (_article_row(n) for n in range(articles)),
        )
        conn.executemany(
            "INSERT INTO captures VALUES (?, ?, ?, 'response', ?, 200, '2026-01-01', 'sha1:X', ?, "
            "NULL, 'gzip', 1000)",
            (_capture_row(n) for n in range(articles)),
        )
        conn.execute("COMMIT")
        built = time.perf_counter() - started
        per_url = _time_lookups(index, articles, lookups)
    return {"articles": articles, "build_seconds": built, "lookup_ms_per_url": per_url * 1000}


def lookup_time_postgres(root: Path, articles: int, lookups: int) -> dict[str, float]:
    """The same on a shared index: a PostgreSQL server started here on 127.0.0.1 (Debian's
    package, as the tests start it), loaded with COPY, looked up over its socket."""
    import psycopg

    from archiver.store.index.location import driver_url
    from tests.postgres_server import postgres_server

    with postgres_server(root) as url, ArchiveIndex(root, url) as index:
        started = time.perf_counter()
        with psycopg.connect(driver_url(url)) as conn, conn.cursor() as cursor:
            with cursor.copy(
                "COPY articles (site, article_id, url, fingerprint, first_seen, last_seen, "
                "version, archived, record) FROM STDIN"
            ) as copy:
                for n in range(articles):
                    site, article_id, link, digest = _article_row(n)
                    copy.write_row(
                        (site, article_id, link, digest, "2026-01-01", "2026-01-01", 1, 1, "{}")
                    )
            with cursor.copy(
                "COPY captures (warc_file, warc_offset, record_id, url, body_sha256, record_type, "
                "status, fetched_at, payload_digest, content_encoding, payload_length) FROM STDIN"
            ) as copy:
                for n in range(articles):
                    copy.write_row(
                        (*_capture_row(n), "response", 200, "2026-01-01", "sha1:X", "gzip", 1000)
                    )
            cursor.execute("ANALYZE")
        built = time.perf_counter() - started
        per_url = _time_lookups(index, articles, lookups)
    return {"articles": articles, "build_seconds": built, "lookup_ms_per_url": per_url * 1000}


def _article_row(n: int) -> tuple[str, str, str, str]:
    return ("chinadaily", f"WS{n:024x}", _url(n), f"{n:064x}")


def _capture_row(n: int) -> tuple[str, int, str, str, str]:
    return (f"warc/cd/{n // 10_000}.warc.gz", n, f"<urn:uuid:{n}>", _url(n), f"{n:064x}")


def _time_lookups(index: ArchiveIndex, articles: int, lookups: int) -> float:
    """Seconds per URL of what a crawl asks for each article: is it archived, and the
    identical earlier capture (a revisit's original)."""
    rng = random.Random(1)
    sample = [rng.randrange(articles) for _ in range(lookups)]
    started = time.perf_counter()
    for n in sample:
        archived = index.is_archived("chinadaily", f"WS{n:024x}")
        original = index.find_identical(
            _url(n), 200, f"{n:064x}", "sha1:X", content_encoding="gzip", payload_length=1000
        )
        assert archived and original is not None
    return (time.perf_counter() - started) / lookups


def _url(n: int) -> str:
    return f"https://www.chinadaily.com.cn/a/202609/24/WS{n:024x}.html"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--synthetic", type=int, default=300, help="synthetic mirror articles")
    parser.add_argument("--new", type=int, default=10, help="articles new in the last re-crawl")
    parser.add_argument(
        "--lookups-only", action="store_true", help="only the index look-ups (both backends)"
    )
    parser.add_argument(
        "--no-postgres", action="store_true", help="skip the PostgreSQL index look-ups"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not options.lookups_only:
            _print_growth(
                warc_growth(Path(tmp) / "crawl"),
                synthetic_growth(Path(tmp) / "synthetic", options.synthetic, options.new),
            )
        lookups = lookup_time(Path(tmp) / "index", options.articles, options.lookups)
        _print_lookups("SQLite", lookups)
        if not options.no_postgres:
            shared = Path(tmp) / "postgres"
            shared.mkdir()
            _print_lookups(
                "PostgreSQL", lookup_time_postgres(shared, options.articles, options.lookups)
            )


def _print_lookups(backend: str, lookups: dict[str, float]) -> None:
    print(
        f"{backend} index with {lookups['articles']:,} articles (built in "
        f"{lookups['build_seconds']:.0f} s): {lookups['lookup_ms_per_url']:.3f} ms per URL "
        "(is_archived + find_identical)"
    )


def _print_growth(growth: dict[str, float], synthetic: dict[str, float]) -> None:
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
        f"synthetic mirror, {synthetic['articles']} articles: first crawl "
        f"{synthetic['first_bytes']:,} bytes; unchanged latest re-crawl +"
        f"{synthetic['unchanged_bytes']:,} ({synthetic['unchanged_share']:.1%}); with "
        f"{synthetic['new_per_run']} new articles +{synthetic['new_bytes']:,} "
        f"({synthetic['new_share']:.1%})"
    )


if __name__ == "__main__":
    main()
