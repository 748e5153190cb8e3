"""`archiver verify`: check the archive, WARC bytes to replay index; exit 1 on a problem."""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from pebble import ProcessPool

from archiver.errors import ArchiverError
from archiver.layout import OPEN_SUFFIX, ArchiveLayout, left_by_dead_writer
from archiver.offline.articles import counted
from archiver.offline.ledger import (
    DEFAULT_SAMPLE_PERCENT,
    Entry,
    Ledger,
    Plan,
    cached_scan,
    forget_scans,
    save_scan,
)
from archiver.offline.reextract import (
    TOO_LARGE,
    Baseline,
    ReextractResult,
    current_generation,
    generation,
    run_reextract,
)
from archiver.record import Article, CaptureRef
from archiver.replay.env import ReplayEnv
from archiver.replay.index import indexed_locations, update_index
from archiver.store.events import read_events
from archiver.warc.consistency import check_file
from archiver.warc.raw import WarcReadError, read_record_at
from archiver.warc.scan import FileScan, Originals, closed_warc_files, scan_file

ArticleKey = tuple[str, str]

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


@dataclass(frozen=True)
class StoredRecord:
    """One line of a records/ file, parsed."""

    where: str  # "records/<site>/<file>.jsonl:<line>"
    line: str
    record: Article

    @property
    def file(self) -> str:
        return self.where.rpartition(":")[0]

    @property
    def key(self) -> ArticleKey:
        return (self.record.site, self.record.article_id)


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
    warc, scans = _warc_files(run)
    records, stored, recorded = _records(run, scans, ready=env.ready)
    in_progress = [s for s in stored if any(c.warc_file in run.opened for c in s.record.captures)]
    busy = {s.where for s in in_progress}
    run.incomplete |= {s.file for s in in_progress}
    done = [s for s in stored if s.where not in busy]
    affected = {s.key for s in stored} | _articles_in(scans, set(run.plans["warc"].reasons))
    result = run_reextract(
        run.root, workers=run.workers, baselines=baselines(done), scans=scans, only=affected
    )
    checked_records = set(run.plans["records"].reasons)
    done_checked = [s for s in done if s.file in checked_records]
    reextract = _reextract(run, result, done_checked)
    reextract.skipped += len(in_progress)
    replay = _replay(run, env, done_checked, required=replay_required)
    replay.skipped += len(in_progress)
    running = any(o.alive for o in run.opened.values())
    return [
        warc,
        _revisits(run, scans),
        records,
        _events(run),
        reextract,
        _unrecorded(run, result, recorded, running),
        replay,
    ]


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


def _articles_in(scans: list[FileScan], files: set[str]) -> set[ArticleKey]:
    """The articles with a capture counted (`counted`) in one of `files`."""
    found: set[ArticleKey] = set()
    for scan in scans:
        if scan.warc_file in files:
            for meta in scan.records:
                url = counted(meta)
                if url is not None:
                    found.add((url.site, url.article_id))
    return found


def _check_and_scan(root: Path, name: str) -> tuple[list[str], FileScan]:
    """What check_file finds in root/name, and its scan (runs in a worker process)."""
    return check_file(root / name), scan_file(root, name)


def _warc_files(run: _Run) -> tuple[Check, list[FileScan]]:
    """The warc check over the files read this run, and the scan of every closed file."""
    check = Check("warc", "WARC files: digests, header/body consistency, pairing")
    check.notes += [o.note() for o in run.opened.values()]
    check.skipped = len(run.opened)
    layout = ArchiveLayout(run.root)
    names = [layout.relative(p) for p in closed_warc_files(layout)]
    plan = run.plan("warc", names, WARC_CHECKS)
    _gone(run, check, "warc/", names)
    scans: dict[str, FileScan] = {}
    with ProcessPool(max_workers=run.workers) as pool:
        reading = {n: pool.schedule(_check_and_scan, args=(run.root, n)) for n in plan.reasons}
        cached = {n: cached_scan(run.root, n, plan.keys[n]) for n in plan.unchanged}
        scanning = {
            n: pool.schedule(scan_file, args=(run.root, n)) for n, s in cached.items() if s is None
        }
        scans.update({n: s for n, s in cached.items() if s is not None})
        for name, future in reading.items():
            check.checked += 1
            try:
                problems, scans[name] = future.result()
            except Exception as exc:
                run.problem(check, name, f"{name}: cannot check: {exc!r}")
                run.incomplete.add(name)
                continue
            save_scan(run.root, scans[name], plan.keys[name])
            for problem in problems:
                run.problem(check, name, f"{name} {problem}")
        for name, scanned in scanning.items():
            scans[name] = scanned.result()
            save_scan(run.root, scans[name], plan.keys[name])
    run.carry(check, plan)
    return check, [scans[n] for n in names if n in scans]


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


