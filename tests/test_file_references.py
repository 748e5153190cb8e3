"""Docs and comments name only files that exist: README.md, docs/ and archiver/**/*.md, the
Makefile, scripts and the Python sources (the folders test_architecture checks) are scanned for
repository file names.

Two shapes are taken for file names, strict enough to leave prose, URLs and archive layouts
alone: a path whose first part is a top-level entry of the repository (`docs/sites.md`,
`archiver/crawl/addon.py`, `tests/faults/`), and a bare upper-case Markdown name (`SITES.md`),
which must exist somewhere in the repository. Paths with placeholders (`<site>`, `*`, `{`, `…`)
are patterns, not names, and are skipped; under `archive/`, the output root whose contents a
crawl makes, only Markdown files are repository files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("archiver", "spiders", "tools", "benchmarks", "scripts")
TOP_LEVEL = ("archiver", "spiders", "tools", "benchmarks", "scripts", "tests", "docs", "archive")
# Names that are quoted on purpose, each with the files allowed to quote it.
QUOTED = {
    # The marks of the mirror's reconstructed Global Times pages cite "SITES.md 2.3", the notes
    # docs/sites.md was written from; the served bytes are kept as they are (SOURCES.md says so).
    "SITES.md": {
        "archiver/mirror/SOURCES.md",
        "tools/mirror/globaltimes/articles.py",
        "tools/mirror/globaltimes/lists.py",
    },
}
_TOKEN = re.compile(r"[^\s`'\"()\[\],;|]+")
_EXTENSION = re.compile(r"\.[a-z]{1,5}$")
_UPPER_MD = re.compile(r"[A-Z][A-Z0-9_-]*\.md")
_PLACEHOLDER = re.compile(r"[<>*{}…$]|://|\.\.\.")


def scanned_files(root: Path) -> Iterator[Path]:
    """The documentation and source files whose file names are checked."""
    yield from [p for p in (root / "README.md", root / "Makefile") if p.is_file()]
    yield from sorted((root / "docs").rglob("*.md"))
    yield from sorted((root / "archiver").rglob("*.md"))
    for name in SOURCE_DIRS:
        yield from sorted(p for p in (root / name).rglob("*.py") if ".venv" not in p.parts)
    yield from sorted((root / "scripts").glob("*.sh"))


def referenced_names(text: str, *, folders: bool = True) -> Iterator[str]:
    """The tokens of `text` that are shaped like repository file names: with a file extension,
    or, when `folders`, ending in `/` (stats keys, `archiver/extract/failed/timeout`, have
    neither; in code a trailing `/` is as often a stats prefix, so `folders` is for docs)."""
    for match in _TOKEN.finditer(text):
        token = match.group().rstrip(".:!?").lstrip("#")
        if _PLACEHOLDER.search(token):
            continue
        if "/" in token:
            first = token.split("/", 1)[0]
            shaped = _EXTENSION.search(token) or (folders and token.endswith("/"))
            if first not in TOP_LEVEL or not shaped:
                continue
            if first == "archive" and not token.endswith(".md"):
                continue
            yield token
        elif _UPPER_MD.fullmatch(token):
            yield token


def missing_references(root: Path) -> list[str]:
    """`file:line: name` for every referenced file name that does not exist under `root`."""
    names = {p.name for p in root.rglob("*.md") if ".venv" not in p.parts}
    missing: list[str] = []
    for path in scanned_files(root):
        where = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in referenced_names(line, folders=path.suffix == ".md"):
                if "/" in name:
                    found = (root / name).exists()
                else:
                    found = name in names or where in QUOTED.get(name, set())
                if not found:
                    missing.append(f"{where}:{number}: {name}")
    return missing


def test_docs_and_comments_name_only_files_that_exist() -> None:
    assert missing_references(REPO) == []


def test_a_missing_file_is_caught(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "sites.md").write_text("# Sites\n")
    (tmp_path / "archiver").mkdir()
    (tmp_path / "archiver" / "spider.py").write_text(
        '"""Selectors per SITES.md 1.3 (docs/sites.md); layout in `archive/README.md`."""\n'
        "# see archiver/crawl/gone.py, https://example.org/docs/x.md and warc/<spider>/*.warc.gz\n"
    )
    (tmp_path / "README.md").write_text(
        "Read `docs/sites.md` and docs/pitfalls.md; PITFALLS.md. Output: `archive/logs/`,\n"
        "records/<site>/<file>.jsonl, `archiver/spider.py`.\n"
    )
    assert missing_references(tmp_path) == [
        "README.md:1: docs/pitfalls.md",
        "README.md:1: PITFALLS.md",
        "archiver/spider.py:1: SITES.md",
        "archiver/spider.py:1: archive/README.md",
        "archiver/spider.py:2: archiver/crawl/gone.py",
    ]
