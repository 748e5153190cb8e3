"""Full-text search over the articles' current records (English and Chinese), in the index.

The search tables are derived, like the rest of the index: one document per article, made
from its current record (the `articles` row), replaced whenever a newer version becomes
current (`ArchiveIndex.record_version`, live and in a rebuild), deleted articles included.

- `search_fts`: a contentless FTS5 table (the text lives in `articles.record` already) of the
  title, subtitle and text normalised for Chinese (search_text.py), plus a `facets` column of
  filter tokens (site, language, kind, each section), so that filters are part of the match.
- `search_headlines`: the same of titles and subtitles alone, for relevance (headlines first).
- `search_docs`: which article each FTS rowid is. The rowid orders by time: the article's
  published_at (else its first capture) in Unix seconds, shifted left 20 bits, plus a slot from
  a hash of site and article id. "Newest first" is then FTS5's own rowid order, which stops at
  the page's last row instead of sorting every match, and since/until are rowid ranges.

On PostgreSQL the documents are tsvectors of the same text in `search_vectors`, numbered the
same way (search_pg.py); `search` runs the same plan on either backend.

Dates: since and until are Beijing dates (UTC+8, the sites' own), inclusive, on published_at
(else the first capture time for an article without one).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Literal, Protocol

from archiver.errors import ArchiverError
from archiver.record import Article
from archiver.store.index import search_pg
from archiver.store.index.database import IndexDatabase, PostgresDatabase, SqliteDatabase
from archiver.store.index.search_text import (
    ALL_TOKEN,
    Matcher,
    QueryError,
    SnippetPart,
    Term,
    facet_token,
    facet_tokens,
    fold,
    match_pattern,
    normalise,
    parse_query,
    snippet,
    words_of,
)

__all__ = [
    "BadQuery",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "SearchUnavailable",
    "SnippetPart",
    "search",
]

BEIJING = timezone(timedelta(hours=8))
SLOT_BITS = 20
MAX_PER_PAGE = 100
SNIPPET_CHARS = {"en": 200, "zh": 90}
"""Snippet width by language, in characters (a Chinese character says more than a letter)."""

_TEXT_COLUMNS = "{title subtitle body}"
_HEADLINE_COLUMNS = "{title subtitle}"
MAX_COUNTED = 1_000
"""Matches counted at most: `SearchResults.total` stops there (`exact` False). Counting reads
every match (and, for a phrase, every article with its words): at 300,000 articles, 10,000
phrase or Chinese matches took 60 to 120 ms, 1,000 a tenth of that."""
MAX_EXPANSIONS = 64
"""Words a prefix may stand for; more is a BadQuery (give more letters)."""


@dataclass(frozen=True)
class SearchQuery:
    """A search. `text`: words (all required), "quoted phrases", prefix* (2+ letters), Chinese
    runs (found inside longer runs, 1+ characters); empty: every article the filters let
    through, newest first. `section` matches any element of the record's section list; it,
    site, language and kind match whole values, in any case. `since`/`until`: Beijing dates
    (UTC+8), inclusive, on published_at (else the first capture). `order`: "newest" first, or
    "relevance": articles with every word in the title or subtitle first, then the others,
    newest first within each (no words: newest). `page` is 1-based."""

    text: str
    site: str | None = None
    section: str | None = None
    language: str | None = None
    kind: str | None = None
    since: date | None = None
    until: date | None = None
    order: Literal["newest", "relevance"] = "newest"
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class SearchHit:
    """One article found; `published_at` is ISO 8601 as in the record (or None)."""

    url: str
    title: str
    site: str
    article_id: str
    published_at: str | None
    section: tuple[str, ...]
    snippet: tuple[SnippetPart, ...]

    @property
    def snippet_text(self) -> str:
        """The snippet as plain text (for the JSON API)."""
        return "".join(part.text for part in self.snippet)


@dataclass(frozen=True)
class SearchResults:
    """`total` articles matched; `hits` are those of page `page` (`per_page` a page).

    `exact` is False when more than MAX_COUNTED matched: `total` is then MAX_COUNTED, a lower
    bound (show "1,000+"); pages past it can still be asked for.
    """

    total: int
    page: int
    per_page: int
    hits: tuple[SearchHit, ...]
    exact: bool = True


class BadQuery(ArchiverError):
    """A query that cannot be searched: no words, too long, a bad page or date range."""


class SearchUnavailable(ArchiverError):
    """The index has no search tables yet (an index of an older archiver, opened read-only)."""


# -- searching --------------------------------------------------------------------------------


def search(db: IndexDatabase | sqlite3.Connection, query: SearchQuery) -> SearchResults:
    """The page of articles matching `query`, and how many match (counted up to MAX_COUNTED).

    `db`: the index on either backend (SQLite's FTS5 tables, PostgreSQL's search_vectors), or a
    read-only sqlite3 connection. Raises BadQuery for a query that cannot be searched (never a
    database error for what the user typed), SearchUnavailable for an index without search
    tables.
    """
    terms = _terms(query)
    backend: _Backend = (
        _Tsearch(db) if isinstance(db, PostgresDatabase) else _Fts5(_sqlite_conn(db))
    )
    try:
        plan = backend.plan(terms, query)
        matched = backend.page(plan.matched, 0, MAX_COUNTED + 1)
        total, exact = min(len(matched), MAX_COUNTED), len(matched) <= MAX_COUNTED
        offset, limit = (query.page - 1) * query.per_page, query.per_page
        if query.order == "relevance" and plan.headline is not None and matched:
            keys = _headlines_first(backend, plan, matched, offset, limit)
        elif offset + limit <= len(matched) or exact:
            keys = matched[offset : offset + limit]
        else:
            keys = backend.page(plan.matched, offset, limit)
        rows = backend.documents(keys)
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise SearchUnavailable(
                "this index has no search tables yet: open it once with this archiver "
                "(a crawl, `archiver changes`) or run `archiver index rebuild`"
            ) from None
        raise
    pattern = match_pattern(terms) if terms else None
    hits = tuple(_hit(row, pattern) for row in rows)
    return SearchResults(total, query.page, query.per_page, hits, exact)


def _sqlite_conn(db: IndexDatabase | sqlite3.Connection) -> sqlite3.Connection:
    if isinstance(db, sqlite3.Connection):
        return db
    if isinstance(db, SqliteDatabase):
        return db.conn
    raise TypeError(f"no search on {type(db).__name__}")


@dataclass(frozen=True)
class _Plan:
    """What a backend matches, in its own terms (None: nothing can match)."""

    matched: Any
    headline: Any
    """The words limited to title and subtitle, with the filters (None: no words)."""
    rest: Any
    """The matches that are not headline matches."""


class _Backend(Protocol):
    def plan(self, terms: list[Term], query: SearchQuery) -> _Plan: ...

    def page(self, what: Any, offset: int, limit: int) -> list[Any]:
        """Keys of a page of the matches of `what`, newest first (none when None)."""
        ...

    def documents(self, keys: list[Any]) -> list[tuple[Any, ...]]: ...


def _filters(query: SearchQuery) -> list[str]:
    return [
        facet_token(field, value)
        for field, value in (
            ("site", query.site),
            ("lang", query.language),
            ("kind", query.kind),
            ("sec", query.section),
        )
        if value is not None
    ]


class _Fts5:
    """SQLite: the FTS5 tables; a key is the FTS rowid."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.low, self.high = 0, 0

    def plan(self, terms: list[Term], query: SearchQuery) -> _Plan:
        # Every token quoted (search_text.Term.fts): nothing the user typed is FTS5 syntax.
        facets = _filters(query)
        self.low, self.high = _rowid_range(query.since, query.until)
        words = [self._term_fts(term) for term in terms]
        if None in words:
            return _Plan(None, None, None)
        parts, headline, filters = [], None, None
        if words:
            joined = " AND ".join(str(word) for word in words)
            parts.append(f"{_TEXT_COLUMNS} : ({joined})")
            headline = f"{_HEADLINE_COLUMNS} : ({joined})"
        if facets or not words:
            filters = "facets : (" + " AND ".join(f'"{f}"' for f in facets or [ALL_TOKEN]) + ")"
            parts.append(filters)
        matched = " AND ".join(parts)
        if headline is None:
            return _Plan(("search_fts", matched), None, None)
        first = headline if not facets else f"{headline} AND {filters}"
        rest = f"({matched}) NOT ({headline})"
        return _Plan(("search_fts", matched), ("search_headlines", first), ("search_fts", rest))

    def _term_fts(self, term: Term) -> str | None:
        # A prefix is the OR of the words it starts (search_terms): FTS5 reads an OR of words
        # newest first and stops at the page's end, but reads every match of its own prefix
        # query before giving the first. None: no word starts so.
        if not term.prefix:
            return term.fts()
        start = fold(term.tokens[-1])
        found = self.conn.execute(
            "SELECT term FROM search_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
            (start, start + "\U0010ffff", MAX_EXPANSIONS + 1),
        ).fetchall()
        if len(found) > MAX_EXPANSIONS:
            raise BadQuery(
                f"more than {MAX_EXPANSIONS} words start with {start!r}: give more letters before *"
            )
        if not found:
            return None
        words = [Term((*term.tokens[:-1], str(row[0]))).fts() for row in found]
        return "(" + " OR ".join(words) + ")"

    def page(self, what: Any, offset: int, limit: int) -> list[Any]:
        if what is None:
            return []
        table, expression = what
        rows = self.conn.execute(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid BETWEEN ? AND ? "
            "ORDER BY rowid DESC LIMIT ? OFFSET ?",
            (expression, self.low, self.high, limit, offset),
        ).fetchall()
        return [int(row[0]) for row in rows]

    def documents(self, keys: list[Any]) -> list[tuple[Any, ...]]:
        return _documents(self.conn, keys)


