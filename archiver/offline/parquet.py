"""`archiver export parquet`: the records as Parquet, typed by an Arrow schema read off Article."""

# Needs pyarrow, the optional extra `archiver[parquet]`: the command says so when it is missing
# (archiver/cli/offline.py), so nothing else of the archiver imports this module.

from __future__ import annotations

import json
import types
import typing
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import AwareDatetime, BaseModel

from archiver.durable import replacing
from archiver.errors import ArchiverError
from archiver.layout import ArchiveLayout
from archiver.offline.selection import selected_since, site_selected
from archiver.record import SCHEMA_ID, Article
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import sync

LATEST_FILE = "articles.parquet"
VERSIONS_FILE = "versions.parquet"

BATCH_ROWS = 1000
"""Records converted and written at a time (one Parquet row group): what memory holds."""

TIMESTAMP = pa.timestamp("us", tz="UTC")

_SCALARS: dict[object, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    datetime: TIMESTAMP,
    AwareDatetime: TIMESTAMP,
}


def arrow_type(annotation: Any) -> tuple[pa.DataType, bool]:
    """The Arrow type of a pydantic field annotation, and whether it may be null.

    str and Literal of strings: string; int: int64; float: float64; bool: bool; a datetime:
    timestamp[us, UTC] (an instant: the offset the record printed is not kept); `X | None`: X,
    nullable; list[X]: list of X; a model: a struct of its fields. Raises TypeError for any
    other annotation, so that a record field of a new kind cannot be exported untyped.
    """
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        present = [arg for arg in args if arg is not type(None)]
        if len(present) == 1 and len(args) == 2:
            return arrow_type(present[0])[0], True
    elif origin is Literal:
        if all(isinstance(arg, str) for arg in args):
            return pa.string(), False
    elif origin is list and len(args) == 1:
        item, nullable = arrow_type(args[0])
        return pa.list_(pa.field("element", item, nullable=nullable)), False
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return pa.struct(model_fields(annotation)), False
    elif annotation in _SCALARS:
        return _SCALARS[annotation], False
    raise TypeError(
        f"no Arrow type for {annotation!r}: teach archiver.offline.parquet.arrow_type about it"
    )


def model_fields(model: type[BaseModel]) -> list[pa.Field]:
    """One Arrow field per model field, in schema order, each with its description."""
    fields = []
    for name, info in model.model_fields.items():
        kind, nullable = arrow_type(info.annotation)
        meta = {"description": info.description} if info.description else None
        fields.append(pa.field(name, kind, nullable=nullable, metadata=meta))
    return fields


def record_schema() -> pa.Schema:
    """The Arrow schema of the export: one column per Article field, in record order.

    Schema metadata: `archiver.schema` (the record schema's $id) and `pandas`, which names the
    nullable integer columns (previous_version) so that pandas reads them as Int64, not float.
    """
    fields = model_fields(Article)
    nullable_ints = [f.name for f in fields if f.nullable and pa.types.is_integer(f.type)]
    pandas = {
        "index_columns": [],
        "column_indexes": [],
        "columns": [
            {
                "name": name,
                "field_name": name,
                "pandas_type": "int64",
                "numpy_type": "Int64",
                "metadata": None,
            }
            for name in nullable_ints
        ],
    }
    return pa.schema(fields, metadata={"archiver.schema": SCHEMA_ID, "pandas": json.dumps(pandas)})


SCHEMA = record_schema()


@dataclass
class ParquetReport:
    """What one export wrote: the file and its rows per site."""

    path: Path
    sites: Counter[str] = field(default_factory=Counter)

    @property
    def rows(self) -> int:
        return sum(self.sites.values())

    def summary(self) -> str:
        """One line: `wrote OUT/articles.parquet: 19 rows (chinadaily 11, globaltimes 8)`."""
        per_site = ", ".join(f"{site} {count}" for site, count in sorted(self.sites.items()))
        return f"wrote {self.path}: {self.rows} rows ({per_site})"


def export_parquet(
    root: Path,
    out: Path,
    *,
    site: str | None = None,
    since: datetime | None = None,
    versions: bool = False,
    index_path: Path | str | None = None,
) -> ParquetReport:
    """Write OUT/articles.parquet, the current record of every selected article (by site,
    then article id), or with `versions` OUT/versions.parquet, every version (by site, then
    in the order written). `since` and `site` select records as for `export wacz`
    (archiver.offline.selection). Syncs the index (at `index_path`, default root/index.sqlite3)
    with the files first. The file is replaced atomically, and the same records always give
    the same bytes.

    Raises ArchiverError when there is no archive or nothing is selected (no file is then
    written), OSError when writing fails.
    """
    layout = ArchiveLayout(root)
    if not layout.records_root.is_dir():
        raise ArchiverError(f"no article records under {layout.records_root}: run a crawl first")
    report = ParquetReport(out / (VERSIONS_FILE if versions else LATEST_FILE))
    with ArchiveIndex(root, index_path) as index:
        sync(index)
        chosen = every_version(index, site) if versions else index.current_records(site)
        selected = (r for r in chosen if _selected(r, since))
        with replacing(report.path) as temporary:
            write_records(selected, temporary, report.sites)
            if not report.rows:
                raise ArchiverError(
                    f"no article records under {layout.records_root} match the selection"
                )
    return report


def every_version(index: ArchiveIndex, site: str | None) -> Iterator[Article]:
    """Every record the index knows as a version (of `site`; None: every site), read from the
    records files in folder, file and line order; one record in memory at a time.

    A line the index took another copy of (the same version in two files), a line not valid
    and an unfinished last line are left out, as the index leaves them out.
    """
    layout = ArchiveLayout(index.root)
    for path in sorted(layout.records_root.glob("*/*.jsonl")):
        name = layout.relative(path)
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.endswith("\n"):
                    break
                try:
                    record = Article.model_validate_json(line)
                except ValueError:
                    continue
                if not site_selected(record.site, site):
                    continue
                if index.record_file(record.site, record.article_id, record.version) == name:
                    yield record


def write_records(records: Iterable[Article], path: Path, counts: Counter[str]) -> None:
    """Write `records` to the Parquet file `path` in row groups of BATCH_ROWS, counting the
    rows of each site in `counts`.

    Deterministic: zstd compression, statistics, no timestamps; the footer names the pyarrow
    version, so the same records and pyarrow give the same bytes.
    """
    with pq.ParquetWriter(path, SCHEMA, compression="zstd") as writer:
        for batch in _batches(records, counts):
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=SCHEMA))


def _batches(records: Iterable[Article], counts: Counter[str]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for record in records:
        counts[record.site] += 1
        batch.append(record.model_dump())
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def _selected(record: Article, since: datetime | None) -> bool:
    if since is None:
        return True
    return bool(record.captures) and selected_since(record.captures[0].fetched_at, since)
