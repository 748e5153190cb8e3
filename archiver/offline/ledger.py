"""What `verify` (and `reextract`) already read: per-file results and WARC scans, kept on disk."""

# ARCHIVER_DIR/verify/ledger.json holds, per WARC, records and events file, the file's key
# (`file_key`), when it was last verified and the problems each check found in it; unchanged
# files are not read again, their problems are reported again until the file changes. Beside
# it, verify/scans/ keeps each WARC file's scan (`archiver.warc.scan.FileScan`), shared by
# `verify` and `reextract`: a file scanned by one is not decompressed to be scanned by the other.

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.durable import taking_turns, write_atomic
from archiver.warc.scan import FileScan, RecordMeta

LEDGER_VERSION = 1
VERIFY_DIR = "verify"
"""Under ARCHIVER_DIR: the ledger, its lock and the scan cache."""
DEFAULT_SAMPLE_PERCENT = 5.0
"""Share of the unchanged files each verify re-reads anyway (least recently verified first): at
5 %, every file is read again within 20 runs."""
_ENDS = 4096

FileKeyValue = list[int | str]


def file_key(path: Path) -> FileKeyValue:
    """[size, mtime in ns, sha256 of the first and last 4 KiB]: what tells a file changed.

    A WARC file is appended to, then closed and never written again; records and events files
    only grow. Any write (an append, a repair cutting a file back, an edit) changes the size or
    the modification time, and a copy that keeps both but not the bytes at either end is caught
    by the digest. What none of these sees (bits rotting in the middle of a file, its time kept)
    is found by the rotating sample, which re-reads every file in turn. Raises OSError.
    """
    stat = path.stat()
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        digest.update(fh.read(_ENDS))
        if stat.st_size > _ENDS:
            fh.seek(max(_ENDS, stat.st_size - _ENDS))
            digest.update(fh.read(_ENDS))
    return [stat.st_size, stat.st_mtime_ns, digest.hexdigest()]


@dataclass
class Entry:
    """One file as last verified: its key, when (ISO UTC), and its problems by check name.

    A check absent from `problems` did not run on the file (e.g. `replay` without pywb)."""

    key: FileKeyValue
    verified_at: str
    problems: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "verified_at": self.verified_at, "problems": self.problems}


@dataclass
class Plan:
    """Which files of one kind a run reads, and why; the rest are unchanged and skipped."""

    reasons: dict[str, str] = field(default_factory=dict)  # name -> "new" | "changed" | "sample"
    unchanged: list[str] = field(default_factory=list)
    keys: dict[str, FileKeyValue] = field(default_factory=dict)

    def count(self, reason: str) -> int:
        return sum(1 for r in self.reasons.values() if r == reason)


