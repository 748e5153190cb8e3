"""Run the explorer with waitress on loopback, and pywb's replay beside it when it is set up."""

from __future__ import annotations

import logging
from pathlib import Path
from types import TracebackType
from typing import Any

from archiver.errors import ArchiverError
from archiver.explore.app import create_app
from archiver.layout import ArchiveLayout
from archiver.replay.env import ReplayEnv
from archiver.replay.server import ReplayServer
from archiver.store.index.explore import open_read_only
from archiver.store.index.location import IndexLocation

THREADS = 8
"""waitress worker threads: each has its own read-only index connection (on PostgreSQL, up to
THREADS connections to the server)."""


class ExplorerServer:
    """`archiver serve`: the explorer at http://HOST:PORT/ over the archive at `root`.

    `start()` checks that the index reads, starts pywb on `replay_port` (0: any free port) when
    `replay` is a ready environment, then binds the explorer (waitress, a production WSGI
    server); it raises ArchiverError with one line when the archive or index is missing or the
    port cannot be listened on. `run()` serves until interrupted; `stop()` stops both.
    """

    def __init__(
        self,
        root: Path,
        *,
        index_path: IndexLocation | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        replay: ReplayEnv | None = None,
        replay_port: int = 0,
    ) -> None:
        self.root = root
        self.index_path: IndexLocation = index_path or ArchiveLayout(root).index_path
        self.host = host
        self.port = port
        self.replay_env = replay
        self.replay_port = replay_port
        self.replay: ReplayServer | None = None
        self.replay_problem: str | None = None
        self._server: Any = None
        self._app: Any = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> ExplorerServer:
        if not self.root.is_dir():
            raise ArchiverError(f"no archive at {self.root}; give --dir")
        open_read_only(self.index_path).close()
        if self.replay_env is not None and self.replay_env.ready:
            self._start_replay(self.replay_env)
        app = self._app = create_app(
            self.root, self.index_path, self.replay.url if self.replay is not None else None
        )
        from waitress import create_server

        # waitress logs every queue warning under "waitress"; keep its own lines short.
        logging.getLogger("waitress").setLevel(logging.ERROR)
        try:
            self._server = create_server(
                app, host=self.host, port=self.port, threads=THREADS, ident="archiver"
            )
        except OSError as exc:
            self.stop()
            raise ArchiverError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}"
            ) from None
        self.port = int(self._server.effective_port)
        return self

    def _start_replay(self, env: ReplayEnv) -> None:
        server = ReplayServer(self.root, env, port=self.replay_port, host=self.host)
        try:
            self.replay = server.start()
        except ArchiverError as exc:
            self.replay_problem = str(exc)

    def run(self) -> None:
        """Serve until interrupted (KeyboardInterrupt, SystemExit from a signal handler)."""
        assert self._server is not None, "start() first"
        self._server.run()

    def stop(self) -> None:
        """Stop serving, and pywb; idempotent."""
        if self._server is not None:
            self._server.close()
            self._server = None
            self._app.extensions["archiver"].connections.close()
        if self.replay is not None:
            self.replay.stop()
            self.replay = None

    def __enter__(self) -> ExplorerServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
