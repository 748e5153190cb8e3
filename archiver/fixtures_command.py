"""`archiver fixtures add|rerun|gate`: fixtures from WARC captures, offline reruns, the gate."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from archiver import fixtures, quality
from archiver.errors import CommandError


def run_add(warc: Path, url: str, root: Path, name: str | None) -> int:
    """Make a fixture folder from a WARC capture and say what to do next."""
    if not warc.is_file():
        raise CommandError(f"{warc} is not a file")
    folder = fixtures.add(warc, url, root, name)
    print(f"{folder}: fixture made; review {folder / 'expected.json'} against the page")
    return 0


def _folders(dirs: Sequence[Path]) -> list[Path]:
    if not dirs:
        if not fixtures.DEFAULT_ROOT.is_dir():
            raise CommandError(
                f"no fixture folder given and no {fixtures.DEFAULT_ROOT} here; "
                "name fixture folders or run from the repository root"
            )
        dirs = [fixtures.DEFAULT_ROOT]
    found = fixtures.find(dirs)
    if not found:
        raise CommandError("no fixtures found in " + ", ".join(str(d) for d in dirs))
    return found


def run_rerun(dirs: Sequence[Path], write: bool) -> int:
    """Re-extract fixtures and print diffs; exit 1 when something differs and --write is off."""
    return fixtures.rerun(_folders(dirs), write=write, out=sys.stdout)


def run_gate(dirs: Sequence[Path], floors_path: Path, update: bool, lower: bool) -> int:
    """Score the fixtures, print the table, fail below a floor; --update pins the scores."""
    loaded = [fixtures.load(folder) for folder in _folders(dirs)]
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
