"""The demo's summary table explains its columns, and the README's Quick start does too."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.demo import COLUMNS, SiteRun, _print_summary

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parent.parent

STATS = {
    "archiver/records/written": 12,
    "archiver/versions/unchanged": 1,
    "archiver/discovery/already_archived": 0,
    "archiver/warc/exchanges": 40,
    "archiver/warc/revisits": 3,
    "archiver/extract/failed": 1,
    "archiver/extract/failed/soft-404": 1,
    "archiver/article/fetch_failed/http_404": 2,
}


def test_every_column_is_explained_after_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = SiteRun("chinadaily", 0, 3.0, tmp_path / "demo.log", STATS)
    assert _print_summary(tmp_path, [run]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("site "))
    assert header.split() == ["site", *(name for name, _ in COLUMNS)]
    row = next(line for line in lines if line.startswith("chinadaily "))
    assert row.split() == ["chinadaily", "12", "1", "0", "40", "3", "1", "2"]
    legend = lines[lines.index(header) :]
    for name, meaning in COLUMNS:
        assert f"  {name}" in "\n".join(legend) and meaning in "\n".join(legend), name
    assert "extraction failed (soft-404): 1" in "\n".join(lines)


def test_the_readme_quick_start_explains_the_columns() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    for name, _ in COLUMNS:
        assert f"`{name}`" in quick_start, name
