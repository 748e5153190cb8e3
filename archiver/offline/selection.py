"""What `--since` and `--site` select, for every offline command that takes them."""

# `reextract` and `export wacz` select records: `--since DATE` is a moment (`parse_since`) and a
# record is selected when its first capture is on or after it (`selected_since`). `changes`
# selects changes by the UTC day they were seen on (`day_start`). `--site` is one of
# `archiver.sites.registry.SITE_NAMES`, None meaning every site (`site_selected`).

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def parse_since(value: str) -> datetime:
    """The moment `--since` means: `YYYY-MM-DD` is midnight Beijing time (+08:00), the time zone
    of the sites and of every date in the records; an ISO 8601 time keeps its own offset (none:
    Beijing). Raises ValueError.

    One definition for `reextract` and `export wacz`: a record is selected when its first
    capture (`captures[0].fetched_at`) is on or after this moment (`selected_since`).
    """
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BEIJING)


def selected_since(first_capture: datetime, since: datetime | None) -> bool:
    """True when a record whose first capture is at `first_capture` is selected by `since`."""
    return since is None or first_capture >= since


def day_start(day: date) -> datetime:
    """The moment `changes --since YYYY-MM-DD` starts at: midnight UTC of that day."""
    return datetime.combine(day, time(), UTC)


def site_selected(site: str, wanted: str | None) -> bool:
    """True when `--site wanted` (None: every site) selects `site`."""
    return wanted is None or site == wanted
