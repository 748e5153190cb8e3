"""Full-text search on a PostgreSQL index: the same documents and query language as SQLite's.

SQLite's search is FTS5 (search.py); PostgreSQL's is a `tsvector` per article in
`search_vectors` (tables.py), with a GIN index. Both are made from the same text: search_text.py
normalises it (each CJK character a token, a break between CJK characters that punctuation
separates) and the tokens are folded here, in Python, as SQLite's unicode61 folds them. The
vector is written as a `tsvector` literal rather than by `to_tsvector`, because PostgreSQL's
parser splits words by its own rules (e-mail addresses, hyphenated words, file paths) and by the
server's locale: the lexemes are then exactly the tokens SQLite indexes, whatever the server.

- `words`: the tokens of title, subtitle and text; `heads`: those of title and subtitle alone
  (small: "relevance" reads its first tier there, as SQLite reads search_headlines). One
  position is left out between fields and at every CJK break, so a phrase never runs across;
- a query's words are ANDed, a phrase or a Chinese run is `<->` between its tokens, a prefix
  `:*`. The query text is made only from tokens search_text.py produced, each quoted, and
  passed as a bind parameter cast to `tsquery` (not `to_tsquery`, which would parse the tokens
  again);
- `doc` is the number SQLite's FTS rowid is (publication time, then a hash of the article), so
  "newest first" and since/until are the same order and ranges on both backends;
- a page is read in two steps: the GIN index gives every document holding all the query's
  tokens (exact for that, so no vector is read), sorted newest first; only then is a phrase
  checked, on the newest candidates until the page is full. A phrase needs the positions, in
  the large (TOASTed) `words` of each candidate: checking them all would cost in proportion to
  the matches, where FTS5 stops at the page's end.

PostgreSQL's limits make three differences, on long texts only: a position past 16,383 counts
as 16,383 and a lexeme keeps its first 256 positions (a phrase found only past either is found
by SQLite alone), and a token longer than MAX_LEXEME characters is left out (PostgreSQL refuses
lexemes over 2 KB). A prefix may stand for any number of words (SQLite's stops at 64).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Text,
    any_,
    bindparam,
    cast,
    literal_column,
    not_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR
from sqlalchemy.sql.expression import ClauseElement, ColumnElement

from archiver.store.index.database import InsertFactory, PostgresDatabase
from archiver.store.index.search_text import BREAK, CJK, Term, fold
from archiver.store.index.tables import articles, search_vectors

SLOT_BITS = 20
MAX_POSITION = 16383
MAX_POSITIONS = 256
MAX_LEXEME = 500
MAX_VECTOR_BYTES = 900_000
"""A tsvector holds at most 1 MB: lexemes past this size are left out."""

# A token of the normalised text: one CJK character, the break, or a run of other letters and
# digits (search_text._TOKEN, plus the break).
_TOKEN = re.compile(rf"[{CJK}]|{BREAK}|(?:(?![{CJK}])[^\W_])+")


def doc_number(site: str, article_id: str, moment: int) -> int:
    """The document's place in time: `moment` (Unix seconds) shifted left SLOT_BITS, plus a
    slot from a hash of the article (as search.py numbers SQLite's FTS rows)."""
    mask = (1 << SLOT_BITS) - 1
    key = f"{site}:{article_id}".encode()
    slot = int.from_bytes(hashlib.blake2b(key, digest_size=4).digest()) & mask
    return (moment << SLOT_BITS) | slot


def tsvector_text(fields: Sequence[str]) -> str:
    """The tsvector literal of normalised `fields` (one position left out before each)."""
    places: dict[str, list[int]] = {}
    folded: dict[str, str] = {}  # a text repeats its words: each is folded once
    position, size = 0, 0
    for text in fields:
        position += 1  # a gap: no phrase from one field into the next
        for token in _TOKEN.findall(text):
            position += 1
            if token == BREAK or len(token) > MAX_LEXEME:
                continue
            lexeme = folded.get(token)
            if lexeme is None:
                lexeme = folded[token] = fold(token)
            found = places.get(lexeme)
            if found is None:
                size += len(lexeme.encode()) + 8
                if size > MAX_VECTOR_BYTES:
                    continue
                found = places[lexeme] = []
            # Positions rise, so a list stays sorted; past MAX_POSITION they repeat the last.
            at = position if position < MAX_POSITION else MAX_POSITION
            if len(found) < MAX_POSITIONS and (not found or found[-1] != at):
                found.append(at)
    return " ".join(f"{_quoted(lexeme)}:{','.join(map(str, at))}" for lexeme, at in places.items())


def tsquery_text(terms: Sequence[Term], phrases: bool = True) -> str:
    """The tsquery of the terms (all required): each term a phrase of its tokens (the last a
    prefix when the term is); with `phrases` False, each token on its own (what the GIN index
    answers exactly, without reading a vector)."""
    parts = []
    for term in terms:
        lexemes = [_quoted(fold(token)) for token in term.tokens]
        if term.prefix:
            lexemes[-1] += ":*"
        parts.append("(" + (" <-> " if phrases else " & ").join(lexemes) + ")")
    return " & ".join(parts)


def has_phrase(terms: Sequence[Term]) -> bool:
    """True when a term has several tokens: their order is checked on the vector itself."""
    return any(len(term.tokens) > 1 for term in terms)


def _quoted(lexeme: str) -> str:
    # Tokens are letters and digits; quoting anyway keeps any character a plain lexeme.
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# -- statements -------------------------------------------------------------------------------


def upsert_vector(ins: InsertFactory) -> ClauseElement:
    """The article's document; an older version's never replaces a newer one's (two workers
    writing versions of an article at once)."""
    table = search_vectors
    statement = ins(table).values(
        site=bindparam("site", type_=Text),
        article_id=bindparam("article_id", type_=Text),
        version=bindparam("version", type_=Integer),
        doc=bindparam("doc", type_=BigInteger),
        words=cast(bindparam("words", type_=Text), TSVECTOR),
        heads=cast(bindparam("heads", type_=Text), TSVECTOR),
        facets=bindparam("facets", type_=ARRAY(Text)),
    )
    new = statement.excluded
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=[table.c.site, table.c.article_id],
        set_={
            "version": new.version,
            "doc": new.doc,
            "words": new.words,
            "heads": new.heads,
            "facets": new.facets,
        },
        where=new.version >= table.c.version,
    )


