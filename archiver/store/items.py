"""What a spider hands to the item pipeline: an article's captured pages, or its deletion."""

from __future__ import annotations

from dataclasses import dataclass, field

from archiver.page import CapturedPage
from archiver.record import CaptureRef, Site


@dataclass
class ArticlePages:
    """All pages of one article in page order; the pipeline turns them into one record."""

    site: Site
    article_id: str
    pages: list[CapturedPage] = field(default_factory=list)
    # Set when a later page could not be fetched: the record is then built from what we have.
    incomplete: bool = False


@dataclass
class ArticleGone:
    """Spider item: page 1 of an article answered 404/410 or redirected away from it.

    The pipeline records a deletion event when the article was archived before.
    """

    site: Site
    article_id: str
    url: str
    status: int
    location: str | None
    capture: CaptureRef | None
    # Why a 200 answer is a deletion ("soft-404"); None for 404/410 and redirects.
    reason: str | None = None