def _records(
    run: _Run, scans: list[FileScan], *, ready: bool
) -> tuple[Check, list[StoredRecord], set[ArticleKey]]:
    """The records check over the records files read this run.

    Returns the check; the records of the files read and, from unchanged files, those of
    articles touched by this run (read whole for re-extraction); and every recorded article.
    """
    check = Check("records", "JSON records valid, captures resolve to their WARC records")
    layout = ArchiveLayout(run.root)
    names = [layout.relative(p) for p in sorted(layout.records_root.glob("*/*.jsonl"))]
    plan = run.plan("records", names, (*RECORDS_CHECKS, *(("replay",) if ready else ())))
    _gone(run, check, "records/", names)
    stored: list[StoredRecord] = []
    for name in plan.reasons:
        for where, line, parsed in _lines(run.root, name):
            if isinstance(parsed, str):
                check.checked += 1
                run.problem(check, name, f"{where}: not a valid record: {parsed}")
            else:
                stored.append(StoredRecord(where, line, parsed))
    touched = {s.key for s in stored} | _articles_in(scans, set(run.plans["warc"].reasons))
    recorded = {s.key for s in stored}
    for name in plan.unchanged:
        recorded |= _old_records(run.root, name, touched, stored)
    run.carry(check, plan)
    in_progress = 0
    for item in stored:
        if item.file not in plan.reasons:
            continue
        if any(c.warc_file in run.opened for c in item.record.captures):
            in_progress += 1
            continue
        check.checked += 1
        for problem in capture_problems(run.root, item.record):
            run.problem(check, item.file, f"{item.where}: {problem}")
    check.skipped = in_progress
    if in_progress:
        check.notes.append(f"{in_progress} record(s) with captures in open WARC files: in progress")
    return check, stored, recorded


def _lines(root: Path, name: str) -> Iterable[tuple[str, str, Article | str]]:
    """(where, line, record or why it is not one) of every line of a records file."""
    with (root / name).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            try:
                yield f"{name}:{number}", line, Article.model_validate_json(line)
            except ValueError as exc:
                yield f"{name}:{number}", line, str(exc).splitlines()[0]


def _old_records(
    root: Path, name: str, touched: set[ArticleKey], stored: list[StoredRecord]
) -> set[ArticleKey]:
    """The articles of an unchanged records file; its records of `touched` articles are
    appended to `stored` (a plain JSON read first: most lines are of untouched articles)."""
    keys: set[ArticleKey] = set()
    with (root / name).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            try:
                data = json.loads(line)
                key = (str(data["site"]), str(data["article_id"]))
            except (ValueError, KeyError, TypeError):
                continue  # its problem is in the ledger already
            keys.add(key)
            if key in touched:
                try:
                    record = Article.model_validate_json(line)
                except ValueError:
                    continue
                stored.append(StoredRecord(f"{name}:{number}", line, record))
    return keys


def baselines(stored: list[StoredRecord]) -> dict[tuple[str, str], Baseline]:
    """Per article, where its records pass from an older extractor version to the current one.

    Records of one article are taken in capture order; the last place where a record of the
    current version follows one of another version is the baseline `reextract` numbers
    versions from, as the crawl (archiver.store.versions) did; else, when the first record is a
    version 1 of the current version, its first capture (earlier captures had no record).
    """
    current = current_generation()
    by_article: dict[tuple[str, str], list[StoredRecord]] = {}
    for item in stored:
        if item.record.captures:
            by_article.setdefault((item.record.site, item.record.article_id), []).append(item)
    found: dict[tuple[str, str], Baseline] = {}
    for key, items in by_article.items():
        items.sort(key=lambda i: (i.record.captures[0].fetched_at, i.record.version))
        first = items[0].record
        if first.version == 1 and generation(first.extractor) == current:
            # Captures before the first record were never recorded (the run was killed or
            # stopped by a full disk before it could): the crawl numbered from this one.
            found[key] = Baseline(None, first.captures[0].warc_record_id)
        for before, after in itertools.pairwise(items):
            if (
                generation(before.record.extractor) != current
                and generation(after.record.extractor) == current
            ):
                found[key] = Baseline(before.line, after.record.captures[0].warc_record_id)
    return found


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


