"""The replay index: one sorted CDXJ per WARC file by cdxj-indexer, merged into the collection's."""

from __future__ import annotations

import heapq
import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archiver.durable import taking_turns
from archiver.layout import ArchiveLayout
from archiver.replay.env import ReplayEnv
from archiver.warc.scan import closed_warc_files

COLLECTION = "archive"
"""pywb's collection; its files lie in the layout's replay/ folder: config.yaml, cdxj/ (one
index per WARC file), index/archive.cdxj."""


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


def merged_index(root: Path) -> Path:
    """The collection's index file that pywb reads."""
    return ArchiveLayout(root).replay_dir / "index" / f"{COLLECTION}.cdxj"


def update_index(root: Path, env: ReplayEnv) -> IndexReport:
    """Bring the replay index of `root` up to date with its WARC files; safe to repeat.

    A WARC file is (re)indexed when it has no CDXJ yet or changed size or mtime since. When
    files were only added, their CDXJ lines are merged into the existing merged index (one
    sorted pass); a changed or removed file rebuilds it from the per-file indexes. The merged
    `index/archive.cdxj` is replaced by an atomic rename, so a running pywb (which opens the
    file on every query) sees the new captures at once and never half a file. Line counts are
    kept in `cdxj/state.json`, so an unchanged archive costs a stat per WARC file. Concurrent
    calls (a `replay` server and `verify`) serialise on `replay/index.lock` (flock); temporary
    files have unique names. Filenames in the index are relative to `root`, as in CaptureRef.
    """
    root = root.absolute()
    replay_dir = ArchiveLayout(root).replay_dir
    cache = replay_dir / "cdxj"
    cache.mkdir(parents=True, exist_ok=True)
    with taking_turns(replay_dir / "index.lock"):
        return _update_locked(root, env, cache)


def _update_locked(root: Path, env: ReplayEnv, cache: Path) -> IndexReport:
    state_path = cache / "state.json"
    state = _load_state(state_path)
    files: dict[str, list[int]] = state["files"]
    counts: dict[str, int] = state["counts"]
    report = IndexReport()
    current: dict[str, list[int]] = {}
    changed = False  # a file indexed before changed: the merged index holds stale lines
    layout = ArchiveLayout(root)
    for warc in closed_warc_files(layout):
        name = layout.relative(warc)
        stat = warc.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        out = cache / _cdxj_name(name)
        if files.get(name) == stamp and out.is_file() and name in counts:
            current[name] = stamp
            continue
        error = _index_one(env, root, warc, out)
        # A file indexed before that changed (or now fails): its old lines must leave the index.
        changed = changed or name in files
        if error:
            report.failed[name] = error
            continue
        current[name] = stamp
        counts[name] = sum(1 for _ in _lines(out))
        report.indexed.append(name)
    for name in sorted(set(files) - set(current) - set(report.failed)):
        (cache / _cdxj_name(name)).unlink(missing_ok=True)
        counts.pop(name, None)
        report.removed.append(name)
    target = merged_index(root)
    merged_lines = state["lines"]
    if changed or report.removed or not target.is_file() or merged_lines is None:
        merged_lines = _merge([cache / _cdxj_name(n) for n in sorted(current)], target)
    elif report.indexed:
        # Only new files: one sorted pass of the merged index and the new parts.
        parts = [target, *(cache / _cdxj_name(n) for n in report.indexed)]
        merged_lines = _merge(parts, target)
    report.lines = merged_lines
    report.files = len(current)
    kept = {n: counts[n] for n in current if n in counts}
    data = {"files": current, "counts": kept, "lines": merged_lines}
    _write_atomic(state_path, json.dumps(data, indent=0, sort_keys=True).encode())
    return report


def indexed_locations(root: Path, files: set[str] | None = None) -> Iterator[tuple[str, int]]:
    """(filename, offset) of every capture in the merged index, one at a time as the index
    gives them (none is held); none when there is no index.

    With `files` (WARC file names relative to root), only the captures of those files, read
    from their own indexes (the parts the merged one is made of), so the cost follows them,
    not the archive; a file never indexed contributes nothing.
    """
    target = merged_index(root)
    if not target.is_file():
        return
    cache = ArchiveLayout(root).replay_dir / "cdxj"
    parts = [target] if files is None else [cache / _cdxj_name(n) for n in sorted(files)]
    for line in (line for part in parts if part.is_file() for line in _lines(part)):
        fields = json.loads(line.split(b" ", 2)[2])
        yield str(fields["filename"]), int(fields["offset"])


def _index_one(env: ReplayEnv, root: Path, warc: Path, out: Path) -> str | None:
    tmp = _temp_name(out)
    # -s: pywb answers 404 without a word for an unsorted index (docs/pitfalls.md).
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
    # Every part is sorted (cdxj-indexer -s, or an earlier merge); a byte-wise merge keeps the
    # whole index sorted. `target` may be one of the parts: it is read before it is replaced.
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(target)
    count = 0
    try:
        with tmp.open("wb") as out:
            for line in heapq.merge(*(_lines(p) for p in parts if p.is_file())):
                out.write(line)
                count += 1
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def _load_state(path: Path) -> dict[str, Any]:
    # {"files": {warc: [size, mtime_ns]}, "counts": {warc: lines}, "lines": merged lines}. The
    # first format held only the files: without counts every file is indexed once more.
    empty: dict[str, Any] = {"files": {}, "counts": {}, "lines": None}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return empty
    lines = data.get("lines")
    return {
        "files": {str(k): [int(x) for x in v] for k, v in data["files"].items()},
        "counts": {str(k): int(v) for k, v in (data.get("counts") or {}).items()},
        "lines": int(lines) if isinstance(lines, int) else None,
    }


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = _temp_name(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _temp_name(path: Path) -> Path:
    """A new, unique file next to `path` (same file system, so os.replace is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)
