"""`archiver fixtures add|rerun|gate`: fixtures from WARC captures, offline reruns, the gate."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from archiver import fixtures, quality
from archiver.errors import CommandError


def run_add(warc: Path, url: str, root: Path | None, name: str | None, reconstructed: bool) -> int:
    """Make a fixture folder from a WARC capture and say what to do next."""
    if not warc.is_file():
        raise CommandError(f"{warc} is not a file")
    if root is None:
        root = fixtures.default_root()
        if root is None:
            raise CommandError(f"no {fixtures.DEFAULT_ROOT} found here or above; pass --root DIR")
    folder = fixtures.add(warc, url, root, name, reconstructed=reconstructed)
    print(
        f"{folder}: fixture made; review {folder / 'expected.json'} against the page, then set "
        '"reviewed": true in its response*.json'
    )
    return 0


def _folders(dirs: Sequence[Path]) -> list[Path]:
    if not dirs:
        root = fixtures.default_root()
        if root is None:
            raise CommandError(
                f"no fixture folder given and no {fixtures.DEFAULT_ROOT} here or above; "
                "name fixture folders or run inside the repository"
            )
        dirs = [root]
    found = fixtures.find(dirs)
    if not found:
        raise CommandError("no fixtures found in " + ", ".join(str(d) for d in dirs))
    return found


def run_rerun(dirs: Sequence[Path], write: bool) -> int:
    """Re-extract fixtures and print diffs; exit 1 when something differs and --write is off."""
    return fixtures.rerun(_folders(dirs), write=write, out=sys.stdout)


def run_gate(dirs: Sequence[Path], floors_path: Path | None, update: bool, lower: bool) -> int:
    """Score the fixtures, print the table, fail below a floor; --update pins the scores.

    The floors file defaults to the quality_floors.json nearest above the fixtures
    (tests/quality_floors.json); a missing floors file is an error unless --update-floors
    creates it. Unreviewed fixtures (`"reviewed": false`) are refused.
    """
    folders = _folders(dirs)
    loaded = [fixtures.load(folder) for folder in folders]
    pending = fixtures.unreviewed(loaded)
    if pending:
        raise CommandError(
            f"{len(pending)} fixture(s) not reviewed ({', '.join(pending)}): "
            + fixtures.UNREVIEWED_HINT
        )
    if floors_path is None:
        floors_path = fixtures.default_floors(folders)
        if floors_path is None:
            raise CommandError(
                f"no {fixtures.FLOORS_NAME} found above {folders[0].parent}; pass --floors PATH"
            )
    if not floors_path.is_file() and not update:
        raise CommandError(
            f"floors file {floors_path} does not exist; create it with --update-floors"
        )
    scores = quality.score(quality.evaluate(loaded))
    floors = quality.load_floors(floors_path)
    if update:
        new = quality.raise_floors(scores, floors, lower=lower)
        quality.write_floors(floors_path, new)
        floors = new
        print(f"{floors_path}: floors pinned at the current scores")
    for line in quality.report(scores, floors):
        print(line)
    problems = quality.check(scores, floors)
    for problem in problems:
        print(f"below floor: {problem}")
    return 1 if problems else 0
