"""Truncated and corrupt WARC files given to every offline command: a report, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archiver.warc.raw import iter_records
from tests.replaying import copy_archive, records

pytestmark = pytest.mark.crawl


def _archiver(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archiver", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def damaged(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A copy of the crawled archive with one WARC file cut short (as a full disk or a copy
    interrupted leaves it) and one with garbage over a record in its middle (bit rot)."""
    root = copy_archive(archive, tmp_path_factory.mktemp("damaged") / "archive")
    truncated = sorted(root.glob("warc/chinadaily/*.warc.gz"))[0]
    truncated.write_bytes(truncated.read_bytes()[:-100])
    corrupt = sorted(root.glob("warc/globaltimes/*.warc.gz"))[0]
    middle = list(iter_records(corrupt))[3].offset
    data = bytearray(corrupt.read_bytes())
    data[middle : middle + 64] = b"\xff" * 64
    corrupt.write_bytes(bytes(data))
    return {"root": root, "truncated": truncated, "corrupt": corrupt}


def _no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]


def test_verify_reports_both_files(damaged: dict[str, Path], tmp_path: Path) -> None:
    done = _archiver("verify", "--dir", damaged["root"], cwd=tmp_path)
    _no_traceback(done)
    assert done.returncode == 1
    for path in (damaged["truncated"], damaged["corrupt"]):
        assert path.name in done.stdout + done.stderr


def test_reextract_writes_what_it_can_read_and_counts_the_rest(
    damaged: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = _archiver("reextract", "--dir", damaged["root"], "--out", out, cwd=tmp_path)
    _no_traceback(done)
    assert done.returncode in (0, 1)
    written = [line for path in out.rglob("*.jsonl") for line in path.read_text().splitlines()]
    assert written, done.stdout + done.stderr
    # Both damaged places are counted and named; records before and after them are written.
    assert "corrupt records             2" in done.stdout, done.stdout
    for path in (damaged["truncated"], damaged["corrupt"]):
        assert path.name in done.stdout


@pytest.mark.parametrize("which", ["truncated", "corrupt"])
def test_extract_prints_the_records_before_the_damage_then_one_line(
    damaged: dict[str, Path], which: str, tmp_path: Path
) -> None:
    done = _archiver("extract", damaged[which], cwd=tmp_path)
    _no_traceback(done)
    assert done.returncode == 1
    # Articles it could not extract are "skipped" lines; the damage is one error line, last.
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and done.stderr.strip().endswith(errors[0]), done.stderr
    assert damaged[which].name in errors[0]


def test_fixtures_add_from_a_damaged_file_is_one_line(
    damaged: dict[str, Path], tmp_path: Path
) -> None:
    url = next(r["url"] for r in records(damaged["root"]) if r["site"] == "globaltimes")
    done = _archiver(
        "fixtures", "add", damaged["corrupt"], "--url", url, "--root", tmp_path / "fx", cwd=tmp_path
    )
    _no_traceback(done)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "corrupt gzip data" in done.stderr and damaged["corrupt"].name in done.stderr
    assert not (tmp_path / "fx").exists()


def test_export_wacz_refuses_damaged_files_in_one_line(
    damaged: dict[str, Path], tmp_path: Path
) -> None:
    done = _archiver(
        "export", "wacz", "--dir", damaged["root"], "--out", tmp_path / "a.wacz", cwd=tmp_path
    )
    _no_traceback(done)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "damaged WARC file(s), nothing packed" in done.stderr
    assert damaged["corrupt"].name in done.stderr and damaged["truncated"].name in done.stderr
    assert "File " not in done.stderr  # no stack frames of the wacz tool
    assert not (tmp_path / "a.wacz").exists()


def test_index_rebuild_and_changes_read_past_the_damage(
    damaged: dict[str, Path], tmp_path: Path
) -> None:
    rebuilt = _archiver("index", "rebuild", "--dir", damaged["root"], cwd=tmp_path)
    _no_traceback(rebuilt)
    assert rebuilt.returncode == 0, rebuilt.stderr
    changes = _archiver("changes", "--dir", damaged["root"], cwd=tmp_path)
    _no_traceback(changes)
    assert changes.returncode == 0, changes.stderr


def test_the_damage_is_real(damaged: dict[str, Path]) -> None:
    # The two files really are damaged: reading them to the end fails (else the tests above
    # would prove nothing about damaged input).
    from archiver.warc.raw import WarcReadError

    for which in ("truncated", "corrupt"):
        with pytest.raises(WarcReadError):
            list(iter_records(damaged[which]))
