"""Fixture pages through extract_article: one test per fixture and field, plus invariants."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from archiver.fixtures.fixture import UNREVIEWED_HINT
from archiver.fixtures.fixture import load as load_folder
from archiver.record import Article
from archiver.sites.extract import EXTRACTOR_VERSION, ExtractionError, NotAnArticle, extract_article
from tests.fixture_pages import FIXTURES, RECORD_ONLY, load, names

pytestmark = pytest.mark.unit

ARTICLES = [n for n in names() if not load(n).is_error]
ERRORS = [n for n in names() if load(n).is_error]
FIELDS = [f for f in Article.model_fields if f not in RECORD_ONLY]

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
    "chinadaily-en-usa-2025-03-04-datelines-contributors": "chinadaily/current-en",
    "chinadaily-en-xinhua-2025-07-21-subheading": "chinadaily/current-en",
    "chinadaily-en-opinion-2025-10-09-subtitle-list-date-off": "chinadaily/current-en",
    "chinadaily-en-2024-11-02-updated-days-later": "chinadaily/current-en",
    "chinadaily-en-multipage-2025-06-18": "chinadaily/current-en",
    "chinadaily-en-video-2025-08-14-with-description": "chinadaily/current-en",
    "chinadaily-zh-2024-09-10-xinhua-subheadings": "chinadaily/current-zh",
    "globaltimes-current-2025-04-11-inline-related-contributed": "globaltimes/current",
    "globaltimes-current-2024-12-03-viewpoint-updated": "globaltimes/current",
    "globaltimes-current-2025-02-07-liveblog": "globaltimes/current",
    "globaltimes-legacy-2019-11-28-two-authors": "globaltimes/legacy",
    "chinadaily-en-2025-09-03-edited-same-day": "chinadaily/current-en",
    # Both templates' markup; captured before the current one's valid_from.
    "globaltimes-legacy-2020-11-20-both-templates-capture-date": "globaltimes/legacy",
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


@pytest.mark.parametrize("name", names())
def test_fixture_is_reviewed(name: str) -> None:
    # `archiver fixtures add` writes the extractor's own output: a person must check it first.
    assert load(name).reviewed, f"{name} is not reviewed: {UNREVIEWED_HINT}"


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("name", ARTICLES)
def test_field(name: str, field: str) -> None:
    assert _record(name)[field] == load(name).expected[field]


@pytest.mark.parametrize("name", ARTICLES)
def test_no_extra_fields(name: str) -> None:
    got = set(_record(name)) - RECORD_ONLY
    assert got == set(load(name).expected)


@pytest.mark.parametrize("name", ARTICLES)
def test_parser(name: str) -> None:
    extractor = _record(name)["extractor"]
    assert extractor["parser"] == PARSERS[name]
    assert extractor["archiver"] and extractor["trafilatura"] not in ("", "missing")
    assert extractor["version"] == EXTRACTOR_VERSION


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
    assert record["published_from"] in {c["source"] for c in record["dates_raw"]}
    chosen = [c for c in record["dates_raw"] if c["source"] == record["published_from"]]
    assert record["published_at"] in [c["value"] for c in chosen]
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
    first = extract_article(load_folder(FIXTURES / name).pages).to_json_line()
    assert first == extract_article(load_folder(FIXTURES / name).pages).to_json_line()


@pytest.mark.parametrize("name", names())
def test_reconstructed_fixtures_say_so(name: str) -> None:
    for response in load(name).responses:
        assert isinstance(response["reconstructed"], bool)
        if response["reconstructed"]:
            assert "RECONSTRUCTED" in response["note"]
