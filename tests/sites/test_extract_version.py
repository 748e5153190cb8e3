"""EXTRACTOR_VERSION moves with extraction output: a hash of every fixture's output is pinned."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from archiver.fixtures.fixture import outcome
from archiver.sites.extract import EXTRACTOR_VERSION
from tests.fixture_pages import load, names

pytestmark = pytest.mark.unit

# The version and the hash of all fixture outputs it produces. When extraction output changes,
# bump EXTRACTOR_VERSION in archiver/sites/extract.py and pin the new pair here.
PINNED_VERSION = "2026.11.1"
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


def test_the_hash_sees_one_changed_field() -> None:
    results = outputs()
    name = next(n for n in sorted(results) if "text" in results[n])
    edited = {**results, name: {**results[name], "text": results[name]["text"] + "."}}
    assert outputs_hash(edited) != outputs_hash(results)
