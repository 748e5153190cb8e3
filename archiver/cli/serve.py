"""`archiver serve`: the archive explorer, a read-only web app on 127.0.0.1."""

from __future__ import annotations

import argparse
import signal
import sys

from archiver.cli.common import Commands, add_dir, add_env, add_index, archive_dir, port_number


def register(commands: Commands) -> None:
    """Add this module's subcommand to `commands`."""
    serve = commands.add_parser(
        "serve",
        help="browse the archive: search, articles, versions, diffs, changes, coverage",
        description="Serves a read-only web app over the archive on 127.0.0.1 (waitress): "
        "overview, full-text search, each article with its versions and captures, diffs, "
        "edits and deletions (also as an Atom feed), coverage charts; every page has a JSON "
        "twin under /api/. When pywb's environment is set up (`archiver replay --setup`), "
        "pywb runs beside it and captures link to their replay.",
    )
    serve.add_argument("--port", type=port_number, default=8000, help="port (default 8000; 0: any)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine)"
    )
    serve.add_argument(
        "--replay-port", type=port_number, default=0, help="pywb's port (default 0: any free)"
    )
    serve.add_argument("--no-replay", action="store_true", help="do not start pywb")
    add_index(serve, "; DIR is then the collected archive (records for diffs, run reports, replay)")
    add_env(serve)
    add_dir(serve)
    serve.set_defaults(run=_run_serve)


def _run_serve(options: argparse.Namespace) -> int:
    from archiver.cli.common import index_path
    from archiver.explore.serve import ExplorerServer
    from archiver.replay.env import replay_env

    root = archive_dir(options.dir)
    location = index_path(options.index, options.index_url)
    env = None if options.no_replay else replay_env(options.env)
    server = ExplorerServer(
        root,
        index_path=location,
        host=options.host,
        port=options.port,
        replay=env,
        replay_port=options.replay_port,
    )
    # A service manager stops us with SIGTERM: leave through `with` so pywb is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with server:
        print(f"explorer: {server.url}   (Ctrl-C to stop)")
        # Always one line saying where replay is, or why there is none.
        if server.replay is not None:
            print(f"replay: {server.replay.url}")
        elif server.replay_problem is not None:
            print(f"replay: not started: {server.replay_problem}")
        elif env is None:
            print("replay: off (--no-replay)")
        else:
            print("replay: not set up; run `archiver replay --setup` for links to replay")
        sys.stdout.flush()
        server.run()
    return 0
