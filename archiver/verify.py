"""`archiver verify`: check the whole archive, WARC bytes to replay index; exit 1 on a problem."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pebble import ProcessPool

from archiver.archive_scan import Originals
from archiver.errors import CommandError
from archiver.record import Article
from archiver.reextract import ReextractResult, run_reextract
from archiver.replay.env import ReplayEnv
from archiver.replay.index import indexed_locations, update_index, warc_files
from archiver.warc.consistency import check_file
from archiver.warc.raw import WarcReadError, read_record_at


@dataclass
class Check:
    """One line of the summary: what was looked at, what was wrong, what was left aside."""

    name: str
    description: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    skipped: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "checked": self.checked,
            "skipped": self.skipped,
            "problems": self.problems,
        }


@dataclass(frozen=True)
class StoredRecord:
    """One line of a records/ file, parsed."""

    where: str  # "records/<site>/<file>.jsonl:<line>"
    line: str
    record: Article


def verify_archive(root: Path, env: ReplayEnv, workers: int | None = None) -> list[Check]:
    """Run every check on the archive at `root`; each Check lists its problems.

    warc: every closed WARC file passes consistency.check_file (reads to the end, digests,
    header/body consistency of every response, request/response pairing). revisits: every
    revisit record has its original (same URI and date, same payload digest, as pywb needs).
    records: every records/ line is a valid record whose captures name the record at their
    offset (id, URI, status). reextract: re-extraction from the WARC files gives every record
    made by this extractor version byte for byte (other versions are counted as skipped).
    replay: the replay index, brought up to date, holds every capture of every record.
    Raises CommandError when `root` holds no warc/ folder.
    """
    if not (root / "warc").is_dir():
        raise CommandError(f"no WARC files under {root / 'warc'}: is --dir an archive?")
    workers = workers or os.cpu_count() or 1
    files = [p.relative_to(root).as_posix() for p in warc_files(root)]
    warc = Check("warc", "WARC files: digests, header/body consistency, pairing")
    with ProcessPool(max_workers=workers) as pool:
        futures = [(name, pool.schedule(check_file, args=(root / name,))) for name in files]
        for name, future in futures:
            warc.checked += 1
            try:
                warc.problems += [f"{name} {p}" for p in future.result()]
            except Exception as exc:
                warc.problems.append(f"{name}: cannot check: {exc!r}")
    result = run_reextract(root, workers=workers)
    stored, unreadable = load_records(root)
    records = Check("records", "JSON records valid, captures resolve to their WARC records")
    records.problems += unreadable
    records.checked = len(stored) + len(unreadable)
    for item in stored:
        records.problems += [f"{item.where}: {p}" for p in capture_problems(root, item.record)]
    return [
        warc,
        _revisits(result),
        records,
        _reextract(result, stored),
        _replay(root, env, stored),
    ]


def load_records(root: Path) -> tuple[list[StoredRecord], list[str]]:
    """Every line of root/records/*/*.jsonl parsed, and the problems of lines that are not."""
    stored: list[StoredRecord] = []
    problems: list[str] = []
    for path in sorted(root.glob("records/*/*.jsonl")):
        name = path.relative_to(root).as_posix()
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
        where = f"capture {capture.warc_file} @{capture.warc_offset}"
        path = root / capture.warc_file
        if not path.is_file():
            problems.append(f"{where}: no such WARC file")
            continue
        try:
            raw = read_record_at(path, capture.warc_offset)
        except WarcReadError as exc:
            problems.append(f"{where}: {exc.message}")
            continue
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


def _reextract(result: ReextractResult, stored: list[StoredRecord]) -> Check:
    import archiver
    from archiver.boilerplate import TRAFILATURA_VERSION

    check = Check("reextract", "re-extraction from WARC reproduces each record byte for byte")
    check.problems += [f"corrupt: {c}" for c in result.corrupt]
    fresh = {line.capture_ids: line.line for line in result.lines}
    for item in stored:
        extractor = item.record.extractor
        if (extractor.archiver, extractor.trafilatura) != (
            archiver.__version__,
            TRAFILATURA_VERSION,
        ):
            check.skipped += 1  # another generation: not expected to match
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


def _replay(root: Path, env: ReplayEnv, stored: list[StoredRecord]) -> Check:
    check = Check("replay", "every capture of every record is in the pywb replay index")
    if not env.ready:
        check.problems.append(
            f"no pywb environment at {env.path}: run `archiver replay --setup` to check replay"
        )
        return check
    report = update_index(root, env)
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


def print_report(checks: list[Check], *, as_json: bool) -> int:
    """Print the summary table (or JSON); 1 when any check found a problem, else 0."""
    ok = not any(c.problems for c in checks)
    if as_json:
        print(json.dumps({"ok": ok, "checks": [c.as_json() for c in checks]}, indent=2))
        return 0 if ok else 1
    print(f"{'check':<10} {'checked':>8} {'skipped':>8} {'problems':>9}  what")
    for c in checks:
        print(f"{c.name:<10} {c.checked:>8} {c.skipped:>8} {len(c.problems):>9}  {c.description}")
    for c in checks:
        for problem in c.problems[:50]:
            print(f"{c.name}: {problem}")
        if len(c.problems) > 50:
            print(f"{c.name}: ... and {len(c.problems) - 50} more (use --json for all)")
    print("result: ok" if ok else "result: PROBLEMS FOUND")
    return 0 if ok else 1
