"""`archiver replay`: set up pywb, index the archive, serve it on 127.0.0.1."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from archiver.cli.common import Commands, add_dir, add_env, archive_dir, port_number
from archiver.replay.env import ReplayEnv, replay_env, setup_env


def register(commands: Commands) -> None:
    """Add this module's subcommand to `commands`."""
    # pywb lives in its own environment and is only ever run as a subprocess
    # (docs/pitfalls.md), so nothing here imports it.
    replay = commands.add_parser(
        "replay",
        help="serve the archive with pywb on 127.0.0.1 (collection `archive`)",
        description="Indexes the WARC files under --dir into a sorted CDXJ (cdxj-indexer), "
        "writes a pywb config pointing at the files in place, and runs pywb's wayback. New WARC "
        "files are indexed while it runs. Replay: /archive/<timestamp>mp_/<url>; captures: "
        "/archive/cdx?url=<url>&output=json.",
    )
    replay.add_argument(
        "--port", type=port_number, default=8080, help="port (default 8080; 0: any)"
    )
    replay.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine)"
    )
    replay.add_argument(
        "--setup", action="store_true", help="create pywb's own virtualenv (--env) and exit"
    )
    replay.add_argument(
        "--index", action="store_true", help="bring the replay index up to date and exit"
    )
    replay.add_argument(
        "--interval", type=float, default=10.0, help="seconds between looks for new WARC files"
    )
    add_env(replay)
    add_dir(replay)
    replay.set_defaults(run=_run_replay)


def _run_replay(options: argparse.Namespace) -> int:
    root = archive_dir(options.dir)
    env = replay_env(options.env)
    if options.setup:
        if env.ready:
            print(f"pywb environment ready: {env.path} (already set up)")
            return 0
        setup_env(
            env,
            announce=lambda what: print(f"archiver: {what}", file=sys.stderr, flush=True),
            output=lambda line: print(f"    {line}", file=sys.stderr, flush=True),
        )
        print(f"pywb environment ready: {env.path}")
        return 0
    env.require()
    if options.index:
        return _index_only(root, env)
    return _serve(root, env, options)


def _index_only(root: Path, env: ReplayEnv) -> int:
    from archiver.replay.index import update_index

    report = update_index(root, env)
    _print_failures(report.failed)
    print(
        f"replay index: {report.files} WARC file(s), {report.lines} captures "
        f"({len(report.indexed)} indexed now, {len(report.removed)} removed)"
    )
    return 1 if report.failed else 0


def _serve(root: Path, env: ReplayEnv, options: argparse.Namespace) -> int:
    from archiver.replay.server import ReplayServer

    server = ReplayServer(
        root,
        env,
        port=options.port,
        host=options.host,
        reindex_interval=options.interval,
    )
    # A service manager stops us with SIGTERM: leave through `with` so pywb is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with server:
        report = server.last_report
        print(f"replaying {report.lines} captures from {report.files} WARC file(s) under {root}")
        print(f"  {server.url}<timestamp>mp_/<url>   (Ctrl-C to stop)")
        print(f"  {server.url}cdx?url=<url>&output=json")
        _print_failures(report.failed)
        sys.stdout.flush()
        return server.wait()


def _print_failures(failed: dict[str, str]) -> None:
    for name, error in sorted(failed.items()):
        print(f"archiver: cannot index {name}: {error}", file=sys.stderr)
