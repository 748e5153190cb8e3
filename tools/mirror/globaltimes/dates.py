"""Global Times dates as its pages print them (docs/sites.md 2.4), from "YYYY-MM-DD HH:MM:SS"."""

from __future__ import annotations

from datetime import datetime


def parse(published: str) -> datetime:
    """The Beijing time of a GtArticle's `published`."""
    return datetime.strptime(published, "%Y-%m-%d %H:%M:%S")


def pub_time(published: str) -> str:
    """ "Sep 25, 2026 07:48 AM" as current article pages print it."""
    return parse(published).strftime("%b %d, %Y %I:%M %p")


def list_time(published: str) -> str:
    """ "2026/9/25 7:48:03" as list pages and old articles print it."""
    t = parse(published)
    return f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}"


def sitemap_time(published: str) -> str:
    """ "2026-09-25T07:48:03+08:00" as the news sitemap prints it."""
    return parse(published).strftime("%Y-%m-%dT%H:%M:%S+08:00")
