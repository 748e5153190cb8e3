"""Quality gate over the page fixtures: per-site field accuracy and body F1 against pinned floors.

Scores, per site: for every record field, the share of article fixtures whose extracted value
equals expected.json exactly (`images` therefore measures captions with their credits);
`outcome`, the share of all fixtures (articles and non-articles) that give a record of the
expected kind or the expected error (and reason); `text_f1`, the mean body-text token F1
against the expected text, and `text_f1_min`, the worst one. Tokens are lower-cased words,
each CJK ideograph one token.

Floors live in a JSON file ({site: {score: floor}}); `fixtures`, the number of fixtures, is
floored too, so none is dropped silently. `check` fails when a score is below its floor;
`raise_floors` pins the current scores and refuses to lower any floor unless told to.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archiver.errors import CommandError
from archiver.fixtures import Fixture, outcome

# Fields the goal names: they must be exactly right on every fixture.
GOAL_FIELDS = ("title", "authors", "source", "section", "language", "published_at", "images")
Scores = dict[str, dict[str, float]]

_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Words of `text` lower-cased; every CJK ideograph is a token of its own."""
    return [t.lower() for t in _TOKEN.findall(text)]


def token_f1(expected: str, actual: str) -> float:
    """F1 of the token multisets of `actual` against `expected` (1.0 when both are empty)."""
    want, got = Counter(tokens(expected)), Counter(tokens(actual))
    if not want and not got:
        return 1.0
    common = sum((want & got).values())
    if common == 0:
        return 0.0
    precision = common / sum(got.values())
    recall = common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class FixtureResult:
    """One fixture's outcome: expected and actual in expected.json form."""

    fixture: Fixture
    actual: dict[str, Any]


def evaluate(fixtures: Sequence[Fixture]) -> list[FixtureResult]:
    """Extract every fixture (offline)."""
    return [FixtureResult(f, outcome(f.pages)) for f in fixtures]


def score(results: Sequence[FixtureResult]) -> Scores:
    """Scores per site (see the module docstring), rounded to 4 places; sites sorted."""
    by_site: dict[str, list[FixtureResult]] = {}
    for result in results:
        by_site.setdefault(result.fixture.site, []).append(result)
    scores: Scores = {}
    for site in sorted(by_site):
        group = by_site[site]
        site_scores: dict[str, float] = {}
        site_scores["outcome"] = _share(
            [_same_outcome(r.fixture.expected, r.actual) for r in group]
        )
        articles = [r for r in group if not r.fixture.is_error]
        if articles:
            fields = sorted({k for r in articles for k in r.fixture.expected})
            for field in fields:
                site_scores[field] = _share(
                    [r.actual.get(field) == r.fixture.expected.get(field) for r in articles]
                )
            f1s = [
                token_f1(str(r.fixture.expected.get("text", "")), str(r.actual.get("text", "")))
                for r in articles
            ]
            site_scores["text_f1"] = round(sum(f1s) / len(f1s), 4)
            site_scores["text_f1_min"] = round(min(f1s), 4)
        site_scores["fixtures"] = float(len(group))
        scores[site] = site_scores
    return scores


def _same_outcome(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    if "error" in expected or "error" in actual:
        return expected.get("error") == actual.get("error") and expected.get(
            "reason"
        ) == actual.get("reason")
    # Both are records: right only when the page is read as the right kind (article, video,
    # live blog), not merely as some record.
    return bool(expected.get("kind") == actual.get("kind"))


def _share(hits: list[bool]) -> float:
    return round(sum(hits) / len(hits), 4) if hits else 1.0


def load_floors(path: Path) -> Scores:
    """The floors file; {} when it does not exist yet."""
    if not path.exists():
        return {}
    data: Scores = json.loads(path.read_text(encoding="utf-8"))
    return data


def check(scores: Scores, floors: Scores) -> list[str]:
    """One line per score below its floor or per floored score that is missing; [] if fine."""
    problems: list[str] = []
    for site, site_floors in sorted(floors.items()):
        for name, floor in sorted(site_floors.items()):
            value = scores.get(site, {}).get(name)
            if value is None:
                problems.append(f"{site} {name}: no score (floor {floor})")
            elif value < floor:
                problems.append(f"{site} {name}: {value:.4f} is below its floor {floor:.4f}")
    return problems


def raise_floors(scores: Scores, floors: Scores, *, lower: bool = False) -> Scores:
    """New floors: every score pinned as its floor.

    Raises CommandError naming the scores that would go down, unless `lower` (the explicit
    `--lower-floors` flag) is given. The fixture count is a floor too: fixtures are never
    dropped silently.
    """
    lowered = [
        f"{site} {name}: {floor} -> {scores.get(site, {}).get(name, 'missing')}"
        for site, site_floors in sorted(floors.items())
        for name, floor in sorted(site_floors.items())
        if scores.get(site, {}).get(name, -1.0) < floor
    ]
    if lowered and not lower:
        raise CommandError(
            "refusing to lower floors (" + "; ".join(lowered) + "); fix the regression, or "
            "pass --lower-floors if the drop is intended"
        )
    return {site: dict(sorted(values.items())) for site, values in sorted(scores.items())}


def write_floors(path: Path, floors: Scores) -> None:
    """Write the floors file, sorted, indented, trailing newline."""
    path.write_text(json.dumps(floors, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def report(scores: Scores, floors: Scores) -> list[str]:
    """A table: one line per site and score, with its floor."""
    lines = [f"{'site':<12} {'score':<22} {'value':>7} {'floor':>7}"]
    for site, site_scores in scores.items():
        for name, value in site_scores.items():
            floor = floors.get(site, {}).get(name)
            shown = "" if floor is None else f"{floor:.4f}"
            lines.append(f"{site:<12} {name:<22} {value:>7.4f} {shown:>7}")
    return lines
