"""`archiver fixtures add|rerun|gate`: extraction fixtures and their quality gate."""

from __future__ import annotations

import argparse
from pathlib import Path

from archiver.cli.common import Commands


def register(commands: Commands) -> None:
    """Add this module's subcommands to `commands`."""
    group = commands.add_parser(
        "fixtures", help="page fixtures: make them from WARC captures, re-run them, score them"
    )
    actions = group.add_subparsers(title="actions", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="make a fixture folder from the response records of URL in a WARC file",
        description="Copies every page of the article (body bytes as received, status, headers, "
        "capture time, hints; of retried pages the last 200 answer) and writes expected.json "
        'from the current extractor, marked "reviewed": false until checked by hand.',
    )
    add.add_argument("warc", type=Path, metavar="WARC")
    add.add_argument("--url", required=True, help="URL of the article's first page")
    add.add_argument("--name", help="folder name (default: <site>-<capture date>-<article id>)")
    add.add_argument(
        "--root",
        type=Path,
        help="where the folder goes (default: the repository's tests/fixtures/pages)",
    )
    add.add_argument(
        "--reconstructed",
        action="store_true",
        help="the pages are not from the live site (mirror pages are detected by themselves)",
    )
    add.set_defaults(run=_run_fixtures_add)
    rerun = actions.add_parser(
        "rerun",
        help="re-extract fixtures offline and print field-level diffs against expected.json",
    )
    rerun.add_argument("dirs", type=Path, nargs="*", metavar="DIR")
    rerun.add_argument("--write", action="store_true", help="accept the diffs: rewrite expected")
    rerun.set_defaults(run=_run_fixtures_rerun)
    gate = actions.add_parser(
        "gate", help="score fixtures per site and field; fail when a score is below its floor"
    )
    gate.add_argument("dirs", type=Path, nargs="*", metavar="DIR")
    gate.add_argument(
        "--floors",
        type=Path,
        help="floors file (default: the quality_floors.json nearest above the fixtures, "
        "tests/quality_floors.json in the repository); must exist unless --update-floors",
    )
    gate.add_argument("--update-floors", action="store_true", help="pin the current scores")
    gate.add_argument(
        "--lower-floors", action="store_true", help="allow --update-floors to lower a floor"
    )
    gate.set_defaults(run=_run_fixtures_gate)


def _run_fixtures_add(options: argparse.Namespace) -> int:
    from archiver.fixtures.command import run_add

    return run_add(options.warc, options.url, options.root, options.name, options.reconstructed)


def _run_fixtures_rerun(options: argparse.Namespace) -> int:
    from archiver.fixtures.command import run_rerun

    return run_rerun(options.dirs, options.write)


def _run_fixtures_gate(options: argparse.Namespace) -> int:
    from archiver.fixtures.command import run_gate

    return run_gate(options.dirs, options.floors, options.update_floors, options.lower_floors)
