"""Dates as the two sites print them, read as Beijing time (+08:00); Buddhist-era years fixed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from archiver.record import DateCandidate

BEIJING = timezone(timedelta(hours=8))
# Thai Buddhist-era calendars run 543 years ahead; some China Daily pages print "2569-05-17"
# for 2026-05-17. No Gregorian publication date of these sites can be this far ahead.
_BUDDHIST_ERA_OFFSET = 543
_BUDDHIST_ERA_FROM = 2400

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}

# ISO 8601 with an offset: sitemaps ("2026-09-25T07:48:03+08:00").
_ISO_OFFSET = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})"
)
# "2024-05-13 09:08", "2017/11/11 0:58:39", "2023年11月17日 15:13", "2024-05-13".
_NUMERIC = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]*(\d{1,2})\s*[:：]\s*(\d{2})(?:\s*[:：]\s*(\d{2}))?)?"
)
# "Feb 17, 2026 10:37 AM", "February 17, 2026", "Feb 17, 2026 22:37".
_WORDY = re.compile(
    r"([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})"
    r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?"
)


def fix_year(year: int) -> int:
    """The Gregorian year for a printed year: Buddhist-era years (>= 2400) lose 543."""
    return year - _BUDDHIST_ERA_OFFSET if year >= _BUDDHIST_ERA_FROM else year


def parse_datetime(raw: str) -> datetime | None:
    """The first date (and time, when printed) in `raw` as an aware datetime.

    Times without an offset are Beijing time (+08:00); values with an offset keep their instant
    and are expressed in +08:00. A date without a time is midnight. None when nothing parses.
    """
    m = _ISO_OFFSET.search(raw)
    if m:
        offset = m.group(7)
        if offset == "Z":
            tz: timezone = UTC
        else:
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        value = _build(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), tz)
        return value.astimezone(BEIJING) if value else None
    m = _NUMERIC.search(raw)
    if m:
        y, mo, d, h, mi, sec = m.groups()
        return _build(y, mo, d, h, mi, sec, BEIJING)
    m = _WORDY.search(raw)
    if m:
        month = _MONTHS.get(m.group(1).lower())
        if month is None:
            return None
        hour = m.group(4)
        if hour is not None and m.group(7):
            h = int(hour) % 12 + (12 if m.group(7).lower().startswith("p") else 0)
            hour = str(h)
        return _build(m.group(3), str(month), m.group(2), hour, m.group(5), m.group(6), BEIJING)
    return None


def _build(
    year: str,
    month: str,
    day: str,
    hour: str | None,
    minute: str | None,
    second: str | None,
    tz: timezone,
) -> datetime | None:
    try:
        return datetime(
            fix_year(int(year)),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=tz,
        )
    except ValueError:
        return None


def candidate(source: str, raw: str | None) -> DateCandidate | None:
    """A DateCandidate for a printed value (value None when it does not parse); None if blank."""
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    return DateCandidate(source=source, raw=raw, value=parse_datetime(raw))


def object_id_time(article_id: str) -> datetime | None:
    """Creation time in a China Daily "WS<24 hex>" id, to the second, in +08:00.

    The 24 hex digits are a MongoDB ObjectId whose first 8 are a Unix timestamp; on the real
    pages it equals the printed "Updated" time to the minute.
    """
    m = re.fullmatch(r"WS([0-9a-f]{8})[0-9a-f]{16}", article_id)
    if not m:
        return None
    return datetime.fromtimestamp(int(m.group(1), 16), tz=UTC).astimezone(BEIJING)


def date_candidate(source: str, value: date) -> DateCandidate:
    """A candidate for a date known only to the day (URL dates): midnight Beijing time."""
    return DateCandidate(
        source=source,
        raw=value.isoformat(),
        value=datetime(value.year, value.month, value.day, tzinfo=BEIJING),
    )


# --- choosing published_at among the candidates -----------------------------------------------

# Longest gap between two candidates (and between a candidate and the URL's day) that still
# counts as agreement: a story written before midnight and posted after it is one day apart.
AGREE = timedelta(days=1)


def _span(c: DateCandidate) -> tuple[datetime, datetime] | None:
    """The instants a candidate allows: a point for a time, a whole day for a day-only value."""
    if c.value is None:
        return None
    if c.source == "url" or (_day_only(c.raw) and c.value.time() == datetime.min.time()):
        start = c.value.astimezone(BEIJING)
        return start, start + timedelta(days=1)
    return c.value, c.value


def _day_only(raw: str) -> bool:
    # A printed value with no time of day ("2024-05-13", "Feb 17, 2026").
    return not re.search(r"\d{1,2}\s*[:：]\s*\d{2}", raw)


def _gap(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> timedelta:
    if a[1] < b[0]:
        return b[0] - a[1]
    if b[1] < a[0]:
        return a[0] - b[1]
    return timedelta(0)


def disagree(candidates: list[DateCandidate]) -> bool:
    """True when two candidates with values are more than a day apart (day-only values span
    their whole day). Updated-time candidates ("...:updated", "...modified...") are left out:
    an update may come any time later."""
    spans = [s for c in candidates if not _is_update(c) and (s := _span(c)) is not None]
    return any(_gap(a, b) > AGREE for i, a in enumerate(spans) for b in spans[i + 1 :])


def _is_update(c: DateCandidate) -> bool:
    return "updated" in c.source or "modified" in c.source


def choose_published(
    candidates: list[DateCandidate], priority: tuple[str, ...]
) -> DateCandidate | None:
    """The candidate published_at is taken from: the documented rule of both sites.

    1. Only candidates with a value count; update times never do.
    2. When the URL states a day, a candidate more than a day away from that day is not
       trusted (the URL is fixed when the CMS creates the story and cannot be edited later).
    3. Of the rest, a candidate with a time of day beats a day-only one; among equals the
       first in `priority` (the site's order of trust) wins; sources not in `priority` come
       last, in page order.
    Returns None when no candidate qualifies.
    """
    url_spans = [s for c in candidates if c.source == "url" and (s := _span(c)) is not None]
    usable: list[tuple[int, int, int, DateCandidate]] = []
    for index, c in enumerate(candidates):
        span = _span(c)
        if span is None or _is_update(c):
            continue
        if url_spans and c.source != "url" and _gap(span, url_spans[0]) > AGREE:
            continue
        rank = priority.index(c.source) if c.source in priority else len(priority)
        usable.append((0 if span[0] == span[1] else 1, rank, index, c))
    return min(usable, key=lambda u: u[:3])[3] if usable else None
