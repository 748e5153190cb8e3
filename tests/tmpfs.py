"""A real small tmpfs for disk-full tests, mounted in-process (mount(2) through libc, no child
process, so unit tests may use it); needs root, as CI has."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

_MNT_DETACH = 2
_MS_REMOUNT = 32


def _libc() -> ctypes.CDLL:
    # The running process's own symbols, libc's among them (find_library would run ldconfig).
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


@contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` ("64k", "1m") mounted at `where` (created), always unmounted."""
    if os.geteuid() != 0:
        pytest.fail("disk-full tests mount a tmpfs: run them as root (CI does)")
    where.mkdir(parents=True, exist_ok=True)
    libc = _libc()
    options = f"size={size}".encode()
    _check(libc.mount(b"tmpfs", str(where).encode(), b"tmpfs", 0, options), f"mount {where}")
    try:
        yield where
    finally:
        _check(libc.umount2(str(where).encode(), _MNT_DETACH), f"umount {where}")


def resize(where: Path, size: str) -> None:
    """Give the tmpfs at `where` a new size (more room after a disk-full test)."""
    options = f"size={size}".encode()
    _check(
        _libc().mount(b"tmpfs", str(where).encode(), b"tmpfs", _MS_REMOUNT, options),
        f"remount {where}",
    )


def fill(where: Path) -> Path:
    """Fill the file system of `where` to the last byte with one file; returns it (delete it to
    free the space)."""
    filler = where / "filler"
    with filler.open("wb", buffering=0) as fh:
        chunk = b"\0" * 4096
        try:
            while True:
                fh.write(chunk)
        except OSError:
            pass
        try:
            while True:
                fh.write(b"\0")
        except OSError:
            pass
    return filler
