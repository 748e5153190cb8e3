"""`archiver replay`, `reextract`, `export wacz` and `verify`."""

from __future__ import annotations

import argparse
from pathlib import Path

from archiver.cli.common import Commands, add_dir, add_env, archive_dir, since
from archiver.errors import CommandError


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1 (a worker count)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number (at least 1)")
    return value


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0 to 65535)")
    return value


def register(commands: Commands) -> None:
    """Add this module's subcommands to `commands`."""
    # Issue 5: replay, reextract, export wacz, verify. pywb lives in its own environment and is
    # only ever run as a subprocess (docs/pitfalls.md), so nothing here imports it.
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

    reextract = commands.add_parser(
        "reextract",
        help="re-derive the JSON records from the WARC files with the current extractor",
        description="Reads the WARC files under --dir (no network), extracts every capture of "
        "every article in parallel processes and writes <site>.jsonl files to --out. For the "
        "same extractor version each record is byte-identical to the one the crawl wrote.",
    )
    reextract.add_argument(
        "--out", type=Path, help="output folder (default: DIR/reextract/archiver-<version>)"
    )
    reextract.add_argument("--since", type=since, help="only articles captured since DATE")
    reextract.add_argument("--site", choices=("chinadaily", "globaltimes"))
    reextract.add_argument("--workers", type=positive_int, help="processes (default: all CPUs)")
    add_dir(reextract)
    reextract.set_defaults(run=_run_reextract)

    export = commands.add_parser("export", help="export the archive in another format")
    formats = export.add_subparsers(title="formats", required=True, metavar="FORMAT")
    wacz = formats.add_parser(
        "wacz",
        help="pack WARC files, index and pages.jsonl (one page per article) into a WACZ",
    )
    wacz.add_argument("--out", type=Path, required=True, metavar="FILE.wacz")
    wacz.add_argument("--since", type=since, help="only articles captured since DATE")
    wacz.add_argument("--site", choices=("chinadaily", "globaltimes"))
    add_env(wacz)
    add_dir(wacz)
    wacz.set_defaults(run=_run_export_wacz)

    verify = commands.add_parser(
        "verify",
        help="check the whole archive; exit status 1 on any problem",
        description="Checks WARC digests and header/body consistency, revisits, that every "
        "JSON record's captures resolve, that re-extraction reproduces every record, and that "
        "every capture is in the replay index. Prints a summary table.",
    )
    verify.add_argument("--json", action="store_true", help="machine-readable report")
    verify.add_argument("--workers", type=positive_int, help="processes (default: all CPUs)")
    add_env(verify)
    add_dir(verify)
    verify.set_defaults(run=_run_verify)


def _run_replay(options: argparse.Namespace) -> int:
    from archiver.replay.command import run_replay
    from archiver.replay.env import replay_env

    return run_replay(
        archive_dir(options.dir),
        replay_env(options.env),
        setup=options.setup,
        index_only=options.index,
        port=options.port,
        host=options.host,
        interval=options.interval,
    )


def _run_reextract(options: argparse.Namespace) -> int:
    from archiver.offline.reextract import reextract_command

    try:
        return reextract_command(
            archive_dir(options.dir), options.out, options.since, options.site, options.workers
        )
    except OSError as exc:
        raise CommandError(_os_error(exc)) from None


def _run_export_wacz(options: argparse.Namespace) -> int:
    from archiver.offline.wacz import export_wacz
    from archiver.replay.env import replay_env

    try:
        return export_wacz(
            archive_dir(options.dir),
            options.out,
            replay_env(options.env),
            options.site,
            options.since,
        )
    except OSError as exc:
        raise CommandError(_os_error(exc)) from None


def _run_verify(options: argparse.Namespace) -> int:
    from archiver.offline.verify import print_report, verify_archive
    from archiver.replay.env import replay_env

    checks = verify_archive(archive_dir(options.dir), replay_env(options.env), options.workers)
    return print_report(checks, as_json=options.json)


def _os_error(exc: OSError) -> str:
    """One line for a file-system error: what failed on which path."""
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"
