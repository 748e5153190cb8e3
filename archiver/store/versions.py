"""Article versions: which extracted records are new versions of an article, and what changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from archiver.record import Article

PROVENANCE_FIELDS = frozenset(
    {"captures", "extractor", "dates_raw", "version", "previous_version", "changes"}
)
"""Record fields that say how and when a record was made, not what the article says.

They differ between two captures of an unchanged article (new WARC offsets, a list date seen on
another list, a newer archiver), so they never make a new version. Every other field of
`Article` is content: a field added to the record later is compared unless it is listed here.
"""


def content_of(record: Article) -> dict[str, Any]:
    """The record's content fields as JSON values (schema order), provenance left out."""
    dumped: dict[str, Any] = record.model_dump(mode="json")
    return {name: value for name, value in dumped.items() if name not in PROVENANCE_FIELDS}


def fingerprint(record: Article) -> str:
    """sha256 hex of the record's content fields as canonical JSON: equal iff content is equal."""
    text = json.dumps(content_of(record), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changed_fields(old: Article, new: Article) -> list[str]:
    """Names of the content fields whose values differ, in the record's schema order."""
    before, after = content_of(old), content_of(new)
    return [name for name in after if before.get(name) != after[name]]


def same_extractor(old: Article, new: Article) -> bool:
    """True when both records were made by the same extractor, so their differences are the
    article's. Compared by `extractor.version` when both records have one; otherwise by archiver
    version, site parser and whether a version is stated at all."""
    a, b = old.extractor, new.extractor
    if a.version is not None and b.version is not None:
        return a.version == b.version
    return (a.archiver, a.parser, a.version is None) == (b.archiver, b.parser, b.version is None)


def rebaselined(previous_version: int | None, changes: Sequence[str]) -> bool:
    """The re-baseline rule, stated once: a version written because the extractor changed, not
    the article, is one with a previous version and no changed fields (`next_version` writes
    it so). The crawl counts it apart, `archiver changes` does not list it as an edit."""
    return previous_version is not None and not changes


def is_rebaseline(record: Article) -> bool:
    """True for a re-baseline record (`rebaselined`)."""
    return rebaselined(record.previous_version, record.changes)


def next_version(previous: Article | None, extracted: Article) -> Article | None:
    """The record to write for `extracted`, or None when its content equals `previous`.

    `previous` is the latest record written for the same article (site, article_id), or None.
    With no previous record the result is `extracted` as version 1 (`previous_version` null,
    `changes` empty). When content changed, it is `extracted` with `version` one above the
    previous one, `previous_version` set and `changes` naming the fields that differ (see
    `changed_fields`). Provenance fields (PROVENANCE_FIELDS) never count as a change.

    When `previous` was made by another extractor (`same_extractor` is False), a content
    difference may be the extractor's, not an edit of the article: the record is a re-baseline,
    the next version with `previous_version` set and `changes` EMPTY (see `is_rebaseline`),
    which `archiver changes` does not list as an edit; later captures compare with it. Pure: the
    same inputs always give the same record, so re-deriving records from the WARC files
    (`archiver reextract`) reproduces what the crawl wrote.
    """
    if previous is None:
        return extracted.model_copy(update={"version": 1, "previous_version": None, "changes": []})
    changes = changed_fields(previous, extracted)
    if not changes:
        return None
    return extracted.model_copy(
        update={
            "version": previous.version + 1,
            "previous_version": previous.version,
            "changes": changes if same_extractor(previous, extracted) else [],
        }
    )


def version_history(extracted: Iterable[Article], previous: Article | None = None) -> list[Article]:
    """The records a crawl writes for successive extractions of ONE article, in capture order.

    `extracted` holds the records extracted from each capture of the article (oldest first, as
    produced by `extract_article`, version fields unset); `previous` is the last record written
    before them, if any. Returns the versioned records, only those whose content changed: the
    fold of `next_version` over `extracted`. Raises ValueError when the records are not all of
    one article.
    """
    written: list[Article] = []
    latest = previous
    for record in extracted:
        if latest is not None and (latest.site, latest.article_id) != (
            record.site,
            record.article_id,
        ):
            raise ValueError(
                f"records of two articles: {latest.site}/{latest.article_id} and "
                f"{record.site}/{record.article_id}"
            )
        versioned = next_version(latest, record)
        if versioned is not None:
            written.append(versioned)
            latest = versioned
    return written