class _Tsearch:
    """PostgreSQL: search_vectors (search_pg.py); a key is (doc, site, article_id)."""

    def __init__(self, db: PostgresDatabase) -> None:
        self.db = db
        self.bounds = (0, 0)
        self.facets: list[str] | None = None

    def plan(self, terms: list[Term], query: SearchQuery) -> _Plan:
        self.bounds = _rowid_range(query.since, query.until)
        self.facets = _filters(query) or None
        if not terms:  # every document the filters let through
            return _Plan(search_pg.Match(None), None, None)
        present = search_pg.tsquery_text(terms, phrases=False)
        phrase = search_pg.tsquery_text(terms) if search_pg.has_phrase(terms) else None
        heads = search_pg.tsquery_text(terms)
        return _Plan(
            search_pg.Match("words", present, phrase),
            search_pg.Match("heads", heads),
            search_pg.Match("words", present, phrase, unless=heads),
        )

    def page(self, what: Any, offset: int, limit: int) -> list[Any]:
        if what is None:
            return []
        return search_pg.page(self.db, what, self.facets, self.bounds, offset, limit)

    def documents(self, keys: list[Any]) -> list[tuple[Any, ...]]:
        return search_pg.documents(self.db, keys)


def _headlines_first(
    backend: _Backend, plan: _Plan, matched: list[Any], offset: int, limit: int
) -> list[Any]:
    # "Relevance": the articles with every word in their title or subtitle, then the others,
    # newest first within each. FTS5's bm25 would weigh every match of every word in the
    # archive on each query (its IDF), so its cost grows with the archive; this does not.
    # On SQLite the first are read from search_headlines, whose words are only those of
    # titles and subtitles: a column filter on search_fts would read every match of the words
    # to count the few in a title. On PostgreSQL they are read from `heads`, likewise.
    heads = backend.page(plan.headline, 0, MAX_COUNTED + 1)
    if len(matched) <= MAX_COUNTED and len(heads) <= MAX_COUNTED:
        # Every match is known: order them here (headline matches are matches too).
        known = set(heads)
        ordered = heads + [key for key in matched if key not in known]
        return ordered[offset : offset + limit]
    count = min(len(heads), MAX_COUNTED)
    keys = heads[offset : offset + limit] if offset < count else []
    keys = keys[: max(0, count - offset)]
    if len(keys) < limit:
        keys += backend.page(plan.rest, max(0, offset - count), limit - len(keys))
    return keys


