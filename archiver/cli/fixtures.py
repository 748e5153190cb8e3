"""`archiver fixtures add|rerun|gate`: extraction fixtures and their quality gate."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from archiver.cli.common import CommandError, Commands


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
    """Make a fixture folder from a WARC capture and say what to do next."""
    from archiver.fixtures import fixture

    warc: Path = options.warc
    if not warc.is_file():
        raise CommandError(f"{warc} is not a file")
    root: Path | None = options.root
    if root is None:
        root = fixture.default_root()
        if root is None:
            raise CommandError(f"no {fixture.DEFAULT_ROOT} found here or above; pass --root DIR")
    folder = fixture.add(warc, options.url, root, options.name, reconstructed=options.reconstructed)
    print(
        f"{folder}: fixture made; review {folder / 'expected.json'} against the page, then set "
        '"reviewed": true in its response*.json'
    )
    return 0


def _folders(dirs: Sequence[Path]) -> list[Path]:
    from archiver.fixtures import fixture

    if not dirs:
        root = fixture.default_root()
        if root is None:
            raise CommandError(
                f"no fixture folder given and no {fixture.DEFAULT_ROOT} here or above; "
                "name fixture folders or run inside the repository"
            )
        dirs = [root]
    found = fixture.find(dirs)
    if not found:
        raise CommandError("no fixtures found in " + ", ".join(str(d) for d in dirs))
    return found


def _run_fixtures_rerun(options: argparse.Namespace) -> int:
    """Re-extract fixtures and print diffs; 1 when something differs and --write is off."""
    from archiver.fixtures import fixture

    results = fixture.rerun(_folders(options.dirs), write=options.write)
    differing = [r for r in results if r.changes]
    for result in differing:
        print(f"{result.folder}: {result.fields} field(s) differ")
        for line in result.changes:
            print(line)
        if options.write:
            print(f"{result.folder}: expected.json rewritten")
    verdict = "written" if options.write else "differ"
    print(f"{len(results)} fixture(s), {len(differing)} {verdict}")
    if differing and not options.write:
        print("review the diffs; accept them with `archiver fixtures rerun --write DIR`")
        return 1
    return 0


def _run_fixtures_gate(options: argparse.Namespace) -> int:
    """Score the fixtures, print the table, fail below a floor; --update-floors pins the scores.

    The floors file defaults to the quality_floors.json nearest above the fixtures
    (tests/quality_floors.json); a missing floors file is an error unless --update-floors
    creates it. Unreviewed fixtures (`"reviewed": false`) are refused.
    """
    from archiver.fixtures import fixture, quality

    folders = _folders(options.dirs)
    loaded = [fixture.load(folder) for folder in folders]
    pending = fixture.unreviewed(loaded)
    if pending:
        raise CommandError(
            f"{len(pending)} fixture(s) not reviewed ({', '.join(pending)}): "
            + fixture.UNREVIEWED_HINT
        )
    floors_path = _floors_path(options.floors, folders, update=options.update_floors)
    scores = quality.score(quality.evaluate(loaded))
    floors = quality.load_floors(floors_path)
    if options.update_floors:
        floors = quality.raise_floors(scores, floors, lower=options.lower_floors)
        quality.write_floors(floors_path, floors)
        print(f"{floors_path}: floors pinned at the current scores")
    for line in quality.report(scores, floors):
        print(line)
    problems = quality.check(scores, floors)
    for problem in problems:
        print(f"below floor: {problem}")
    return 1 if problems else 0


def _floors_path(option: Path | None, folders: list[Path], *, update: bool) -> Path:
    from archiver.fixtures import fixture

    floors_path = option
    if floors_path is None:
        floors_path = fixture.default_floors(folders)
        if floors_path is None:
            raise CommandError(
                f"no {fixture.FLOORS_NAME} found above {folders[0].parent}; pass --floors PATH"
            )
    if not floors_path.is_file() and not update:
        raise CommandError(
            f"floors file {floors_path} does not exist; create it with --update-floors"
        )
    return floors_path