def articles_after(ins: InsertFactory) -> ClauseElement:
    """A batch of current records in key order, after a key (filling the documents)."""
    key = tuple_(articles.c.site, articles.c.article_id)
    after = tuple_(bindparam("site", type_=Text), bindparam("article_id", type_=Text))
    return (
        select(articles.c.version, articles.c.record)
        .where(key > after)
        .order_by(articles.c.site, articles.c.article_id)
        .limit(bindparam("rows", type_=Integer))
    )


@dataclass(frozen=True)
class Match:
    """What a page of documents must match: `column` ("words", "heads" or None: any document)
    holding every token of `present` (a tsquery the GIN index answers exactly), then, checked
    on the newest candidates only, `phrase` on words and not `unless` on heads."""

    column: str | None
    present: str | None = None
    phrase: str | None = None
    unless: str | None = None


@cache
def matches(
    column: str | None, facets: bool, phrase: bool, unless: bool
) -> Callable[[InsertFactory], ClauseElement]:
    """The statement giving a page of the documents of a Match (with the filter tokens
    `facets`), newest first, as (doc, site, article_id). One statement per combination
    (cached: IndexDatabase compiles each once), so that the planner sees no optional
    condition."""

    def builder(ins: InsertFactory) -> ClauseElement:
        table = search_vectors
        where: list[ColumnElement[bool]] = [
            table.c.doc.between(bindparam("low"), bindparam("high"))
        ]
        if column is not None:
            where.append(table.c[column].bool_op("@@")(_tsquery("present")))
        if facets:
            where.append(table.c.facets.contains(bindparam("facets", type_=ARRAY(Text))))
        if not (phrase or unless):
            # Only what the index answers: the planner picks the GIN index (few matches) or
            # reads the newest documents first and stops at the page's end (many).
            return _newest_page(select(table).where(*where).subquery())
        # OFFSET 0 keeps the candidates a subquery of their own, sorted before the phrase is
        # checked (the planner would otherwise check it on every candidate while scanning).
        inner = select(table).where(*where).order_by(*_newest(table))
        candidates = inner.offset(literal_column("0")).subquery()
        c = candidates.c
        checks: list[ColumnElement[bool]] = []
        if phrase:
            checks.append(c.words.bool_op("@@")(_tsquery("phrase")))
        if unless:
            checks.append(not_(c.heads.bool_op("@@")(_tsquery("unless"))))
        return _newest_page(candidates, *checks)

    builder.__name__ = f"matches_{column}_{int(facets)}{int(phrase)}{int(unless)}"
    return builder


