"""`archiver reextract`: JSON records re-derived from the WARC files alone, in worker processes."""

from __future__ import annotations

import os
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pebble import ProcessPool

from archiver.record import Article, ExtractorInfo
from archiver.replay.index import warc_files
from archiver.sites.extract import ExtractionError, extract_article
from archiver.sites.urls import parse_article_url
from archiver.store.versions import version_history
from archiver.warc.raw import WarcReadError
from archiver.warc.scan import FileScan, Originals, RecordMeta, load_page, scan_file

DEFAULT_TIMEOUT = 60.0
"""Seconds one capture of an article may take to extract before its worker is killed."""

# One page of one capture: the record, and the original it stands for when it is a revisit.
PageRef = tuple[RecordMeta, RecordMeta | None]


@dataclass(frozen=True)
class ArticleJob:
    """Every capture of one article, oldest first; each capture lists its pages in page order."""

    site: str
    article_id: str
    captures: tuple[tuple[PageRef, ...], ...]

    @property
    def pages(self) -> int:
        return sum(len(c) for c in self.captures)


@dataclass(frozen=True)
class Baseline:
    """Where the crawl's records of one article cross into the current extractor version.

    `previous` is the JSON line of the last record an older extractor wrote; `start` the
    WARC-Record-ID of the first capture of the first record the current one wrote. Versions are
    then numbered from `previous` on, as the crawl numbered them (archiver.store.versions), instead
    of from the article's first capture.
    """

    previous: str
    start: str


def generation(extractor: ExtractorInfo) -> tuple[str | None, ...]:
    """What makes records comparable: the extractor version (EXTRACTOR_VERSION) and the
    trafilatura version; the archiver's package version only for records made before
    EXTRACTOR_VERSION existed (version null)."""
    if extractor.version is None:
        return (None, extractor.archiver, extractor.trafilatura)
    return (extractor.version, extractor.trafilatura)


def current_generation() -> tuple[str | None, ...]:
    """The generation of records this code extracts now."""
    from archiver.sites.boilerplate import TRAFILATURA_VERSION
    from archiver.sites.extract import EXTRACTOR_VERSION

    return (EXTRACTOR_VERSION, TRAFILATURA_VERSION)


@dataclass(frozen=True)
class OutputLine:
    """One record as JSON, with what sorts and identifies it."""

    site: str
    article_id: str
    sort_key: tuple[str, str, int]  # first capture: WARC-Date, file, offset
    capture_ids: tuple[str, ...]  # WARC-Record-IDs of its captures
    line: str


@dataclass
class JobResult:
    lines: list[OutputLine] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    corrupt: list[str] = field(default_factory=list)


@dataclass
class ReextractResult:
    """Everything one run produced: records and counts, for the summary and for `verify`."""

    lines: list[OutputLine] = field(default_factory=list)
    files: int = 0
    articles: int = 0
    pages: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    failed_urls: list[tuple[str, str]] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)  # "file @offset: message"
    scans: list[FileScan] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    workers: int = 1
    planned: dict[tuple[str, str], str] = field(default_factory=dict)  # article -> first URL

    def sites(self) -> list[str]:
        return sorted({line.site for line in self.lines})


def plan_jobs(
    scans: Iterable[FileScan], *, site: str | None = None, since: datetime | None = None
) -> tuple[list[ArticleJob], list[str]]:
    """Group the article captures of the scanned files into one job per article.

    Captures are taken in capture order (WARC-Date, then file and offset). A page 1 of an
    article starts a new capture of it; its other pages join the capture begun by the latest
    page 1 (a crawl fetches page 1 first), a repeated page replacing the earlier. Only status
    200 responses and revisits count. With `since`, only articles captured on or after it are
    planned, but with all their captures, so versions are numbered as the crawl numbered them.
    Returns the jobs and the problems met (revisits without original).
    """
    records = [meta for scan in scans for meta in scan.records]
    originals = Originals(records)
    problems: list[str] = []
    by_article: dict[tuple[str, str], list[dict[int, PageRef]]] = {}
    for meta in sorted(records, key=lambda m: (m.date, m.warc_file, m.offset)):
        url = parse_article_url(meta.url)
        if url is None or meta.status != 200 or (site and url.site != site):
            continue
        original = originals.original(meta) if meta.type == "revisit" else None
        if meta.type == "revisit" and original is None:
            problems.append(f"{meta.warc_file} @{meta.offset}: revisit of {meta.url}: no original")
            continue
        groups = by_article.setdefault((url.site, url.article_id), [])
        if url.page == 1:
            groups.append({1: (meta, original)})
        elif groups:
            groups[-1][url.page] = (meta, original)
    jobs: list[ArticleJob] = []
    for (site_name, article_id), groups in by_article.items():
        if since is not None and not any(_date(g[1]) >= since for g in groups):
            continue
        captures = tuple(tuple(g[n] for n in sorted(g)) for g in groups)
        jobs.append(ArticleJob(site_name, article_id, captures))
    return jobs, problems


