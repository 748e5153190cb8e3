"""The JSON Schema `archiver schema` prints: its dialect and id, and a validator that uses it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import validator_for

from archiver.record import SCHEMA_ID, Article, schema_json
from tests.fixture_pages import fixture_records

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = schema_json()
    # The dialect the schema names is the one a validator picks for it.
    assert validator_for(schema) is Draft202012Validator
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_schema_names_its_dialect_and_id() -> None:
    schema = schema_json()
    assert list(schema)[:2] == ["$schema", "$id"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID == "urn:archiver:schema:article:1"


def test_records_of_both_sites_are_valid(validator: Draft202012Validator) -> None:
    records = fixture_records()
    assert {r.site for r in records} == {"chinadaily", "globaltimes"}
    for record in records:
        validator.validate(json.loads(record.to_json_line()))
    edited = records[0].model_copy(update={"version": 2, "previous_version": 1})
    validator.validate(json.loads(edited.to_json_line()))


@pytest.mark.parametrize(
    "change",
    [
        {"article_id": 1371503},  # the numeric id pandas would make of it
        {"published_at": None, "surprise": "extra key"},
        {"authors": [{"name": ""}]},
        {"version": 0},
        {"site": "xinhua"},
    ],
)
def test_a_record_breaking_the_contract_is_refused(
    validator: Draft202012Validator, change: dict[str, Any]
) -> None:
    record = json.loads(fixture_records()[0].to_json_line())
    with pytest.raises(ValidationError):
        validator.validate(record | change)
    with pytest.raises(ValueError):
        Article.model_validate(record | change)  # the model and the schema agree