def _newest(table: Any) -> tuple[ColumnElement[Any], ...]:
    return (table.c.doc.desc(), table.c.site.desc(), table.c.article_id.desc())


def _newest_page(rows: Any, *checks: ColumnElement[bool]) -> ClauseElement:
    return (
        select(rows.c.doc, rows.c.site, rows.c.article_id)
        .where(*checks)
        .order_by(*_newest(rows))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


def _tsquery(name: str) -> ColumnElement[Any]:
    return cast(bindparam(name, type_=Text), TSQUERY)


def hit_records(ins: InsertFactory) -> ClauseElement:
    """The url and record of the articles of a page (given as two arrays: one statement for
    any page; the pairs are picked out of the few rows it gives)."""
    return select(articles.c.site, articles.c.article_id, articles.c.url, articles.c.record).where(
        articles.c.site == any_(bindparam("sites", type_=ARRAY(Text))),
        articles.c.article_id == any_(bindparam("ids", type_=ARRAY(Text))),
    )


# -- running them -----------------------------------------------------------------------------


def write_vector(db: PostgresDatabase, document: Any, version: int) -> None:
    """Make `document` (a search.Document) the article's search document."""
    title, subtitle, body, facets = document.columns
    db.run(
        upsert_vector,
        {
            "site": document.site,
            "article_id": document.article_id,
            "version": version,
            "doc": doc_number(document.site, document.article_id, document.moment),
            "words": tsvector_text([title, subtitle, body]),
            "heads": tsvector_text([title, subtitle]),
            "facets": facets.split(),
        },
    )


def fill_vectors(db: PostgresDatabase, batch: int = 500) -> int:
    """Write the document of every article's current record (the migration to version 2).
    Read in batches: the records of a large index do not fit in memory at once."""
    from archiver.store.index.search import Document

    count, site, article_id = 0, "", ""
    while True:
        rows = db.all(articles_after, {"site": site, "article_id": article_id, "rows": batch})
        for version, line in rows:
            document = Document.of_json(str(line))
            write_vector(db, document, int(version))
            site, article_id = document.site, document.article_id
            count += 1
        if len(rows) < batch:
            return count


def page(
    db: PostgresDatabase,
    match: Match,
    facets: list[str] | None,
    bounds: tuple[int, int],
    offset: int,
    limit: int,
) -> list[tuple[int, str, str]]:
    """(doc, site, article_id) of a page of the documents of `match`, newest first."""
    builder = matches(
        match.column, facets is not None, match.phrase is not None, match.unless is not None
    )
    params: dict[str, Any] = {"low": bounds[0], "high": bounds[1], "limit": limit}
    params["offset"] = offset
    for name, value in (
        ("present", match.present),
        ("phrase", match.phrase),
        ("unless", match.unless),
        ("facets", facets),
    ):
        if value is not None:
            params[name] = value
    return [(int(d), str(s), str(a)) for d, s, a in db.all(builder, params)]


def documents(db: PostgresDatabase, keys: list[tuple[int, str, str]]) -> list[tuple[Any, ...]]:
    """The hits' fields as search.py's SQLite query gives them: (url, title, site, article_id,
    published_at, section as JSON, text, language), in the order of `keys`."""
    if not keys:
        return []
    sites = sorted({site for _, site, _ in keys})
    ids = sorted({article_id for _, _, article_id in keys})
    found = {(s, a): (u, r) for s, a, u, r in db.all(hit_records, {"sites": sites, "ids": ids})}
    rows = []
    for _, site, article_id in keys:
        if (site, article_id) not in found:
            continue
        url, line = found[(site, article_id)]
        record = json.loads(line)
        rows.append(
            (
                url,
                record.get("title"),
                site,
                article_id,
                record.get("published_at"),
                json.dumps(record.get("section") or [], ensure_ascii=False),
                record.get("text"),
                record.get("language"),
            )
        )
    return rows
