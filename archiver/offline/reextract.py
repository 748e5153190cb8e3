"""`archiver reextract`: JSON records re-derived from the WARC files alone, in worker processes."""

from __future__ import annotations

import itertools
import os
import resource
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from pathlib import Path

from pebble import ProcessPool

from archiver.layout import ArchiveLayout
from archiver.offline.articles import PageRef, archive_pages, article_captures
from archiver.offline.ledger import cached_file_key, cached_scan
from archiver.offline.scans import ScanSet, counted_records, originals_for
from archiver.offline.selection import selected_since, site_selected
from archiver.record import Article, ExtractorInfo
from archiver.sites.boilerplate import preload
from archiver.sites.extract import ExtractionError, extract_article
from archiver.sites.urls import article_url
from archiver.store.versions import next_version, version_history
from archiver.warc.raw import WarcReadError
from archiver.warc.reader import BodyTooLarge
from archiver.warc.scan import FileScan, RecordMeta, closed_warc_files, scan_file

REEXTRACT_DIR = "reextract"
"""Under ARCHIVER_DIR: the default --out of `archiver reextract`, one folder per generation."""
DEFAULT_TIMEOUT = 60.0
"""Seconds one capture of an article may take to extract before its worker is killed."""


TOO_LARGE = "too-large"
"""Failure reason of a capture whose body inflates past the decoded-size limit."""


@dataclass(frozen=True, slots=True)
class ArticleJob:
    """Every capture of one article, oldest first; each capture lists its pages in page order."""

    site: str
    article_id: str
    captures: tuple[tuple[PageRef, ...], ...]

    @property
    def pages(self) -> int:
        return sum(len(c) for c in self.captures)


@dataclass(frozen=True, slots=True)
class Baseline:
    """Where the crawl's records of one article cross into the current extractor version.

    `previous` is the JSON line of the last record an older extractor wrote; `start` the
    WARC-Record-ID of the first capture of the first record the current one wrote. Versions are
    then numbered from `previous` on, as the crawl numbered them (archiver.store.versions), instead
    of from the article's first capture. `previous` None: the crawl's first record of the article
    starts at `start` (earlier captures were never recorded: a run killed or stopped by a full
    disk after the fetch, before the record), numbered from 1.
    """

    previous: str | None
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


@dataclass(frozen=True, slots=True)
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
    alternates: dict[tuple[str, ...], str] = field(default_factory=dict)
    """Capture ids -> sha256 of the record they would have made had they come first
    (`_alternates`)."""
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)
    corrupt: list[str] = field(default_factory=list)


@dataclass
class ReextractResult:
    """Everything one run produced: records and counts, for the summary and for `verify`."""

    lines: list[OutputLine] = field(default_factory=list)
    alternates: dict[tuple[str, ...], str] = field(default_factory=dict)
    """As JobResult's, of every article (without a `sink` only; with one, to `alternate`): what
    `verify` accepts for a version that workers sharing an index made from a later capture of
    the same content."""
    files: int = 0
    articles: int = 0
    pages: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    failed_urls: list[tuple[str, str]] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)  # "file @offset: message"
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    workers: int = 1

    records: int = 0  # output lines (in `lines`, or handed to the sink)
    site_names: set[str] = field(default_factory=set)

    def sites(self) -> list[str]:
        return sorted(self.site_names)


def plan_jobs(
    scans: Sequence[FileScan],
    *,
    site: str | None = None,
    since: datetime | None = None,
    only: Collection[tuple[str, str]] | None = None,
) -> tuple[list[ArticleJob], list[str]]:
    """Group the article captures of the scanned files into one job per article.

    Pages are grouped by `archiver.offline.articles.article_captures` in capture order
    (WARC-Date, then file and offset), revisits with their original. With `since`, only
    articles captured on or after it are planned, but with all their captures, so versions
    are numbered as the crawl numbered them. `only`: plan only these articles (site,
    article_id). Jobs come in the order of their article's first capture. Returns the jobs and
    the problems met (revisits without original, of every article, in capture order). `scans`
    is read twice when there are revisits to pair; only the pages planned are held.
    """
    pages: list[RecordMeta] = []
    revisits: list[RecordMeta] = []
    for meta, url in counted_records(scans):
        if not site_selected(url.site, site):
            continue
        if meta.type == "revisit":
            revisits.append(meta)  # its original is looked for, whatever its article
        if only is None or (url.site, url.article_id) in only:
            pages.append(meta)
    originals = originals_for(scans, revisits)
    problems: list[str] = []
    revisits.sort(key=_capture_order)
    for _ in archive_pages(revisits, originals, problems):
        pass  # only the problems: the pages are those of `pages`
    del revisits
    # Each article's pages together, in capture order: grouped one article at a time (the
    # grouping is per article), memory holds the captures of one, not of every article.
    pages.sort(key=lambda meta: (*_key(meta), *_capture_order(meta)))
    jobs: list[ArticleJob] = []
    refs = archive_pages(pages, originals, [])
    for (site_name, article_id), pages_of_one in itertools.groupby(refs, lambda r: _key(r.record)):
        captures = tuple(tuple(c.in_order()) for c in article_captures(pages_of_one))
        if captures and (since is None or any(_date(c[0]) >= since for c in captures)):
            jobs.append(ArticleJob(site_name, article_id, captures))
    jobs.sort(key=lambda job: _order(job.captures[0][0]))
    return jobs, problems


