"""The archive's layout on disk: every folder and file name under ARCHIVER_DIR, stated once."""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_ROOT = "archive"
"""ARCHIVER_DIR when nothing sets it: `archive/` in the working directory."""

INDEX_FILE = "index.sqlite3"
OPEN_SUFFIX = ".open"
"""A WARC file being written is `<name>.open` until it is closed (renamed)."""

_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(part: str) -> str:
    """`part` with every character but letters, digits and ._- replaced, as in file names."""
    return _UNSAFE_NAME_CHARS.sub("_", part) or "_"


def this_host() -> str:
    """This machine's host name as it appears in file names (cleaned by `safe_name`)."""
    return safe_name(socket.gethostname())


def run_stem(
    name: str, started: datetime, *, host: str | None = None, pid: int | None = None
) -> str:
    """`<name>-<UTC yyyymmddHHMMSS>-<host>-<pid>`: the stem of one run's records, events and
    report files, unique across parallel runs on one or many machines. `started` must be UTC."""
    stamp = started.strftime("%Y%m%d%H%M%S")
    host_part = this_host() if host is None else safe_name(host)
    return f"{name}-{stamp}-{host_part}-{os.getpid() if pid is None else pid}"


def left_by_dead_writer(stem: str, host: str | None = None) -> bool:
    """Whether a run stem (`...-<host>-<pid>`, see `run_stem`) names a process of this host
    (or of `host`) that no longer runs: only then are its unfinished files ours to repair. A
    file of another host is taken as still being written (its process cannot be looked at)."""
    me = this_host() if host is None else safe_name(host)
    head, _, pid_text = stem.rpartition("-")
    return pid_text.isdigit() and head.endswith(f"-{me}") and not _process_runs(int(pid_text))


def _process_runs(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def root_from_settings(settings: Any) -> Path:
    """The archive root named by a Scrapy settings object (ARCHIVER_DIR), else the default."""
    return Path(settings.get("ARCHIVER_DIR") or DEFAULT_ROOT)


@dataclass(frozen=True)
class ArchiveLayout:
    """Where each part of an archive lies under its root.

    - `warc/<spider>/`: WARC files (`<prefix>-<time>-<serial>-<host>-<pid>.warc.gz`)
    - `records/<site>/`: article records, JSON Lines, one file per run
    - `events/<site>/`: article events (deletions), JSON Lines, one file per run
    - `runs/`: run reports, one JSON file per crawl
    - `index.sqlite3`: the archive index, a cache rebuilt from the files above; beside it
      `index.sqlite3.lock` (openers take turns checking it) and, after damage,
      `index.sqlite3.damaged-<UTC time>` (the damaged file, moved aside)
    - `replay/`: pywb's collection config and CDXJ indexes
    - `verify/`: `verify`'s ledger of files verified (`ledger.json`, `ledger.lock`) and the
      WARC files' scans shared with `reextract` (`scans/`), archiver/offline/ledger.py
    - `locks/`: one lock file per site, held by the crawl or job writing it
    - `logs/`: crawl logs of scheduled jobs and of `archiver demo`
    """

    root: Path

    @classmethod
    def default(cls) -> ArchiveLayout:
        return cls(Path(DEFAULT_ROOT))

    @property
    def warc_root(self) -> Path:
        return self.root / "warc"

    def warc_dir(self, spider: str) -> Path:
        return self.warc_root / spider

    @property
    def records_root(self) -> Path:
        return self.root / "records"

    def records_dir(self, site: str) -> Path:
        return self.records_root / site

    @property
    def events_root(self) -> Path:
        return self.root / "events"

    def events_dir(self, site: str) -> Path:
        return self.events_root / site

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def index_path(self) -> Path:
        return self.root / INDEX_FILE

    @property
    def replay_dir(self) -> Path:
        return self.root / "replay"

    @property
    def locks_dir(self) -> Path:
        return self.root / "locks"

    def lock_path(self, site: str) -> Path:
        return self.locks_dir / f"{site}.lock"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    def relative(self, path: Path) -> str:
        """`path` relative to the root, POSIX separators: how records and the index name files.

        Raises ValueError when `path` is not under the root."""
        return path.absolute().relative_to(self.root.absolute()).as_posix()
