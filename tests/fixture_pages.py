"""Loading page fixtures: tests/fixtures/pages/<name>/ (layout in archiver/fixtures/fixture.py)."""

from __future__ import annotations

from pathlib import Path

from archiver.fixtures.fixture import RECORD_ONLY, Fixture
from archiver.fixtures.fixture import load as load_folder

FIXTURES = Path(__file__).parent / "fixtures" / "pages"

__all__ = ["FIXTURES", "RECORD_ONLY", "Fixture", "load", "names"]

_cache: dict[str, Fixture] = {}


def load(name: str) -> Fixture:
    """The fixture folder `name`, pages in page order (loaded once per test session)."""
    if name not in _cache:
        _cache[name] = load_folder(FIXTURES / name)
    return _cache[name]


def names() -> list[str]:
    """Names of all fixture folders, sorted."""
    return sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").exists())
