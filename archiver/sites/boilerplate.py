"""Body paragraphs by trafilatura, the fallback for unknown markup; the only module importing it."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from lxml.html import HtmlElement

from archiver.sites.common import clean

try:
    TRAFILATURA_VERSION = version("trafilatura")
except PackageNotFoundError:  # pragma: no cover - a broken install; records still say so
    TRAFILATURA_VERSION = "missing"

# Captions, credits and link boxes leak into trafilatura's text (docs/pitfalls.md); cut them first.
DEFAULT_PRUNE_XPATH: tuple[str, ...] = (
    "//figure",
    "//figcaption",
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' picture ')]",
    "//*[contains(translate(@class, 'RELATD', 'relatd'), 'related')]",
    "//*[contains(translate(@id, 'RELATD', 'relatd'), 'related')]",
    "//*[contains(@class, 'share') or contains(@id, 'share')]",
    "//*[@id='div_currpage' or contains(@class, 'selectpage')]",
    "//*[contains(@class, 'author_share') or contains(@class, 'article_footer')]",
)

# Elements of trafilatura's output tree that hold one paragraph each.
_PARAGRAPH_TAGS = frozenset({"p", "head", "item", "quote", "code", "cell"})


def preload() -> None:
    """Import trafilatura and let it set itself up (one small page read), in this process.

    Worker processes forked afterwards share it, instead of each spending about a second on
    the import and its first page."""
    import trafilatura

    trafilatura.bare_extraction(
        _WARM_UP, url="https://example.com/a.html", with_metadata=False, deduplicate=False
    )


_WARM_UP = (
    "<html><body><article><h1>Warm</h1><p>"
    + "Words to read. " * 40
    + "</p></article></body></html>"
)


def body_paragraphs(
    html: str | HtmlElement,
    url: str,
    prune_xpath: Sequence[str] = DEFAULT_PRUNE_XPATH,
    favor_precision: bool = True,
) -> list[str]:
    """Main-text paragraphs of a page by trafilatura, in order, whitespace collapsed.

    Comments and tables are left out and deduplication is off (it keeps state between calls,
    so the same page could give different text). `html` may be a tree: it is copied, never
    changed. Returns [] when trafilatura finds no main text. Slow (10-120 ms): run it in a worker
    process, never on the reactor thread.
    """
    import trafilatura  # late: importing it costs about a second, and most pages never need it

    source: Any = deepcopy(html) if isinstance(html, HtmlElement) else html
    document = trafilatura.bare_extraction(
        source,
        url=url,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
        favor_precision=favor_precision,
        with_metadata=False,
        prune_xpath=list(prune_xpath) or None,
    )
    if document is None:
        return []
    body = getattr(document, "body", None)
    paragraphs: list[str] = []
    if body is not None:
        for el in body.iter():
            if el.tag in _PARAGRAPH_TAGS:
                text = clean("".join(el.itertext()))
                if text:
                    paragraphs.append(text)
    if not paragraphs:
        text = getattr(document, "text", None) or ""
        paragraphs = [clean(line) for line in text.splitlines() if clean(line)]
    return paragraphs
