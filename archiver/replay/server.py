"""Run pywb's `wayback` over the archive in place, on loopback, re-indexing new WARC files."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from archiver.errors import ArchiverError
from archiver.layout import ArchiveLayout
from archiver.replay.env import ReplayEnv
from archiver.replay.index import COLLECTION, IndexReport, merged_index, update_index

DEFAULT_REINDEX_INTERVAL = 10.0
"""ARCHIVER_REPLAY_REINDEX_INTERVAL: seconds between looks for new WARC files while serving."""


def write_config(root: Path) -> Path:
    """Write root/replay/config.yaml: collection `archive` over the WARC files where they lie.

    `archive_paths` is the archive root itself, so the index's filenames (relative to the root,
    as in CaptureRef.warc_file) resolve to the files in place: nothing is copied.
    """
    root = root.absolute()
    directory = ArchiveLayout(root).replay_dir
    directory.mkdir(parents=True, exist_ok=True)
    index_dir = merged_index(root).parent
    index_dir.mkdir(parents=True, exist_ok=True)
    config = directory / "config.yaml"
    # JSON strings are valid YAML scalars and quote any path safely.
    config.write_text(
        "# Written by `archiver replay`; rewritten on every start.\n"
        "collections:\n"
        f"  {COLLECTION}:\n"
        f'    index_paths: "{_yaml_path(index_dir)}/"\n'
        f'    archive_paths: "{_yaml_path(root)}/"\n',
        encoding="utf-8",
    )
    return config


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (the OS's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class ReplayServer:
    """`wayback` serving `root` at http://HOST:PORT/archive/, plus a re-indexing thread.

    `start()` indexes the archive, writes the configuration, starts pywb (binding `host`,
    127.0.0.1 by default: wayback itself would bind 0.0.0.0) and waits until it answers.
    While running, new or changed WARC files are indexed every `reindex_interval` seconds
    (`reindex()` does it at once); pywb reads the rewritten index on its next query, so no
    restart is needed. pywb's log goes to root/replay/wayback.log.
    """

    def __init__(
        self,
        root: Path,
        env: ReplayEnv,
        port: int = 0,
        host: str = "127.0.0.1",
        reindex_interval: float = DEFAULT_REINDEX_INTERVAL,
    ) -> None:
        self.root = root.absolute()
        self.env = env
        self.host = host
        self.port = port or free_port(host)
        self.reindex_interval = reindex_interval
        self.process: subprocess.Popen[bytes] | None = None
        self.last_report = IndexReport()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL of the collection, ending in /archive/."""
        return f"http://{self.host}:{self.port}/{COLLECTION}/"

    def reindex(self) -> IndexReport:
        """Index new or changed WARC files now; returns what was done."""
        with self._lock:
            self.last_report = update_index(self.root, self.env)
            return self.last_report

    def start(self, timeout: float = 60.0) -> ReplayServer:
        """Index, configure and start pywb; raises ArchiverError if it does not come up."""
        self.env.require()
        _check_listen(self.host, self.port)
        self.reindex()
        config = write_config(self.root)
        log = (config.parent / "wayback.log").open("ab")
        command = [str(self.env.bin("wayback")), "-b", self.host, "-p", str(self.port)]
        self.process = subprocess.Popen(
            command, cwd=config.parent, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self._wait_ready(timeout)
        if self.reindex_interval > 0:
            self._thread = threading.Thread(target=self._reindex_loop, daemon=True)
            self._thread.start()
        return self

    def _wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ArchiverError(
                    f"wayback exited with status {self.process.returncode}; see "
                    f"{ArchiveLayout(self.root).replay_dir / 'wayback.log'}"
                )
            try:
                with urllib.request.urlopen(self.url + "cdx?url=example.org&limit=1", timeout=5):
                    return
            except urllib.error.HTTPError:
                return  # it answers, if not with a capture
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise ArchiverError(f"wayback did not answer on {self.url} within {timeout:g}s")

    def _reindex_loop(self) -> None:
        while not self._stop.wait(self.reindex_interval):
            try:
                self.reindex()
            except OSError:
                continue  # a WARC file renamed mid-scan: the next round sees it as it is

    def wait(self) -> int:
        """Block until pywb exits; its exit status."""
        assert self.process is not None
        return self.process.wait()

    def stop(self) -> None:
        """Stop re-indexing and pywb; idempotent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _check_listen(host: str, port: int) -> None:
    """Raise ArchiverError when `host:port` cannot be listened on (in use, not an address here).

    wayback itself would only exit with status 1 and a traceback in its log.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ArchiverError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _yaml_path(path: Path) -> str:
    return str(path).replace("\\", "\\\\").replace('"', '\\"')