def run_job(
    root: Path, job: ArticleJob, since: datetime | None = None, baseline: Baseline | None = None
) -> JobResult:
    """Extract every capture of one article, version them, and keep those since `since`.

    With a `baseline`, only the captures from `baseline.start` on are extracted, versioned after
    `baseline.previous` (an older extractor's record). Pure function of the WARC files: runs in
    a worker process. Never raises for one bad capture: it is counted as a failure (extraction)
    or as corrupt (unreadable record).
    """
    result = JobResult()
    extracted: list[Article] = []
    captures = job.captures
    previous: Article | None = None
    if baseline is not None:
        starts = [i for i, c in enumerate(captures) if c[0][0].record_id == baseline.start]
        if starts:
            captures = captures[starts[0] :]
            previous = Article.model_validate_json(baseline.previous)
    for capture in captures:
        first = capture[0][0]
        try:
            pages = [load_page(root, meta, original) for meta, original in capture]
            extracted.append(extract_article(pages))
        except WarcReadError as exc:
            result.corrupt.append(f"{first.warc_file} @{exc.offset}: {exc.message}")
        except ExtractionError as exc:
            result.failures.append((first.url, exc.reason))
        except Exception as exc:  # a parser bug on one page must not end the run
            result.failures.append((first.url, type(exc).__name__))
    for record in version_history(extracted, previous):
        lead = record.captures[0] if record.captures else None
        if lead is None:
            continue
        if not selected_since(lead.fetched_at, since):
            continue
        result.lines.append(
            OutputLine(
                site=record.site,
                article_id=record.article_id,
                sort_key=(_iso(lead.fetched_at), lead.warc_file, lead.warc_offset),
                capture_ids=tuple(c.warc_record_id for c in record.captures),
                line=record.to_json_line(),
            )
        )
    return result


