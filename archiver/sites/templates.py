"""Versioned page templates (as Fundus's VALID_UNTIL): the parser for a page, by markup and date."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from lxml.html import HtmlElement

from archiver.page import CapturedPage
from archiver.sites.common import ParsedPage
from archiver.sites.dates import BEIJING
from archiver.sites.urls import ArticleUrl

Reader = Callable[[HtmlElement, CapturedPage, ArticleUrl], ParsedPage]


@dataclass(frozen=True)
class Template:
    """One template of one site: how to recognise it, when it was live, how to read it.

    `name` is what records carry as `extractor.parser` ("chinadaily/current-en"). The dates
    are inclusive, Beijing time; None means open-ended. `matches` looks at markup only.
    """

    name: str
    matches: Callable[[HtmlElement], bool]
    read: Reader
    valid_from: date | None = None
    valid_until: date | None = None

    def valid_on(self, day: date) -> bool:
        """True when the template was the site's template on `day`."""
        if self.valid_from is not None and day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until


def page_day(page: CapturedPage, url: ArticleUrl) -> date | None:
    """The day a page stands for: its capture date, else the date in its URL."""
    when: datetime | None = page.fetched_at
    if when is not None:
        return when.astimezone(BEIJING).date()
    return url.url_date


def select(
    templates: Sequence[Template],
    root: HtmlElement,
    day: date | None,
    fallbacks: Sequence[Template] = (),
) -> Template | None:
    """The template to read a page with.

    Templates whose markup matches are candidates, most specific first (the order given).
    One candidate: it. Several (the markup fits more than one generation): the first valid on
    `day`, the capture date, so a 2017 capture is read with the 2017 rules; if none was valid
    that day, the first candidate. No candidate: the first of `fallbacks` valid on `day` (or the
    first fallback), whose reader must cope with unknown markup. None when there is nothing.
    """
    matching = [t for t in templates if t.matches(root)]
    pool = matching or list(fallbacks)
    if not pool:
        return None
    if day is not None:
        for template in pool:
            if template.valid_on(day):
                return template
    return pool[0]
