"""Every statement ArchiveIndex runs on either backend, as SQLAlchemy Core builders.

Each function takes the backend's `insert` (SQLite's and PostgreSQL's both have
on_conflict_do_nothing / on_conflict_do_update) and returns one statement whose parameters
are named bind parameters; `IndexDatabase.run` compiles it once per connection. Times are
ISO 8601 UTC text on both backends, so they compare the same.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    Text,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, ColumnElement
from sqlalchemy.sql.functions import GenericFunction

from archiver.store.index.database import Builder, InsertFactory
from archiver.store.index.tables import (
    articles,
    captures,
    cursor_claims,
    cursors,
    day_sections,
    events,
    files,
    search_vectors,
    site_totals,
    skips,
    version_claims,
    versions,
)


class greatest(GenericFunction[str]):
    """The larger of two values: `greatest` on PostgreSQL, two-argument `max` on SQLite."""

    type = Text()
    name = "greatest"
    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


def _dml(statement: Any) -> ClauseElement:
    # The dialects' Insert classes (with on_conflict_*) are typed apart from Core's.
    return cast(ClauseElement, statement)


def _text(name: str) -> ColumnElement[str]:
    return bindparam(name, type_=Text)


def _int(name: str) -> ColumnElement[int]:
    return bindparam(name, type_=Integer)


def _article(table: object = articles) -> ColumnElement[bool]:
    columns = table.c  # type: ignore[attr-defined]
    return and_(columns.site == _text("site"), columns.article_id == _text("article_id"))


def _of_site(column: ColumnElement[str]) -> ColumnElement[bool]:
    # `site` None: every site.
    return or_(_text("site").is_(None), column == _text("site"))


# -- captures ---------------------------------------------------------------------------------


def insert_capture(ins: InsertFactory) -> ClauseElement:
    return _dml(
        ins(captures)
        .values({column.name: bindparam(column.name, type_=column.type) for column in captures.c})
        .on_conflict_do_nothing()
    )


def _identical(*extra: ColumnElement[bool]) -> ClauseElement:
    return (
        select(captures)
        .where(
            captures.c.url == _text("url"),
            captures.c.body_sha256 == _text("body_sha256"),
            captures.c.status == _int("status"),
            captures.c.record_type == "response",
            *extra,
        )
        .order_by(captures.c.fetched_at.desc())
        .limit(1)
    )


def identical_decoded(ins: InsertFactory) -> ClauseElement:
    return _identical()


def identical_payload(ins: InsertFactory) -> ClauseElement:
    return _identical(
        captures.c.payload_digest == _text("payload_digest"),
        func.coalesce(captures.c.content_encoding, "") == _text("content_encoding"),
        captures.c.payload_length == _int("payload_length"),
    )


def forget_captures(ins: InsertFactory) -> ClauseElement:
    return delete(captures).where(
        captures.c.warc_file == _text("warc_file"), captures.c.warc_offset >= _int("offset")
    )


def articles_naming_file(ins: InsertFactory) -> ClauseElement:
    # A text match first (both backends): the caller reads the records' captures exactly.
    return select(articles.c.site, articles.c.article_id, articles.c.record).where(
        articles.c.archived == 1, articles.c.record.contains(_text("needle"))
    )


def unarchive(ins: InsertFactory) -> ClauseElement:
    return update(articles).where(_article()).values(archived=0)


def revisit_bodies(ins: InsertFactory) -> ClauseElement:
    return _from_original("body_sha256")


def revisit_lengths(ins: InsertFactory) -> ClauseElement:
    return _from_original("payload_length")


def _from_original(column: str) -> ClauseElement:
    # A revisit's body hash and length are its original's, which may be indexed after it.
    original = captures.alias("o")
    value = (
        select(original.c[column])
        .where(original.c.record_id == captures.c.refers_to)
        .limit(1)
        .scalar_subquery()
    )
    return (
        update(captures)
        .where(captures.c.record_type == "revisit", captures.c[column].is_(None))
        .values({column: value})
    )


# -- files ------------------------------------------------------------------------------------


def file_size(ins: InsertFactory) -> ClauseElement:
    return select(files.c.size).where(files.c.path == _text("path"))


def _put(ins: InsertFactory, table: Table, key: str, **values: ColumnElement[Any]) -> ClauseElement:
    """INSERT, or on the same `key` set the other values (SQLite's INSERT OR REPLACE)."""
    statement = ins(table).values({key: _text(key), **values})
    new = {name: statement.excluded[name] for name in values}
    return _dml(statement.on_conflict_do_update(index_elements=[table.c[key]], set_=new))


def mark_file(ins: InsertFactory) -> ClauseElement:
    return _put(ins, files, "path", size=_int("size"))


# -- articles and versions --------------------------------------------------------------------


def insert_version(ins: InsertFactory) -> ClauseElement:
    return _dml(
        ins(versions)
        .values({column.name: bindparam(column.name, type_=column.type) for column in versions.c})
        .on_conflict_do_nothing()
    )


def current_row(ins: InsertFactory) -> ClauseElement:
    return select(articles.c.version, articles.c.record).where(_article())


def upsert_article(ins: InsertFactory) -> ClauseElement:
    statement = ins(articles).values(
        {
            column.name: (
                literal(None, Text)
                if column.name == "deleted_at"
                else bindparam(column.name, type_=column.type)
            )
            for column in articles.c
        }
    )
    new = statement.excluded
    return _dml(
        statement.on_conflict_do_update(
            index_elements=[articles.c.site, articles.c.article_id],
            set_={
                "url": new.url,
                "version": new.version,
                "fingerprint": new.fingerprint,
                "published_at": new.published_at,
                "archived": new.archived,
                "record": new.record,
            },
            where=new.version >= articles.c.version,
        )
    )


def current_record(ins: InsertFactory) -> ClauseElement:
    return select(articles.c.record).where(_article())


def current_records(ins: InsertFactory) -> ClauseElement:
    return (
        select(articles.c.record)
        .where(_of_site(articles.c.site))
        .order_by(articles.c.site, articles.c.article_id)
    )


def is_archived(ins: InsertFactory) -> ClauseElement:
    return select(articles.c.archived).where(_article())


def published_since(ins: InsertFactory) -> ClauseElement:
    when = func.coalesce(articles.c.published_at, articles.c.first_seen)
    return (
        select(articles.c.url)
        .where(articles.c.site == _text("site"), when >= _text("since"))
        .order_by(when.desc(), articles.c.article_id)
    )


def article_count(ins: InsertFactory) -> ClauseElement:
    return select(func.count()).select_from(articles)


def refresh_article(ins: InsertFactory) -> ClauseElement:
    return _refresh(_article())


def refresh_article_at(ins: InsertFactory) -> ClauseElement:
    return _refresh(articles.c.url == _text("url"))


def refresh_every_article(ins: InsertFactory) -> ClauseElement:
    return _refresh(None)


def _refresh(where: ColumnElement[bool] | None) -> ClauseElement:
    # Derived from facts that arrive in any order (captures, versions, events), so that an
    # index built live and one rebuilt from the files end up the same.
    same = and_(versions.c.site == articles.c.site, versions.c.article_id == articles.c.article_id)
    seen_in_versions = select(func.max(versions.c.at)).where(same).scalar_subquery()
    # A soft-404 is a 200 capture too: the one a deletion event names is no sighting.
    soft_404 = (
        exists()
        .where(
            events.c.site == articles.c.site,
            events.c.article_id == articles.c.article_id,
            events.c.status == 200,
            events.c.at == captures.c.fetched_at,
        )
        .correlate_except(events)
    )
    seen_in_captures = func.coalesce(
        select(func.max(captures.c.fetched_at))
        .where(captures.c.url == articles.c.url, captures.c.status == 200, ~soft_404)
        .correlate_except(captures)
        .scalar_subquery(),
        "",
    )
    statement = update(articles).values(
        first_seen=select(func.min(versions.c.at)).where(same).scalar_subquery(),
        last_seen=greatest(seen_in_versions, seen_in_captures),
        deleted_at=select(func.max(events.c.at))
        .where(
            events.c.site == articles.c.site,
            events.c.article_id == articles.c.article_id,
            events.c.kind == "deleted",
        )
        .scalar_subquery(),
    )
    return statement.where(where) if where is not None else statement


def undelete_seen_again(ins: InsertFactory) -> ClauseElement:
    return _undelete(_article())


def undelete_seen_again_at(ins: InsertFactory) -> ClauseElement:
    return _undelete(articles.c.url == _text("url"))


def undelete_every_seen_again(ins: InsertFactory) -> ClauseElement:
    return _undelete(None)


def _undelete(where: ColumnElement[bool] | None) -> ClauseElement:
    condition = articles.c.deleted_at <= articles.c.last_seen
    return (
        update(articles)
        .where(condition if where is None else and_(where, condition))
        .values(deleted_at=None)
    )


def version_file(ins: InsertFactory) -> ClauseElement:
    return select(versions.c.record_file).where(
        _article(versions), versions.c.version == _int("version")
    )


def versions_after_first(ins: InsertFactory) -> ClauseElement:
    return select(
        versions.c.site,
        versions.c.article_id,
        versions.c.url,
        versions.c.at,
        versions.c.version,
        versions.c.changes,
    ).where(versions.c.version > 1, versions.c.at >= _text("start"), _of_site(versions.c.site))


# -- version claims -----------------------------------------------------------------------------


def claim_version(ins: InsertFactory) -> ClauseElement:
    return _dml(
        ins(version_claims)
        .values(
            {column.name: bindparam(column.name, type_=column.type) for column in version_claims.c}
        )
        .on_conflict_do_nothing()
    )


def version_claim(ins: InsertFactory) -> ClauseElement:
    return select(
        version_claims.c.fingerprint, version_claims.c.claimed_by, version_claims.c.claimed_at
    ).where(_article(version_claims), version_claims.c.version == _int("version"))


def take_over_claim(ins: InsertFactory) -> ClauseElement:
    # Only while the claim is as the caller read it: of two workers taking over the same
    # stale claim at once, one changes the row.
    return (
        update(version_claims)
        .where(
            _article(version_claims),
            version_claims.c.version == _int("version"),
            version_claims.c.claimed_by == _text("was_claimed_by"),
            version_claims.c.claimed_at == _text("was_claimed_at"),
        )
        .values(
            fingerprint=_text("fingerprint"),
            claimed_by=_text("claimed_by"),
            claimed_at=_text("claimed_at"),
        )
    )


def version_written(ins: InsertFactory) -> ClauseElement:
    return select(versions.c.fingerprint).where(
        _article(versions), versions.c.version == _int("version")
    )


# -- events -------------------------------------------------------------------------------------


def insert_event(ins: InsertFactory) -> ClauseElement:
    return _dml(
        ins(events)
        .values({column.name: bindparam(column.name, type_=column.type) for column in events.c})
        .on_conflict_do_nothing()
    )


def deleted_at(ins: InsertFactory) -> ClauseElement:
    return select(articles.c.deleted_at).where(_article())


def claim_deletion(ins: InsertFactory) -> ClauseElement:
    # Whoever changes the row first records the deletion; the others find it deleted.
    return (
        update(articles)
        .where(_article(), articles.c.deleted_at.is_(None))
        .values(deleted_at=_text("at"))
    )


def deletions(ins: InsertFactory) -> ClauseElement:
    return select(
        events.c.site,
        events.c.article_id,
        events.c.url,
        events.c.at,
        events.c.status,
        events.c.location,
    ).where(events.c.kind == "deleted", events.c.at >= _text("start"), _of_site(events.c.site))


# -- cursors and skips --------------------------------------------------------------------------


def cursor_value(ins: InsertFactory) -> ClauseElement:
    return select(cursors.c.value).where(cursors.c.name == _text("name"))


def set_cursor(ins: InsertFactory) -> ClauseElement:
    return _put(ins, cursors, "name", value=_text("value"))


# -- cursor claims: one worker walks a backfill cursor at a time ------------------------------


def claim_cursor(ins: InsertFactory) -> ClauseElement:
    return _dml(
        ins(cursor_claims)
        .values(
            name=_text("name"), claimed_by=_text("claimed_by"), heartbeat_at=_text("heartbeat_at")
        )
        .on_conflict_do_nothing()
    )


def cursor_claim(ins: InsertFactory) -> ClauseElement:
    return select(cursor_claims.c.claimed_by, cursor_claims.c.heartbeat_at).where(
        cursor_claims.c.name == _text("name")
    )


def take_over_cursor(ins: InsertFactory) -> ClauseElement:
    # Only while the claim is as the caller read it (stale): of two workers taking over the
    # same dead claim at once one changes the row, and a holder's heartbeat in between wins.
    return (
        update(cursor_claims)
        .where(
            cursor_claims.c.name == _text("name"),
            cursor_claims.c.claimed_by == _text("was_claimed_by"),
            cursor_claims.c.heartbeat_at == _text("was_heartbeat_at"),
        )
        .values(claimed_by=_text("claimed_by"), heartbeat_at=_text("heartbeat_at"))
    )


def cursor_heartbeat(ins: InsertFactory) -> ClauseElement:
    # No row changed: the claim is no longer the caller's (taken over, or released).
    return (
        update(cursor_claims)
        .where(
            cursor_claims.c.name == _text("name"),
            cursor_claims.c.claimed_by == _text("claimed_by"),
        )
        .values(heartbeat_at=_text("heartbeat_at"))
    )


def release_cursor(ins: InsertFactory) -> ClauseElement:
    return delete(cursor_claims).where(
        cursor_claims.c.name == _text("name"), cursor_claims.c.claimed_by == _text("claimed_by")
    )


def mark_skip(ins: InsertFactory) -> ClauseElement:
    statement = ins(skips).values(
        url=_text("key"), kind=_text("kind"), at=_text("at"), count=literal(1, Integer)
    )
    new = statement.excluded
    return _dml(
        statement.on_conflict_do_update(
            index_elements=[skips.c.url],
            set_={
                "kind": new.kind,
                "at": new.at,
                "count": case((skips.c.kind == new.kind, skips.c.count + 1), else_=1),
            },
        )
    )


def clear_skip(ins: InsertFactory) -> ClauseElement:
    return delete(skips).where(skips.c.url == _text("key"))


def skip_count(ins: InsertFactory) -> ClauseElement:
    return select(skips.c.count).where(
        skips.c.url == _text("key"), skips.c.kind == _text("kind"), skips.c.at >= _text("since")
    )


def _emptied(table: object) -> Builder:
    def builder(ins: InsertFactory) -> ClauseElement:
        return delete(table)  # type: ignore[arg-type]

    builder.__name__ = f"empty_{table.name}"  # type: ignore[attr-defined]
    return builder


CLEAR_SHARED: tuple[Builder, ...] = tuple(
    _emptied(table)
    for table in (
        site_totals,
        day_sections,
        search_vectors,
        files,
        captures,
        versions,
        articles,
        events,
    )
)
"""Emptying the tables a PostgreSQL index derives from the files (`ArchiveIndex.clear`):
cursors, skips and claims stay, as in SQLite's. The figures first: the triggers that keep them
then find no row to change for each article and version deleted."""
