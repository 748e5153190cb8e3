"""The quality gate: scores of every fixture against the floors pinned in tests/quality_floors.json."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from archiver.cli import main
from archiver.errors import CommandError
from archiver.fixtures import load
from archiver.quality import (
    FixtureResult,
    check,
    evaluate,
    load_floors,
    raise_floors,
    score,
    token_f1,
)
from tests.fixture_pages import FIXTURES, names

FLOORS = Path(__file__).parent / "quality_floors.json"
GOAL = ("title", "authors", "source", "section", "language", "published_at", "images")


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, float]]:
    return score(evaluate([load(FIXTURES / n) for n in names()]))


def test_no_score_is_below_its_floor(scores: dict[str, dict[str, float]]) -> None:
    floors = load_floors(FLOORS)
    assert set(floors) == {"chinadaily", "globaltimes"}
    assert check(scores, floors) == []


def test_floors_pin_the_goal(scores: dict[str, dict[str, float]]) -> None:
    floors = load_floors(FLOORS)
    for site in floors:
        for field in (*GOAL, "outcome"):
            assert floors[site][field] == 1.0, (site, field)
        assert floors[site]["text_f1"] >= 0.98
    assert sum(floors[s]["fixtures"] for s in floors) >= 25


def test_enough_fixtures_of_every_kind() -> None:
    fixtures = [load(FIXTURES / n) for n in names()]
    assert len(fixtures) >= 25
    records = [f.expected for f in fixtures if not f.is_error]
    assert {r["language"] for r in records} == {"en", "zh"}
    assert any(len(r["pages"]) > 1 for r in records)
    assert sum(f.is_error for f in fixtures) >= 3
    assert {r["kind"] for r in records} >= {"article", "video", "liveblog"}
    for site in ("chinadaily", "globaltimes"):
        assert sum(f.site == site for f in fixtures) >= 8


def test_a_drop_below_a_floor_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # One fixture whose expected title no longer matches: title share drops below 1.0.
    for name in ("globaltimes-legacy-2017-11-11", "globaltimes-current-2025-05-01-gallery-no-text"):
        shutil.copytree(FIXTURES / name, tmp_path / name)
    expected_path = tmp_path / "globaltimes-legacy-2017-11-11" / "expected.json"
    expected = json.loads(expected_path.read_text())
    expected["title"] = "A headline the page does not print"
    expected_path.write_text(json.dumps(expected))
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"globaltimes": {"title": 1.0, "outcome": 1.0}}))
    assert main(["fixtures", "gate", str(tmp_path), "--floors", str(floors)]) == 1
    out = capsys.readouterr().out
    assert "below floor: globaltimes title: 0.0000 is below its floor 1.0000" in out


def test_floors_are_never_lowered_without_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "chinadaily-en-2024-05-13"
    shutil.copytree(FIXTURES / name, tmp_path / name)
    expected_path = tmp_path / name / "expected.json"
    expected = json.loads(expected_path.read_text())
    expected["text"] += "\n\nA paragraph the page does not have."
    expected_path.write_text(json.dumps(expected))
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"chinadaily": {"text_f1": 0.999, "title": 1.0}}))
    args = ["fixtures", "gate", str(tmp_path), "--floors", str(floors), "--update-floors"]
    assert main(args) == 1
    assert "refusing to lower floors (chinadaily text_f1" in capsys.readouterr().err
    assert json.loads(floors.read_text()) == {"chinadaily": {"text_f1": 0.999, "title": 1.0}}
    assert main([*args, "--lower-floors"]) == 0
    lowered = json.loads(floors.read_text())["chinadaily"]
    assert lowered["text_f1"] < 0.999 and lowered["title"] == 1.0


def test_raise_floors_keeps_higher_scores() -> None:
    new = raise_floors({"s": {"a": 1.0, "b": 0.9}}, {"s": {"a": 0.5}})
    assert new == {"s": {"a": 1.0, "b": 0.9}}
    with pytest.raises(CommandError):
        raise_floors({"s": {"a": 0.4}}, {"s": {"a": 0.5}})


@pytest.mark.parametrize(
    ("expected", "actual", "f1"),
    [
        ("a b c", "a b c", 1.0),
        ("a b c d", "a b", 2 * 1.0 * 0.5 / 1.5),
        ("中国日报", "中国", 2 * 1.0 * 0.5 / 1.5),
        ("", "", 1.0),
        ("a", "", 0.0),
    ],
)
def test_token_f1(expected: str, actual: str, f1: float) -> None:
    assert token_f1(expected, actual) == pytest.approx(f1)


def test_gate_run_elsewhere_uses_the_repository_floors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # From a directory with no fixtures, the gate still finds the repository's fixtures and
    # floors (never "no floors, pass").
    monkeypatch.chdir(tmp_path)
    assert main(["fixtures", "gate"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^chinadaily +title +1.0000 +1.0000$", out, re.M)


def test_a_missing_floors_file_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "globaltimes-legacy-2017-11-11"
    shutil.copytree(FIXTURES / name, tmp_path / "fx" / name)
    # No quality_floors.json above the fixtures and none named.
    assert main(["fixtures", "gate", str(tmp_path / "fx")]) == 1
    assert "no quality_floors.json found" in capsys.readouterr().err
    floors = tmp_path / "floors.json"
    assert main(["fixtures", "gate", str(tmp_path / "fx"), "--floors", str(floors)]) == 1
    assert "does not exist; create it with --update-floors" in capsys.readouterr().err
    args = ["fixtures", "gate", str(tmp_path / "fx"), "--floors", str(floors), "--update-floors"]
    assert main(args) == 0
    assert json.loads(floors.read_text())["globaltimes"]["title"] == 1.0
    # A floors file next to the fixtures is found without --floors.
    shutil.copy(floors, tmp_path / "quality_floors.json")
    assert main(["fixtures", "gate", str(tmp_path / "fx")]) == 0


def test_unreviewed_fixtures_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "globaltimes-legacy-2017-11-11"
    shutil.copytree(FIXTURES / name, tmp_path / name)
    response_path = tmp_path / name / "response.json"
    response = json.loads(response_path.read_text())
    response["reviewed"] = False
    response_path.write_text(json.dumps(response))
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"globaltimes": {"title": 1.0}}))
    assert main(["fixtures", "gate", str(tmp_path), "--floors", str(floors)]) == 1
    err = capsys.readouterr().err
    assert f"1 fixture(s) not reviewed ({name})" in err
    assert 'set "reviewed": true' in err


def test_outcome_needs_the_right_kind() -> None:
    # A record where a video record is expected is not the right outcome.
    fixture = load(FIXTURES / "chinadaily-en-video-2025-08-14-with-description")
    assert fixture.expected["kind"] == "video"
    wrong = FixtureResult(fixture, {**fixture.expected, "kind": "article"})
    right = FixtureResult(fixture, dict(fixture.expected))
    assert score([wrong])["chinadaily"]["outcome"] == 0.0
    assert score([right])["chinadaily"]["outcome"] == 1.0