def _terms(query: SearchQuery) -> list[Term]:
    if query.page < 1:
        raise BadQuery(f"page must be 1 or more, not {query.page}")
    if not 1 <= query.per_page <= MAX_PER_PAGE:
        raise BadQuery(f"per_page must be between 1 and {MAX_PER_PAGE}, not {query.per_page}")
    if query.since is not None and query.until is not None and query.since > query.until:
        raise BadQuery(f"since ({query.since}) is after until ({query.until})")
    if query.order not in ("newest", "relevance"):
        raise BadQuery(f"order must be newest or relevance, not {query.order!r}")
    if not query.text.strip():
        return []
    try:
        return parse_query(query.text)
    except QueryError as exc:
        raise BadQuery(str(exc)) from None


def _rowid_range(since: date | None, until: date | None) -> tuple[int, int]:
    low = _day_start(since) << SLOT_BITS if since is not None else 0
    high = (
        (_day_start(until + timedelta(days=1)) << SLOT_BITS) - 1 if until is not None else (1 << 62)
    )
    return max(0, low), max(0, high)


def _day_start(day: date) -> int:
    return int(datetime.combine(day, time(0), tzinfo=BEIJING).timestamp())


def _documents(conn: sqlite3.Connection, rowids: list[int]) -> list[tuple[Any, ...]]:
    if not rowids:
        return []
    marks = ", ".join("?" * len(rowids))
    rows = conn.execute(
        "SELECT d.doc, a.url, json_extract(a.record, '$.title'), a.site, a.article_id, "
        "json_extract(a.record, '$.published_at'), json_extract(a.record, '$.section'), "
        "json_extract(a.record, '$.text'), json_extract(a.record, '$.language') "
        "FROM search_docs d JOIN articles a ON a.site = d.site AND a.article_id = d.article_id "
        f"WHERE d.doc IN ({marks})",
        rowids,
    ).fetchall()
    by_rowid = {int(row[0]): row[1:] for row in rows}
    return [by_rowid[rowid] for rowid in rowids if rowid in by_rowid]


