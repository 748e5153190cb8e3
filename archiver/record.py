"""The article record: the public JSON contract that users and tools rely on."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Site = Literal["chinadaily", "globaltimes"]
Language = Literal["en", "zh"]
# What a page with a record is; pages without text (bare videos, galleries, 404s) get no record.
Kind = Literal["article", "video", "liveblog"]


class _Strict(BaseModel):
    # Unknown keys are a bug in the producer, not data to carry along silently.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(_Strict):
    """One person named in the byline."""

    name: str = Field(
        min_length=1,
        description='Name in normal case as a reader would write it: "An Baijie", not "AN BAIJIE".',
    )
    location: str | None = Field(
        default=None,
        description='Dateline place the byline gives for this author ("in Moscow" -> "Moscow").',
    )


class Image(_Strict):
    """A picture of the article body with the caption and credit printed under it."""

    url: str = Field(description="Absolute image URL (protocol-relative links get https:).")
    caption: str | None = Field(default=None, description="Caption text without the credit.")
    credit: str | None = Field(
        default=None,
        description='Credit as printed, brackets removed: "LIU CHAOFU/FOR CHINA DAILY", '
        '"Photo/Agencies", "AFP".',
    )


class CaptureRef(_Strict):
    """Where one fetched page of the article lies in the WARC archive."""

    url: str = Field(description="URL of the page as requested from the site (never the mirror).")
    warc_file: str = Field(description="WARC file path relative to ARCHIVER_DIR, POSIX separators.")
    warc_offset: int = Field(ge=0, description="Byte offset of the response record in warc_file.")
    warc_record_id: str = Field(description="WARC-Record-ID of the response record.")
    fetched_at: AwareDatetime = Field(description="WARC-Date of the response record, ISO 8601 UTC.")
    status: int = Field(
        ge=100, le=999, description="HTTP status code of the response (any three digits)."
    )


class ExtractorInfo(_Strict):
    """Which code produced the record, so generations of records can sit side by side."""

    archiver: str = Field(description="archiver version.")
    trafilatura: str = Field(description="trafilatura version used for the body text.")
    parser: str = Field(
        description='Site parser and template that read the page, e.g. "chinadaily/current-en".'
    )
    version: str | None = Field(
        default=None,
        description="Extractor version (archiver.sites.extract.EXTRACTOR_VERSION): changes "
        "whenever extraction output changes; null in records made before it existed.",
    )
    agreement: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="Token F1 (0-1, 3 decimals) between the site parser's text and trafilatura's "
        "independent reading of the same pages (words lower-cased, each CJK ideograph one "
        "token): how much the two readers agree on what the body is. A site's markup change "
        "that makes the parser read the wrong part shows as a drop. Null when trafilatura "
        "itself read the body (no body container: the fallback), when the parser read no words, "
        "when the second reading was skipped (`archiver reextract --no-second-reader`), and in "
        "records made before it existed.",
    )


class DateCandidate(_Strict):
    """One place on the page (or in its discovery) that states a date for the article."""

    source: str = Field(
        description='Where it was read: "byline", "meta:publishdate", "url", "article-id", '
        '"list", "sitemap", ...'
    )
    raw: str = Field(description="The value exactly as printed.")
    value: AwareDatetime | None = Field(
        default=None, description="The value parsed, ISO 8601 with offset (+08:00 for Beijing)."
    )


class Article(_Strict):
    """One article, assembled from all of its pages."""

    url: str = Field(description="Canonical URL of the article's first page.")
    site: Site = Field(description="Which site published it.")
    article_id: str = Field(
        description='Site article id: China Daily "WS<24 hex>" or "content_<n>", '
        "Global Times the numeric id."
    )
    kind: Kind = Field(
        default="article",
        description='What the page is: "article"; "video" (a video page whose text is a short '
        'description); "liveblog" (timestamped entries, still being added to).',
    )
    title: str = Field(min_length=1, description="Headline as printed, whitespace collapsed.")
    subtitle: str | None = Field(default=None, description="Standfirst or subheadline, or null.")
    authors: list[Author] = Field(default_factory=list, description="Byline authors, in order.")
    source: str | None = Field(
        default=None,
        description='Outlet label the page prints: "China Daily", "China Daily UK", '
        '"chinadaily.com.cn", "Xinhua", "Global Times".',
    )
    published_at: AwareDatetime | None = Field(
        default=None,
        description="Publication time, ISO 8601 with offset (+08:00: Beijing time).",
    )
    updated_at: AwareDatetime | None = Field(
        default=None, description="Last update time the page prints, ISO 8601 with offset, or null."
    )
    dates_raw: list[DateCandidate] = Field(
        default_factory=list, description="Every date candidate read, for provenance."
    )
    published_from: str | None = Field(
        default=None,
        description='The dates_raw source published_at was taken from ("byline", "article-id", '
        '"sitemap", ...), or null when no date was found.',
    )
    dates_disagree: bool = Field(
        default=False,
        description="True when two date candidates are more than a day apart (a page edited "
        "later, a wrong list date, a bad calendar): published_at deserves a second look.",
    )
    section: list[str] = Field(
        default_factory=list,
        description='Breadcrumb path without "Home", ["China", "Society"].',
    )
    language: Language = Field(description="Language of the article text (ISO 639-1).")
    tags: list[str] = Field(
        default_factory=list,
        description="Keywords the page declares (meta keywords), split, trimmed, de-duplicated "
        "case-insensitively, site names left out.",
    )
    contributors: list[str] = Field(
        default_factory=list,
        description='Outlets or people credited in the text ("Xinhua contributed to this story." '
        '-> ["Xinhua"]); the sentence stays in text.',
    )
    editors: list[str] = Field(
        default_factory=list,
        description='Editors named in an editor note ("【责任编辑：严玉洁】"); the note itself '
        "is not in text.",
    )
    newspaper_headline: str | None = Field(
        default=None,
        description='Headline of the print edition (Global Times "Newspaper headline:" trailer, '
        "which is not in text), or null.",
    )
    text: str = Field(
        min_length=1,
        description="Body text: paragraphs separated by one blank line, subheadings as their own "
        "paragraphs; no captions, navigation, share bars, related links or copyright lines.",
    )
    images: list[Image] = Field(default_factory=list, description="Body images with captions.")
    pages: list[str] = Field(min_length=1, description="URLs the article was assembled from.")
    captures: list[CaptureRef] = Field(
        default_factory=list, description="One per fetched page, pointing at its WARC record."
    )
    extractor: ExtractorInfo = Field(description="Versions of the code that made this record.")
    version: int = Field(
        default=1,
        ge=1,
        description="1 for the first record of the article; each record written later because "
        "the extracted content changed (an edit on the site) gets the next number.",
    )
    previous_version: int | None = Field(
        default=None, ge=1, description="The version this one replaces, or null for version 1."
    )
    changes: list[str] = Field(
        default_factory=list,
        description='Names of the fields whose value differs from previous_version ("title", '
        '"text", ...), in schema order; empty for version 1.',
    )

    def to_json_line(self) -> str:
        """One JSON object, keys in schema order, no trailing newline; deterministic."""
        return self.model_dump_json()


SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect `schema_json` is written in (pydantic's)."""

SCHEMA_VERSION = 1
"""Version of the record contract. Raise it when a change can break a reader of older records
(a field removed, renamed or given another type or meaning); a new field with a default keeps
it. The snapshot test (tests/snapshots/article.schema.json) shows every change for review."""

SCHEMA_ID = f"urn:archiver:schema:article:{SCHEMA_VERSION}"
"""`$id` of the record schema: names the contract and its version, never a place to fetch."""


def schema_json() -> dict[str, object]:
    """The JSON Schema of the record, as `archiver schema` prints it: `$schema` (the dialect)
    and `$id` (SCHEMA_ID) first, then pydantic's schema of Article."""
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **Article.model_json_schema()}
