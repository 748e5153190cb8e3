"""Full-text search on a PostgreSQL index: the same documents and query language as SQLite's.

SQLite's search is FTS5 (search.py); PostgreSQL's is a `tsvector` per article in
`search_vectors` (tables.py), with a GIN index. Both are made from the same text: search_text.py
normalises it (each CJK character a token, a break between CJK characters that punctuation
separates) and the tokens are folded here, in Python, as SQLite's unicode61 folds them. The
vector is written as a `tsvector` literal rather than by `to_tsvector`, because PostgreSQL's
parser splits words by its own rules (e-mail addresses, hyphenated words, file paths) and by the
server's locale: the lexemes are then exactly the tokens SQLite indexes, whatever the server.

- positions: title and subtitle (weight A, "headlines"), then text (weight D), one position
  left out between fields and at every CJK break, so a phrase never runs across either;
- a query's words are ANDed, a phrase or a Chinese run is `<->` between its tokens, a prefix
  `:*`; the headline tier of "relevance" is the same query with every lexeme limited to `A`.
  The query text is made only from tokens search_text.py produced, each quoted, and passed as
  a bind parameter cast to `tsquery` (not `to_tsquery`, which would parse the tokens again);
- `doc` is the number SQLite's FTS rowid is (publication time, then a hash of the article), so
  "newest first" and since/until are the same order and ranges on both backends.

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
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Integer, Text, bindparam, cast, select, tuple_
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


def tsvector_text(fields: Sequence[tuple[str, str]]) -> str:
    """The tsvector literal of normalised `fields`, each (text, weight "A" or "D")."""
    places: dict[str, list[str]] = {}
    position, size = 0, 0
    for text, weight in fields:
        position += 1  # a gap: no phrase from one field into the next
        mark = "" if weight == "D" else weight
        for token in _TOKEN.findall(text):
            position += 1
            if token == BREAK or len(token) > MAX_LEXEME:
                continue
            lexeme = fold(token)
            found = places.get(lexeme)
            if found is None:
                size += len(lexeme.encode()) + 8
                if size > MAX_VECTOR_BYTES:
                    continue
                found = places[lexeme] = []
            if len(found) < MAX_POSITIONS:
                found.append(f"{min(position, MAX_POSITION)}{mark}")
    return " ".join(f"{_quoted(lexeme)}:{','.join(at)}" for lexeme, at in places.items())


def tsquery_text(terms: Sequence[Term], headline: bool = False) -> str:
    """The tsquery of the terms (all required): a phrase of each term's tokens, the last a
    prefix when the term is; `headline`: every lexeme in a title or subtitle (weight A)."""
    weight = "A" if headline else ""
    phrases = []
    for term in terms:
        lexemes = [f"{_quoted(fold(token))}:{weight}" if weight else _quoted(fold(token))
                   for token in term.tokens]  # fmt: skip
        if term.prefix:
            lexemes[-1] = f"{_quoted(fold(term.tokens[-1]))}:*{weight}"
        phrases.append("(" + " <-> ".join(lexemes) + ")")
    return " & ".join(phrases)


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
        facets=bindparam("facets", type_=ARRAY(Text)),
    )
    new = statement.excluded
    return statement.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=[table.c.site, table.c.article_id],
        set_={"version": new.version, "doc": new.doc, "words": new.words, "facets": new.facets},
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


@cache
def matches(words: bool, facets: bool) -> Callable[[InsertFactory], ClauseElement]:
    """The statement giving a page of the documents matching a tsquery (`words`) and
    containing filter tokens (`facets`), newest first, as (doc, site, article_id). One
    statement per combination (cached: IndexDatabase compiles each once), so that the planner
    sees no optional condition."""

    def builder(ins: InsertFactory) -> ClauseElement:
        table = search_vectors
        where: list[ColumnElement[bool]] = [
            table.c.doc.between(bindparam("low"), bindparam("high"))
        ]
        if words:
            query = cast(bindparam("query", type_=Text), TSQUERY)
            where.append(table.c.words.bool_op("@@")(query))
        if facets:
            where.append(table.c.facets.contains(bindparam("facets", type_=ARRAY(Text))))
        return (
            select(table.c.doc, table.c.site, table.c.article_id)
            .where(*where)
            .order_by(table.c.doc.desc(), table.c.site.desc(), table.c.article_id.desc())
            .limit(bindparam("limit", type_=Integer))
            .offset(bindparam("offset", type_=Integer))
        )

    builder.__name__ = f"matches_{int(words)}{int(facets)}"
    return builder


def hit_record(ins: InsertFactory) -> ClauseElement:
    return select(articles.c.url, articles.c.record).where(
        articles.c.site == bindparam("site", type_=Text),
        articles.c.article_id == bindparam("article_id", type_=Text),
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
            "words": tsvector_text([(title, "A"), (subtitle, "A"), (body, "D")]),
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
    query: str | None,
    facets: list[str] | None,
    bounds: tuple[int, int],
    offset: int,
    limit: int,
) -> list[tuple[int, str, str]]:
    """(doc, site, article_id) of a page of the matches, newest first."""
    builder = matches(query is not None, facets is not None)
    params: dict[str, Any] = {"low": bounds[0], "high": bounds[1], "limit": limit}
    params.update(offset=offset, query=query, facets=facets)
    return [(int(d), str(s), str(a)) for d, s, a in db.all(builder, params)]


def documents(db: PostgresDatabase, keys: list[tuple[int, str, str]]) -> list[tuple[Any, ...]]:
    """The hits' fields as search.py's SQLite query gives them: (url, title, site, article_id,
    published_at, section as JSON, text, language)."""
    rows = []
    for _, site, article_id in keys:
        found = db.first(hit_record, {"site": site, "article_id": article_id})
        if found is None:
            continue
        record = json.loads(found[1])
        rows.append(
            (
                found[0],
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
