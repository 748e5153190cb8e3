"""Feed exporters (`scrapy crawl SITE -O items.jsonl`) that write a record as its JSON line does."""

# The pipeline hands each record written on as the item (an Article). Scrapy's own exporters
# read a pydantic item through itemadapter as Python values and encode those themselves: a UTC
# time then comes out "+00:00" where the record line says "Z", and marshal cannot encode a
# datetime at all. These exporters give every format the values of the record's JSON line.

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from scrapy import exporters


def json_values(item: Any) -> Any:
    """A pydantic item (an Article record) as the JSON values of `model_dump_json`, keys in
    schema order; any other item as it is."""
    if isinstance(item, BaseModel):
        return item.model_dump(mode="json")
    return item


class JsonLinesItemExporter(exporters.JsonLinesItemExporter):
    """Scrapy's JSON Lines exporter; a record is exported as its record line's values."""

    def export_item(self, item: Any) -> None:
        super().export_item(json_values(item))


class JsonItemExporter(exporters.JsonItemExporter):
    """Scrapy's JSON exporter; a record is exported as its record line's values."""

    def export_item(self, item: Any) -> None:
        super().export_item(json_values(item))


class CsvItemExporter(exporters.CsvItemExporter):
    """Scrapy's CSV exporter; a record is exported as its record line's values."""

    def export_item(self, item: Any) -> None:
        super().export_item(json_values(item))


class XmlItemExporter(exporters.XmlItemExporter):
    """Scrapy's XML exporter; a record is exported as its record line's values."""

    def export_item(self, item: Any) -> None:
        super().export_item(json_values(item))


class MarshalItemExporter(exporters.MarshalItemExporter):
    """Scrapy's marshal exporter; a record is exported as its record line's values."""

    def export_item(self, item: Any) -> None:
        super().export_item(json_values(item))


class PickleItemExporter(exporters.PickleItemExporter):
    """Scrapy's pickle exporter; a record is exported as its record line's values."""

    def export_item(self, item: Any) -> None:
        super().export_item(json_values(item))


FEED_EXPORTERS = {
    "json": f"{__name__}.JsonItemExporter",
    "jsonlines": f"{__name__}.JsonLinesItemExporter",
    "jsonl": f"{__name__}.JsonLinesItemExporter",
    "jl": f"{__name__}.JsonLinesItemExporter",
    "csv": f"{__name__}.CsvItemExporter",
    "xml": f"{__name__}.XmlItemExporter",
    "marshal": f"{__name__}.MarshalItemExporter",
    "pickle": f"{__name__}.PickleItemExporter",
}
"""FEED_EXPORTERS entries for every format of Scrapy's FEED_EXPORTERS_BASE (the add-on sets
them at "addon" priority: an exporter the project names for a format still wins)."""
