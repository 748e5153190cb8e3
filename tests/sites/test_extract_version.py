"""EXTRACTOR_VERSION moves with extraction output: a hash of every fixture's output is pinned."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from archiver.fixtures.fixture import RECORD_ONLY, outcome
from archiver.record import CaptureRef
from archiver.sites.extract import EXTRACTOR_VERSION
from tests.fixture_pages import load, names

pytestmark = pytest.mark.unit

# The version and the hash of all fixture outputs it produces. When extraction output changes,
# bump EXTRACTOR_VERSION in archiver/sites/extract.py and pin the new pair here.
PINNED_VERSION = "2026.11.2"
PINNED_HASH = "7b2fcb9017ce3f77dc54401ddd5eedd9325265e2da224a13b5f76897fa848c63"


def outputs() -> dict[str, dict[str, Any]]:
    """Every fixture's outcome (record or error), by fixture name."""
    return {name: outcome(load(name).pages) for name in names()}


def outputs_hash(results: dict[str, dict[str, Any]]) -> str:
    """sha256 over the outcomes, in fixture-name order."""
    digest = hashlib.sha256()
    for name in sorted(results):
        digest.update(name.encode() + b"\0")
        encoded = json.dumps(results[name], sort_keys=True, ensure_ascii=False).encode()
        digest.update(encoded + b"\0")
    return digest.hexdigest()


def test_extractor_version_is_bumped_when_output_changes() -> None:
    current = outputs_hash(outputs())
    assert EXTRACTOR_VERSION == PINNED_VERSION, (
        f"EXTRACTOR_VERSION is {EXTRACTOR_VERSION!r} but {PINNED_VERSION!r} is pinned: set "
        f"PINNED_VERSION = {EXTRACTOR_VERSION!r} and PINNED_HASH = {current!r} in "
        "tests/sites/test_extract_version.py"
    )
    assert current == PINNED_HASH, (
        "extraction output changed: bump EXTRACTOR_VERSION and update the pinned hash "
        f"(new PINNED_HASH = {current!r}, in tests/sites/test_extract_version.py)"
    )


def test_the_pinned_output_is_the_page_alone() -> None:
    # The same bytes captured at another place and time must not look like an extraction change:
    # the fixture outcome leaves out what describes the capture (RECORD_ONLY), not the page.
    name = "chinadaily-en-2024-05-13"
    page = load(name).pages[0]
    elsewhere = CaptureRef(
        url=page.url,
        warc_file="warc/chinadaily/chinadaily-20260101000000-00009-host-1.warc.gz",
        warc_offset=12345,
        warc_record_id="<urn:uuid:6d0a3c52-0000-4000-8000-000000000001>",
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        status=200,
    )
    recaptured = outcome([replace(page, capture=elsewhere)])
    assert recaptured == outcome([page]) == outputs()[name]
    assert set(RECORD_ONLY) & set(recaptured) == set()