def _capture_order(meta: RecordMeta) -> tuple[str, str, int]:
    # (file, offset) is unique: the order of every record sorted by it is the same.
    return (meta.date, meta.warc_file, meta.offset)


def _key(meta: RecordMeta) -> tuple[str, str]:
    """The article of a page that counts (`counted`)."""
    url = article_url(meta.url)
    assert url is not None
    return (url.site, url.article_id)


def run_job(
    root: Path,
    job: ArticleJob,
    since: datetime | None = None,
    baseline: Baseline | None = None,
    second_reader: bool = True,
    alternates: bool = False,
) -> JobResult:
    """Extract every capture of one article, version them, and keep those since `since`.

    With a `baseline`, only the captures from `baseline.start` on are extracted, versioned after
    `baseline.previous` (an older extractor's record). Pure function of the WARC files: runs in
    a worker process. Without `second_reader`, records carry no extractor.agreement (trafilatura
    does not read the pages a second time). With `alternates`, also what a later capture of an
    unchanged content would have made (`_alternates`, for verify). Never raises for one bad
    capture: it is counted as a failure (extraction) or as corrupt (unreadable record).
    """
    result = JobResult()
    extracted: list[Article] = []
    captures = job.captures
    previous: Article | None = None
    if baseline is not None:
        starts = [i for i, c in enumerate(captures) if c[0].record.record_id == baseline.start]
        if starts:
            captures = captures[starts[0] :]
            if baseline.previous is not None:
                previous = Article.model_validate_json(baseline.previous)
    for capture in captures:
        first = capture[0].record
        try:
            pages = [page.load(root) for page in capture]
            extracted.append(extract_article(pages, second_reader=second_reader))
        except WarcReadError as exc:
            result.corrupt.append(f"{first.warc_file} @{exc.offset}: {exc.message}")
        except BodyTooLarge:
            # Archived as received, never parsed (as the crawl did): skipped, not damage.
            result.failures.append((first.url, TOO_LARGE))
        except ExtractionError as exc:
            result.failures.append((first.url, exc.reason))
        except Exception as exc:  # a parser bug on one page must not end the run
            result.failures.append((first.url, type(exc).__name__))
    if alternates:  # what verify compares with (JobResult.alternates)
        result.alternates = _alternates(extracted, previous)
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


def _alternates(extracted: list[Article], previous: Article | None) -> dict[tuple[str, ...], str]:
    """For each capture whose content an earlier capture's version already has: the digest of
    the record it makes when it comes first. Crawls on several machines sharing one index
    (PostgreSQL) write a version from whichever capture claimed it first, not always the
    earliest fetched; that record is then this one."""
    out: dict[tuple[str, ...], str] = {}
    before: Article | None = None
    latest, made_here = previous, False
    for record in extracted:
        versioned = next_version(latest, record)
        if versioned is not None:
            before, latest, made_here = latest, versioned, True
            continue
        alternate = next_version(before, record) if made_here else None
        if alternate is not None:
            ids = tuple(c.warc_record_id for c in record.captures)
            out[ids] = sha256(alternate.to_json_line().encode("utf-8")).hexdigest()
    return out


