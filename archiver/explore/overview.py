"""What the overview and coverage pages show, as plain data (the JSON twins serve it as is)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from archiver.explore.runs import RunInfo, RunReports
from archiver.offline.selection import BEIJING
from archiver.sites.registry import SITE_NAMES
from archiver.store.index import explore as q
from archiver.store.index.database import IndexDatabase

DEFAULT_DAYS = 90
MAX_DAYS = 5 * 366
TOP_SECTIONS = 8
RUNS_SHOWN = 100


def default_period(conn: IndexDatabase) -> tuple[date, date]:
    """The DEFAULT_DAYS days up to the newest publication day in the archive (today if none)."""
    newest = [q.newest_published(conn, site) for site in SITE_NAMES]
    known = [datetime.fromisoformat(n).astimezone(BEIJING).date() for n in newest if n]
    until = max(known) if known else datetime.now(BEIJING).date()
    return until - timedelta(days=DEFAULT_DAYS - 1), until


def days_between(since: date, until: date) -> list[str]:
    """Every day from `since` to `until`, both included, as YYYY-MM-DD."""
    return [(since + timedelta(days=n)).isoformat() for n in range((until - since).days + 1)]


def gaps(days: list[str], counts: list[int]) -> list[dict[str, Any]]:
    """Runs of days without an article: [{"from", "to", "days"}], oldest first."""
    found: list[dict[str, Any]] = []
    for day, count in zip(days, counts, strict=True):
        if count:
            continue
        if found and date.fromisoformat(found[-1]["to"]) + timedelta(days=1) == date.fromisoformat(
            day
        ):
            found[-1]["to"] = day
            found[-1]["days"] += 1
        else:
            found.append({"from": day, "to": day, "days": 1})
    return found


def per_day(conn: IndexDatabase, since: date, until: date) -> dict[str, Any]:
    """Articles per Beijing day per site in [since, until]: a bar chart's labels and datasets,
    and each site's gaps (runs of days without an article)."""
    days = days_between(since, until)
    datasets, site_gaps = [], {}
    for site in SITE_NAMES:
        counts = q.articles_per_day(conn, site, since.isoformat(), until.isoformat())
        data = [counts.get(day, 0) for day in days]
        datasets.append({"label": site, "data": data})
        site_gaps[site] = gaps(days, data)
    return {"labels": days, "datasets": datasets, "gaps": site_gaps}


def per_section(conn: IndexDatabase, site: str, since: date, until: date) -> dict[str, Any]:
    """Articles per day of one site by first section (the TOP_SECTIONS largest, the rest as
    "other"), as a stacked bar chart's labels and datasets."""
    days = days_between(since, until)
    counts = q.sections_per_day(conn, site, since.isoformat(), until.isoformat())
    totals: Counter[str] = Counter()
    for (_, section), count in counts.items():
        totals[section or "(none)"] += count
    top = [name for name, _ in totals.most_common(TOP_SECTIONS)]
    series: dict[str, list[int]] = {name: [0] * len(days) for name in [*top, "other"]}
    position = {day: n for n, day in enumerate(days)}
    for (day, section), count in counts.items():
        name = section or "(none)"
        series[name if name in top else "other"][position[day]] += count
    datasets = [{"label": name, "data": data} for name, data in series.items() if any(data)]
    return {"labels": days, "datasets": datasets}


def run_charts(runs: list[RunInfo]) -> dict[str, Any]:
    """Runs over time (records written per run, by verdict) and fill rates per run per site."""
    timeline = {
        "labels": [f"{run.finished[:16]} {run.spider}" for run in runs],
        "datasets": [
            {
                "label": verdict,
                "data": [
                    (run.figures.get("new_articles") or 0) + (run.figures.get("new_versions") or 0)
                    if run.verdict == verdict
                    else 0
                    for run in runs
                ],
            }
            for verdict in ("ok", "failed")
        ],
    }
    fill: dict[str, Any] = {}
    for site in SITE_NAMES:
        mine = [run for run in runs if run.spider == site and run.fill_rates]
        fields = sorted({name for run in mine for name in run.fill_rates})
        fill[site] = {
            "labels": [run.finished[:16] for run in mine],
            "datasets": [
                {"label": name, "data": [run.fill_rates.get(name, 0.0) for run in mine]}
                for name in fields
            ],
        }
    return {"timeline": timeline, "fill_rates": fill}


def overview(
    conn: IndexDatabase, reports: RunReports, summarize: Callable[[q.ChangeEntry], str]
) -> dict[str, Any]:
    """The overview page: totals per site, the last runs, recent changes (each with
    `summarize(change)`), articles per day."""
    since, until = default_period(conn)
    # Not counted: the totals per site are in `sites` (kept by the index), flat in its size.
    _, recent = q.changes(conn, None, None, "", limit=10, count=False)
    return {
        "sites": [asdict(totals) for totals in q.site_totals(conn)],
        "runs": [run.to_json() for run in reports.latest(10)],
        "changes": {
            "recent": [asdict(change) | {"summary": summarize(change)} for change in recent],
        },
        "per_day": {
            "since": since.isoformat(),
            "until": until.isoformat(),
            **per_day(conn, since, until),
        },
    }


def coverage(
    conn: IndexDatabase, reports: RunReports, since: date | None, until: date | None
) -> dict[str, Any]:
    """The coverage page for [since, until] (default: the last DEFAULT_DAYS days with news).

    Raises ValueError for a period that ends before it starts or is longer than MAX_DAYS."""
    _, default_until = default_period(conn)
    until = until or (since + timedelta(DEFAULT_DAYS - 1) if since else default_until)
    since = since or until - timedelta(days=DEFAULT_DAYS - 1)
    if until < since:
        raise ValueError(f"until ({until}) is before since ({since})")
    if (until - since).days >= MAX_DAYS:
        raise ValueError(f"the period is longer than {MAX_DAYS} days")
    runs = reports.all()[-RUNS_SHOWN:]
    return {
        "since": since.isoformat(),
        "until": until.isoformat(),
        "per_day": per_day(conn, since, until),
        "sections": {site: per_section(conn, site, since, until) for site in SITE_NAMES},
        "runs": [run.to_json() for run in runs[::-1]],
        **run_charts(runs),
    }
