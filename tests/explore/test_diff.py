"""Word-by-word comparison of two versions, and its one-line summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from archiver.explore.diff import compare, tokens, word_diff
from tests.explore.small_archive import records

pytestmark = pytest.mark.unit


def test_words_whitespace_and_punctuation_are_tokens_and_each_ideograph_is_one() -> None:
    assert tokens("It's well-known: 北京 2026.") == [
        "It's",
        " ",
        "well-known",
        ":",
        " ",
        "北",
        "京",
        " ",
        "2026",
        ".",
    ]


def test_a_changed_word_is_removed_on_the_old_side_and_added_on_the_new() -> None:
    diff = word_diff("title", "Bookings surge ahead", "Bookings soar ahead")
    assert [(p.text, p.mark) for p in diff.old] == [
        ("Bookings ", "same"),
        ("surge", "removed"),
        (" ahead", "same"),
    ]
    assert [(p.text, p.mark) for p in diff.new] == [
        ("Bookings ", "same"),
        ("soar", "added"),
        (" ahead", "same"),
    ]
    assert (diff.removed, diff.added, diff.changed) == (1, 1, True)


def test_chinese_is_compared_character_by_character() -> None:
    diff = word_diff("text", "今年将新增公共自行车一万辆", "今年将新增公共自行车两万辆")
    assert ("一", "removed") in [(p.text, p.mark) for p in diff.old]
    assert ("两", "added") in [(p.text, p.mark) for p in diff.new]
    assert (diff.removed, diff.added) == (1, 1)


def test_unchanged_text_is_one_piece_and_not_counted() -> None:
    diff = word_diff("subtitle", "Same.", "Same.")
    assert [(p.text, p.mark) for p in diff.new] == [("Same.", "same")]
    assert not diff.changed


def test_compare_words_three_fields_and_values_the_rest_in_schema_order() -> None:
    (_, v1), *_, (_, v2) = records()
    diff = compare(v1, v2)
    assert [w.field for w in diff.words] == ["title", "subtitle", "text"]
    assert [v.field for v in diff.values] == ["tags"]
    assert (diff.values[0].old, diff.values[0].new) == ([], ["tourism"])
    assert diff.summary() == (
        "title: “Autumn tourism bookings surge ahead of National Day” → “Autumn travel bookings "
        "soar ahead of National Day”; text: 3 words added, 0 removed; tags changed"
    )
    assert compare(v1, v1).summary() == "no content change"


def test_a_version_is_found_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archiver.store import records as reading

    lines = [record.to_json_line() for _, record in records()]
    (tmp_path / "r.jsonl").write_text("\n".join(lines) + "\n" + '{"unfinished', encoding="utf-8")
    for chunk in (7, 64, 1000, 1 << 20):
        monkeypatch.setattr(reading, "CHUNK", chunk)
        for line, (_, record) in zip(lines, records(), strict=True):
            found = reading.record_line(tmp_path, "r.jsonl", record.article_id, record.version)
            assert found == line, chunk
        assert reading.record_line(tmp_path, "r.jsonl", "1371581", 9) is None
    # A records file named by the index must lie under the archive root.
    (tmp_path / "archive").mkdir()
    assert reading.record_line(tmp_path / "archive", "../r.jsonl", "1371581", 1) is None
