"""Article events (a deletion seen on the site), kept as JSON Lines under ARCHIVER_DIR/events/."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Literal

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


class EventWriter:
    """Appends events to events/<site>/<run>-<time>-<host>-<pid>.jsonl, one flushed line each."""

    def __init__(self, root: Path, run_name: str, started: datetime | None = None) -> None:
        self.root = root
        stamp = (started or datetime.now(UTC)).strftime("%Y%m%d%H%M%S")
        self.stem = f"{run_name}-{stamp}-{socket.gethostname()}-{os.getpid()}"
        self._files: dict[str, IO[str]] = {}
        self.paths: dict[str, Path] = {}

    def write(self, event: ArticleEvent) -> Path:
        """Append `event`; returns the file written to."""
        path = self.root / "events" / event.site / f"{self.stem}.jsonl"
        handle = self._files.get(event.site)
        if handle is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a", encoding="utf-8", newline="\n")
            self._files[event.site] = handle
            self.paths[event.site] = path
        handle.write(event.model_dump_json() + "\n")
        handle.flush()
        return path

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()


def read_events(path: Path) -> Iterator[ArticleEvent]:
    """Events of one file; a line cut short by a killed run (the last) is skipped."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.endswith("\n"):
                return
            yield ArticleEvent.model_validate_json(line)