def _hit(row: tuple[Any, ...], pattern: Matcher | None) -> SearchHit:
    url, title, site, article_id, published_at, section, text, language = row
    width = SNIPPET_CHARS.get(str(language), SNIPPET_CHARS["en"])
    return SearchHit(
        url=str(url),
        title=str(title),
        site=str(site),
        article_id=str(article_id),
        published_at=None if published_at is None else str(published_at),
        section=tuple(json.loads(section)) if section else (),
        snippet=snippet(str(text or ""), pattern, width),
    )


# -- keeping the index: one document per article ----------------------------------------------


@dataclass(frozen=True)
class Document:
    """What the search index holds of one article's current record."""

    site: str
    article_id: str
    moment: int
    """published_at, else the first capture's time, in Unix seconds (0: neither)."""
    columns: tuple[str, str, str, str]
    """title, subtitle, body, facets, as the FTS table indexes them."""
    words: frozenset[str]
    """The words (not CJK) of title, subtitle and text, folded: for search_terms."""

    @classmethod
    def of_article(cls, record: Article) -> Document:
        moment = record.published_at or min(
            (capture.fetched_at for capture in record.captures), default=None
        )
        return cls._make(
            record.site,
            record.article_id,
            moment,
            (record.title, record.subtitle, record.text),
            (record.language, record.kind, record.section),
        )

    @classmethod
    def of_json(cls, line: str) -> Document:
        """The document of a record line as `articles.record` holds it (faster than parsing
        the model; gives the same columns as `of_article`)."""
        data = json.loads(line)
        moment: datetime | None = None
        if data.get("published_at"):
            moment = datetime.fromisoformat(data["published_at"])
        elif data.get("captures"):
            moment = min(datetime.fromisoformat(c["fetched_at"]) for c in data["captures"])
        return cls._make(
            data["site"],
            data["article_id"],
            moment,
            (data["title"], data.get("subtitle"), data["text"]),
            (data["language"], data.get("kind", "article"), data.get("section", [])),
        )

    @classmethod
    def _make(
        cls,
        site: str,
        article_id: str,
        moment: datetime | None,
        texts: tuple[str, str | None, str],
        facets: tuple[str, str, list[str]],
    ) -> Document:
        title, subtitle, text = texts
        language, kind, sections = facets
        return cls(
            site,
            article_id,
            max(0, int(moment.timestamp())) if moment is not None else 0,
            (
                normalise(title),
                normalise(subtitle or ""),
                normalise(text),
                facet_tokens(site, language, kind, sections),
            ),
            frozenset(words_of(f"{title}\n{subtitle or ''}\n{text}")),
        )


