"""Full-text search on a PostgreSQL index: the query-language tests of test_search.py again (the
same functions, each on a database of its own), the same results as SQLite for the same
records, a rebuild, the explorer's read-only connection, and texts past PostgreSQL's limits."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.explore import open_read_only
from archiver.store.index.search import BadQuery, SearchQuery, search
from archiver.store.index.search_pg import MAX_LEXEME, tsquery_text, tsvector_text
from archiver.store.index.search_text import normalise, parse_query
from archiver.store.versions import next_version
from tests.postgres_server import fresh_database
from tests.store import test_search as search_tests

# The tests themselves, collected again here with this module's `new_index` (a database).
from tests.store.test_search import (  # noqa: F401
    CORPUS,
    QUERIES,
    _article,
    _find,
    _write_records,
    test_a_deleted_article_stays_searchable,
    test_a_long_text_gives_a_bounded_snippet_around_the_match,
    test_a_new_version_replaces_the_old_text,
    test_a_prefix_is_the_words_it_starts,
    test_a_prefix_needs_two_letters,
    test_chinese_characters_apart_do_not_match,
    test_chinese_substrings_are_found_inside_longer_runs,
    test_counting_stops_at_a_bound,
    test_dates_are_beijing_days_inclusive,
    test_empty_text_lists_the_newest,
    test_english_words_are_all_required_case_and_form_folded,
    test_filters,
    test_fullwidth_and_accented_letters_are_found_plainly,
    test_hits_carry_the_record_fields,
    test_hostile_queries_give_results_or_bad_query,
    test_paging_keeps_the_total,
    test_phrases_and_prefixes,
    test_relevance_order,
    test_relevance_puts_headline_matches_first,
    test_snippets_mark_the_words_found,
)

pytestmark = pytest.mark.postgres

index = search_tests.index  # the corpus, indexed into `new_index` (below)

_numbers = itertools.count()


@pytest.fixture
def database(postgres_url: str) -> str:
    return fresh_database(postgres_url, f"search_{next(_numbers)}")


@pytest.fixture
def new_index(database: str, tmp_path: Path) -> Callable[[], ArchiveIndex]:
    return lambda: ArchiveIndex(tmp_path, database)


MORE_QUERIES = [
    *QUERIES,
    SearchQuery("trade shanghai"),
    SearchQuery('"trade fair"'),
    SearchQuery('"trade fa"*'),
    SearchQuery("fitness-conscious"),
    SearchQuery("合作共赢"),
    SearchQuery("国美"),
    SearchQuery("国", order="relevance"),
    SearchQuery("canteens", order="relevance"),
    SearchQuery("", language="zh"),
    SearchQuery("", kind="video"),
    SearchQuery("trade", site="globaltimes", language="en"),
    SearchQuery("", since=SearchQuery("").since, per_page=2, page=2),
    SearchQuery("shang*", order="relevance", per_page=1, page=2),
]


def test_the_same_records_give_the_same_results_as_sqlite(database: str, tmp_path: Path) -> None:
    with ArchiveIndex(tmp_path, tmp_path / "index.sqlite3") as embedded:
        for record in CORPUS:
            embedded.record_version(record, "records/chinadaily/test.jsonl")
        expected = [embedded.search(query) for query in MORE_QUERIES]
    with ArchiveIndex(tmp_path, database) as shared:
        for record in CORPUS:
            shared.record_version(record, "records/chinadaily/test.jsonl")
        assert [shared.search(query) for query in MORE_QUERIES] == expected
    assert sum(result.total for result in expected) > 20


def test_a_shared_rebuild_gives_what_live_updates_gave(database: str, tmp_path: Path) -> None:
    from archiver.store.index.rebuild import rebuild_shared

    edited = next_version(
        next_version(None, CORPUS[1]),
        _article("en2", "US farm exporters look to new headline", "Edited.", site="globaltimes"),
    )
    assert edited is not None
    records = [*CORPUS, edited]
    _write_records(tmp_path, records)
    with ArchiveIndex(tmp_path, database) as live:
        for record in records:
            live.record_version(record, "records/chinadaily/test.jsonl")
        expected = [live.search(q) for q in QUERIES]
    _report, articles = rebuild_shared([tmp_path], database)
    assert articles == 5
    with ArchiveIndex(tmp_path, database) as rebuilt:
        assert [rebuilt.search(q) for q in QUERIES] == expected
    assert expected[4].hits[0].article_id == "en2" and expected[1].total == 1


def test_search_works_on_the_explorers_read_only_connection(
    index: ArchiveIndex, database: str
) -> None:
    expected = index.search(SearchQuery("trade"))
    db = open_read_only(database)
    try:
        assert search(db, SearchQuery("trade")) == expected
        with pytest.raises(BadQuery, match="no words"):
            search(db, SearchQuery('"'))
    finally:
        db.close()


def test_texts_past_postgresqls_limits_are_still_found(
    new_index: Callable[[], ArchiveIndex],
) -> None:
    # 20,000 words (past the 16,383rd position), a word repeated 1,000 times (past 256
    # positions) and a token of 5,000 letters (past PostgreSQL's 2 KB lexemes).
    long_text = " ".join(f"w{n}" for n in range(20_000)) + " zebra crossing " + "x" * 5000
    record = _article("long", "Long", long_text + " again" * 1000)
    with new_index() as index:
        index.record_version(record, "records/chinadaily/x.jsonl")
        assert _find(index, "zebra") == ["long"]
        assert _find(index, "w19999 again") == ["long"]
        assert _find(index, '"w1 w2"') == ["long"]


def test_the_vector_and_query_texts() -> None:
    vector = tsvector_text([normalise("Trade fair"), normalise("中国，美国 trade")])
    # A gap between fields and at the comma between two CJK characters: no phrase across.
    assert vector == "'trade':2,10 'fair':3 '中':5 '国':6,9 '美':8"
    terms = parse_query('"Trade FA"* 中国')
    assert tsquery_text(terms) == "('trade' <-> 'fa':*) & ('中' <-> '国')"
    assert tsquery_text(terms, phrases=False) == "('trade' & 'fa':*) & ('中' & '国')"
    assert tsquery_text(parse_query("élève")) == "('eleve')"
    assert tsvector_text(["y" * (MAX_LEXEME + 1) + " z"]) == "'z':3"
