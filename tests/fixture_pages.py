"""Loading page fixtures: tests/fixtures/pages/<name>/ (layout in archiver/fixtures/fixture.py)."""

from __future__ import annotations

import json
from pathlib import Path

from archiver.fixtures.fixture import RECORD_ONLY, Fixture
from archiver.fixtures.fixture import load as load_folder
from archiver.record import Article

FIXTURES = Path(__file__).parent / "fixtures" / "pages"

__all__ = ["FIXTURES", "RECORD_ONLY", "STEM", "Fixture", "fixture_records", "load", "names"]

STEM = "crawl-20260101000000-testhost-1"

_cache: dict[str, Fixture] = {}


def load(name: str) -> Fixture:
    """The fixture folder `name`, pages in page order (loaded once per test session)."""
    if name not in _cache:
        _cache[name] = load_folder(FIXTURES / name)
    return _cache[name]


def names() -> list[str]:
    """Names of all fixture folders, sorted."""
    return sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").exists())


def fixture_records() -> list[Article]:
    """Every fixture's expected record (both sites), completed with a capture and the extractor
    as a crawl would have written it on 2026-01-01 (its run stem STEM)."""
    records = []
    for name in names():
        expected = json.loads((FIXTURES / name / "expected.json").read_text(encoding="utf-8"))
        if "error" in expected:
            continue
        capture = {
            "url": expected["url"],
            "warc_file": f"warc/{expected['site']}/{STEM}.warc.gz",
            "warc_offset": len(records) * 1000,
            "warc_record_id": f"<urn:uuid:00000000-0000-4000-8000-{len(records):012d}>",
            "fetched_at": f"2026-01-01T00:{len(records):02d}:00Z",
            "status": 200,
        }
        extractor = {"archiver": "0.1.0", "trafilatura": "2.0.0", "parser": f"{name}/test"}
        records.append(
            Article.model_validate({**expected, "captures": [capture], "extractor": extractor})
        )
    return records
