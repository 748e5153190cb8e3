"""`archiver reextract --no-second-reader`: the same records, without trafilatura's reading."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawling import REPO
from tests.replaying import record_lines

pytestmark = pytest.mark.crawl


def _reextract(root: Path, out: Path, *args: str) -> list[dict[str, object]]:
    command = [sys.executable, "-m", "archiver", "reextract", "--dir", str(root)]
    command += ["--out", str(out), "--workers", "2", *args]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = [line for p in sorted(out.glob("*.jsonl")) for line in p.read_text("utf-8").split("\n")]
    return sorted((json.loads(line) for line in lines if line), key=lambda r: str(r["url"]))


def test_without_the_second_reader_only_the_agreement_is_missing(
    archive: Path, tmp_path: Path
) -> None:
    crawled = sorted((json.loads(line) for line in record_lines(archive)), key=lambda r: r["url"])
    measured = [r["extractor"]["agreement"] for r in crawled]
    # The crawl measured every record whose body a site template read; the mirror's are all so.
    assert measured and all(isinstance(a, float) and a > 0 for a in measured), measured
    skipped = _reextract(archive, tmp_path / "out", "--no-second-reader")
    assert [r["extractor"]["agreement"] for r in skipped] == [None] * len(crawled)
    for mine, theirs in zip(skipped, crawled, strict=True):
        mine["extractor"]["agreement"] = theirs["extractor"]["agreement"]  # type: ignore[index]
    assert skipped == crawled
