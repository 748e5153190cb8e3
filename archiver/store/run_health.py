"""A run's health: its summary figures, and whether it failed (no articles, a fill-rate drop)."""

from __future__ import annotations

import json
import logging
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from archiver.store.run_share import RunShare

logger = logging.getLogger(__name__)

UNHEALTHY_EXIT = 3
"""Exit status of `scrapy crawl` when a run's verdict is "failed" (schedulers alert on it)."""

FIELDS_RECORDS = "archiver/fields/records"
FIELDS_FILLED = "archiver/fields/filled/"
# Records by their extractor.agreement to two decimals ("archiver/agreement/at/0.93"), or
# unmeasured (the fallback read the body, or no second reading): a histogram in stats, from which
# the run's median is read back, so the summary needs no list of values in memory.
AGREEMENT_AT = "archiver/agreement/at/"
AGREEMENT_UNMEASURED = "archiver/agreement/unmeasured"

# Error counters of the crawl, by the prefix their kind follows.
_ERROR_PREFIXES = (
    "archiver/extract/failed/",
    "archiver/article/fetch_failed/",
    "archiver/discovery/list_failed/",
    "archiver/warc/errors/",
)

_UNUSUAL = "archiver/http/unusual_status/"

BACKFILL_CLAIMED_ELSEWHERE = "archiver/backfill/claimed_elsewhere"
"""Backfill cursors this run left to the live worker holding them (archiver.crawl.cursor_claims)."""
BACKFILL_WALKED_BY = "archiver/backfill/walked_by"
"""Those workers (`<host>-<pid>`), space-separated."""

FAILED_RUNS: list[tuple[str, list[str]]] = []
"""(spider, problems) of every run of this process whose verdict was "failed"; read by the
`crawl` command to set its exit status."""


@dataclass(frozen=True)
class HealthSettings:
    """ARCHIVER_RUN_SUMMARY_FILL_DROP: a field whose fill rate falls this far (0-1) below the
    median of the previous ARCHIVER_RUN_SUMMARY_HISTORY runs fails the run (default 0.3);
    only fields filled in at least half the records before, and only when this run extracted
    at least ARCHIVER_RUN_SUMMARY_MIN_RECORDS records (default 5), are judged.
    ARCHIVER_RUN_SUMMARY_AGREEMENT_DROP: the same rule for the median agreement of the site
    parser with trafilatura (extractor.agreement; default 0.2), judged when at least
    min_records records of this run were measured."""

    fill_drop: float = 0.3
    history: int = 5
    min_records: int = 5
    agreement_drop: float = 0.2

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> HealthSettings:
        return cls(
            fill_drop=settings.getfloat("ARCHIVER_RUN_SUMMARY_FILL_DROP", cls.fill_drop),
            history=settings.getint("ARCHIVER_RUN_SUMMARY_HISTORY", cls.history),
            min_records=settings.getint("ARCHIVER_RUN_SUMMARY_MIN_RECORDS", cls.min_records),
            agreement_drop=settings.getfloat(
                "ARCHIVER_RUN_SUMMARY_AGREEMENT_DROP", cls.agreement_drop
            ),
        )


def agreement_stat(value: float | None) -> str:
    """The stats key a record with extractor.agreement `value` is counted under."""
    return AGREEMENT_UNMEASURED if value is None else f"{AGREEMENT_AT}{value:.2f}"


def agreement_figures(stats: dict[str, Any]) -> dict[str, Any]:
    """{"median": 0-1 (3 decimals) or None, "measured": records with an agreement}."""
    values: list[float] = []
    for key, count in sorted(stats.items()):
        if key.startswith(AGREEMENT_AT) and isinstance(count, int):
            values += [float(key[len(AGREEMENT_AT) :])] * count
    median = round(statistics.median(values), 3) if values else None
    return {"median": median, "measured": len(values)}


