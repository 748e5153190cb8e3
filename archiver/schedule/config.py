"""Scheduled jobs from a TOML file (or the documented defaults), validated in one place."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from croniter import croniter
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from archiver.crawl.args import parse_crawl_args
from archiver.errors import ArchiverError
from archiver.record import Site

DEFAULT_CONFIG = """\
# archiver schedule: one [[job]] per site and mode. cron is a 5-field cron expression in the
# scheduler's local time; time_box is minutes; args are spider arguments (-a name=value),
# settings Scrapy settings (-s NAME=VALUE). notify = "mail -s 'archiver run failed' you@example.org"
# (or a list of arguments) runs with the run summary JSON on stdin after a failed run;
# notify_on = "always" runs it after every run.

# Required for crawls of the live sites: your e-mail or URL, sent to the sites in the
# User-Agent (ARCHIVER_CONTACT of every job that sets none). The schedule refuses to run without.
contact = ""

[[job]]
site = "chinadaily"
mode = "latest"
cron = "5 * * * *"
time_box = 50

[[job]]
site = "globaltimes"
mode = "latest"
cron = "35 * * * *"
time_box = 50

[[job]]
site = "chinadaily"
mode = "refresh"
cron = "15 4 * * *"
time_box = 120
args = { days = "3" }

[[job]]
site = "globaltimes"
mode = "refresh"
cron = "45 4 * * *"
time_box = 120
args = { days = "3" }

[[job]]
site = "chinadaily"
mode = "backfill"
cron = "0 1 * * *"
time_box = 150
args = { since = "2010-01-01" }

[[job]]
site = "globaltimes"
mode = "backfill"
cron = "30 1 * * *"
time_box = 150
args = { since = "2010-01-01" }
"""


class Job(BaseModel):
    """One scheduled crawl: a site, a mode, when (cron), for how long at most (time_box)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site: Site
    mode: Literal["latest", "backfill", "refresh"] = "latest"
    cron: str = Field(description="5-field cron expression, local time.")
    time_box: int = Field(default=50, gt=0, description="Minutes before the run is stopped.")
    name: str = Field(default="", description='Job name; default "<site>-<mode>".')
    args: dict[str, str] = Field(default_factory=dict)
    settings: dict[str, str] = Field(default_factory=dict)
    notify: str | list[str] | None = Field(
        default=None,
        description="Command run with the run summary JSON on stdin: a string runs through "
        "/bin/sh -c, a list of arguments runs as it is.",
    )
    notify_on: Literal["failure", "always"] = Field(
        default="failure",
        description='"failure": only after a failed run (non-zero exit or failed verdict); '
        '"always": after every run.',
    )

    @field_validator("notify")
    @classmethod
    def _valid_notify(cls, value: str | list[str] | None) -> str | list[str] | None:
        if value is not None and not (value.strip() if isinstance(value, str) else value):
            raise ValueError("an empty notify command; leave notify out instead")
        return value

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if not croniter.is_valid(value) or len(value.split()) != 5:
            raise ValueError(f"{value!r} is not a 5-field cron expression")
        return value

    @model_validator(mode="after")
    def _valid_spider_args(self) -> Job:
        # Checked at load, as `scrapy crawl` would before starting: a backfill job without
        # since= fails now, not at 01:00 in a log nobody reads.
        parse_crawl_args(self.site, self.spider_args)
        return self

    @property
    def label(self) -> str:
        return self.name or f"{self.site}-{self.mode}"

    @property
    def spider_args(self) -> dict[str, str]:
        return {"mode": self.mode, **self.args}


def parse_jobs(text: str, source: str = "schedule config") -> list[Job]:
    """Jobs of a TOML document; ArchiverError naming the job and field on a bad one.

    A top-level `contact` becomes the ARCHIVER_CONTACT setting of every job that sets none.
    """
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ArchiverError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(raw) - {"job", "contact"}
    if unknown:
        raise ArchiverError(f"{source}: unknown table(s) {', '.join(sorted(unknown))}; use [[job]]")
    contact = raw.get("contact", "")
    if not isinstance(contact, str):
        raise ArchiverError(f"{source}: contact: an e-mail or URL in quotes")
    jobs: list[Job] = []
    for number, entry in enumerate(raw.get("job", []), 1):
        own = entry.get("settings", {}) if isinstance(entry, dict) else None
        if contact.strip() and isinstance(own, dict):
            # The top-level contact is every job's ARCHIVER_CONTACT unless the job sets its own.
            entry = {**entry, "settings": {"ARCHIVER_CONTACT": contact, **own}}
        try:
            jobs.append(Job.model_validate(entry))
        except ValidationError as exc:
            first = exc.errors()[0]
            # A model-level error (the spider arguments) has no location of its own.
            where = ".".join(str(p) for p in first["loc"]) or "args"
            raise ArchiverError(f"{source}: job {number}: {where}: {first['msg']}") from None
    labels = [job.label for job in jobs]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ArchiverError(f"{source}: two jobs named {duplicates[0]!r}; give them a name")
    if not jobs:
        raise ArchiverError(f"{source}: no [[job]] entries")
    return jobs


def load_jobs(path: Path | None) -> list[Job]:
    """Jobs of the TOML file at `path`, or DEFAULT_CONFIG's when `path` is None."""
    if path is None:
        return parse_jobs(DEFAULT_CONFIG, "default schedule")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ArchiverError(f"cannot read schedule config {path}: {exc.strerror}") from None
    return parse_jobs(text, str(path))