def write_document(
    db: IndexDatabase, old_record: str | None, record: Article, known: set[str]
) -> None:
    """Make `record` the article's search document on either backend (`replace_document` on
    SQLite, search_pg.write_vector on PostgreSQL, which replaces the old one by its key)."""
    if isinstance(db, PostgresDatabase):
        search_pg.write_vector(db, Document.of_article(record), record.version)
    else:
        replace_document(_sqlite_conn(db), old_record, record, known)


def replace_document(
    conn: sqlite3.Connection,
    old_record: str | None,
    record: Article,
    known: set[str] | None = None,
) -> None:
    """Make `record` the article's document, in place of the one made from `old_record` (the
    record line `articles.record` held before, None when there was none). Call it inside the
    transaction that updates `articles`. `known`: words already in search_terms (not written
    again), kept up to date; the caller empties it when the tables are emptied."""
    if old_record is not None:
        _delete(conn, Document.of_json(old_record))
    _insert(conn, Document.of_article(record), set() if known is None else known)


def fill_from_articles(conn: sqlite3.Connection) -> int:
    """Index every article's current record (a migration from an index without search);
    the search tables must exist and be empty. Returns the number of documents."""
    count, known = 0, set[str]()
    for (line,) in conn.execute("SELECT record FROM articles ORDER BY site, article_id"):
        _insert(conn, Document.of_json(str(line)), known)
        count += 1
    return count


def clear(conn: sqlite3.Connection) -> None:
    """Empty the search tables (a contentless FTS5 table takes no DELETE)."""
    conn.execute("DELETE FROM search_docs")
    conn.execute("DELETE FROM search_terms")
    conn.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
    conn.execute("INSERT INTO search_headlines (search_headlines) VALUES ('delete-all')")


def _delete(conn: sqlite3.Connection, document: Document) -> None:
    row = conn.execute(
        "SELECT doc FROM search_docs WHERE site = ? AND article_id = ?",
        (document.site, document.article_id),
    ).fetchone()
    if row is None:
        return
    # A contentless table forgets a row given the very values it was indexed with.
    conn.execute(
        "INSERT INTO search_fts (search_fts, rowid, title, subtitle, body, facets) "
        "VALUES ('delete', ?, ?, ?, ?, ?)",
        (row[0], *document.columns),
    )
    conn.execute(
        "INSERT INTO search_headlines (search_headlines, rowid, title, subtitle, facets) "
        "VALUES ('delete', ?, ?, ?, ?)",
        (row[0], *_headline_columns(document)),
    )
    conn.execute("DELETE FROM search_docs WHERE doc = ?", (row[0],))


MAX_KNOWN = 500_000
"""Words a writer remembers as already in search_terms (a bound on its memory)."""


def _insert(conn: sqlite3.Connection, document: Document, known: set[str]) -> None:
    new = document.words - known
    if new:
        conn.executemany("INSERT OR IGNORE INTO search_terms VALUES (?)", ((w,) for w in new))
        if len(known) > MAX_KNOWN:
            known.clear()
        known |= new
    rowid = _free_rowid(conn, document)
    conn.execute(
        "INSERT INTO search_docs (doc, site, article_id) VALUES (?, ?, ?)",
        (rowid, document.site, document.article_id),
    )
    conn.execute(
        "INSERT INTO search_fts (rowid, title, subtitle, body, facets) VALUES (?, ?, ?, ?, ?)",
        (rowid, *document.columns),
    )
    conn.execute(
        "INSERT INTO search_headlines (rowid, title, subtitle, facets) VALUES (?, ?, ?, ?)",
        (rowid, *_headline_columns(document)),
    )


def _headline_columns(document: Document) -> tuple[str, str, str]:
    title, subtitle, _, facets = document.columns
    return title, subtitle, facets


def _free_rowid(conn: sqlite3.Connection, document: Document) -> int:
    # The slot is a hash of the article, so that a rebuild numbers documents as live updates
    # did; two articles of the same second and slot (rare) take the next free slot.
    mask = (1 << SLOT_BITS) - 1
    key = f"{document.site}:{document.article_id}".encode()
    slot = int.from_bytes(hashlib.blake2b(key, digest_size=4).digest()) & mask
    base = document.moment << SLOT_BITS
    for step in range(mask + 1):
        rowid = base | ((slot + step) & mask)
        if conn.execute("SELECT 1 FROM search_docs WHERE doc = ?", (rowid,)).fetchone() is None:
            return rowid
    raise ArchiverError(f"more than {mask + 1} articles of one second: {document.moment}")
