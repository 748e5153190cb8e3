"""The explorer over a PostgreSQL index: every page test of test_explorer_pages.py again (the
same functions, on the small archive indexed into a database), the same JSON as over SQLite
for every page, the figures kept by PostgreSQL's triggers, and the one-line 503s."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from archiver.explore import create_app
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.location import driver_url
from archiver.store.index.postgres import PG_SCHEMA_VERSION, open_postgres
from archiver.store.index.rebuild import rebuild_shared

# The page tests themselves, collected again here with this module's fixtures (a database).
from tests.explore import test_explorer_pages as pages
from tests.explore.small_archive import CHINESE, DELETED, EDITED, HOSTILE, build, records
from tests.explore.test_explorer_pages import (  # noqa: F401
    test_a_bad_parameter_is_a_400_with_one_line,
    test_a_bad_search_is_a_400,
    test_archived_payloads_are_shown_as_text,
    test_article_page_shows_the_record_as_a_reader_sees_it,
    test_article_twin_has_the_latest_record_and_versions,
    test_changes_newest_first_with_a_summary_and_filters,
    test_coverage_shows_days_without_articles_and_runs,
    test_diff_marks_the_changed_words_side_by_side,
    test_every_page_answers_with_a_strict_policy,
    test_overview_counts_sites_runs_and_changes,
    test_search_filters_phrases_and_paging,
    test_search_in_chinese_by_any_substring,
    test_search_in_english_marks_the_words_found,
    test_the_atom_feed_is_valid_xml_with_one_entry_per_change,
    test_the_record_download_is_the_json_line,
    test_the_server_only_reads,
    test_unknown_things_are_404,
    test_without_replay_the_pages_say_how_to_set_it_up,
)
from tests.postgres_server import cut_connections, fresh_database

pytestmark = pytest.mark.postgres

root = pages.root  # the archive built into `location` (below)
client = pages.client

_numbers = itertools.count()


@pytest.fixture(scope="module")
def location(postgres_url: str) -> str:
    return fresh_database(postgres_url, "explorer_pages")


def _new_database(postgres_url: str) -> str:
    return fresh_database(postgres_url, f"explorer_{next(_numbers)}")


API_PAGES = (
    "/api/overview",
    "/api/coverage",
    "/api/coverage?since=2026-09-20&until=2026-09-27",
    "/api/changes",
    "/api/changes?kind=deleted&site=globaltimes",
    "/api/changes?since=2026-09-27",
    f"/api/article?url={quote(EDITED)}",
    f"/api/article?url={quote(DELETED)}",
    f"/api/article?url={quote(CHINESE)}",
    f"/api/article?url={quote(HOSTILE)}",
    f"/api/article/diff?url={quote(EDITED)}",
    f"/api/record?url={quote(EDITED)}&version=1",
    "/api/search",
    "/api/search?q=bookings",
    "/api/search?q=" + quote('"national day" hotels'),
    "/api/search?q=book*&order=relevance",
    "/api/search?q=" + quote("自行车"),
    "/api/search?q=" + quote("北京") + "&order=relevance",
    "/api/search?section=china&language=en",
    "/api/search?kind=article&site=chinadaily",
    "/api/search?since=2026-09-26&until=2026-09-26",
    "/api/search?q=markets&page=2",
)


def _pages(root: Path, location: Path | str) -> dict[str, Any]:
    app = create_app(root, location)
    client = app.test_client()
    try:
        found = {}
        for path in API_PAGES:
            response = client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            found[path] = response.json if response.is_json else response.text
        return found
    finally:
        app.extensions["archiver"].connections.close()


def test_every_page_gives_what_it_gives_over_sqlite(
    root: Path, location: str, tmp_path: Path
) -> None:
    sqlite_root = build(tmp_path / "archive")
    over_sqlite = _pages(sqlite_root, sqlite_root / "index.sqlite3")
    over_postgres = _pages(root, location)
    for path in API_PAGES:
        assert over_postgres[path] == over_sqlite[path], path
    assert over_postgres["/api/search?q=bookings"]["total"] == 1


def _counted(db_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """The figures counted from the rows themselves, and as the triggers keep them."""
    with psycopg.connect(driver_url(db_url)) as conn:
        counted = {
            "site_totals": conn.execute(
                "SELECT site, count(*), 0, 0, count(deleted_at) FROM articles GROUP BY site"
                " ORDER BY site"
            ).fetchall(),
            "versions": conn.execute(
                "SELECT site, count(*), count(*) FILTER (WHERE version > 1 AND changes <> '[]')"
                " FROM versions GROUP BY site ORDER BY site"
            ).fetchall(),
            "day_sections": conn.execute(
                "SELECT site, to_char((published_at::timestamptz AT TIME ZONE 'UTC')"
                " + interval '8 hours', 'YYYY-MM-DD'),"
                " coalesce(record::json -> 'section' ->> 0, ''), count(*) FROM articles"
                " WHERE published_at IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ).fetchall(),
        }
        kept = {
            "site_totals": conn.execute("SELECT * FROM site_totals ORDER BY site").fetchall(),
            "day_sections": conn.execute("SELECT * FROM day_sections ORDER BY 1, 2, 3").fetchall(),
        }
    records_by_site = {site: (n, edits) for site, n, edits in counted.pop("versions")}
    counted["site_totals"] = [
        (site, articles, *records_by_site.get(site, (0, 0)), deleted)
        for site, articles, _, _, deleted in counted["site_totals"]
    ]
    assert kept == counted
    return kept


def test_the_triggers_keep_the_figures_through_edits_clears_and_a_migration(
    postgres_url: str, tmp_path: Path
) -> None:
    url = _new_database(postgres_url)
    root = build(tmp_path / "archive", url)
    kept = _counted(url)
    totals = {row[0]: row[1:] for row in kept["site_totals"]}
    assert totals == {"chinadaily": (2, 2, 0, 0), "globaltimes": (2, 3, 1, 1)}
    _, v2 = records()[-1]
    v3 = v2.model_copy(
        update={
            "version": 3,
            "previous_version": 2,
            "section": ["World"],
            "published_at": v2.published_at.replace(year=2025),  # type: ignore[union-attr]
        }
    )
    with ArchiveIndex(root, url) as index:
        index.record_version(v3, "records/globaltimes/extra.jsonl")
    assert ("globaltimes", "2025-09-26", "World", 1) in _counted(url)["day_sections"]
    with ArchiveIndex(root, url) as index:
        index.clear()
    assert _counted(url) == {"site_totals": [], "day_sections": []}
    rebuild_shared([root], url)
    assert _counted(url) == kept


def test_an_index_of_version_1_is_migrated_with_figures_and_search(
    postgres_url: str, tmp_path: Path
) -> None:
    url = _new_database(postgres_url)
    root = build(tmp_path / "archive", url)
    expected = _pages(root, url)
    with psycopg.connect(driver_url(url), autocommit=True) as conn:
        for table in ("site_totals", "day_sections", "search_vectors"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("DROP TRIGGER totals_article ON articles")
        conn.execute("DROP TRIGGER totals_version ON versions")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    app = create_app(root, url)
    response = app.test_client().get("/api/overview")
    assert response.status_code == 503
    assert "schema version 1" in response.json["error"]  # type: ignore[index]
    assert "archiver index rebuild --index-url" in response.json["error"]  # type: ignore[index]
    app.extensions["archiver"].connections.close()
    open_postgres(url).close()  # what a crawl does first
    assert _pages(root, url) == expected
    with psycopg.connect(driver_url(url)) as conn:
        assert conn.execute("SELECT value FROM meta").fetchone() == (PG_SCHEMA_VERSION,)


def test_a_database_without_an_index_is_a_503_and_is_left_alone(
    postgres_url: str, tmp_path: Path
) -> None:
    url = _new_database(postgres_url)
    app = create_app(tmp_path, url)
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 503 and "Traceback" not in response.text
    assert "run a crawl, or `archiver index rebuild --index-url" in response.text
    twin = client.get("/api/search?q=x")
    assert twin.status_code == 503 and "no index at" in twin.json["error"]  # type: ignore[index]
    app.extensions["archiver"].connections.close()
    with psycopg.connect(driver_url(url)) as conn:  # the explorer made no table
        assert conn.execute("SELECT to_regclass('meta')").fetchone() == (None,)


def test_an_unreachable_server_is_a_503_with_one_line(tmp_path: Path) -> None:
    url = "postgresql://archiver:secret@127.0.0.1:9/archiver"  # port 9: discard, never postgres
    client = create_app(tmp_path, url).test_client()
    response = client.get("/api/overview")
    assert response.status_code == 503
    message = response.json["error"]  # type: ignore[index]
    assert "cannot open the index at" in message and "secret" not in message
    assert "\n" not in message


def test_workers_writing_one_site_at_once_keep_the_figures(
    postgres_url: str, tmp_path: Path
) -> None:
    """Four connections write articles of one site at once, each a new version moving an
    article to another day and section and a deletion: no deadlock, figures as counted."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import timedelta

    from archiver.store.events import ArticleEvent

    url = _new_database(postgres_url)
    _, template = records()[1]  # a Global Times article, version 1

    def work(worker: int) -> None:
        with ArchiveIndex(tmp_path, url) as index:
            for number in range(20):
                article_id = f"{worker}{number:03d}"
                record = template.model_copy(
                    update={
                        "article_id": article_id,
                        "url": f"https://www.globaltimes.cn/page/202609/{article_id}.shtml",
                        "section": [f"S{number % 3}"],
                        "published_at": template.published_at + timedelta(days=number % 4),  # type: ignore[operator]
                    }
                )
                index.record_version(record, f"records/w{worker}.jsonl")
                moved = record.model_copy(
                    update={
                        "version": 2,
                        "previous_version": 1,
                        "changes": ["section"],
                        "section": [f"S{(number + worker) % 3}"],
                        "published_at": template.published_at,
                    }
                )
                index.record_version(moved, f"records/w{worker}.jsonl")
                index.record_event(
                    ArticleEvent(
                        kind="deleted",
                        site="globaltimes",
                        article_id=f"{(worker + 1) % 4}{number:03d}",
                        url=record.url,
                        at=template.captures[0].fetched_at + timedelta(days=30),
                        status=404,
                    )
                )

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    kept = _counted(url)
    assert kept["site_totals"] == [("globaltimes", 80, 160, 80, 80)]


def test_pages_answer_again_after_the_server_drops_their_connections(
    root: Path, location: str
) -> None:
    app = create_app(root, location)
    client = app.test_client()
    try:
        before = client.get("/api/search?q=bookings")
        assert before.status_code == 200
        cut_connections(location)  # a server restart, as the explorer's threads see it
        for path in ("/api/search?q=bookings", "/api/overview", "/"):
            response = client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
        assert client.get("/api/search?q=bookings").json == before.json
    finally:
        app.extensions["archiver"].connections.close()
