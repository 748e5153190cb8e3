"""Article events (a deletion seen on the site): the model, and reading their JSON Lines files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from archiver.record import CaptureRef, Site

EventKind = Literal["deleted"]
DELETION_STATUSES = frozenset({404, 410})
"""Statuses of an article page that mean the site deleted it (a redirect away also does)."""


class ArticleEvent(BaseModel):
    """Something that happened to an archived article other than an edit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: EventKind = Field(
        description='"deleted": the article answered 404 or 410, redirected to a page that '
        'is not the article, or served a "not found" page with status 200 (soft-404).'
    )
    site: Site
    article_id: str
    url: str = Field(description="Canonical URL of the article.")
    at: AwareDatetime = Field(description="WARC-Date of the capture that showed it, ISO 8601.")
    status: int = Field(description="HTTP status of that capture (404, 410, 301, 302, ...).")
    location: str | None = Field(default=None, description="Where a redirect went, or null.")
    reason: str | None = Field(
        default=None,
        description='Why a 200 answer means deleted: "soft-404" (a "not found" page served '
        "with status 200), or null.",
    )
    capture: CaptureRef | None = Field(
        default=None, description="The WARC record of the response that showed it."
    )


def read_events(path: Path) -> Iterator[ArticleEvent]:
    """Events of one file; a line cut short by a killed run (the last) is skipped."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.endswith("\n"):
                return
            yield ArticleEvent.model_validate_json(line)
