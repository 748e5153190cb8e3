"""The Makefile's test targets name test files that exist (a rename must not empty them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parent.parent


def _fault_tests() -> list[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    match = re.search(r"^FAULT_TESTS :=(.*)$", text, flags=re.M)
    assert match, "Makefile has no FAULT_TESTS"
    return match.group(1).split()


def test_every_fault_test_path_exists() -> None:
    paths = _fault_tests()
    assert len(paths) >= 10
    missing = [p for p in paths if not (REPO / p).exists()]
    assert missing == []