def _revisits(run: _Run, scans: list[FileScan]) -> Check:
    check = Check("revisits", "revisit records: original indexed with the same payload digest")
    originals = Originals(m for scan in scans for m in scan.records)
    plan = run.plans["warc"]
    for meta in (m for scan in scans if scan.warc_file in plan.reasons for m in scan.records):
        if meta.type != "revisit":
            continue
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


def _unrecorded(
    run: _Run, result: ReextractResult, recorded: set[ArticleKey], running: bool
) -> Check:
    check = Check(
        "unrecorded", "every article captured with status 200 has a record or fails extraction"
    )
    extracts = {(line.site, line.article_id) for line in result.lines}
    # Archived as received and never parsed, as the crawl did: skipped, not damage.
    oversize = {url for url, reason in result.failed_urls if reason == TOO_LARGE}
    plan = run.plans["warc"]
    for key, url in sorted(result.planned.items()):
        files = result.planned_files.get(key, ())
        # Its problem is kept with the first of its files read this run.
        home = next((f for f in files if f in plan.reasons), files[0] if files else "")
        if key in recorded:
            check.checked += 1
        elif url in oversize:
            check.skipped += 1
        elif key not in extracts:
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
    planned = {f"{site}/{article_id} (" for site, article_id in result.planned}
    run.carry(check, plan, keep=lambda p: p[: p.find("(") + 1] not in planned)
    _unrecorded_notes(check, result, recorded, oversize, running)
    return check


def _unrecorded_notes(
    check: Check,
    result: ReextractResult,
    recorded: set[ArticleKey],
    oversize: set[str],
    running: bool,
) -> None:
    extracts = {(line.site, line.article_id) for line in result.lines}
    failed = sum(
        1
        for key, url in result.planned.items()
        if key not in recorded and key not in extracts and url not in oversize
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


def _reextract(run: _Run, result: ReextractResult, stored: list[StoredRecord]) -> Check:
    check = Check("reextract", "re-extraction from WARC reproduces each record byte for byte")
    check.problems += [f"corrupt: {c}" for c in result.corrupt]
    fresh = {line.capture_ids: line.line for line in result.lines}
    current = current_generation()
    alternates = 0
    for item in stored:
        if generation(item.record.extractor) != current:
            check.skipped += 1  # another extractor version: not expected to match
            continue
        check.checked += 1
        ids = tuple(c.warc_record_id for c in item.record.captures)
        again = fresh.get(ids)
        if again is None and ids in result.alternates:
            # Made from a later capture of content an earlier one already had: what a worker
            # sharing the index with others writes when its claim on the version came first.
            digest = sha256(item.line.encode("utf-8")).hexdigest()
            if digest == result.alternates[ids]:
                alternates += 1
                continue
            problem = f"{item.where}: re-extraction of its captures (after an earlier capture "
            run.problem(check, item.file, problem + "of the same content) differs")
            continue
        if again is None:
            problem = f"{item.where}: re-extraction gives no record for its captures"
            run.problem(check, item.file, problem)
        elif again != item.line:
            differing = ", ".join(_differing(item.line, again))
            run.problem(check, item.file, f"{item.where}: re-extraction differs in {differing}")
    if alternates:
        check.notes.append(
            f"{alternates} record(s) made from a later capture of content an earlier capture "
            "had (crawls on several machines sharing one index): reproduced from their own "
            "captures"
        )
    run.carry(check, run.plans["records"])
    return check


def _replay(run: _Run, env: ReplayEnv, stored: list[StoredRecord], *, required: bool) -> Check:
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
    files = {c.warc_file for item in stored for c in item.record.captures}
    indexed = indexed_locations(run.root, files)
    for item in stored:
        for capture in item.record.captures:
            check.checked += 1
            if (capture.warc_file, capture.warc_offset) not in indexed:
                problem = (
                    f"{item.where}: {capture.url} ({capture.warc_file} @{capture.warc_offset}) "
                    "not in the replay index"
                )
                run.problem(check, item.file, problem)
    run.carry(check, run.plans["records"])
    return check


def _differing(old: str, new: str) -> list[str]:
    before, after = json.loads(old), json.loads(new)
    names = [k for k in after if before.get(k) != after[k]]
    names += [k for k in before if k not in after]
    return names or ["key order or formatting"]
