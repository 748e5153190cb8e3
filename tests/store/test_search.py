"""Full-text search in the index: English and Chinese, filters, orders, paging, snippets,
hostile queries, live updates against a rebuild, the migration that adds it, read-only use."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from archiver.record import Article, CaptureRef, ExtractorInfo
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.database import SqliteDatabase
from archiver.store.index.ingest import rebuild, sync
from archiver.store.index.schema import SCHEMA_VERSION, SEARCH_TABLES
from archiver.store.index.search import (
    BadQuery,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
    search,
)
from archiver.store.versions import next_version
from tests.store.index_rows import index_rows

pytestmark = pytest.mark.unit

BEIJING = timezone(timedelta(hours=8))


def _article(
    article_id: str,
    title: str,
    text: str,
    *,
    site: str = "chinadaily",
    language: str = "en",
    section: list[str] | None = None,
    kind: str = "article",
    published: datetime | None = datetime(2024, 5, 13, 9, 0, tzinfo=BEIJING),
    subtitle: str | None = None,
) -> Article:
    url = f"https://example.{site}.test/a/{article_id}.html"
    capture = CaptureRef(
        url=url,
        warc_file="warc/x.warc.gz",
        warc_offset=0,
        warc_record_id=f"<urn:uuid:{article_id}>",
        fetched_at=datetime(2026, 9, 25, 1, 0, tzinfo=UTC),
        status=200,
    )
    return Article.model_validate(
        {
            "url": url,
            "site": site,
            "article_id": article_id,
            "kind": kind,
            "title": title,
            "subtitle": subtitle,
            "published_at": published,
            "section": section or [],
            "language": language,
            "text": text,
            "pages": [url],
            "captures": [capture],
            "extractor": ExtractorInfo(archiver="0", trafilatura="0", parser="test"),
        }
    )


CORPUS = [
    _article(
        "en1",
        "Youngsters becoming more fitness-conscious",
        "For centuries, the concept of yangsheng has shaped Chinese habits.\n\n"
        "Young people now join fitness clubs in Beijing and Shanghai.",
        section=["China", "Society"],
        published=datetime(2024, 5, 13, 9, 8, tzinfo=BEIJING),
    ),
    _article(
        "en2",
        "US farm exporters look to autumn trade fair",
        "Farmers from Iowa hope the trade fair in Shanghai brings new buyers. "
        "Trade talks between the two countries resumed.",
        site="globaltimes",
        section=["World", "China-US"],
        published=datetime(2024, 5, 14, 0, 0, tzinfo=BEIJING),
    ),
    _article(
        "en3",
        "Community canteens serve up affordable meals",
        "Canteens for the elderly open across the city; the trade in cheap meals grows.",
        section=["CHINA", "SOCIETY"],
        kind="video",
        published=datetime(2024, 5, 13, 23, 59, tzinfo=BEIJING),
    ),
    _article(
        "zh1",
        "外国专家：中美合作共赢符合国际社会利益",
        "多位外国专家表示，中美合作共赢符合国际社会利益。中国外交部发言人回答了记者提问。",
        language="zh",
        section=["评论", "海外观察"],
        published=datetime(2024, 5, 12, 8, 0, tzinfo=BEIJING),
    ),
    _article(
        "zh2",
        "北京今年将新增公共自行车一万辆",
        "北京市交通委员会表示，今年将新增公共自行车。中国，美国和欧洲都有类似计划。",
        language="zh",
        published=datetime(2024, 5, 11, 8, 0, tzinfo=BEIJING),
    ),
]


def _write_records(root: Path, records: list[Article]) -> None:
    folder = root / "records" / "chinadaily"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "test.jsonl").open("a", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.to_json_line() + "\n")


NewIndex = Callable[[], ArchiveIndex]


@pytest.fixture
def new_index(tmp_path: Path) -> NewIndex:
    """Opens an empty index: SQLite here; a PostgreSQL database in test_search_postgres.py,
    which runs the tests of the query language again with its own fixture."""
    return lambda: ArchiveIndex(tmp_path)


@pytest.fixture
def index(new_index: NewIndex) -> Iterator[ArchiveIndex]:
    live = new_index()
    for record in CORPUS:
        live.record_version(record, "records/chinadaily/test.jsonl")
    yield live
    live.close()


def _ids(results: SearchResults) -> list[str]:
    return [hit.article_id for hit in results.hits]


def _find(index: ArchiveIndex, text: str, **filters: object) -> list[str]:
    return _ids(index.search(SearchQuery(text, **filters)))  # type: ignore[arg-type]


def test_english_words_are_all_required_case_and_form_folded(index: ArchiveIndex) -> None:
    assert _find(index, "trade") == ["en2", "en3"]  # newest first
    assert _find(index, "TRADE shanghai") == ["en2"]
    assert _find(index, "yangsheng") == ["en1"]
    assert _find(index, "fitness conscious") == ["en1"]  # a hyphenated word, in the title
    assert _find(index, "nothing-like-this") == []


def test_phrases_and_prefixes(index: ArchiveIndex) -> None:
    assert _find(index, '"trade fair"') == ["en2"]
    assert _find(index, '"fair trade"') == []
    assert _find(index, "fitness-conscious") == ["en1"]  # a joined word is a phrase
    assert _find(index, "canteen*") == ["en3"]
    assert _find(index, "expo*") == ["en2"]
    assert _find(index, '"trade fa"*') == ["en2"]  # a phrase ending in a prefix


def test_chinese_substrings_are_found_inside_longer_runs(index: ArchiveIndex) -> None:
    assert _find(index, "中美") == ["zh1"]
    assert _find(index, "合作共赢") == ["zh1"]
    assert _find(index, "外交部发言人") == ["zh1"]
    assert _find(index, "自行") == ["zh2"]
    assert _find(index, "北京") == ["zh2"]  # title and text
    assert _find(index, "中国") == ["zh1", "zh2"]
    assert _find(index, "国") == ["zh1", "zh2"]  # even one character
    assert _find(index, "自行车 北京") == ["zh2"]


def test_fullwidth_and_accented_letters_are_found_plainly(new_index: NewIndex) -> None:
    record = _article(
        "fw", "Café society", "２０２４年ＣＯＶＩＤ疫情。Les élèves du café.", language="zh"
    )
    with new_index() as index:
        index.record_version(record, "records/chinadaily/x.jsonl")
        for text in ("2024", "covid", "COVID 疫情", "cafe", "CAFÉ", "eleves", "élè*", "caf*"):
            assert _find(index, text) == ["fw"], text
        (hit,) = index.search(SearchQuery("eleves 2024")).hits
    assert [p.text for p in hit.snippet if p.match] == ["２０２４", "élèves"]


def test_chinese_characters_apart_do_not_match(index: ArchiveIndex) -> None:
    assert _find(index, "中合") == []  # both in 中美合作, not side by side
    assert _find(index, "国美") == []  # side by side only across the comma in 中国，美国
    assert _find(index, "专家外") == []


def test_filters(index: ArchiveIndex) -> None:
    assert _find(index, "trade", site="globaltimes") == ["en2"]
    assert _find(index, "trade", site="chinadaily") == ["en3"]
    assert _find(index, "", section="society") == ["en3", "en1"]  # any element, any case
    assert _find(index, "", section="China-US") == ["en2"]
    assert _find(index, "", section="Soc") == []
    assert _find(index, "", language="zh") == ["zh1", "zh2"]
    assert _find(index, "", kind="video") == ["en3"]
    assert _find(index, "trade", kind="article", site="globaltimes", language="en") == ["en2"]
    assert _find(index, "trade", language="zh") == []


def test_dates_are_beijing_days_inclusive(index: ArchiveIndex) -> None:
    # en3 at 2024-05-13 23:59 and en2 at 2024-05-14 00:00, Beijing time.
    assert _find(index, "", since=date(2024, 5, 14)) == ["en2"]
    assert _find(index, "", until=date(2024, 5, 13), language="en") == ["en3", "en1"]
    assert _find(index, "", since=date(2024, 5, 13), until=date(2024, 5, 13)) == ["en3", "en1"]
    assert _find(index, "", since=date(2024, 5, 12), until=date(2024, 5, 12)) == ["zh1"]
    assert _find(index, "", since=date(2030, 1, 1)) == []
    with pytest.raises(BadQuery, match="after"):
        index.search(SearchQuery("", since=date(2024, 5, 14), until=date(2024, 5, 13)))


def test_empty_text_lists_the_newest(index: ArchiveIndex) -> None:
    results = index.search(SearchQuery(""))
    assert results.total == 5
    assert _ids(results) == ["en2", "en3", "en1", "zh1", "zh2"]
    assert all(part.match is False for hit in results.hits for part in hit.snippet)


def test_relevance_order(index: ArchiveIndex) -> None:
    # en2 says trade three times, in its title too; en3 once.
    assert _find(index, "trade", order="relevance") == ["en2", "en3"]
    assert _find(index, "shanghai", order="newest") == ["en2", "en1"]
    newest_first = _find(index, "", order="relevance")  # no words: newest first
    assert newest_first[0] == "en2"


def test_relevance_puts_headline_matches_first(index: ArchiveIndex) -> None:
    assert _find(index, "shanghai", order="relevance") == ["en2", "en1"]  # text only: newest
    newer = _article(
        "en9", "Other news", "More canteens.", published=datetime(2025, 1, 1, tzinfo=BEIJING)
    )
    index.record_version(newer, "records/chinadaily/test.jsonl")
    assert _find(index, "canteens") == ["en9", "en3"]
    assert _find(index, "canteens", order="relevance") == ["en3", "en9"]  # en3's title has it
    assert _find(index, "fitness", order="relevance") == ["en1"]
    assert _find(index, "中国", order="relevance") == ["zh1", "zh2"]  # in no title: newest
    assert _find(index, "北京", order="relevance") == ["zh2"]
    assert _find(index, "自行车", order="relevance") == ["zh2"]
    # Paging runs across the two tiers: titles first, then the others.
    pages = [_find(index, "trade", order="relevance", per_page=1, page=n) for n in (1, 2, 3)]
    assert pages == [["en2"], ["en3"], []]
    pages = [_find(index, "canteens", order="relevance", per_page=1, page=n) for n in (1, 2)]
    assert pages == [["en3"], ["en9"]]


def test_counting_stops_at_a_bound(index: ArchiveIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    from archiver.store.index import search as module

    monkeypatch.setattr(module, "MAX_COUNTED", 3)
    results = index.search(SearchQuery("", per_page=2, page=3))
    assert (results.total, results.exact, _ids(results)) == (3, False, ["zh2"])
    assert index.search(SearchQuery("trade")).exact
    monkeypatch.setattr(module, "MAX_COUNTED", 1)
    results = index.search(SearchQuery("trade", order="relevance"))
    assert (results.total, results.exact, _ids(results)) == (1, False, ["en2", "en3"])
    results = index.search(SearchQuery("trade", order="relevance", per_page=1, page=2))
    assert _ids(results) == ["en3"]
    assert _find(index, "", per_page=2, page=2) == ["en1", "zh1"]  # past the counted ones


def test_a_prefix_is_the_words_it_starts(index: ArchiveIndex) -> None:
    assert _find(index, "shang*") == ["en2", "en1"]
    assert _find(index, "zzz*") == []
    assert _find(index, "yang* fit*") == ["en1"]
    assert _find(index, "", section="society") == ["en3", "en1"]


def test_a_prefix_of_too_many_words_is_refused(
    index: ArchiveIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite's prefix is an OR of the words it starts; PostgreSQL's `:*` has no such bound.
    from archiver.store.index import search as module

    monkeypatch.setattr(module, "MAX_EXPANSIONS", 2)
    assert _find(index, "canteen*") == ["en3"]  # one word: canteens
    with pytest.raises(BadQuery, match="more than 2 words start with 'co'"):
        index.search(SearchQuery("co*"))  # community, concept, conscious, countries


def test_paging_keeps_the_total(index: ArchiveIndex) -> None:
    pages = [index.search(SearchQuery("", page=n, per_page=2)) for n in (1, 2, 3, 4)]
    assert [p.total for p in pages] == [5, 5, 5, 5]
    assert [_ids(p) for p in pages] == [["en2", "en3"], ["en1", "zh1"], ["zh2"], []]
    assert (pages[1].page, pages[1].per_page) == (2, 2)
    for bad in (SearchQuery("x", page=0), SearchQuery("x", per_page=0)):
        with pytest.raises(BadQuery):
            index.search(bad)


def test_hits_carry_the_record_fields(index: ArchiveIndex) -> None:
    (hit,) = index.search(SearchQuery("yangsheng")).hits
    assert hit.url == "https://example.chinadaily.test/a/en1.html"
    assert hit.title == "Youngsters becoming more fitness-conscious"
    assert (hit.site, hit.article_id) == ("chinadaily", "en1")
    assert hit.published_at == "2024-05-13T09:08:00+08:00"
    assert hit.section == ("China", "Society")


def test_snippets_mark_the_words_found(index: ArchiveIndex) -> None:
    (hit,) = index.search(SearchQuery('"trade talks" farmers')).hits
    assert [p.text for p in hit.snippet if p.match] == ["Farmers", "Trade talks"]
    assert hit.snippet_text.startswith("Farmers from Iowa")
    (hit,) = index.search(SearchQuery("fitness")).hits
    marked = [p.text for p in hit.snippet if p.match]
    assert marked == ["fitness"]  # in the text; whitespace collapsed across paragraphs
    assert "habits. Young people" in hit.snippet_text
    (hit,) = index.search(SearchQuery("合作共赢 外交")).hits
    assert [p.text for p in hit.snippet if p.match] == ["合作共赢", "外交"]
    assert "，中美" in hit.snippet_text  # the original text, not the spaced copy


def test_a_long_text_gives_a_bounded_snippet_around_the_match(new_index: NewIndex) -> None:
    text = "Filler words here. " * 300 + "The rare zebra appears. " + "More filler. " * 300
    with new_index() as index:
        index.record_version(_article("long", "Long", text), "records/chinadaily/x.jsonl")
        (hit,) = index.search(SearchQuery("zebra")).hits
    assert len(hit.snippet_text) < 260
    assert hit.snippet_text.startswith("…") and hit.snippet_text.endswith("…")
    assert [p.text for p in hit.snippet if p.match] == ["zebra"]


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        '"trade',
        "trade*",
        "*",
        "**trade",
        "NEAR(trade fair)",
        "NEAR(",
        "-trade",
        "trade -fair",
        "title:trade",
        ":",
        "(trade OR fair)",
        "trade AND",
        "OR",
        "^trade",
        "{title}: trade",
        "trade + fair",
        "'; DROP TABLE articles; --",
        "\\\\ \x00 \ue000",
        "...!!!???",
        "中美*",
        "x" * 5000,
        " ".join(["trade"] * 500),
    ],
)
def test_hostile_queries_give_results_or_bad_query(index: ArchiveIndex, text: str) -> None:
    for order in ("newest", "relevance"):
        try:
            results = index.search(SearchQuery(text, order=order))  # type: ignore[arg-type]
        except BadQuery as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert results.total >= 0
    assert index.article_count() == 5


def test_a_prefix_needs_two_letters(index: ArchiveIndex) -> None:
    with pytest.raises(BadQuery, match="prefix"):
        index.search(SearchQuery("t*"))
    with pytest.raises(BadQuery, match="no words"):
        index.search(SearchQuery("-- ()"))


def test_a_new_version_replaces_the_old_text(new_index: NewIndex) -> None:
    first = _article("gt1", "Old headline", "The ministry announced tariffs.", site="globaltimes")
    v1 = next_version(None, first)
    edited = _article(
        "gt1",
        "New headline",
        "The ministry withdrew the plan.",
        site="globaltimes",
        published=datetime(2025, 1, 2, tzinfo=BEIJING),
    )
    v2 = next_version(v1, edited)
    assert v1 is not None and v2 is not None
    with new_index() as index:
        index.record_version(v1, "records/globaltimes/a.jsonl")
        assert _find(index, "tariffs") == ["gt1"]
        index.record_version(v2, "records/globaltimes/b.jsonl")
        index.record_version(v1, "records/globaltimes/a.jsonl")  # an older one read again
        assert _find(index, "tariffs") == []
        assert _find(index, "tarif*") == []  # the word stays known, its article no longer has it
        assert _find(index, "headline") == ["gt1"]
        assert _find(index, "withdrew", since=date(2025, 1, 2)) == ["gt1"]
        assert _find(index, "", until=date(2024, 12, 31)) == []  # the old date is gone too
        assert index.search(SearchQuery("")).total == 1
        if isinstance(index.db, SqliteDatabase):  # FTS5's own consistency check
            index.conn.execute("INSERT INTO search_fts (search_fts) VALUES ('integrity-check')")


def test_a_deleted_article_stays_searchable(new_index: NewIndex) -> None:
    from archiver.store.events import ArticleEvent

    record = CORPUS[0]
    with new_index() as index:
        index.record_version(record, "records/chinadaily/a.jsonl")
        index.record_event(
            ArticleEvent(
                kind="deleted",
                site=record.site,
                article_id=record.article_id,
                url=record.url,
                at=datetime(2027, 1, 1, tzinfo=UTC),
                status=404,
            )
        )
        assert index.is_deleted(record.site, record.article_id)
        assert _find(index, "yangsheng") == ["en1"]


QUERIES = [
    SearchQuery(""),
    SearchQuery("trade"),
    SearchQuery("trade", order="relevance"),
    SearchQuery("中国"),
    SearchQuery("headline"),
    SearchQuery("", section="society"),
    SearchQuery("canteen*"),
    SearchQuery("head*", order="relevance"),
]


def test_a_rebuild_gives_what_live_updates_gave(tmp_path: Path) -> None:
    edited = next_version(
        next_version(None, CORPUS[1]),
        _article("en2", "US farm exporters look to new headline", "Edited.", site="globaltimes"),
    )
    assert edited is not None
    records = [*CORPUS, edited]
    _write_records(tmp_path, records)
    with ArchiveIndex(tmp_path, tmp_path / "live.sqlite3") as live:
        for record in records:
            live.record_version(record, "records/chinadaily/test.jsonl")
        expected = [live.search(q) for q in QUERIES]
        live_rows = index_rows(live)
    with ArchiveIndex(tmp_path, tmp_path / "rebuilt.sqlite3") as rebuilt:
        sync(rebuilt)
        rebuild(rebuilt)  # from a full index too
        assert [rebuilt.search(q) for q in QUERIES] == expected
        assert index_rows(rebuilt) == live_rows
    assert expected[4].hits[0].article_id == "en2" and expected[1].total == 1


def test_archiver_index_rebuild_fills_the_search_tables(tmp_path: Path) -> None:
    from archiver.store.index.rebuild import rebuild_from_files

    _write_records(tmp_path, CORPUS)
    with ArchiveIndex(tmp_path, tmp_path / "live.sqlite3") as live:
        for record in CORPUS:
            live.record_version(record, "records/chinadaily/test.jsonl")
        expected = [live.search(q) for q in QUERIES]
    path = tmp_path / "index.sqlite3"
    _report, articles = rebuild_from_files(tmp_path, path)
    assert articles == 5
    with ArchiveIndex(tmp_path, path) as rebuilt:
        assert [rebuilt.search(q) for q in QUERIES] == expected


def _downgrade_to_2(path: Path) -> None:
    conn = sqlite3.connect(path)
    for table in SEARCH_TABLES:
        conn.execute(f"DROP TABLE {table}")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()


def test_an_index_of_version_2_is_migrated_and_filled(index: ArchiveIndex) -> None:
    before = [index.search(q) for q in QUERIES]
    index.close()
    _downgrade_to_2(index.path)
    with ArchiveIndex(index.root) as migrated:
        meta = migrated.conn.execute("SELECT value FROM meta").fetchone()
        assert meta == (SCHEMA_VERSION,) == ("3",)
        assert [migrated.search(q) for q in QUERIES] == before
        assert migrated.article_count() == 5


def test_search_works_on_a_read_only_connection(index: ArchiveIndex) -> None:
    expected = index.search(SearchQuery("trade"))
    index.close()
    conn = sqlite3.connect(f"{index.path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        assert search(conn, SearchQuery("trade")) == expected
        with pytest.raises(BadQuery):
            search(conn, SearchQuery('"'))
    finally:
        conn.close()


def test_an_old_index_opened_read_only_says_what_to_do(index: ArchiveIndex) -> None:
    index.close()
    _downgrade_to_2(index.path)
    conn = sqlite3.connect(f"{index.path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        with pytest.raises(SearchUnavailable, match="index rebuild"):
            search(conn, SearchQuery("trade"))
    finally:
        conn.close()
