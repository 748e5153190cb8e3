"""`archiver crawl`: every argument goes to `scrapy crawl`, run with the archiver's settings.

A whole crawl from the installed wheel is in tests/mirror/test_wheel.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archiver.cli import parser
from tests.venvs import clean_env


@pytest.mark.unit
@pytest.mark.parametrize(
    "arguments",
    [
        ["globaltimes", "-a", "max_articles=2", "-s", "DOWNLOAD_DELAY=5", "-O", "out.jsonl"],
        ["-s", "ARCHIVER_DIR=elsewhere", "--loglevel", "WARNING", "chinadaily", "-h"],
        ["--help"],
        [],
    ],
)
def test_every_argument_is_scrapy_crawls(arguments: list[str]) -> None:
    assert parser().parse_args(["crawl", *arguments]).arguments == arguments


@pytest.mark.crawl
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nosuch"], "no spider named 'nosuch'; the spiders are: chinadaily, globaltimes"),
        (["globaltimes", "-a", "colour=red"], "globaltimes: unknown argument 'colour'"),
    ],
)
def test_a_wrong_spider_or_argument_is_one_line_from_any_directory(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    # No scrapy.cfg here and no SCRAPY_SETTINGS_MODULE: archiver crawl brings its settings.
    done = subprocess.run(
        [sys.executable, "-m", "archiver", "crawl", *arguments, "-s", f"ARCHIVER_DIR={tmp_path}"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and message in errors[0], done.stderr
    assert list(tmp_path.iterdir()) == []  # refused before anything was written
