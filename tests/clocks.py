"""Fixed clocks for crawls in tests (ARCHIVER_CLOCK takes their import path)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def sept_28_2026() -> datetime:
    """2026-09-28 00:00 Beijing time: a day after the mirror's newest China Daily article."""
    return datetime(2026, 9, 28, tzinfo=BEIJING)
