"""`archiver verify`: check the whole archive, WARC bytes to replay index; exit 1 on a problem."""

from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pebble import ProcessPool

from archiver.errors import ArchiverError
from archiver.layout import OPEN_SUFFIX, ArchiveLayout, left_by_dead_writer
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
from archiver.warc.scan import Originals, closed_warc_files


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

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "checked": self.checked,
            "skipped": self.skipped,
            "problems": self.problems,
            "notes": self.notes,
            "not_run": self.not_run or None,
        }


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


def verify_archive(
    root: Path, env: ReplayEnv, workers: int | None = None, *, replay_required: bool = False
) -> list[Check]:
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

    A record with a capture in a WARC file still open (`.warc.gz.open`: a crawl is writing it,
    or one was killed) is "in progress": counted as skipped in records, reextract and replay,
    never a problem. Raises ArchiverError when `root` holds no warc/ folder.
    """
    layout = ArchiveLayout(root)
    if not layout.warc_root.is_dir():
        raise ArchiverError(f"no WARC files under {layout.warc_root}: is --dir an archive?")
    workers = workers or os.cpu_count() or 1
    opened = open_warcs(root)
    warc = _warc_files(layout, opened, workers)
    stored, unreadable = load_records(root)
    in_progress = [s for s in stored if any(c.warc_file in opened for c in s.record.captures)]
    busy = {s.where for s in in_progress}
    done = [s for s in stored if s.where not in busy]
    result = run_reextract(root, workers=workers, baselines=baselines(done))
    records = _records(root, done, unreadable, len(in_progress))
    reextract = _reextract(result, done)
    reextract.skipped += len(in_progress)
    replay = _replay(root, env, done, required=replay_required)
    replay.skipped += len(in_progress)
    running = any(o.alive for o in opened.values())
    return [
        warc,
        _revisits(result),
        records,
        _events(root, opened),
        reextract,
        _unrecorded(result, stored, running),
        replay,
    ]


def _warc_files(layout: ArchiveLayout, opened: dict[str, OpenWarc], workers: int) -> Check:
    check = Check("warc", "WARC files: digests, header/body consistency, pairing")
    check.notes += [o.note() for o in opened.values()]
    check.skipped = len(opened)
    files = [layout.relative(p) for p in closed_warc_files(layout)]
    with ProcessPool(max_workers=workers) as pool:
        futures = [(name, pool.schedule(check_file, args=(layout.root / name,))) for name in files]
        for name, future in futures:
            check.checked += 1
            try:
                check.problems += [f"{name} {p}" for p in future.result()]
            except Exception as exc:
                check.problems.append(f"{name}: cannot check: {exc!r}")
    return check


def _records(
    root: Path, done: list[StoredRecord], unreadable: list[str], in_progress: int
) -> Check:
    check = Check("records", "JSON records valid, captures resolve to their WARC records")
    check.problems += unreadable
    check.checked = len(done) + len(unreadable)
    check.skipped = in_progress
    if in_progress:
        check.notes.append(f"{in_progress} record(s) with captures in open WARC files: in progress")
    for item in done:
        check.problems += [f"{item.where}: {p}" for p in capture_problems(root, item.record)]
    return check


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


def load_records(root: Path) -> tuple[list[StoredRecord], list[str]]:
    """Every line of root/records/*/*.jsonl parsed, and the problems of lines that are not."""
    stored: list[StoredRecord] = []
    problems: list[str] = []
    layout = ArchiveLayout(root)
    for path in sorted(layout.records_root.glob("*/*.jsonl")):
        name = layout.relative(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                stored.append(
                    StoredRecord(f"{name}:{number}", line, Article.model_validate_json(line))
                )
            except ValueError as exc:
                first = str(exc).splitlines()[0]
                problems.append(f"{name}:{number}: not a valid record: {first}")
    return stored, problems


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


def _revisits(result: ReextractResult) -> Check:
    check = Check("revisits", "revisit records: original indexed with the same payload digest")
    everything = [m for scan in result.scans for m in scan.records]
    originals = Originals(everything)
    for meta in everything:
        if meta.type != "revisit":
            continue
        check.checked += 1
        where = f"{meta.warc_file} @{meta.offset} revisit {meta.url}"
        original = originals.original(meta)
        if original is None:
            check.problems.append(f"{where}: no original response in the archive")
        elif not meta.refers_to_uri:
            check.problems.append(f"{where}: no WARC-Refers-To-Target-URI (pywb needs it)")
        elif original.payload_digest != meta.payload_digest:
            check.problems.append(
                f"{where}: payload digest {meta.payload_digest} != original's "
                f"{original.payload_digest} (pywb finds no original)"
            )
    return check


def _events(root: Path, opened: dict[str, OpenWarc]) -> Check:
    check = Check("events", "captures named by events/ (deletions) resolve to their WARC records")
    layout = ArchiveLayout(root)
    for path in sorted(layout.events_root.glob("*/*.jsonl")):
        name = layout.relative(path)
        try:
            events = list(read_events(path))
        except ValueError as exc:
            check.problems.append(f"{name}: not a valid event: {str(exc).splitlines()[0]}")
            continue
        for number, event in enumerate(events, 1):
            if event.capture is None:
                continue
            if event.capture.warc_file in opened:
                check.skipped += 1
                continue
            check.checked += 1
            check.problems += [f"{name}:{number}: {p}" for p in ref_problems(root, event.capture)]
    return check


def _unrecorded(result: ReextractResult, stored: list[StoredRecord], running: bool) -> Check:
    check = Check(
        "unrecorded", "every article captured with status 200 has a record or fails extraction"
    )
    recorded = {(s.record.site, s.record.article_id) for s in stored}
    extracts = {(line.site, line.article_id) for line in result.lines}
    # Archived as received and never parsed, as the crawl did: skipped, not damage.
    oversize = {url for url, reason in result.failed_urls if reason == TOO_LARGE}
    for key, url in sorted(result.planned.items()):
        if key in recorded:
            check.checked += 1
        elif url in oversize:
            check.skipped += 1
        elif key not in extracts:
            check.checked += 1  # re-extraction fails too: a failure the crawl counted
        elif running:
            check.skipped += 1  # its record may still be on its way
        else:
            check.checked += 1
            check.problems.append(
                f"{key[0]}/{key[1]} ({url}): archived with status 200 and extracts to a "
                "record, but no record was written"
            )
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
    return check


def _reextract(result: ReextractResult, stored: list[StoredRecord]) -> Check:
    check = Check("reextract", "re-extraction from WARC reproduces each record byte for byte")
    check.problems += [f"corrupt: {c}" for c in result.corrupt]
    fresh = {line.capture_ids: line.line for line in result.lines}
    current = current_generation()
    for item in stored:
        if generation(item.record.extractor) != current:
            check.skipped += 1  # another extractor version: not expected to match
            continue
        check.checked += 1
        ids = tuple(c.warc_record_id for c in item.record.captures)
        again = fresh.get(ids)
        if again is None:
            check.problems.append(f"{item.where}: re-extraction gives no record for its captures")
        elif again != item.line:
            check.problems.append(
                f"{item.where}: re-extraction differs in {', '.join(_differing(item.line, again))}"
            )
    return check


def _replay(root: Path, env: ReplayEnv, stored: list[StoredRecord], *, required: bool) -> Check:
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
        report = update_index(root, env)
    except OSError as exc:
        # A full disk under the archive: reported, and the captures checked against the index
        # as it stands.
        where = f"{exc.filename}: " if exc.filename else ""
        check.problems.append(f"replay index not updated: {where}{exc.strerror or exc}")
    else:
        check.problems += [f"{name}: cdxj-indexer failed: {e}" for name, e in report.failed.items()]
    indexed = indexed_locations(root)
    for item in stored:
        for capture in item.record.captures:
            check.checked += 1
            if (capture.warc_file, capture.warc_offset) not in indexed:
                check.problems.append(
                    f"{item.where}: {capture.url} ({capture.warc_file} @{capture.warc_offset}) "
                    "not in the replay index"
                )
    return check


def _differing(old: str, new: str) -> list[str]:
    before, after = json.loads(old), json.loads(new)
    names = [k for k in after if before.get(k) != after[k]]
    names += [k for k in before if k not in after]
    return names or ["key order or formatting"]