def fill_rates(stats: dict[str, Any]) -> dict[str, float]:
    """Share (0-1, 3 decimals) of the run's extracted records with each field filled."""
    total = int(stats.get(FIELDS_RECORDS) or 0)
    if not total:
        return {}
    return {
        key[len(FIELDS_FILLED) :]: round(int(value) / total, 3)
        for key, value in sorted(stats.items())
        if key.startswith(FIELDS_FILLED)
    }


def summary_figures(stats: dict[str, Any]) -> dict[str, Any]:
    """The figures a scheduled run reports, from its stats."""
    errors: dict[str, int] = {}
    for key, value in sorted(stats.items()):
        for prefix in _ERROR_PREFIXES:
            if key.startswith(prefix) and isinstance(value, int):
                kind = prefix.split("/")[1] + "/" + key[len(prefix) :]
                errors[kind] = errors.get(kind, 0) + value
    return {
        "pages_fetched": int(stats.get("downloader/response_count") or 0),
        # Every article link the lists gave, fetched or skipped (archived, out of since/until,
        # over max_articles, claimed by another worker): zero means the lists themselves broke.
        "articles_found": sum(
            int(stats.get(f"archiver/discovery/{kind}") or 0)
            for kind in (
                "articles",
                "already_archived",
                "out_of_window",
                "over_max_articles",
                "duplicate",
                "not_an_article",
            )
        )
        # A backfill's id walk: an article found after until= (fetched, no record).
        + int(stats.get("archiver/backfill/after_until") or 0),
        "new_articles": int(stats.get("archiver/versions/new_articles") or 0),
        "new_versions": int(stats.get("archiver/versions/new_versions") or 0),
        "unchanged": int(stats.get("archiver/versions/unchanged") or 0),
        "deletions": int(stats.get("archiver/articles/deleted") or 0),
        "revisits": int(stats.get("archiver/warc/revisits") or 0),
        "errors": errors,
        "duration_seconds": stats.get("elapsed_time_seconds"),
        "fill_rates": fill_rates(stats),
        "agreement": agreement_figures(stats),
        # Bodies inflating past DOWNLOAD_MAXSIZE: archived as received, never parsed
        # (archiver.crawl.bodies). Named, so a person can look at them; not an error.
        "too_large": str(stats.get("archiver/download/too_large_urls") or "").split(),
        # Workers walking the backfill cursors this run left to them (it found them claimed).
        "backfill_walked_by": str(stats.get(BACKFILL_WALKED_BY) or "").split(),
        # Codes the sites do not usually answer, by code: data, never a failure in itself.
        "unusual_statuses": {
            key[len(_UNUSUAL) :]: value
            for key, value in sorted(stats.items())
            if key.startswith(_UNUSUAL) and isinstance(value, int)
        },
    }


