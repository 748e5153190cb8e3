"""Spider arguments (`-a name=value`), validated into one typed object with one-line errors."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from archiver.record import Site
from archiver.sites.urls import site_of

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

# What Scrapyd adds to the `-a` arguments of every crawl it starts (scrapyd/webservice.py
# Schedule, scrapyd/launcher.py get_crawl_args, Scrapyd 1.6): `_job`, the job id, always;
# `_version`, the project version, when schedule.json names one. They are Scrapyd's, not a
# description of the crawl: accepted, never an error (the spider keeps them as attributes).
SCRAPYD_ARGUMENTS = frozenset({"_job", "_version"})


class SpiderArgumentError(ValueError):
    """A spider argument is wrong; the message is one line saying which and what to give."""


class CrawlArgs(BaseModel):
    """What a crawl should cover. Every field can be given as `scrapy crawl SITE -a name=value`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    urls: tuple[str, ...] = Field(
        default=(),
        description="Comma-separated URLs: an article URL is archived whatever the dates; a list "
        "or section URL is crawled for its articles. Replaces the default start pages.",
    )
    since: date | None = Field(default=None, description="Skip articles dated before (YYYY-MM-DD).")
    until: date | None = Field(default=None, description="Skip articles dated after (YYYY-MM-DD).")
    max_articles: int | None = Field(
        default=None, gt=0, description="Stop after scheduling this many articles."
    )
    list_pages: int = Field(
        default=1,
        gt=0,
        le=10_000,
        description="How many pages of each paginated list to follow; with since= the crawl goes "
        "deeper until the lists are older than since, up to this many (then default 200).",
    )

    mode: Literal["latest", "backfill", "refresh"] = Field(
        default="latest",
        description="latest: lists, sections and sitemaps, only articles not yet archived; "
        "backfill: older articles between since= and until= (China Daily lists followed deeper, "
        "Global Times ids walked downward), resuming where an interrupted backfill stopped; "
        "refresh: also re-fetch archived articles published in the last days= days, to catch "
        "edits and deletions.",
    )
    days: int = Field(
        default=2, gt=0, le=36500, description="refresh: how many days back to re-fetch."
    )

    @field_validator("urls", mode="before")
    @classmethod
    def _split_urls(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("since", "until", mode="before")
    @classmethod
    def _iso_day(cls, value: Any) -> Any:
        # Exactly YYYY-MM-DD: pydantic alone also takes a Unix timestamp ("1714521600") and
        # explains "20240501" in terms of datetimes.
        if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
            raise PydanticCustomError("iso_day", "expected a date as YYYY-MM-DD")
        if isinstance(value, (int, float)):
            raise PydanticCustomError("iso_day", "expected a date as YYYY-MM-DD")
        return value

    @property
    def list_page_limit(self) -> int:
        """Pages of a list to follow: list_pages, or 200 when since= asks for depth by date."""
        if self.since is not None and "list_pages" not in self.model_fields_set:
            return 200
        return self.list_pages

    def in_window(self, day: date | None) -> bool:
        """True when `day` is inside since/until, or unknown (an unknown date is never skipped)."""
        if day is None:
            return True
        if self.since is not None and day < self.since:
            return False
        return not (self.until is not None and day > self.until)


def parse_crawl_args(site: Site, raw: dict[str, Any]) -> CrawlArgs:
    """Validate spider keyword arguments for `site` (Scrapyd's own, SCRAPYD_ARGUMENTS, are left
    out).

    Raises SpiderArgumentError with a one-line message naming the argument.
    """
    try:
        args = CrawlArgs.model_validate(
            {k: v for k, v in raw.items() if k not in SCRAPYD_ARGUMENTS}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "arguments"
        if first["type"] == "extra_forbidden":
            known = ", ".join(CrawlArgs.model_fields)
            raise SpiderArgumentError(f"unknown argument {name!r}; known: {known}") from None
        raise SpiderArgumentError(
            f"bad value for {name}={first.get('input')!r}: {first['msg']}"
        ) from None
    for url in args.urls:
        if not url.startswith(("http://", "https://", "//")):
            raise SpiderArgumentError(f"urls: {url!r} is not an absolute http(s) URL")
        if site_of(url) != site:
            raise SpiderArgumentError(f"urls: {url!r} is not a {site} URL")
    if args.mode == "backfill" and args.since is None:
        raise SpiderArgumentError("mode=backfill needs since=YYYY-MM-DD (how far back to go)")
    if "days" in args.model_fields_set and args.mode != "refresh":
        raise SpiderArgumentError("days= only applies to mode=refresh")
    if args.since and args.until and args.since > args.until:
        raise SpiderArgumentError(f"since={args.since} is after until={args.until}")
    return args