def run_reextract(
    root: Path,
    *,
    site: str | None = None,
    since: datetime | None = None,
    workers: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[int, int], None] | None = None,
    baselines: Mapping[tuple[str, str], Baseline] | None = None,
    second_reader: bool = True,
    scans: Sequence[FileScan] | None = None,
    only: Collection[tuple[str, str]] | None = None,
    sink: Callable[[OutputLine], None] | None = None,
    alternate: Callable[[tuple[str, ...], str], None] | None = None,
    planned: Callable[[ArticleJob], None] | None = None,
    pool: ProcessPool | None = None,
) -> ReextractResult:
    """Re-derive the records of every article archived under `root`; no network.

    Scans the closed WARC files in `workers` processes (default: all CPUs, at least 1 or
    ValueError), then extracts articles in batches (a few per task, so that handing work to the
    processes costs little), with a timeout per capture; `progress(done, total)` is called as
    articles finish. Versions are numbered from each article's first capture (a generation of
    its own) unless `baselines` names where the crawl's records passed to this extractor
    version (what `verify` compares against). `second_reader=False` skips trafilatura's second
    reading of every page (faster; records carry agreement None, so they differ from the
    crawl's). `scans`: the archive's files as already scanned (by `verify`), instead of
    scanning them; else a file's scan saved by an earlier run (archiver.offline.ledger) is used
    when the file is unchanged. `only`: extract only these articles (site, article_id).
    Output lines go to `sink` as they come (memory then holds none of them), else to
    `result.lines`, sorted by site and first capture; with a sink, the alternates (see
    `result.alternates`) go to `alternate` as they come, and are not computed without one.
    `planned(job)` is called for each article planned, before extraction starts. `pool`: the
    processes to run in (`started_pool`), left open; else a pool of its own.
    """
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    started = time.monotonic()
    cpu_before = _cpu()
    workers = workers or os.cpu_count() or 1
    result = ReextractResult(workers=workers)
    own = pool is None
    pool = started_pool(workers) if pool is None else pool
    try:
        jobs = _scan_and_plan(pool, root, result, scans, site=site, since=since, only=only)
        if planned is not None:
            for job in jobs:
                planned(job)
        # Alternates only for a caller that asks for them (verify), not for a plain sink.
        wanted = sink is None or alternate is not None
        runner = _Runner(pool, root, since, baselines or {}, second_reader, timeout, wanted)
        _extract_all(runner, jobs, result, progress, _Sinks(sink, alternate))
    finally:
        if own:
            pool.close()  # type: ignore[no-untyped-call]
            pool.join()
    result.lines.sort(key=lambda line: (line.site, line.sort_key))
    result.seconds = time.monotonic() - started
    result.cpu_seconds = _cpu() - cpu_before
    return result


Batch = list[tuple[ArticleJob, Baseline | None]]
MAX_BATCH_PAGES = 48
"""Pages of one task at most: enough that a task's hand-over is small beside its extraction."""


def run_batch(
    root: Path, batch: Batch, since: datetime | None, second_reader: bool, alternates: bool
) -> list[JobResult]:
    """`run_job` for each article of `batch`, in a worker process."""
    return [
        run_job(root, job, since, baseline, second_reader, alternates) for job, baseline in batch
    ]


@dataclass
class _Runner:
    """Schedules batches of articles on the pool and collects their results."""

    pool: ProcessPool
    root: Path
    since: datetime | None
    baselines: Mapping[tuple[str, str], Baseline]
    second_reader: bool
    timeout: float
    alternates: bool

    def schedule(self, jobs: list[ArticleJob]) -> Future[list[JobResult]]:
        batch = [(job, self.baselines.get((job.site, job.article_id))) for job in jobs]
        captures = sum(len(job.captures) for job in jobs)
        return self.pool.schedule(
            run_batch,
            args=(self.root, batch, self.since, self.second_reader, self.alternates),
            timeout=self.timeout * captures,
        )

    def collect(
        self, jobs: list[ArticleJob], future: Future[list[JobResult]]
    ) -> list[tuple[ArticleJob, JobResult | BaseException]]:
        """Each article's result; when the batch timed out or its process died, every article
        of it again on its own, so that only the one at fault is counted as failed."""
        try:
            return list(zip(jobs, future.result(), strict=True))
        except Exception as exc:
            if len(jobs) == 1:
                return [(jobs[0], exc)]
        alone = [(job, self.schedule([job])) for job in jobs]
        out: list[tuple[ArticleJob, JobResult | BaseException]] = []
        for job, single in alone:
            try:
                out.append((job, single.result()[0]))
            except Exception as exc:
                out.append((job, exc))
        return out