class Ledger:
    """The ledger of one archive; `entries` by file name relative to the root."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / VERIFY_DIR / "ledger.json"
        self.entries: dict[str, Entry] = {}
        self.note = ""  # set when a damaged ledger was set aside

    @classmethod
    def load(cls, root: Path) -> Ledger:
        """The ledger as saved; empty when there is none, or when it is damaged (`note` says
        so in one line; the run then checks everything and writes a new one)."""
        ledger = cls(root)
        try:
            ledger.entries = _parse(ledger.path.read_bytes())
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError, KeyError) as exc:
            ledger.note = (
                f"the verify ledger {ledger.path} was unreadable ({type(exc).__name__}); "
                "every file is checked and a new ledger written"
            )
        return ledger

    def plan(
        self,
        names: list[str],
        needed: frozenset[str],
        *,
        full: bool = False,
        sample_percent: float = DEFAULT_SAMPLE_PERCENT,
    ) -> Plan:
        """Sort `names` (files of one kind) into new, changed, sample and unchanged.

        Changed: the key differs, or a check in `needed` has not run on it. The sample is
        ceil(`sample_percent` % of the unchanged files), least recently verified first (then by
        name): deterministic, and every file's turn comes. `full`: every file, as changed or new.
        A file that cannot be stat'ed is "changed" (its check says why).
        """
        plan = Plan()
        for name in names:
            try:
                plan.keys[name] = file_key(self.root / name)
            except OSError:
                plan.keys[name] = []
            entry = self.entries.get(name)
            if entry is None:
                plan.reasons[name] = "new"
            elif full or entry.key != plan.keys[name] or not needed <= entry.problems.keys():
                plan.reasons[name] = "changed"
            else:
                plan.unchanged.append(name)
        share = max(0.0, min(sample_percent, 100.0)) / 100
        turns = sorted(plan.unchanged, key=lambda n: (self.entries[n].verified_at, n))
        for name in turns[: math.ceil(len(turns) * share)]:
            plan.reasons[name] = "sample"
        plan.unchanged = [n for n in plan.unchanged if n not in plan.reasons]
        return plan

    def problems(self, name: str, check: str) -> list[str]:
        """The problems `check` found in the file when it was last verified."""
        entry = self.entries.get(name)
        return list(entry.problems.get(check, [])) if entry is not None else []

    def save(self, updates: Mapping[str, Entry], gone: set[str]) -> None:
        """Merge `updates` into the ledger on disk and drop `gone`, atomically.

        Under verify/ledger.lock (flock), the file is read again and merged, so concurrent
        runs lose nothing: of two entries for one file the later verified_at wins. Raises
        OSError.
        """
        with taking_turns(self.path.with_name("ledger.lock")):
            try:
                current = _parse(self.path.read_bytes())
            except (OSError, ValueError, TypeError, KeyError):
                current = {}
            for name, entry in updates.items():
                old = current.get(name)
                if old is None or old.verified_at <= entry.verified_at:
                    current[name] = entry
            for name in gone:
                current.pop(name, None)
            self.entries = current
            body = {
                "version": LEDGER_VERSION,
                "files": {n: current[n].as_json() for n in sorted(current)},
            }
            write_atomic(self.path, json.dumps(body, indent=1).encode() + b"\n")


def _parse(data: bytes) -> dict[str, Entry]:
    body = json.loads(data)
    if not isinstance(body, dict) or body.get("version") != LEDGER_VERSION:
        raise ValueError("not a verify ledger of this version")
    entries: dict[str, Entry] = {}
    for name, raw in body["files"].items():
        problems = {str(k): [str(p) for p in v] for k, v in raw["problems"].items()}
        entries[str(name)] = Entry(list(raw["key"]), str(raw["verified_at"]), problems)
    return entries


# -- the scan cache ---------------------------------------------------------------------------

_META_FIELDS = (
    "offset",
    "type",
    "record_id",
    "url",
    "date",
    "status",
    "payload_digest",
    "refers_to",
    "refers_to_uri",
    "refers_to_date",
    "truncated",
)


def _scan_path(root: Path, warc_file: str) -> Path:
    return root / VERIFY_DIR / "scans" / (warc_file + ".json")


def cached_scan(root: Path, warc_file: str, key: FileKeyValue) -> FileScan | None:
    """The saved scan of `warc_file` when it was made from the file as it is now (same key)."""
    try:
        body = json.loads(_scan_path(root, warc_file).read_bytes())
        if body["key"] != key or not key:
            return None
        records = [
            RecordMeta(warc_file, **dict(zip(_META_FIELDS, row, strict=True)))
            for row in body["records"]
        ]
        return FileScan(warc_file, records, [str(c) for c in body["corrupt"]])
    except (OSError, ValueError, TypeError, KeyError):
        return None  # none saved, or damaged: the file is scanned again


def save_scan(root: Path, scan: FileScan, key: FileKeyValue) -> bool:
    """Keep `scan` for the next run; a read-only archive or a full disk only costs the cache.
    True when it was saved."""
    if not key:
        return False
    rows = [[getattr(m, f) for f in _META_FIELDS] for m in scan.records]
    body = {"key": key, "corrupt": scan.corrupt, "records": rows}
    try:
        write_atomic(_scan_path(root, scan.warc_file), json.dumps(body).encode())
    except OSError:
        return False
    return True


def forget_scans(root: Path, names: set[str]) -> None:
    """Remove the saved scans of files no longer in the archive."""
    for name in names:
        _scan_path(root, name).unlink(missing_ok=True)


def cached_file_key(path: Path) -> FileKeyValue:
    """`file_key`, or [] when the file cannot be read (then nothing is cached for it)."""
    try:
        return file_key(path)
    except OSError:
        return []


__all__ = [
    "DEFAULT_SAMPLE_PERCENT",
    "Entry",
    "Ledger",
    "Plan",
    "cached_file_key",
    "cached_scan",
    "file_key",
    "forget_scans",
    "save_scan",
]
