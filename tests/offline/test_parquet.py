"""`archiver export parquet` in-process: the Arrow schema read off Article, selection, files.

The records are the page fixtures' reviewed expected records (both sites, real parsed fields)
with captures and extractor added; tests/offline/test_export_parquet.py exports a crawl.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_args

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import BaseModel

import archiver.offline.parquet as parquet
from archiver.cli import main
from archiver.errors import ArchiverError
from archiver.offline.parquet import SCHEMA, arrow_type, export_parquet, model_fields
from archiver.record import (
    SCHEMA_ID,
    Article,
    Author,
    CaptureRef,
    DateCandidate,
    ExtractorInfo,
    Image,
)
from tests.fixture_pages import STEM, fixture_records

pytestmark = pytest.mark.unit


def write_archive(root: Path, records: list[Article]) -> Path:
    """An archive root holding `records` as records/<site>/<stem>.jsonl files."""
    for record in records:
        path = root / "records" / record.site / f"{STEM}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(record.to_json_line() + "\n")
    return root


@pytest.fixture(scope="module")
def records() -> list[Article]:
    found = fixture_records()
    assert {r.site for r in found} == {"chinadaily", "globaltimes"}
    return found


@pytest.fixture
def root(tmp_path: Path, records: list[Article]) -> Path:
    return write_archive(tmp_path / "archive", records)


def _edited(record: Article) -> Article:
    return record.model_copy(
        update={
            "title": record.title + " (updated)",
            "version": 2,
            "previous_version": 1,
            "changes": ["title"],
        }
    )


# -- the schema -----------------------------------------------------------------------------------


def test_every_model_field_has_a_column_in_record_order() -> None:
    assert SCHEMA.names == list(Article.model_fields)


def test_every_nested_model_field_has_a_struct_field() -> None:
    nested = {
        "authors": Author,
        "images": Image,
        "dates_raw": DateCandidate,
        "captures": CaptureRef,
        "extractor": ExtractorInfo,
    }
    for name, model in nested.items():
        assert model in (
            Article.model_fields[name].annotation,
            *get_args(Article.model_fields[name].annotation),
        )
        kind = SCHEMA.field(name).type
        struct = kind.value_type if pa.types.is_list(kind) else kind
        assert [struct.field(i).name for i in range(struct.num_fields)] == list(model.model_fields)
    models = {
        arg
        for info in Article.model_fields.values()
        for arg in (info.annotation, *get_args(info.annotation))
        if isinstance(arg, type) and issubclass(arg, BaseModel)
    }
    assert models == set(nested.values())


def test_declared_types() -> None:
    field = SCHEMA.field
    assert field("article_id").type == pa.string() and not field("article_id").nullable
    assert field("site").type == pa.string()  # a Literal
    for name in ("published_at", "updated_at"):
        assert field(name).type == pa.timestamp("us", tz="UTC") and field(name).nullable
    assert field("authors").type == pa.list_(
        pa.field(
            "element",
            pa.struct(
                [pa.field("name", pa.string(), False), pa.field("location", pa.string(), True)]
            ),
            False,
        )
    )
    capture = field("captures").type.value_type
    assert capture.field("fetched_at").type == pa.timestamp("us", tz="UTC")
    assert capture.field("warc_offset").type == pa.int64()
    assert field("extractor").type.field("agreement").type == pa.float64()
    assert field("section").type.value_type == pa.string()
    assert field("dates_disagree").type == pa.bool_()
    assert field("version").type == pa.int64() and not field("version").nullable
    assert field("previous_version").type == pa.int64() and field("previous_version").nullable


def test_descriptions_and_schema_id_are_in_the_schema() -> None:
    assert SCHEMA.metadata[b"archiver.schema"] == SCHEMA_ID.encode()
    assert SCHEMA.field("text").metadata[b"description"].startswith(b"Body text")
    author = SCHEMA.field("authors").type.value_type
    assert (
        author.field("name").metadata[b"description"]
        == (Author.model_fields["name"].description or "").encode()
    )


def test_a_field_added_later_gets_a_column() -> None:
    class Later(Article):
        word_count: int | None = None

    fields = {f.name: f for f in model_fields(Later)}
    assert fields["word_count"].type == pa.int64() and fields["word_count"].nullable


@pytest.mark.parametrize("annotation", [dict[str, int], set[str], bytes, int | str, Any])
def test_a_field_of_an_unknown_type_is_refused(annotation: Any) -> None:
    with pytest.raises(TypeError, match="no Arrow type"):
        arrow_type(annotation)


# -- the export -----------------------------------------------------------------------------------


def test_values_round_trip(root: Path, tmp_path: Path, records: list[Article]) -> None:
    report = export_parquet(root, tmp_path / "out")
    assert report.path == tmp_path / "out" / "articles.parquet"
    table = pq.read_table(report.path)
    assert table.schema.equals(SCHEMA, check_metadata=True)
    assert report.rows == len(records) == table.num_rows
    back = [Article.model_validate(row) for row in table.to_pylist()]
    assert back == sorted(records, key=lambda r: (r.site, r.article_id))
    assert report.summary() == (
        f"wrote {report.path}: {len(records)} rows "
        f"(chinadaily {report.sites['chinadaily']}, globaltimes {report.sites['globaltimes']})"
    )


def test_same_records_give_the_same_bytes(root: Path, tmp_path: Path) -> None:
    first = export_parquet(root, tmp_path / "one").path.read_bytes()
    (root / "index.sqlite3").unlink()  # a new index too
    assert export_parquet(root, tmp_path / "two").path.read_bytes() == first


def test_latest_and_every_version(tmp_path: Path, records: list[Article]) -> None:
    edited = _edited(records[0])
    root = write_archive(tmp_path / "archive", [*records, edited])
    latest = pd.read_parquet(export_parquet(root, tmp_path / "out").path)
    row = latest[latest.article_id == edited.article_id].iloc[0]
    assert (row.version, row.previous_version, row.title) == (2, 1, edited.title)
    assert len(latest) == len(records)
    assert str(latest.previous_version.dtype) == "Int64"

    report = export_parquet(root, tmp_path / "out", versions=True)
    assert report.path.name == "versions.parquet" and report.rows == len(records) + 1
    versions = pd.read_parquet(report.path)
    mine = versions[versions.article_id == edited.article_id]
    assert list(mine.version) == [1, 2]
    assert str(mine.previous_version.dtype) == "Int64"
    assert mine.previous_version.isna().tolist() == [True, False]
    assert (tmp_path / "out" / "articles.parquet").exists()  # left as it was


def test_a_version_the_index_holds_twice_is_exported_once(
    tmp_path: Path, records: list[Article]
) -> None:
    root = write_archive(tmp_path / "archive", records)
    copy = root / "records" / "chinadaily" / "crawl-20260102000000-testhost-2.jsonl"
    copy.write_text((root / "records" / "chinadaily" / f"{STEM}.jsonl").read_text(encoding="utf-8"))
    report = export_parquet(root, tmp_path / "out", versions=True)
    assert report.rows == len(records)


def test_site_and_since_select(root: Path, tmp_path: Path, records: list[Article]) -> None:
    only = export_parquet(root, tmp_path / "gt", site="globaltimes")
    assert set(pq.read_table(only.path).column("site").to_pylist()) == {"globaltimes"}
    since = sorted(r.captures[0].fetched_at for r in records)[-3]
    late = export_parquet(root, tmp_path / "late", since=since)
    assert late.rows == 3


def test_a_column_without_values_keeps_its_type(root: Path, tmp_path: Path) -> None:
    # No fixture record is a second version: previous_version is null in every row.
    path = export_parquet(root, tmp_path / "out").path
    assert pq.read_table(path).column("previous_version").null_count == len(pq.read_table(path))
    described = duckdb.sql(f"DESCRIBE SELECT * FROM '{path}'").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["previous_version"] == "BIGINT"
    assert types["changes"] == "VARCHAR[]"


def test_rows_are_written_in_batches(
    root: Path, tmp_path: Path, records: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parquet, "BATCH_ROWS", 5)
    path = export_parquet(root, tmp_path / "out").path
    assert pq.ParquetFile(path).metadata.num_row_groups == -(-len(records) // 5)


def test_nothing_selected_is_an_error_and_no_file(root: Path, tmp_path: Path) -> None:
    since = datetime(2999, 1, 1, tzinfo=UTC)
    with pytest.raises(ArchiverError, match=r"no article records under .* match the selection"):
        export_parquet(root, tmp_path / "out", since=since)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_failed_export_leaves_the_older_file(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    before = export_parquet(root, out).path.read_bytes()

    def broken(records: Any, path: Path, counts: Any) -> None:
        path.write_bytes(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(parquet, "write_records", broken)
    with pytest.raises(OSError):
        export_parquet(root, out, site="globaltimes")
    assert [p.name for p in out.iterdir()] == ["articles.parquet"]
    assert (out / "articles.parquet").read_bytes() == before


# -- the command ----------------------------------------------------------------------------------


def test_command_prints_the_summary(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["export", "parquet", "--dir", str(root), "--out", str(out)]) == 0
    assert capsys.readouterr().out == (
        f"wrote {out / 'articles.parquet'}: {pq.read_metadata(out / 'articles.parquet').num_rows}"
        f" rows (chinadaily {_count(out, 'chinadaily')}, globaltimes {_count(out, 'globaltimes')})"
        "\n"
    )


def _count(out: Path, site: str) -> int:
    return pq.read_table(out / "articles.parquet").column("site").to_pylist().count(site)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "archiver: error: no archive at "),
        ("empty", "archiver: error: no article records under "),
        ("nothing", "archiver: error: no article records under "),
    ],
)
def test_command_errors_are_one_line(
    setup: str, message: str, root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = {"missing": tmp_path / "none", "empty": tmp_path, "nothing": root}[setup]
    args = ["export", "parquet", "--dir", str(where), "--out", str(tmp_path / "out")]
    if setup == "nothing":
        args += ["--since", "2999-01-01"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1, err


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--since", "2026-13-01"], "argument --since: '2026-13-01' is not a date (YYYY-MM-DD)"),
        (["--site", "xinhua"], "argument --site: invalid choice: 'xinhua'"),
    ],
)
def test_bad_since_or_site_is_a_usage_error(
    option: list[str], message: str, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["export", "parquet", "--dir", str(root), "--out", "x", *option])
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err.splitlines()[-1]


def test_without_pyarrow_the_command_names_the_extra(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "archiver.offline.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    args = ["export", "parquet", "--dir", str(root), "--out", str(tmp_path / "out")]
    assert main(args) == 1
    assert capsys.readouterr().err == (
        "archiver: error: export parquet needs pyarrow: pip install 'archiver[parquet]'\n"
    )