def _batches(jobs: list[ArticleJob], workers: int) -> Iterator[list[ArticleJob]]:
    """Consecutive jobs, a batch holding up to MAX_BATCH_PAGES pages, fewer when there is little
    work (every process gets a share: about eight batches per process)."""
    total = sum(job.pages for job in jobs)
    target = max(1, min(MAX_BATCH_PAGES, total // (workers * 8)))
    batch: list[ArticleJob] = []
    pages = 0
    for job in jobs:
        batch.append(job)
        pages += job.pages
        if pages >= target:
            yield batch
            batch, pages = [], 0
    if batch:
        yield batch


def _extract_all(
    runner: _Runner,
    jobs: list[ArticleJob],
    result: ReextractResult,
    progress: Callable[[int, int], None] | None,
    sinks: _Sinks,
) -> None:
    """Run every job, a bounded number of batches in flight (memory holds only those), and
    collect in job order."""
    batches = _batches(jobs, result.workers)
    window: deque[tuple[list[ArticleJob], Future[list[JobResult]]]] = deque()
    for batch in itertools.islice(batches, result.workers * 3):
        window.append((batch, runner.schedule(batch)))
    done = 0
    while window:
        batch, future = window.popleft()
        for job, outcome in runner.collect(batch, future):
            _collect(result, job, outcome, sinks)
        done += len(batch)
        following = next(batches, None)
        if following is not None:
            window.append((following, runner.schedule(following)))
        if progress is not None:
            progress(done, len(jobs))


@dataclass(frozen=True)
class _Sinks:
    """Where output lines and alternates go as they come; None: into the result."""

    line: Callable[[OutputLine], None] | None
    alternate: Callable[[tuple[str, ...], str], None] | None


def _collect(
    result: ReextractResult,
    job: ArticleJob,
    outcome: JobResult | BaseException,
    sinks: _Sinks,
) -> None:
    url = job.captures[0][0].url
    if isinstance(outcome, BaseException):
        # Timed out, or the worker died: count it, go on with the next article.
        reason = "timeout" if isinstance(outcome, FutureTimeout) else type(outcome).__name__
        result.failures[reason] += 1
        result.failed_urls.append((url, reason))
        return
    result.records += len(outcome.lines)
    result.site_names.update(line.site for line in outcome.lines)
    if sinks.line is None:
        result.lines += outcome.lines
        result.alternates.update(outcome.alternates)
    else:
        for line in outcome.lines:
            sinks.line(line)
        if sinks.alternate is not None:
            for ids, digest in outcome.alternates.items():
                sinks.alternate(ids, digest)
    result.corrupt += outcome.corrupt
    for failed_url, reason in outcome.failures:
        result.failures[reason] += 1
        result.failed_urls.append((failed_url, reason))


def _scan_and_plan(
    pool: ProcessPool,
    root: Path,
    result: ReextractResult,
    scans: Sequence[FileScan] | None,
    *,
    site: str | None,
    since: datetime | None,
    only: Collection[tuple[str, str]] | None,
) -> list[ArticleJob]:
    """Scan every closed WARC file in the pool (or take `scans`) and plan the jobs of the
    articles selected (`plan_jobs`); counts go to `result`."""
    if scans is None:
        scans = scan_archive(pool, root, result.corrupt)
    result.files = len(scans)
    for scan in scans:
        result.corrupt += [f"{scan.warc_file} {problem}" for problem in scan.corrupt]
    jobs, problems = plan_jobs(scans, site=site, since=since, only=only)
    result.corrupt += problems
    result.articles = len(jobs)
    result.pages = sum(job.pages for job in jobs)
    return jobs


def scan_archive(pool: ProcessPool, root: Path, corrupt: list[str]) -> ScanSet:
    """The scan of every closed WARC file, in name order: a file's saved scan when the file is
    unchanged since it was made (archiver.offline.ledger), else scanned in the pool and saved.
    A file that cannot be scanned is appended to `corrupt` and left out."""
    layout = ArchiveLayout(root)
    files = [layout.relative(p) for p in closed_warc_files(layout)]
    keys = {name: cached_file_key(root / name) for name in files}
    # Only whether each saved scan can be used is kept, not the scan: ScanSet reads it again.
    saved = {name for name in files if cached_scan(root, name, keys[name]) is not None}
    scanning = {
        name: pool.schedule(scan_file, args=(root, name)) for name in files if name not in saved
    }
    scans = ScanSet(root)
    for name in files:
        if name in saved:
            scans.add_saved(name, keys[name])
            continue
        try:
            scan = scanning.pop(name).result()
        except Exception as exc:
            corrupt.append(f"{name}: unreadable: {exc}")
            continue
        scans.add(scan, keys[name])
    return scans


def default_out(root: Path) -> Path:
    """ARCHIVER_DIR/reextract/archiver-<version>: one folder per extractor generation."""
    import archiver

    return root / REEXTRACT_DIR / f"archiver-{archiver.__version__}"


def started_pool(workers: int) -> ProcessPool:
    """A pool of `workers` processes for `run_reextract`, started now.

    Its processes fork from this one on their first task: started before anything big is held
    (records read, jobs planned: memory that grows with the archive), each holds a copy of
    only what is held now; after trafilatura is loaded, which they then share.
    """
    preload()
    pool = ProcessPool(max_workers=workers)
    pool.schedule(_started).result()
    return pool


def _started() -> None:
    """Nothing: a first task, for the pool's processes to start."""


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _date(page: PageRef) -> datetime:
    return datetime.fromisoformat(page.record.date)


def _order(page: PageRef) -> tuple[str, str, int]:
    return (page.record.date, page.record.warc_file, page.record.offset)


def _iso(value: datetime) -> str:
    return value.isoformat()
