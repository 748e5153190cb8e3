"""`archiver verify`: check the archive, WARC bytes to replay index; exit 1 on a problem."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from pebble import ProcessPool

from archiver.errors import ArchiverError
from archiver.layout import OPEN_SUFFIX, ArchiveLayout, left_by_dead_writer
from archiver.offline.baselines import BaselineFinder, Baselines
from archiver.offline.ledger import (
    DEFAULT_SAMPLE_PERCENT,
    Entry,
    Ledger,
    Plan,
    cached_scan,
    forget_scans,
)
from archiver.offline.reextract import (
    TOO_LARGE,
    ArticleJob,
    OutputLine,
    ReextractResult,
    current_generation,
    generation,
    run_reextract,
    started_pool,
)
from archiver.offline.rematch import DIFFERS, MATCH, Rematch
from archiver.offline.scans import ScanSet, counted_records, originals_for
from archiver.offline.stored import StoredRecords, numbered_lines
from archiver.record import Article, CaptureRef
from archiver.replay.env import ReplayEnv
from archiver.replay.index import indexed_locations, update_index
from archiver.store.events import read_events
from archiver.warc.consistency import check_file
from archiver.warc.raw import WarcReadError, read_record_at
from archiver.warc.scan import FileScan, RecordMeta, closed_warc_files, scan_file

ArticleKey = tuple[str, str]
RECORDED = 1  # _Read.touched: the article has a record
PLANNED = 2  # _Read.touched: re-extraction planned it

# The checks whose results the ledger keeps, by the kind of file they are kept with.
WARC_CHECKS = ("warc", "revisits", "unrecorded")
RECORDS_CHECKS = ("records", "reextract")
EVENTS_CHECKS = ("events",)


@dataclass
class Check:
    """One line of the summary: what was looked at, what was wrong, what was left aside."""

    name: str
    description: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    skipped: int = 0
    notes: list[str] = field(default_factory=list)  # what was skipped and why; not problems
    # Why the check could not run at all and the command that lets it run; not a problem.
    not_run: str = ""
    # Files unchanged since the ledger's last verify: not read again, their problems repeated.
    unchanged: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "checked": self.checked,
            "skipped": self.skipped,
            "unchanged": self.unchanged,
            "problems": self.problems,
            "notes": self.notes,
            "not_run": self.not_run or None,
        }


@dataclass
class VerifyReport:
    """The checks of one run, and which files it read (`plans` by kind: warc, records, events)."""

    checks: list[Check]
    plans: dict[str, Plan] = field(default_factory=dict)

    def files(self) -> dict[str, int]:
        """Files read (new, changed, sample) and skipped as unchanged, over every kind."""
        totals = dict.fromkeys(("checked", "new", "changed", "sample", "unchanged"), 0)
        for plan in self.plans.values():
            totals["checked"] += len(plan.reasons)
            totals["unchanged"] += len(plan.unchanged)
            for reason in ("new", "changed", "sample"):
                totals[reason] += plan.count(reason)
        return totals

    def files_line(self) -> str:
        f = self.files()
        return (
            f"checked {f['checked']} files ({f['new']} new, {f['changed']} changed, "
            f"{f['sample']} sample), skipped {f['unchanged']} unchanged"
        )


@dataclass(frozen=True)
class OpenWarc:
    """A WARC file still written as `<name>.open`: a running crawl's, or a killed one's."""

    name: str  # final name, relative to the root (what captures name)
    alive: bool  # its writer (host and pid in the name) runs; True when on another host

    def note(self) -> str:
        if self.alive:
            return f"{self.name}{OPEN_SUFFIX}: a crawl is writing it; its captures are skipped"
        return (
            f"{self.name}{OPEN_SUFFIX}: left open by a crawl that no longer runs; the next "
            "crawl (or `archiver index rebuild`) repairs and closes it"
        )


def open_warcs(root: Path) -> dict[str, OpenWarc]:
    """The `.warc.gz.open` files under root/warc, by final name.

    The file name ends in `-<host>-<pid>`: on this host the pid tells whether the writer runs;
    a file from another host is taken as running (its process cannot be looked at).
    """
    layout = ArchiveLayout(root)
    found: dict[str, OpenWarc] = {}
    for path in sorted(layout.warc_root.glob(f"**/*.warc.gz{OPEN_SUFFIX}")):
        name = layout.relative(path)[: -len(OPEN_SUFFIX)]
        found[name] = OpenWarc(name, not left_by_dead_writer(name[: -len(".warc.gz")]))
    return found


@dataclass
class _Read:
    """What the records check keeps of the records it reads for the checks after it: never a
    record, what lets them be found and read again (archiver.offline.stored)."""

    stored: StoredRecords  # the records of the files read, but those in progress
    # The articles re-extracted this run (those of the records and WARC files read): RECORDED
    # when one has a record (in any file), PLANNED once re-extraction planned it. Only these:
    # whether an article left alone has a record is never asked.
    touched: dict[ArticleKey, int]
    baselines: Baselines
    in_progress: int  # records with a capture in an open WARC file (files read, touched ones)


@dataclass
class _Planned:
    """What the unrecorded check needs of the articles re-extraction plans and extracts."""

    read: _Read
    on_record: int = 0  # planned articles with a record
    # planned articles without one: first URL, the WARC files holding their captures (sorted)
    unrecorded: dict[ArticleKey, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    extracted: set[ArticleKey] = field(default_factory=set)  # those of them re-extraction gave

    def add(self, job: ArticleJob) -> None:
        key = (job.site, job.article_id)
        self.read.touched[key] |= PLANNED
        if self.read.touched[key] & RECORDED:
            self.on_record += 1
        else:
            files = tuple(sorted({p.record.warc_file for c in job.captures for p in c}))
            self.unrecorded[key] = (job.captures[0][0].url, files)

    def line(self, line: OutputLine) -> None:
        key = (line.site, line.article_id)
        if key in self.unrecorded:
            self.extracted.add(key)

    def looked_at(self, key: ArticleKey) -> bool:
        return bool(self.read.touched.get(key, 0) & PLANNED)


@dataclass
class _Run:
    """One verify run: the ledger, what is read, and each problem by the file it belongs to."""

    root: Path
    ledger: Ledger
    now: str
    workers: int
    full: bool
    sample: float
    opened: dict[str, OpenWarc]
    plans: dict[str, Plan] = field(default_factory=dict)
    found: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # file -> check -> ...
    incomplete: set[str] = field(default_factory=set)  # read, but not to be taken as verified
    carried: dict[str, Entry] = field(default_factory=dict)  # unchanged entries, rewritten

    def plan(self, kind: str, names: list[str], needed: Iterable[str]) -> Plan:
        plan = self.ledger.plan(
            names, frozenset(needed), full=self.full, sample_percent=self.sample
        )
        self.plans[kind] = plan
        return plan

    def problem(self, check: Check, file: str, text: str) -> None:
        check.problems.append(text)
        self.found.setdefault(file, {}).setdefault(check.name, []).append(text)

    def carry(self, check: Check, plan: Plan, keep: Any = None) -> None:
        """Repeat the problems the ledger holds for the files of `plan` left unchanged.

        `keep(problem)` false drops a problem this run settled otherwise (the entry is then
        rewritten without it)."""
        for name in plan.unchanged:
            check.unchanged += 1
            old = self.ledger.problems(name, check.name)
            kept = [p for p in old if keep is None or keep(p)]
            check.problems += kept
            if kept != old:
                entry = self.carried.get(name) or self.ledger.entries[name]
                problems = {**entry.problems, check.name: kept}
                self.carried[name] = Entry(entry.key, entry.verified_at, problems)

    def updates(self, checks: dict[str, tuple[str, ...]]) -> dict[str, Entry]:
        """Ledger entries of every file read to its end this run, with its problems."""
        out: dict[str, Entry] = dict(self.carried)
        for kind, plan in self.plans.items():
            for name in plan.reasons:
                if name in self.incomplete or not plan.keys.get(name):
                    continue
                mine = self.found.get(name, {})
                problems = {c: mine.get(c, []) for c in checks[kind]}
                out[name] = Entry(plan.keys[name], self.now, problems)
        return out


def verify_archive(
    root: Path,
    env: ReplayEnv,
    workers: int | None = None,
    *,
    replay_required: bool = False,
    full: bool = False,
    sample_percent: float = DEFAULT_SAMPLE_PERCENT,
    now: datetime | None = None,
) -> VerifyReport:
    """Run every check on the archive at `root`; each Check lists its problems.

    warc: every closed WARC file passes consistency.check_file (reads to the end, digests,
    header/body consistency of every response, request/response pairing). revisits: every
    revisit record has its original (same URI and date, same payload digest, as pywb needs).
    records: every records/ line is a valid record whose captures name the record at their
    offset (id, URI, status). events: every capture named in events/ resolves the same way.
    reextract: re-extraction from the WARC files gives every record made by the current
    extractor version byte for byte, versions numbered from where the crawl's records passed
    to this version (records of other versions are counted as skipped). unrecorded: every
    article with a status-200 capture has a record, or re-extracting it fails (the failures a
    crawl counted are not kept per URL on disk, so re-extraction stands in for them). replay:
    the replay index, brought up to date, holds every capture of every record. Without pywb's
    environment the replay check is not run (`not_run` says how to set it up), unless
    `replay_required` (the user named the environment): then its absence is a problem.

    Incremental (archiver.offline.ledger): only files new or changed since the ledger's last
    run are read, with a rotating `sample_percent` % of the unchanged ones; the problems of
    unchanged files are repeated from the ledger. Cross-file checks of what is read still look
    at the whole archive (a new record's capture in an old WARC file, a revisit's original in
    an old file: old files' scans are kept). Articles touched by a file read are re-extracted
    whole. `full`: every file is read. `now` (UTC) stamps the ledger's entries.

    A record with a capture in a WARC file still open (`.warc.gz.open`: a crawl is writing it,
    or one was killed) is "in progress": counted as skipped in records, reextract and replay,
    never a problem. Raises ArchiverError when `root` holds no warc/ folder.

    Memory: no record is held, only where it is (archiver.offline.stored); each is compared as
    its re-extraction comes (archiver.offline.rematch); scans are read one at a time
    (archiver.offline.scans). What grows with the archive is a few hundred bytes per article
    touched and the plan of re-extraction (archiver.offline.reextract.plan_jobs).
    """
    layout = ArchiveLayout(root)
    if not layout.warc_root.is_dir():
        raise ArchiverError(f"no WARC files under {layout.warc_root}: is --dir an archive?")
    when = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    run = _Run(
        root,
        Ledger.load(root),
        when,
        workers or os.cpu_count() or 1,
        full,
        sample_percent,
        open_warcs(root),
    )
    checks = _run_checks(run, env, replay_required)
    _save(run, checks, env.ready)
    return VerifyReport(checks, run.plans)


def _run_checks(run: _Run, env: ReplayEnv, replay_required: bool) -> list[Check]:
    # One pool for the WARC files' checks and re-extraction, started while little is held.
    pool = started_pool(run.workers)
    try:
        warc, scans = _warc_files(run, pool)
        records, read = _records(run, scans, env.ready)
        try:
            result, rematch, planned = _reextracted(run, pool, scans, read)
            reextract = _reextract(run, result, rematch)
            reextract.skipped += read.in_progress
            replay = _replay(run, env, read.stored, required=replay_required)
            replay.skipped += read.in_progress
        finally:
            read.stored.close()
    finally:
        pool.close()  # type: ignore[no-untyped-call]
        pool.join()
    running = any(o.alive for o in run.opened.values())
    return [
        warc,
        _revisits(run, scans),
        records,
        _events(run),
        reextract,
        _unrecorded(run, result, planned, running),
        replay,
    ]


def _reextracted(
    run: _Run, pool: ProcessPool, scans: ScanSet, read: _Read
) -> tuple[ReextractResult, Rematch, _Planned]:
    """Re-extract the touched articles, each record met with the stored ones as it comes."""
    rematch = Rematch(read.stored)
    planned = _Planned(read)

    def sink(line: OutputLine) -> None:
        rematch.line(line)
        planned.line(line)

    result = run_reextract(
        run.root,
        workers=run.workers,
        baselines=read.baselines,
        scans=scans,
        only=read.touched,
        sink=sink,
        alternate=rematch.alternate,
        planned=planned.add,
        pool=pool,
    )
    return result, rematch, planned


def _save(run: _Run, checks: list[Check], replay_ran: bool) -> None:
    """Write the ledger; a failure to write it is a note, never the run's failure."""
    kinds = {
        "warc": WARC_CHECKS,
        "records": (*RECORDS_CHECKS, *(("replay",) if replay_ran else ())),
        "events": EVENTS_CHECKS,
    }
    present = {n for plan in run.plans.values() for n in (*plan.reasons, *plan.unchanged)}
    gone = set(run.ledger.entries) - present
    try:
        run.ledger.save(run.updates(kinds), gone)
        forget_scans(run.root, {n for n in gone if n.startswith("warc/")})
    except OSError as exc:
        checks[0].notes.append(f"verify ledger not saved: {exc.strerror or exc}")
    if run.ledger.note:
        checks[0].notes.append(run.ledger.note)


def _articles_in(scans: ScanSet, files: Collection[str], touched: dict[ArticleKey, int]) -> None:
    """Add to `touched` the articles with a capture counted (`counted`) in one of `files`."""
    chosen = (scans.load(name) for name in scans.names if name in files)
    for _, url in counted_records(chosen):
        touched.setdefault((url.site, url.article_id), 0)


def _check_and_scan(root: Path, name: str) -> tuple[list[str], FileScan]:
    """What check_file finds in root/name, and its scan (runs in a worker process)."""
    return check_file(root / name), scan_file(root, name)


def _warc_files(run: _Run, pool: ProcessPool) -> tuple[Check, ScanSet]:
    """The warc check over the files read this run, and the scan of every closed file."""
    check = Check("warc", "WARC files: digests, header/body consistency, pairing")
    check.notes += [o.note() for o in run.opened.values()]
    check.skipped = len(run.opened)
    layout = ArchiveLayout(run.root)
    names = [layout.relative(p) for p in closed_warc_files(layout)]
    plan = run.plan("warc", names, WARC_CHECKS)
    _gone(run, check, "warc/", names)
    scans = ScanSet(run.root)
    reading = {n: pool.schedule(_check_and_scan, args=(run.root, n)) for n in plan.reasons}
    # Whether a saved scan can be used is all that is kept of it: ScanSet reads it again.
    saved = [n for n in plan.unchanged if cached_scan(run.root, n, plan.keys[n]) is not None]
    scanning = {
        n: pool.schedule(scan_file, args=(run.root, n)) for n in plan.unchanged if n not in saved
    }
    for name in saved:
        scans.add_saved(name, plan.keys[name])
    for name in list(reading):
        check.checked += 1
        try:
            problems, scan = reading.pop(name).result()
        except Exception as exc:
            run.problem(check, name, f"{name}: cannot check: {exc!r}")
            run.incomplete.add(name)
            continue
        scans.add(scan, plan.keys[name])
        for problem in problems:
            run.problem(check, name, f"{name} {problem}")
    for name in list(scanning):
        scans.add(scanning.pop(name).result(), plan.keys[name])
    run.carry(check, plan)
    scans.arrange(names)
    return check, scans


def _gone(run: _Run, check: Check, prefix: str, names: list[str]) -> None:
    """Files the ledger verified that are no longer there: lost data, unless `--full`."""
    here = set(names) | set(run.opened)
    for name, entry in sorted(run.ledger.entries.items()):
        if name.startswith(prefix) and name not in here:
            if run.full:
                check.notes.append(f"{name}: gone since it was verified; forgotten")
            else:
                check.problems.append(
                    f"{name}: verified on {entry.verified_at}, now missing (`archiver verify "
                    "--full` forgets files removed on purpose)"
                )


def _records(run: _Run, scans: ScanSet, ready: bool) -> tuple[Check, _Read]:
    """The records check over the records files read this run.

    The articles of the records read and of the WARC files read (`scans`) are touched: they
    are re-extracted whole, and their records in unchanged files read too, for the
    baselines. Returns the check and what the later checks need (`_Read`).
    """
    check = Check("records", "JSON records valid, captures resolve to their WARC records")
    layout = ArchiveLayout(run.root)
    names = [layout.relative(p) for p in sorted(layout.records_root.glob("*/*.jsonl"))]
    plan = run.plan("records", names, (*RECORDS_CHECKS, *(("replay",) if ready else ())))
    _gone(run, check, "records/", names)
    read = _Read(StoredRecords(run.root), {}, Baselines(run.root, {}), 0)
    finder = BaselineFinder()
    later: list[tuple[str, str]] = []  # capture problems, reported after the carried ones
    for name in plan.reasons:
        for number, position, line in numbered_lines(run.root / name):
            try:
                record = Article.model_validate_json(line)
            except ValueError as exc:
                check.checked += 1
                reason = str(exc).splitlines()[0]
                run.problem(check, name, f"{name}:{number}: not a valid record: {reason}")
                continue
            where = (name, number, position)
            later += _record_read(run, read, finder, where, record)
    in_progress = read.in_progress  # of the files read: the others' are not this check's
    _articles_in(scans, run.plans["warc"].reasons, read.touched)
    for name in plan.unchanged:
        _old_records(run, read, finder, name)
    run.carry(check, plan)
    for file, problem in later:
        run.problem(check, file, problem)
    check.checked += len(read.stored)
    check.skipped = in_progress
    if in_progress:
        check.notes.append(f"{in_progress} record(s) with captures in open WARC files: in progress")
    read.baselines = finder.baselines(run.root)
    return check, read


def _record_read(
    run: _Run, read: _Read, finder: BaselineFinder, where: tuple[str, int, int], record: Article
) -> list[tuple[str, str]]:
    """Keep a record of a file read (line `number` of `name`, at text `position`) and return
    its capture problems, (file, problem) each."""
    name, number, position = where
    key = (sys.intern(record.site), record.article_id)
    read.touched[key] = RECORDED
    if any(c.warc_file in run.opened for c in record.captures):
        read.in_progress += 1
        run.incomplete.add(name)
        return []
    current = generation(record.extractor) == current_generation()
    read.stored.add(name, number, position, record, current)
    finder.add(key, record, current, (name, position))
    return [(name, f"{name}:{number}: {p}") for p in capture_problems(run.root, record)]


def _old_records(run: _Run, read: _Read, finder: BaselineFinder, name: str) -> None:
    """The touched articles of an unchanged records file are marked RECORDED, and their
    records go to the baselines (a plain JSON read first: most lines are of untouched
    articles)."""
    in_progress = 0
    for _, position, line in numbered_lines(run.root / name):
        try:
            data = json.loads(line)
            key = (str(data["site"]), str(data["article_id"]))
        except (ValueError, KeyError, TypeError):
            continue  # its problem is in the ledger already
        if key in read.touched:
            read.touched[key] |= RECORDED
            try:
                record = Article.model_validate_json(line)
            except ValueError:
                continue
            if any(c.warc_file in run.opened for c in record.captures):
                in_progress += 1
                run.incomplete.add(name)
                continue
            current = generation(record.extractor) == current_generation()
            finder.add(key, record, current, (name, position))
    read.in_progress += in_progress


def capture_problems(root: Path, record: Article) -> list[str]:
    """Why the record's captures do not resolve; [] when each names its WARC record."""
    problems: list[str] = []
    if not record.captures:
        problems.append("no captures")
    for capture in record.captures:
        problems += ref_problems(root, capture)
    return problems


def ref_problems(root: Path, capture: CaptureRef) -> list[str]:
    """Why one CaptureRef does not name its WARC record (id, URI, status); [] when it does."""
    problems: list[str] = []
    where = f"capture {capture.warc_file} @{capture.warc_offset}"
    path = root / capture.warc_file
    if not path.is_file():
        problems.append(f"{where}: no such WARC file")
        return problems
    try:
        raw = read_record_at(path, capture.warc_offset)
    except WarcReadError as exc:
        problems.append(f"{where}: {exc.message}")
        return problems
    if raw.type not in ("response", "revisit"):
        problems.append(f"{where}: a {raw.type or 'untyped'} record, not a response")
    if raw.record_id != capture.warc_record_id:
        problems.append(f"{where}: record id {raw.record_id} != {capture.warc_record_id}")
    if raw.target_uri != capture.url:
        problems.append(f"{where}: record is for {raw.target_uri}, not {capture.url}")
    if raw.http_status is not None and raw.http_status != capture.status:
        problems.append(f"{where}: status {raw.http_status} != {capture.status}")
    return problems


def _revisits(run: _Run, scans: ScanSet) -> Check:
    check = Check("revisits", "revisit records: original indexed with the same payload digest")
    plan = run.plans["warc"]
    read = [name for name in scans.names if name in plan.reasons]

    def revisits() -> Iterator[RecordMeta]:
        return (m for n in read for m in scans.load(n).records if m.type == "revisit")

    originals = originals_for(scans, revisits())
    for meta in revisits():
        check.checked += 1
        where = f"{meta.warc_file} @{meta.offset} revisit {meta.url}"
        original = originals.original(meta)
        problem = None
        if original is None:
            problem = f"{where}: no original response in the archive"
        elif not meta.refers_to_uri:
            problem = f"{where}: no WARC-Refers-To-Target-URI (pywb needs it)"
        elif original.payload_digest != meta.payload_digest:
            problem = (
                f"{where}: payload digest {meta.payload_digest} != original's "
                f"{original.payload_digest} (pywb finds no original)"
            )
        if problem is not None:
            run.problem(check, meta.warc_file, problem)
    run.carry(check, plan)
    return check


def _events(run: _Run) -> Check:
    check = Check("events", "captures named by events/ (deletions) resolve to their WARC records")
    layout = ArchiveLayout(run.root)
    names = [layout.relative(p) for p in sorted(layout.events_root.glob("*/*.jsonl"))]
    plan = run.plan("events", names, EVENTS_CHECKS)
    for name in plan.reasons:
        try:
            events = list(read_events(run.root / name))
        except ValueError as exc:
            run.problem(check, name, f"{name}: not a valid event: {str(exc).splitlines()[0]}")
            continue
        for number, event in enumerate(events, 1):
            if event.capture is None:
                continue
            if event.capture.warc_file in run.opened:
                check.skipped += 1
                run.incomplete.add(name)
                continue
            check.checked += 1
            for problem in ref_problems(run.root, event.capture):
                run.problem(check, name, f"{name}:{number}: {problem}")
    run.carry(check, plan)
    return check


def _unrecorded(run: _Run, result: ReextractResult, planned: _Planned, running: bool) -> Check:
    check = Check(
        "unrecorded", "every article captured with status 200 has a record or fails extraction"
    )
    # Archived as received and never parsed, as the crawl did: skipped, not damage.
    oversize = {url for url, reason in result.failed_urls if reason == TOO_LARGE}
    plan = run.plans["warc"]
    check.checked += planned.on_record
    for key, (url, files) in sorted(planned.unrecorded.items()):
        # Its problem is kept with the first of its files read this run.
        home = next((f for f in files if f in plan.reasons), files[0] if files else "")
        if url in oversize:
            check.skipped += 1
        elif key not in planned.extracted:
            check.checked += 1  # re-extraction fails too: a failure the crawl counted
        elif running:
            check.skipped += 1  # its record may still be on its way
            run.incomplete.update(files)
        else:
            check.checked += 1
            problem = (
                f"{key[0]}/{key[1]} ({url}): archived with status 200 and extracts to a "
                "record, but no record was written"
            )
            run.problem(check, home, problem)
    # An article looked at again this run is settled by this run, not by the ledger.
    run.carry(check, plan, keep=lambda p: not planned.looked_at(_problem_article(p)))
    _unrecorded_notes(check, planned, oversize, running)
    return check


def _problem_article(problem: str) -> ArticleKey:
    """The article an unrecorded problem names ("<site>/<article_id> (<url>): ..."); ("", "")
    when it names none."""
    head = problem[: problem.find("(") + 1]
    if not head.endswith(" ("):
        return ("", "")
    site, slash, article_id = head[:-2].partition("/")
    return (site, article_id) if slash else ("", "")


def _unrecorded_notes(check: Check, planned: _Planned, oversize: set[str], running: bool) -> None:
    failed = sum(
        1
        for key, (url, _) in planned.unrecorded.items()
        if key not in planned.extracted and url not in oversize
    )
    check.notes.append(
        f"{failed} article(s) without a record fail re-extraction too (extraction failures "
        "are counted per run in runs/*.json, not kept per URL)"
    )
    too_large = sorted(oversize)
    if too_large:
        check.notes.append(
            f"{len(too_large)} capture(s) inflate past the decoded-size limit, archived as "
            f"received and not extracted: {' '.join(too_large[:5])}"
        )
    if running:
        check.notes.append("a crawl is running: articles without a record yet are skipped")


def _reextract(run: _Run, result: ReextractResult, rematch: Rematch) -> Check:
    check = Check("reextract", "re-extraction from WARC reproduces each record byte for byte")
    check.problems += [f"corrupt: {c}" for c in result.corrupt]
    stored = rematch.stored
    alternates = 0
    for n in range(len(stored)):
        if not stored.current[n]:
            check.skipped += 1  # another extractor version: not expected to match
            continue
        check.checked += 1
        verdict = rematch.verdicts[n]
        if verdict == MATCH:
            continue
        where, file = stored.where(n), stored.file(n)
        if verdict == DIFFERS:
            run.problem(check, file, f"{where}: re-extraction differs in {rematch.differing[n]}")
        elif n in rematch.alternates:
            # Made from a later capture of content an earlier one already had: what a worker
            # sharing the index with others writes when its claim on the version came first.
            digest = sha256(stored.line(n).encode("utf-8")).hexdigest()
            if digest == rematch.alternates[n]:
                alternates += 1
                continue
            problem = f"{where}: re-extraction of its captures (after an earlier capture "
            run.problem(check, file, problem + "of the same content) differs")
        else:
            run.problem(check, file, f"{where}: re-extraction gives no record for its captures")
    if alternates:
        check.notes.append(
            f"{alternates} record(s) made from a later capture of content an earlier capture "
            "had (crawls on several machines sharing one index): reproduced from their own "
            "captures"
        )
    run.carry(check, run.plans["records"])
    return check


def _replay(run: _Run, env: ReplayEnv, stored: StoredRecords, *, required: bool) -> Check:
    check = Check("replay", "every capture of every record is in the pywb replay index")
    if not env.ready:
        # Right after a first crawl pywb is usually not set up yet: that is a check left
        # undone, not damage to the archive; an environment the user named must be there.
        setup = f"`archiver replay --setup --env {env.path}` (or `make pywb`)"
        if required:
            check.problems.append(f"no pywb environment at {env.path}: run {setup}")
        else:
            check.not_run = f"no pywb environment at {env.path}; run {setup} to check replay"
        return check
    try:
        report = update_index(run.root, env)
    except OSError as exc:
        # A full disk under the archive: reported, and the captures checked against the index
        # as it stands.
        where = f"{exc.filename}: " if exc.filename else ""
        check.problems.append(f"replay index not updated: {where}{exc.strerror or exc}")
    else:
        check.problems += [f"{name}: cdxj-indexer failed: {e}" for name, e in report.failed.items()]
    missing = stored.unindexed(indexed_locations(run.root, set(stored.warc_files)))
    for n in range(len(stored)):
        record: Article | None = None
        for i, file, offset in stored.captures(n):
            check.checked += 1
            if (file, offset) in missing:
                record = record or stored.record(n)
                problem = (
                    f"{stored.where(n)}: {record.captures[i].url} ({file} @{offset}) "
                    "not in the replay index"
                )
                run.problem(check, stored.file(n), problem)
    run.carry(check, run.plans["records"])
    return check
