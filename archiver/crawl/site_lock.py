"""One writer per site per archive: the flock on ARCHIVER_DIR/locks/<site>.lock a crawl holds."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from typing import IO, Any

from archiver.errors import ArchiverError
from archiver.layout import ArchiveLayout, root_from_settings

LOCKED_EXIT = 4
"""Exit status of `scrapy crawl` refused because another crawl of its site holds the lock."""

LOCK_FD_ENV = "ARCHIVER_LOCK_FD"
"""Set by `archiver schedule` for its crawl: the number of the inherited descriptor on which
the scheduler already holds the site's lock (the crawl adopts it instead of locking again)."""

# Settings, with their defaults.
SETTINGS_DEFAULTS: dict[str, Any] = {
    # Seconds a crawl waits for another crawl of its site on the same archive to end; 0 refuses
    # at once (exit status LOCKED_EXIT).
    "ARCHIVER_LOCK_WAIT": 0,
}

_POLL = 0.2


class SiteBusy(ArchiverError):
    """Another process holds the site's lock."""


class SiteLock:
    """An exclusive (or, for scaled-out workers, shared) flock on ARCHIVER_DIR/locks/<site>.lock.

    The lock belongs to the open file: a crawl process given the descriptor keeps it held,
    even if the scheduler dies, and the kernel frees it when the last holder exits.
    """

    def __init__(self, root: Path, site: str, *, shared: bool = False) -> None:
        self.path = ArchiveLayout(root).lock_path(site)
        self.site = site
        self._mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        self._fh: IO[bytes] | None = None

    def acquire(self, wait: float = 0.0) -> bool:
        """True when taken (polling up to `wait` seconds); False when another run holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("ab")
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            try:
                fcntl.flock(fh.fileno(), self._mode | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.close()
                    return False
                time.sleep(_POLL)
                continue
            self._fh = fh
            return True

    def adopt(self, fd: int) -> bool:
        """Take over an inherited descriptor `fd` on which the parent holds this lock.

        True when `fd` is open on this lock file and its open file holds the lock (flock on the
        same open file succeeds again; on another open file it would be refused)."""
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(self.path))
        except OSError:
            return False
        if not same:
            return False
        try:
            fcntl.flock(fd, self._mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._fh = os.fdopen(fd, "ab")
        return True

    def fileno(self) -> int:
        assert self._fh is not None
        return self._fh.fileno()

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


_HELD: dict[Path, SiteLock] = {}


def hold_site_lock(settings: Any, site: str) -> SiteLock:
    """Take the lock of `site` on the archive of `settings` for the rest of this process.

    Adopts the descriptor named by $ARCHIVER_LOCK_FD when it holds this lock (a crawl started
    by `archiver schedule`); else locks, waiting ARCHIVER_LOCK_WAIT seconds. A scaled-out
    worker (ARCHIVER_REDIS_URL) takes it shared: its Redis claims keep workers apart, the
    lock keeps an ordinary crawl out. Raises SiteBusy (one line) when another crawl holds it.
    """
    root = root_from_settings(settings)
    lock = SiteLock(root, site, shared=bool(settings.get("ARCHIVER_REDIS_URL")))
    key = lock.path.absolute()
    if key in _HELD:
        return _HELD[key]
    inherited = os.environ.pop(LOCK_FD_ENV, "")
    wait = float(settings.get("ARCHIVER_LOCK_WAIT") or SETTINGS_DEFAULTS["ARCHIVER_LOCK_WAIT"])
    if not (inherited.isdigit() and lock.adopt(int(inherited))) and not lock.acquire(wait):
        waited = f" after waiting {wait:g} s" if wait > 0 else ""
        raise SiteBusy(
            f"another crawl of {site} is writing to {root}{waited} (lock {lock.path}); "
            "run this one after it ends, or set ARCHIVER_LOCK_WAIT=SECONDS to wait for it"
        )
    _HELD[key] = lock
    return lock