def previous_runs(runs: Path, spider: str, mode: str | None = None) -> list[dict[str, Any]]:
    """Summaries of earlier runs of `spider` in `runs`, oldest first; unreadable ones skipped.

    Given `mode`, only runs of that mode (latest, refresh, backfill; a summary without one
    counts as latest): a backfill's old articles fill fields differently from today's.
    """
    out: list[dict[str, Any]] = []
    for path in sorted(runs.glob(f"{spider}-*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and (mode is None or data.get("mode", "latest") == mode):
            out.append(data)
    return out


def run_health(
    stats: dict[str, Any],
    previous: list[dict[str, Any]],
    settings: HealthSettings,
    run: RunShare | None = None,
) -> dict[str, Any]:
    """{"summary": figures, "verdict": "ok" | "failed", "problems": [one line each]}.

    Failed when the run found no article at all (scaled out, `run`: the run's workers
    together, judged by the last one to close) (a site that changed its markup or blocks us;
    not a backfill walk that met only missing ids, nor a backfill another worker walks),
    when any WARC write failed (archiver/warc/errors/*), or when a field's fill rate dropped by
    more than `fill_drop` from the median of the last `history` runs that had fill rates (a
    template change), or the median agreement of the two readers by more than `agreement_drop`.
    """
    figures = summary_figures(stats)
    problems: list[str] = []
    # Scaled out, the run is judged as a whole: a worker the others left no article to is
    # fine while they are open, and the last to close counts what all of them found.
    found = figures["articles_found"] if run is None else run.found
    judged_here = run is None or run.last
    if run is not None:
        figures["run_articles_found"] = run.found
    # A backfill id walk whose probes all answered 404 found the end of the ids, not a
    # broken site; a backfill claimed by another live worker is that worker's to walk (its
    # run judges what the site gave).
    nothing_to_do = stats.get("archiver/backfill/missing_ids") or figures["backfill_walked_by"]
    if judged_here and found == 0 and not nothing_to_do:
        problems.append("no articles found: the site's lists or markup may have changed")
    warc_errors = sum(
        count for kind, count in figures["errors"].items() if kind.startswith("warc/")
    )
    if warc_errors:
        # Archive first: a page not written to a WARC file is lost, whatever else went well.
        problems.append(f"{warc_errors} WARC write errors: fetched pages were not archived")
    rates: dict[str, float] = figures["fill_rates"]
    records = int(stats.get(FIELDS_RECORDS) or 0)
    history = [
        run["summary"]["fill_rates"]
        for run in previous
        if isinstance(run.get("summary"), dict) and run["summary"].get("fill_rates")
    ][-settings.history :]
    if history and records >= settings.min_records:
        for field in sorted({name for rates_before in history for name in rates_before}):
            baseline = statistics.median(float(h.get(field, 0.0)) for h in history)
            now = rates.get(field, 0.0)
            if baseline >= 0.5 and now < baseline - settings.fill_drop:
                problems.append(
                    f"field {field!r} filled in {now:.0%} of records, previously {baseline:.0%}: "
                    "the page template may have changed"
                )
    problems += agreement_problems(figures["agreement"], previous, settings)
    return {"summary": figures, "verdict": "failed" if problems else "ok", "problems": problems}


def agreement_problems(
    now: dict[str, Any], previous: list[dict[str, Any]], settings: HealthSettings
) -> list[str]:
    """The fill-rate rule for the site parser's agreement with trafilatura: a problem when this
    run's median fell more than `agreement_drop` below the median of the last `history` runs
    that measured one (the parser reads another part of the page than it used to)."""
    history = [
        float(run["summary"]["agreement"]["median"])
        for run in previous
        if isinstance(run.get("summary"), dict)
        and isinstance(run["summary"].get("agreement"), dict)
        and isinstance(run["summary"]["agreement"].get("median"), int | float)
    ][-settings.history :]
    median = now.get("median")
    if not history or median is None or int(now.get("measured") or 0) < settings.min_records:
        return []
    baseline = statistics.median(history)
    if median >= baseline - settings.agreement_drop:
        return []
    return [
        f"site parser and trafilatura agree {median:.2f} (median), previously {baseline:.2f}: "
        "the page template may have changed"
    ]


def log_health(spider: str, health: dict[str, Any]) -> None:
    """Log the summary in a few lines; a failed verdict is an error and is remembered."""
    figures = health["summary"]
    logger.info(
        "run summary: %d pages fetched, %d new articles, %d new versions, %d deletions, "
        "%d revisits, errors %s, %.1f s",
        figures["pages_fetched"],
        figures["new_articles"],
        figures["new_versions"],
        figures["deletions"],
        figures["revisits"],
        figures["errors"] or "none",
        float(figures["duration_seconds"] or 0.0),
    )
    if figures["fill_rates"]:
        logger.info(
            "fill rates: %s",
            ", ".join(f"{name} {rate:.0%}" for name, rate in figures["fill_rates"].items()),
        )
    agreement = figures.get("agreement") or {}
    if agreement.get("median") is not None:
        logger.info(
            "site parser and trafilatura agree %.2f (median of %d records)",
            agreement["median"],
            agreement["measured"],
        )
    if figures.get("backfill_walked_by"):
        logger.info(
            "backfill walked by %s: this run left it to that worker",
            ", ".join(figures["backfill_walked_by"]),
        )
    if health["verdict"] == "failed":
        FAILED_RUNS.append((spider, list(health["problems"])))
        for problem in health["problems"]:
            logger.error("run failed: %s", problem)
