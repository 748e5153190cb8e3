"""Opening a shared index on PostgreSQL: connect, make or check its schema, migrate it.

Several machines' crawls open the same database at once: the schema is made and migrated
under a transaction-scoped advisory lock, so exactly one of them does it. The explorer opens
it read-only (`open_postgres_read_only`) and never makes or migrates the schema.

Schema version 2 added the explorer's figures (`site_totals`, `day_sections`, kept by the
triggers of FIGURES_DDL as SQLite's are by schema.SCHEMA's) and the search documents
(`search_vectors`, written by ArchiveIndex.record_version: search_pg.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.schema import CreateIndex, CreateTable

from archiver.errors import ArchiverError
from archiver.store.index import tables
from archiver.store.index.database import PostgresDatabase
from archiver.store.index.location import driver_url, redact
from archiver.store.index.schema import IndexTooNew

PG_SCHEMA_VERSION = "2"
"""The PostgreSQL schema's own version (SQLite's is schema.SCHEMA_VERSION)."""

# The Beijing day (UTC+8) of an ISO UTC time, and the first section of a record line: what
# SQLite's triggers compute with substr(datetime(x, '+8 hours'), 1, 10) and
# json_extract(record, '$.section[0]'). Every change to a site's figures first takes a
# transaction-scoped advisory lock on the site: the rows of site_totals and day_sections a
# write touches are then always taken in the same order, so workers writing articles of one
# site at once wait for each other instead of deadlocking.
FIGURES_DDL = (
    """CREATE OR REPLACE FUNCTION archiver_beijing_day(moment text) RETURNS text LANGUAGE sql AS
    $$ SELECT to_char(
        (moment::timestamptz AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM-DD') $$""",
    """CREATE OR REPLACE FUNCTION archiver_first_section(line text) RETURNS text LANGUAGE sql AS
    $$ SELECT coalesce(line::json -> 'section' ->> 0, '') $$""",
    """CREATE OR REPLACE FUNCTION archiver_lock_figures(of_site text) RETURNS void
    LANGUAGE sql AS $$ SELECT pg_advisory_xact_lock(1718185829, hashtext(of_site)) $$""",
    """CREATE OR REPLACE FUNCTION archiver_count_day(
        of_site text, published text, line text, n integer) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
        d text;
        s text;
    BEGIN
        IF published IS NULL THEN
            RETURN;
        END IF;
        PERFORM archiver_lock_figures(of_site);
        d := archiver_beijing_day(published);
        s := archiver_first_section(line);
        IF n > 0 THEN
            INSERT INTO day_sections AS t VALUES (of_site, d, s, n)
            ON CONFLICT (site, day, section) DO UPDATE SET articles = t.articles + n;
        ELSE
            UPDATE day_sections SET articles = articles + n
                WHERE site = of_site AND day = d AND section = s;
            DELETE FROM day_sections WHERE site = of_site AND day = d AND articles <= 0;
        END IF;
    END $$""",
    """CREATE OR REPLACE FUNCTION archiver_totals_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM archiver_lock_figures(NEW.site);
            INSERT INTO site_totals AS t VALUES (
                NEW.site, 0, 1, (NEW.version > 1 AND NEW.changes <> '[]')::int, 0)
            ON CONFLICT (site) DO UPDATE SET records = t.records + 1,
                edits = t.edits + (NEW.version > 1 AND NEW.changes <> '[]')::int;
        ELSE
            PERFORM archiver_lock_figures(OLD.site);
            UPDATE site_totals SET records = records - 1,
                edits = edits - (OLD.version > 1 AND OLD.changes <> '[]')::int
                WHERE site = OLD.site;
            DELETE FROM site_totals WHERE site = OLD.site AND articles = 0 AND records = 0;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION archiver_totals_article() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM archiver_lock_figures(NEW.site);
            INSERT INTO site_totals AS t VALUES (
                NEW.site, 1, 0, 0, (NEW.deleted_at IS NOT NULL)::int)
            ON CONFLICT (site) DO UPDATE SET articles = t.articles + 1,
                deleted = t.deleted + (NEW.deleted_at IS NOT NULL)::int;
            PERFORM archiver_count_day(NEW.site, NEW.published_at, NEW.record, 1);
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM archiver_lock_figures(OLD.site);
            UPDATE site_totals SET articles = articles - 1,
                deleted = deleted - (OLD.deleted_at IS NOT NULL)::int WHERE site = OLD.site;
            DELETE FROM site_totals WHERE site = OLD.site AND articles = 0 AND records = 0;
            PERFORM archiver_count_day(OLD.site, OLD.published_at, OLD.record, -1);
        ELSE
            IF OLD.published_at IS DISTINCT FROM NEW.published_at OR (
                OLD.record IS DISTINCT FROM NEW.record
                AND archiver_first_section(OLD.record) <> archiver_first_section(NEW.record)
            ) THEN
                PERFORM archiver_count_day(OLD.site, OLD.published_at, OLD.record, -1);
                PERFORM archiver_count_day(NEW.site, NEW.published_at, NEW.record, 1);
            END IF;
            IF (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) THEN
                PERFORM archiver_lock_figures(NEW.site);
                UPDATE site_totals SET deleted = deleted + (NEW.deleted_at IS NOT NULL)::int
                    - (OLD.deleted_at IS NOT NULL)::int WHERE site = NEW.site;
            END IF;
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS totals_version ON versions",
    """CREATE TRIGGER totals_version AFTER INSERT OR DELETE ON versions
    FOR EACH ROW EXECUTE FUNCTION archiver_totals_version()""",
    "DROP TRIGGER IF EXISTS totals_article ON articles",
    """CREATE TRIGGER totals_article
    AFTER INSERT OR DELETE OR UPDATE OF published_at, record, deleted_at ON articles
    FOR EACH ROW EXECUTE FUNCTION archiver_totals_article()""",
)
"""The explorer's figures kept by triggers (made with the schema, or by the migration to 2;
never on a plain open: replacing a trigger locks its table against every worker)."""

FIGURES_FILL = (
    """INSERT INTO day_sections SELECT site, archiver_beijing_day(published_at),
    archiver_first_section(record), count(*) FROM articles
    WHERE published_at IS NOT NULL GROUP BY 1, 2, 3""",
    """INSERT INTO site_totals SELECT site, sum(a), sum(r), sum(e), sum(d) FROM (
    SELECT site, 1 AS a, 0 AS r, 0 AS e, (deleted_at IS NOT NULL)::int AS d FROM articles
    UNION ALL SELECT site, 0, 1, (version > 1 AND changes <> '[]')::int, 0 FROM versions
    ) AS rows GROUP BY site""",
)
"""The figures counted from the rows already there (the migration from version 1)."""


def _add_explorer(db: PostgresDatabase) -> None:
    # 1 -> 2: the explorer's figures and search documents, made from the rows already there.
    from archiver.store.index.search_pg import fill_vectors

    _create_tables(db)
    for ddl in (*FIGURES_DDL, *FIGURES_FILL):
        db.conn.execute(ddl)
    fill_vectors(db)


PG_MIGRATIONS: dict[str, tuple[str, Callable[[PostgresDatabase], None]]] = {
    "1": ("2", _add_explorer),
}
"""From each older PostgreSQL schema version: (the next version, the step that gets there),
applied in order under the lock."""

# Any constant shared by every archiver: the lock that makes schema changes one at a time.
_SCHEMA_LOCK = 0x61726368  # "arch"


class IndexUnreachable(ArchiverError):
    """The PostgreSQL index could not be opened (server down, wrong URL, no permission)."""


def open_postgres(url: str) -> PostgresDatabase:
    """Connect to the index at `url` (autocommit) and bring its schema to PG_SCHEMA_VERSION.

    Raises IndexUnreachable (one line, no password) or IndexTooNew.
    """
    db = _connect(url)
    conn = db.conn
    try:
        with db.begin():
            db.conn.execute(
                *_compiled_with_params(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
            )
            _migrate(db, url)
    except BaseException:
        conn.close()
        raise
    return db


def open_postgres_read_only(url: str) -> PostgresDatabase:
    """Connect to the index at `url` for reading (the explorer): every transaction read-only,
    the schema checked, never made or migrated. Raises IndexUnreachable with one line saying
    what to run when the server cannot be reached or the schema is missing or of another
    version."""
    # Every query planned for its own values: psycopg prepares a statement run five times,
    # and PostgreSQL's generic plan for it (the same whatever the words searched) can read
    # every document's vector where the words' own plan reads a few.
    db = _connect(
        url, options="-c default_transaction_read_only=on -c plan_cache_mode=force_custom_plan"
    )
    try:
        version = _version(db)
    except BaseException:
        db.close()
        raise
    if version != PG_SCHEMA_VERSION:
        db.close()
        if version is None:
            raise IndexUnreachable(
                f"no index at {redact(url)}: run a crawl, or `archiver index rebuild "
                "--index-url URL --dir DIR`"
            )
        if version.isdigit() and int(version) > int(PG_SCHEMA_VERSION):
            raise IndexUnreachable(
                f"the index at {redact(url)} was written by a newer archiver (PostgreSQL "
                f"schema version {version}, this one reads {PG_SCHEMA_VERSION}): upgrade archiver"
            )
        raise IndexUnreachable(
            f"the index at {redact(url)} is of PostgreSQL schema version {version}, this "
            f"archiver reads {PG_SCHEMA_VERSION}: run a crawl, or `archiver index rebuild "
            "--index-url URL --dir DIR`, to bring it up to date"
        )
    return db


def _connect(url: str, options: str = "") -> PostgresDatabase:
    try:
        import psycopg
    except ImportError:
        raise IndexUnreachable(
            "a PostgreSQL index needs psycopg: pip install 'archiver[postgres]'"
        ) from None

    def connect() -> Any:
        return psycopg.connect(
            driver_url(url), autocommit=True, connect_timeout=10, options=options
        )

    try:
        conn = connect()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise IndexUnreachable(f"cannot open the index at {redact(url)}: {first}") from None
    # `connect` again when the connection is lost (PostgresDatabase reconnects).
    return PostgresDatabase(conn, connect, redact(url))


def _create_tables(db: PostgresDatabase) -> None:
    for table in [*tables.metadata.sorted_tables, *tables.pg_metadata.sorted_tables]:
        db.conn.execute(_compiled(CreateTable(table, if_not_exists=True)))
        for index in table.indexes:
            db.conn.execute(_compiled(CreateIndex(index, if_not_exists=True)))


def _migrate(db: PostgresDatabase, url: str) -> None:
    version = _version(db)
    if version == PG_SCHEMA_VERSION:
        # Made whole in the transaction that wrote the version: no DDL. Even CREATE INDEX IF
        # NOT EXISTS takes a SHARE lock on its table, which, taken table after table while
        # other workers write (ROW EXCLUSIVE), deadlocks with them.
        return
    if version is None:  # a new database: the whole schema of this version
        _create_tables(db)
        for ddl in FIGURES_DDL:
            db.conn.execute(ddl)
    while version is not None and version != PG_SCHEMA_VERSION:
        if version.isdigit() and int(version) > int(PG_SCHEMA_VERSION):
            raise IndexTooNew(
                f"the index at {redact(url)} was written by a newer archiver (PostgreSQL schema "
                f"version {version}, this one knows {PG_SCHEMA_VERSION}): upgrade archiver"
            )
        if version not in PG_MIGRATIONS:
            raise IndexUnreachable(f"{redact(url)}: unknown index schema version {version!r}")
        version, step = PG_MIGRATIONS[version]
        step(db)
    _create_tables(db)
    meta = tables.meta
    statement = db.insert(meta).values(key="schema_version", value=PG_SCHEMA_VERSION)
    db.conn.execute(
        *_compiled_with_params(
            statement.on_conflict_do_update(
                index_elements=[meta.c.key], set_={"value": statement.excluded.value}
            )
        )
    )


def _version(db: PostgresDatabase) -> str | None:
    exists = db.conn.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]
    if not exists:
        return None
    row = db.conn.execute(
        *_compiled_with_params(
            select(tables.meta.c.value).where(tables.meta.c.key == "schema_version")
        )
    ).fetchone()
    return None if row is None else str(row[0])


def _compiled(statement: Any) -> str:
    return str(statement.compile(dialect=PostgresDatabase.dialect))


def _compiled_with_params(statement: Any) -> tuple[str, dict[str, Any]]:
    compiled = statement.compile(dialect=PostgresDatabase.dialect)
    return str(compiled), dict(compiled.params)