def run_reextract(
    root: Path,
    *,
    site: str | None = None,
    since: datetime | None = None,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[int, int], None] | None = None,
    baselines: Mapping[tuple[str, str], Baseline] | None = None,
) -> ReextractResult:
    """Re-derive the records of every article archived under `root`; no network.

    Scans the closed WARC files in `workers` processes (default: all CPUs, at least 1 or
    ValueError), then extracts one article per task with a timeout per capture;
    `progress(done, total)` is called as articles finish. Output lines are sorted by first
    capture. Versions are numbered from each article's first capture (a generation of its own)
    unless `baselines` names where the crawl's records passed to this extractor version (what
    `verify` compares against).
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    started = time.monotonic()
    cpu_before = _cpu()
    workers = workers or os.cpu_count() or 1
    result = ReextractResult(workers=workers)
    files = [p.relative_to(root).as_posix() for p in warc_files(root)]
    result.files = len(files)
    pool = ProcessPool(max_workers=workers)
    try:
        scans: list[FileScan] = []
        for name, scanning in [(n, pool.schedule(scan_file, args=(root, n))) for n in files]:
            try:
                scans.append(scanning.result())
            except Exception as exc:
                result.corrupt.append(f"{name}: unreadable: {exc}")
        result.scans = scans
        for scan in scans:
            result.corrupt += [f"{scan.warc_file} {problem}" for problem in scan.corrupt]
        jobs, problems = plan_jobs(scans, site=site, since=since)
        result.corrupt += problems
        result.articles = len(jobs)
        result.planned = {(j.site, j.article_id): j.captures[0][0][0].url for j in jobs}
        result.pages = sum(job.pages for job in jobs)
        futures: list[tuple[ArticleJob, Future[JobResult]]] = [
            (
                job,
                pool.schedule(
                    run_job,
                    args=(root, job, since, (baselines or {}).get((job.site, job.article_id))),
                    timeout=timeout * len(job.captures),
                ),
            )
            for job in jobs
        ]
        for done, (job, future) in enumerate(futures, 1):
            _collect(result, job, future)
            if progress is not None:
                progress(done, len(futures))
    finally:
        pool.close()  # type: ignore[no-untyped-call]
        pool.join()
    result.lines.sort(key=lambda line: (line.site, line.sort_key))
    result.seconds = time.monotonic() - started
    result.cpu_seconds = _cpu() - cpu_before
    return result


def _collect(result: ReextractResult, job: ArticleJob, future: Future[JobResult]) -> None:
    url = job.captures[0][0][0].url
    try:
        job_result = future.result()
    except FutureTimeout:
        result.failures["timeout"] += 1
        result.failed_urls.append((url, "timeout"))
        return
    except Exception as exc:  # the worker died: count it, go on with the next article
        result.failures[type(exc).__name__] += 1
        result.failed_urls.append((url, type(exc).__name__))
        return
    result.lines += job_result.lines
    result.corrupt += job_result.corrupt
    for failed_url, reason in job_result.failures:
        result.failures[reason] += 1
        result.failed_urls.append((failed_url, reason))


def write_output(result: ReextractResult, out: Path, sites: Iterable[str]) -> list[Path]:
    """Write OUT/<site>.jsonl for each site (replacing an earlier run's); the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for site in sorted(set(sites)):
        path = out / f"{site}.jsonl"
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            for line in result.lines:
                if line.site == site:
                    fh.write(line.line + "\n")
        os.replace(tmp, path)
        written.append(path)
    return written


def default_out(root: Path) -> Path:
    """ARCHIVER_DIR/reextract/archiver-<version>: one folder per extractor generation."""
    import archiver

    return root / "reextract" / f"archiver-{archiver.__version__}"


def reextract_command(
    root: Path,
    out: Path | None,
    since: datetime | None,
    site: str | None,
    workers: int | None,
    timeout: float = DEFAULT_TIMEOUT,
) -> int:
    """`archiver reextract`: run, write, print a summary; 0 unless nothing could be read."""
    from archiver.errors import CommandError

    if not (root / "warc").is_dir():
        raise CommandError(f"no WARC files under {root / 'warc'}: nothing to re-extract")
    bar = _ProgressBar() if sys.stderr.isatty() else None
    result = run_reextract(
        root, site=site, since=since, workers=workers, timeout=timeout, progress=bar
    )
    if bar is not None:
        bar.finish()
    target = out or default_out(root)
    sites = [site] if site else [*result.sites()]
    written = write_output(result, target, sites)
    print_summary(result, written)
    return 0


def print_summary(result: ReextractResult, written: list[Path]) -> None:
    per_page = result.cpu_seconds / result.pages if result.pages else 0.0
    rate = result.pages / result.seconds if result.seconds else 0.0
    print(f"WARC files read      {result.files:>8}")
    print(f"articles             {result.articles:>8}")
    print(f"pages extracted      {result.pages:>8}")
    print(f"records written      {len(result.lines):>8}")
    print(f"extraction failures  {sum(result.failures.values()):>8}")
    for reason, count in sorted(result.failures.items()):
        print(f"  {reason:<18} {count:>8}")
    print(f"corrupt records      {len(result.corrupt):>8}")
    for problem in result.corrupt[:20]:
        print(f"  {problem}")
    print(f"workers              {result.workers:>8}")
    print(f"seconds              {result.seconds:>8.2f}  ({rate:.1f} pages/s)")
    print(f"CPU seconds per page {per_page:>8.4f}")
    for path in written:
        print(f"wrote {path}")


class _ProgressBar:
    """A one-line progress bar on stderr (only on a terminal)."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if done != total and done % 10:
            return
        width = 30
        filled = width * done // total if total else width
        rate = done / max(time.monotonic() - self.started, 1e-9)
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\rreextract [{bar}] {done}/{total} articles, {rate:.1f}/s")
        sys.stderr.flush()

    def finish(self) -> None:
        sys.stderr.write("\n")


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _date(page: PageRef) -> datetime:
    return datetime.fromisoformat(page[0].date)


def _iso(value: datetime) -> str:
    return value.isoformat()


BEIJING = timezone(timedelta(hours=8))


def parse_since(value: str) -> datetime:
    """The moment `--since` means: `YYYY-MM-DD` is midnight Beijing time (+08:00), the time zone
    of the sites and of every date in the records; an ISO 8601 time keeps its own offset (none:
    Beijing). Raises ValueError.

    One definition for `reextract` and `export wacz`: a record is selected when its first
    capture (`captures[0].fetched_at`) is on or after this moment (`selected_since`).
    """
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)


def selected_since(first_capture: datetime, since: datetime | None) -> bool:
    """True when a record whose first capture is at `first_capture` is selected by `since`."""
    return since is None or first_capture >= since
