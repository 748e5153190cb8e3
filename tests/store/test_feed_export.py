"""Feed exports (`scrapy crawl SITE -O items.jsonl`) write a record as its record line does."""

from __future__ import annotations

import csv
import io
import json
import marshal
import pickle
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from scrapy import exporters
from scrapy.settings import Settings
from scrapy.settings.default_settings import FEED_EXPORTERS_BASE
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings

from archiver.crawl.addon import ArchiverAddon
from archiver.mirror import Manifest, MirrorServer
from archiver.record import Article, schema_json
from archiver.store import feeds
from tests.crawling import run_crawl
from tests.fixture_pages import fixture_records


def _settings(**overrides: object) -> Settings:
    settings = get_project_settings()
    settings.setdict(dict(overrides), priority="project")
    ArchiverAddon().update_settings(settings)
    return settings


def _export(name: str, items: list[Any]) -> bytes:
    out = io.BytesIO()
    exporter = load_object(_settings()["FEED_EXPORTERS"][name])(out)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue()


@pytest.fixture(scope="module")
def record() -> Article:
    # A record with captures (a UTC fetched_at), authors with locations and a +08:00 date.
    return next(r for r in fixture_records() if r.authors and r.published_at is not None)


@pytest.mark.unit
def test_the_addon_installs_an_exporter_for_every_format() -> None:
    installed = _settings()["FEED_EXPORTERS"]
    for name, scrapys in FEED_EXPORTERS_BASE.items():
        ours = load_object(installed[name])
        assert ours.__module__ == feeds.__name__, name
        assert issubclass(ours, load_object(scrapys)), name


@pytest.mark.unit
def test_an_exporter_the_project_names_still_wins() -> None:
    mine = "scrapy.exporters.PythonItemExporter"
    installed = _settings(FEED_EXPORTERS={"jsonlines": mine})["FEED_EXPORTERS"]
    assert installed["jsonlines"] == mine
    assert installed["jl"] == "archiver.store.feeds.JsonLinesItemExporter"


@pytest.mark.unit
@pytest.mark.parametrize("name", ["jsonlines", "jsonl", "jl"])
def test_json_lines_are_the_record_lines(name: str, record: Article) -> None:
    (line,) = _export(name, [record]).decode("utf-8").splitlines()
    assert json.loads(line) == json.loads(record.to_json_line())
    assert list(json.loads(line)) == list(Article.model_fields)
    assert json.loads(line)["captures"][0]["fetched_at"].endswith("Z")


@pytest.mark.unit
def test_json_is_a_list_of_the_record_values(record: Article) -> None:
    assert json.loads(_export("json", [record, record])) == [json.loads(record.to_json_line())] * 2


@pytest.mark.unit
def test_marshal_and_pickle_carry_the_json_values(record: Article) -> None:
    values = json.loads(record.to_json_line())
    assert marshal.loads(_export("marshal", [record])) == values
    assert pickle.loads(_export("pickle", [record])) == values


@pytest.mark.unit
def test_csv_and_xml_write_times_as_the_record_does(record: Article) -> None:
    (row,) = csv.DictReader(io.StringIO(_export("csv", [record]).decode("utf-8")))
    assert row["published_at"] == json.loads(record.to_json_line())["published_at"]
    assert row["article_id"] == record.article_id
    xml = _export("xml", [record]).decode("utf-8")
    fetched = json.loads(record.to_json_line())["captures"][0]["fetched_at"]
    assert f"<fetched_at>{fetched}</fetched_at>" in xml and fetched.endswith("Z")


@pytest.mark.unit
def test_other_items_are_exported_as_scrapy_exports_them() -> None:
    item = {"url": "https://example.org/", "n": 1}
    scrapys = io.BytesIO()
    exporter = exporters.JsonLinesItemExporter(scrapys)
    exporter.export_item(item)
    assert _export("jsonlines", [item]) == scrapys.getvalue()


@pytest.mark.crawl
def test_a_crawl_feed_export_equals_the_records(
    tmp_path: Path, mirror: MirrorServer, manifest: Manifest
) -> None:
    out = tmp_path / "items.jsonl"
    result = run_crawl(
        "globaltimes",
        tmp_path / "archive",
        mirror.url,
        args={"urls": ",".join(manifest.start_urls("globaltimes"))},
        options=["-O", str(out)],
    )
    assert result.returncode == 0, result.log[-3000:]
    (records_file,) = (tmp_path / "archive" / "records" / "globaltimes").glob("*.jsonl")
    written = [json.loads(line) for line in records_file.read_text(encoding="utf-8").splitlines()]
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(written) >= 5
    assert exported == written
    # ... and both are what `archiver schema` describes.
    validator = Draft202012Validator(schema_json())
    for value in written:
        validator.validate(value)
