"""`archiver export parquet` on a crawled archive, read back by DuckDB and pandas as users do."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from archiver.record import Article
from tests.crawling import REPO
from tests.replaying import records

pytestmark = pytest.mark.crawl


def _export(root: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "archiver", "export", "parquet", "--dir", str(root)]
    return subprocess.run(
        [*command, "--out", str(out), *args], cwd=REPO, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def latest(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parquet")
    done = _export(archive, out)
    assert done.returncode == 0, done.stderr
    by_site = {
        s: sum(r["site"] == s for r in records(archive)) for s in ("chinadaily", "globaltimes")
    }
    assert done.stdout == (
        f"wrote {out / 'articles.parquet'}: {sum(by_site.values())} rows "
        f"(chinadaily {by_site['chinadaily']}, globaltimes {by_site['globaltimes']})\n"
    )
    return out / "articles.parquet"


def _json_records(archive: Path) -> dict[tuple[str, str], dict[str, Any]]:
    # A fresh crawl writes one version of each article: its record is the latest.
    found = {(r["site"], r["article_id"]): r for r in records(archive)}
    assert len(found) == len(records(archive))
    return found


def test_duckdb_types(latest: Path) -> None:
    types = dict(
        duckdb.sql(f"SELECT column_name, column_type FROM (DESCRIBE '{latest}')").fetchall()
    )
    assert list(types) == list(Article.model_fields)
    assert types["article_id"] == "VARCHAR"
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["updated_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["authors"] == 'STRUCT("name" VARCHAR, "location" VARCHAR)[]'
    assert types["images"] == "STRUCT(url VARCHAR, caption VARCHAR, credit VARCHAR)[]"
    assert types["captures"].startswith("STRUCT(url VARCHAR, warc_file VARCHAR, warc_offset BIGINT")
    assert "fetched_at TIMESTAMP WITH TIME ZONE" in types["captures"]
    assert types["extractor"].startswith("STRUCT(archiver VARCHAR")
    assert types["version"] == "BIGINT"
    # Every record of a fresh crawl is a first version: no value at all, the type stays.
    assert duckdb.sql(f"SELECT count(previous_version) FROM '{latest}'").fetchall() == [(0,)]
    assert types["previous_version"] == "BIGINT"


def test_duckdb_values_equal_the_json_records(archive: Path, latest: Path) -> None:
    expected = _json_records(archive)
    rows = duckdb.sql(
        f"SELECT site, article_id, title, published_at, updated_at, authors, "
        f"captures[1].fetched_at AS fetched_at, len(images) AS images, previous_version "
        f"FROM '{latest}' ORDER BY site, article_id"
    ).fetchall()
    assert [(row[0], row[1]) for row in rows] == sorted(expected)
    assert {row[0] for row in rows} == {"chinadaily", "globaltimes"}
    for site, article_id, title, published, updated, authors, fetched, images, previous in rows:
        record = expected[(site, article_id)]
        assert isinstance(article_id, str) and title == record["title"]
        # Aware datetimes, compared as instants (a naive one never equals an aware one).
        assert published == _moment(record["published_at"])
        assert updated == _moment(record["updated_at"])
        assert fetched == _moment(record["captures"][0]["fetched_at"])
        assert authors == record["authors"]
        assert images == len(record["images"])
        assert previous is None


def test_pandas_types(latest: Path) -> None:
    frame = pd.read_parquet(latest)
    for site in ("chinadaily", "globaltimes"):
        ids = frame[frame.site == site].article_id
        assert len(ids) and all(isinstance(value, str) for value in ids)
    assert pd.api.types.is_string_dtype(frame.article_id)
    for column in ("published_at", "updated_at"):
        dtype = frame[column].dtype
        assert isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC", dtype
    assert str(frame.previous_version.dtype) == "Int64"
    assert str(frame.version.dtype) == "int64"
    assert str(frame.dates_disagree.dtype) == "bool"
    with_authors = frame[frame.authors.map(len) > 0]
    assert len(with_authors)
    assert all(set(author) == {"name", "location"} for a in with_authors.authors for author in a)


def test_pandas_values_equal_the_json_records(archive: Path, latest: Path) -> None:
    expected = _json_records(archive)
    frame = pd.read_parquet(latest)
    assert len(frame) == len(expected)
    for row in frame.itertuples():
        record = expected[(row.site, row.article_id)]
        assert row.url == record["url"] and row.text == record["text"]
        published = record["published_at"]
        if published is None:
            assert pd.isna(row.published_at)
        else:
            assert row.published_at == pd.Timestamp(published)
        assert [dict(a) for a in row.authors] == record["authors"]
        assert list(row.pages) == record["pages"]
        assert pd.isna(row.previous_version)


def test_every_field_survives_the_round_trip(archive: Path, latest: Path) -> None:
    import pyarrow.parquet as pq

    back = {
        (row["site"], row["article_id"]): Article.model_validate(row)
        for row in pq.read_table(latest).to_pylist()
    }
    expected = {key: Article.model_validate(r) for key, r in _json_records(archive).items()}
    assert back == expected


def test_versions_site_and_since(archive: Path, tmp_path: Path) -> None:
    done = _export(archive, tmp_path, "--versions", "--site", "globaltimes")
    assert done.returncode == 0, done.stderr
    gt = [r for r in records(archive) if r["site"] == "globaltimes"]
    assert (
        done.stdout
        == f"wrote {tmp_path / 'versions.parquet'}: {len(gt)} rows (globaltimes {len(gt)})\n"
    )
    ids = duckdb.sql(f"SELECT DISTINCT site FROM '{tmp_path / 'versions.parquet'}'").fetchall()
    assert ids == [("globaltimes",)]
    # China Daily was crawled before Global Times: an ISO time between the two picks one site.
    since = min(r["captures"][0]["fetched_at"] for r in gt)
    done = _export(archive, tmp_path / "since", "--since", since)
    assert done.returncode == 0, done.stderr
    frame = pd.read_parquet(tmp_path / "since" / "articles.parquet")
    assert set(frame.article_id) == {r["article_id"] for r in gt}


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
