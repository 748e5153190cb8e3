"""Durable file writes (whole appends, atomic replaces, fsync) and the crawl's stop on I/O errors.

The WARC writer, the JSON Lines writers and the run summary share these, so that a full disk
or a failing device is met the same way everywhere: what was half written is cut back, and the
crawl stops at the first failed write instead of failing every later page.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from archiver.errors import StorageLost

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

IO_ERROR_REASON = "io_error"
"""The finish reason of a crawl stopped by a failed write (disk full, I/O error)."""

IO_ERROR_EXIT = 74
"""Exit status of `scrapy crawl` stopped by a failed write (sysexits.h EX_IOERR)."""

IO_FAILURES: list[str] = []
"""The first failed write of every crawl of this process stopped by one (one line each); read
by the `crawl` command to set its exit status."""

FIRST_ERROR_STAT = "archiver/io/first_error"
"""Stats key: the first failed write, one line ("<path>: <OS error>")."""

ERRORS_STAT = "archiver/io/errors/"
"""Stats prefix: failed writes by error name (ENOSPC, EIO, SQLITE_FULL, ...)."""


def append_whole(fd: int, data: bytes) -> None:
    """Append `data` to the file open at `fd` (O_APPEND or positioned at its end) as a whole.

    One os.write; on an error or a short write the file is cut back to its size before, so
    it never ends in a part of `data`. Raises OSError (ENOSPC for a short write).
    """
    start = os.lseek(fd, 0, os.SEEK_END)
    try:
        written = os.write(fd, data)
        if written != len(data):
            # A short write means the device is full; say it the way the OS does.
            detail = f"{os.strerror(errno.ENOSPC)} ({written} of {len(data)} bytes written)"
            raise OSError(errno.ENOSPC, detail)
    except OSError:
        try:
            os.ftruncate(fd, start)
            os.lseek(fd, start, os.SEEK_SET)
        except OSError:
            pass  # the caller abandons the file; recovery at the next start cuts it
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: a temporary file beside it, fsynced, then renamed.

    A reader sees the old file or the whole new one; a failed write leaves no temporary file.
    Raises OSError.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        try:
            append_whole(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@contextmanager
def replacing(path: Path, mode: int = 0o644) -> Iterator[Path]:
    """A temporary file beside `path` for the caller to write (streaming, by name); when the
    block ends without an exception it is fsynced, given `mode` and renamed to `path`.

    As `write_atomic` for a file too large to hold in memory: a reader sees the old file or the
    whole new one; an exception (the caller's or an OSError) removes the temporary file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(name)
        fsync_path(Path(name))
        os.chmod(name, mode)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@contextmanager
def taking_turns(lock: Path) -> Iterator[None]:
    """Hold an exclusive flock on the file `lock` (made, with its folder, when missing) while
    the block runs: the writers of one shared file (the index while it heals, the replay index,
    the verify ledger) take turns. The kernel frees the lock of a killed holder."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("ab") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def fsync_path(path: Path) -> None:
    """Make what was written to `path` durable (fsync through a fresh read-only descriptor)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def cut_partial_line(path: Path) -> int:
    """Cut `path` back to the end of its last complete line; returns the bytes removed.

    A kill or power loss in the middle of an append leaves a line without its newline.
    """
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("r+b") as fh:
        keep = size
        step = 1 << 16
        while keep > 0:
            begin = max(0, keep - step)
            fh.seek(begin)
            chunk = fh.read(keep - begin)
            if keep == size and chunk.endswith(b"\n"):
                return 0
            newline = chunk.rfind(b"\n")
            if newline >= 0:
                keep = begin + newline + 1
                break
            keep = begin
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    return size - keep


def is_storage_error(exc: BaseException) -> bool:
    """True for a failed write of the archive: any OSError, SQLite's "disk full" and I/O errors,
    the shared index lost (StorageLost)."""
    if isinstance(exc, OSError | StorageLost):
        return True
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        return name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR")
    return False


def error_name(exc: BaseException) -> str:
    """ENOSPC, EIO, SQLITE_FULL, ... (the exception's class name when it has no code)."""
    if isinstance(exc, OSError) and exc.errno is not None:
        return errno.errorcode.get(exc.errno, str(exc.errno))
    return str(getattr(exc, "sqlite_errorname", "") or type(exc).__name__)


def describe(exc: BaseException, path: Path | str | None = None) -> str:
    """One line: "<path>: <what the OS said>" (the path from the error when not given)."""
    where = path if path is not None else getattr(exc, "filename", None)
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"{where}: {text}" if where else text


def stop_on_io_error(crawler: Crawler, exc: BaseException, path: Path | str | None) -> None:
    """Count a failed write, log it in one line (the first only) and close the spider.

    Stats: archiver/io/errors/<name>, archiver/io/first_error. Closing with reason `io_error`
    makes the crawl command exit IO_ERROR_EXIT; later failures of the same run are only counted
    (no retry storm, no wall of tracebacks).
    """
    stats = crawler.stats
    assert stats is not None
    stats.inc_value(ERRORS_STAT + error_name(exc))
    if stats.get_value(FIRST_ERROR_STAT) is not None:
        return
    line = describe(exc, path)
    stats.set_value(FIRST_ERROR_STAT, line)
    IO_FAILURES.append(line)
    logger.error("stopping the crawl: a write failed: %s", line)
    try:
        engine = crawler.engine
    except RuntimeError:  # not crawling (a component driven on its own): nothing to stop
        return
    if engine is not None and engine.spider is not None:
        from scrapy.utils.defer import _schedule_coro

        # As Scrapy's own CloseSpider extension closes a spider from a signal handler.
        _schedule_coro(engine.close_spider_async(reason=IO_ERROR_REASON))
