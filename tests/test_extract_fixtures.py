"""Fixture pages through extract_article: one test per fixture and field, plus invariants."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from archiver.extract import ExtractionError, NotAnArticle, extract_article
from archiver.record import Article
from tests.fixture_pages import load, names

ARTICLES = [n for n in names() if not load(n).is_error]
ERRORS = [n for n in names() if load(n).is_error]
FIELDS = [f for f in Article.model_fields if f not in ("captures", "extractor")]

# Parser and template each fixture must be read with.
PARSERS = {
    "chinadaily-en-2024-05-13": "chinadaily/current-en",
    "chinadaily-en-buddhist-era-2026-05-17": "chinadaily/current-en",
    "chinadaily-en-photostory-2024-05-20": "chinadaily/current-en",
    "chinadaily-zh-2023-11-17": "chinadaily/current-zh",
    "chinadaily-legacy-2017-07-05-two-authors": "chinadaily/legacy",
    "chinadaily-legacy-2016-03-15-single-author": "chinadaily/legacy",
    "chinadaily-legacy-zh-gb2312-2015-03-12": "chinadaily/legacy",
    "globaltimes-current-2026-02-17-authors": "globaltimes/current",
    "globaltimes-current-2026-05-20-xinhua": "globaltimes/current",
    "globaltimes-legacy-2017-11-11": "globaltimes/legacy",
}

# Strings that never belong in body text: footers, share bars, rails, captions, editor notes.
BOILERPLATE = [
    "Copyright",
    "All rights reserved",
    "Shared from",
    "RELATED ARTICLES",
    "Related Stories",
    "Posted in",
    "【责任编辑",
    "编辑：",
    "/FOR CHINA DAILY",
    "[Photo",
    "Photo: ",
    "/GT",
    "Newspaper headline",
    "BACK TO THE TOP",
    "Most Viewed in 24 Hours",
    "Special Coverage",
    "License for publishing",
    "Registration Number",
    "Share - WeChat",
    "版权",
    "load_file",
    "Next",
]

_cache: dict[str, dict[str, Any]] = {}


def _record(name: str) -> dict[str, Any]:
    if name not in _cache:
        _cache[name] = json.loads(extract_article(load(name).pages).to_json_line())
    return _cache[name]


def test_every_fixture_is_covered() -> None:
    assert sorted(PARSERS) == ARTICLES
    assert len(ERRORS) >= 1


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("name", ARTICLES)
def test_field(name: str, field: str) -> None:
    assert _record(name)[field] == load(name).expected[field]


@pytest.mark.parametrize("name", ARTICLES)
def test_no_extra_fields(name: str) -> None:
    got = set(_record(name)) - {"captures", "extractor"}
    assert got == set(load(name).expected)


@pytest.mark.parametrize("name", ARTICLES)
def test_parser(name: str) -> None:
    extractor = _record(name)["extractor"]
    assert extractor["parser"] == PARSERS[name]
    assert extractor["archiver"] and extractor["trafilatura"] not in ("", "missing")


@pytest.mark.parametrize("name", ARTICLES)
def test_invariants(name: str) -> None:
    record = _record(name)
    line = json.dumps(record, ensure_ascii=False)
    assert "\ufffd" not in line
    assert record["title"].strip() and record["text"].strip()
    assert "\n\n\n" not in record["text"]
    for key in ("published_at", "updated_at"):
        value = record[key]
        assert value is None or re.search(r"[+-]\d{2}:\d{2}$", value), value
    assert record["published_at"] is not None
    for cand in record["dates_raw"]:
        assert cand["value"] is None or re.search(r"[+-]\d{2}:\d{2}$", cand["value"])
    for image in record["images"]:
        assert image["url"].startswith(("https://", "http://"))


@pytest.mark.parametrize("snippet", BOILERPLATE)
@pytest.mark.parametrize("name", ARTICLES)
def test_no_boilerplate_in_text(name: str, snippet: str) -> None:
    assert snippet not in _record(name)["text"]


@pytest.mark.parametrize("name", ERRORS)
def test_non_articles(name: str) -> None:
    fixture = load(name)
    kind = {"NotAnArticle": NotAnArticle, "ExtractionError": ExtractionError}
    with pytest.raises(kind[fixture.expected["error"]]) as caught:
        extract_article(fixture.pages)
    assert caught.value.reason == fixture.expected["reason"]


@pytest.mark.parametrize("name", ARTICLES)
def test_deterministic(name: str) -> None:
    pages = load(name).pages
    assert extract_article(pages).to_json_line() == extract_article(load(name).pages).to_json_line()


@pytest.mark.parametrize("name", ARTICLES)
def test_reconstructed_fixtures_say_so(name: str) -> None:
    for response in load(name).responses:
        assert isinstance(response["reconstructed"], bool)
        if response["reconstructed"]:
            assert "RECONSTRUCTED" in response["note"]
