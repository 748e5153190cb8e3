"""`archiver replay`: set up pywb, index the archive, serve it on 127.0.0.1."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from archiver.replay.env import ReplayEnv, setup_env
from archiver.replay.index import update_index
from archiver.replay.server import ReplayServer


def run_replay(
    root: Path,
    env: ReplayEnv,
    *,
    setup: bool,
    index_only: bool,
    port: int,
    host: str,
    interval: float,
) -> int:
    """The command's body; returns the exit status. Raises CommandError for user errors."""
    if setup:
        setup_env(env)
        print(f"pywb environment ready: {env.path}")
        return 0
    env.require()
    if index_only:
        report = update_index(root, env.require())
        for name, error in sorted(report.failed.items()):
            print(f"archiver: cannot index {name}: {error}", file=sys.stderr)
        print(
            f"replay index: {report.files} WARC file(s), {report.lines} captures "
            f"({len(report.indexed)} indexed now, {len(report.removed)} removed)"
        )
        return 1 if report.failed else 0
    server = ReplayServer(root, env, port=port, host=host, reindex_interval=interval)
    # A service manager stops us with SIGTERM: leave through `with` so pywb is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with server:
        report = server.last_report
        print(f"replaying {report.lines} captures from {report.files} WARC file(s) under {root}")
        print(f"  {server.url}<timestamp>mp_/<url>   (Ctrl-C to stop)")
        print(f"  {server.url}cdx?url=<url>&output=json")
        for name, error in sorted(report.failed.items()):
            print(f"archiver: cannot index {name}: {error}", file=sys.stderr)
        sys.stdout.flush()
        return server.wait()
