"""The replay index: one sorted CDXJ per WARC file by cdxj-indexer, merged into the collection's."""

from __future__ import annotations

import heapq
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from archiver.replay.env import ReplayEnv

REPLAY_DIR = "replay"
"""Under ARCHIVER_DIR: config.yaml, cdxj/ (one index per WARC file), index/archive.cdxj."""
COLLECTION = "archive"


@dataclass
class IndexReport:
    """What one `update_index` did."""

    indexed: list[str] = field(default_factory=list)  # WARC files (re)indexed now
    removed: list[str] = field(default_factory=list)  # indexes of WARC files gone
    failed: dict[str, str] = field(default_factory=dict)  # WARC file -> cdxj-indexer's error
    files: int = 0  # WARC files in the merged index
    lines: int = 0  # captures in the merged index

    @property
    def changed(self) -> bool:
        return bool(self.indexed or self.removed)


def replay_dir(root: Path) -> Path:
    return root / REPLAY_DIR


def merged_index(root: Path) -> Path:
    """The collection's index file that pywb reads."""
    return replay_dir(root) / "index" / f"{COLLECTION}.cdxj"


def warc_files(root: Path) -> list[Path]:
    """Closed WARC files under root/warc, sorted; `.open` files are still being written."""
    found = [*root.glob("warc/**/*.warc.gz"), *root.glob("warc/**/*.warc")]
    return sorted(p for p in found if p.is_file())


def update_index(root: Path, env: ReplayEnv) -> IndexReport:
    """Bring the replay index of `root` up to date with its WARC files; safe to repeat.

    A WARC file is (re)indexed when it has no CDXJ yet or changed size or mtime since. The
    merged `index/archive.cdxj` is rewritten only when something changed, by an atomic rename,
    so a running pywb (which opens the file on every query) sees the new captures at once and
    never half a file. Filenames in the index are relative to `root`, as in CaptureRef.
    """
    root = root.absolute()
    cache = replay_dir(root) / "cdxj"
    cache.mkdir(parents=True, exist_ok=True)
    state_path = cache / "state.json"
    state: dict[str, list[int]] = _load_state(state_path)
    report = IndexReport()
    current: dict[str, list[int]] = {}
    for warc in warc_files(root):
        name = warc.relative_to(root).as_posix()
        stat = warc.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        out = cache / _cdxj_name(name)
        if state.get(name) == stamp and out.is_file():
            current[name] = stamp
            continue
        error = _index_one(env, root, warc, out)
        if error:
            report.failed[name] = error
            continue
        current[name] = stamp
        report.indexed.append(name)
    for name in sorted(set(state) - set(current) - set(report.failed)):
        (cache / _cdxj_name(name)).unlink(missing_ok=True)
        report.removed.append(name)
    target = merged_index(root)
    if report.changed or not target.is_file():
        report.lines = _merge([cache / _cdxj_name(n) for n in sorted(current)], target)
    else:
        report.lines = sum(1 for _ in _lines(target))
    report.files = len(current)
    _write_atomic(state_path, json.dumps(current, indent=0, sort_keys=True).encode())
    return report


def indexed_locations(root: Path) -> set[tuple[str, int]]:
    """(filename, offset) of every capture in the merged index; empty when there is none."""
    target = merged_index(root)
    if not target.is_file():
        return set()
    found: set[tuple[str, int]] = set()
    for line in _lines(target):
        fields = json.loads(line.split(b" ", 2)[2])
        found.add((str(fields["filename"]), int(fields["offset"])))
    return found


def _index_one(env: ReplayEnv, root: Path, warc: Path, out: Path) -> str | None:
    tmp = out.with_name(out.name + ".tmp")
    # -s: pywb answers 404 without a word for an unsorted index (PITFALLS.md).
    command = [str(env.bin("cdxj-indexer")), "-s", "--dir-root", str(root), "-o", str(tmp)]
    done = subprocess.run([*command, str(warc)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"cdxj-indexer exited with {done.returncode}"
    os.replace(tmp, out)
    return None


def _cdxj_name(warc_name: str) -> str:
    return warc_name.replace("/", "__") + ".cdxj"


def _lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        for line in fh:
            if line.strip() and not line.startswith(b"!"):
                yield line if line.endswith(b"\n") else line + b"\n"


def _merge(parts: list[Path], target: Path) -> int:
    # Every part is sorted by cdxj-indexer; a byte-wise merge keeps the whole index sorted.
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    count = 0
    with tmp.open("wb") as out:
        for line in heapq.merge(*(_lines(p) for p in parts if p.is_file())):
            out.write(line)
            count += 1
    os.replace(tmp, target)
    return count


def _load_state(path: Path) -> dict[str, list[int]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): [int(x) for x in v] for k, v in data.items()} if isinstance(data, dict) else {}


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
