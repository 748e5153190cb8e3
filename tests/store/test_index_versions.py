"""Article versions (the pure function reextract shares) and the index store and recovery."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.offline.changes import list_changes
from archiver.record import Article
from archiver.store.index.archive_index import ArchiveIndex
from archiver.store.index.ingest import recover_open_warcs, sync
from archiver.store.versions import (
    changed_fields,
    fingerprint,
    is_rebaseline,
    next_version,
    same_extractor,
    version_history,
)
from archiver.warc.exchange import HttpExchange
from archiver.warc.raw import iter_records
from archiver.warc.writer import RotatingWarcWriter
from tests.articles import URL, gt_record
from tests.exchanges import plain_exchange

pytestmark = pytest.mark.unit


def test_provenance_is_not_a_change() -> None:
    first, again = gt_record(offset=1), gt_record(offset=2)
    assert fingerprint(first) == fingerprint(again)
    assert next_version(next_version(None, first), again) is None


def test_version_history_numbers_only_changes() -> None:
    history = version_history(
        [gt_record(offset=1), gt_record(offset=2), gt_record(text="Edited.", offset=3),
         gt_record(title="New", text="Edited.", offset=4)]
    )  # fmt: skip
    assert [(r.version, r.previous_version, r.changes) for r in history] == [
        (1, None, []),
        (2, 1, ["text"]),
        (3, 2, ["title"]),
    ]
    assert history[1].captures[0].warc_offset == 3
    assert changed_fields(history[0], history[2]) == ["title", "text"]
    more = version_history([gt_record(title="New", text="Edited.", offset=5)], history[-1])
    assert more == []


def _by(record: Article, **extractor: str | None) -> Article:
    return record.model_copy(update={"extractor": record.extractor.model_copy(update=extractor)})


def test_a_new_extractor_rebaselines_instead_of_editing(tmp_path: Path) -> None:
    old = _by(gt_record(text="Body.", offset=1), archiver="0.1")
    # archiver 0.2 extracts the same capture differently (no version stated by either).
    history = version_history([old, _by(gt_record(text="Body, better.", offset=2), archiver="0.2")])
    assert [(r.version, r.previous_version, r.changes) for r in history] == [
        (1, None, []),
        (2, 1, []),
    ]
    assert is_rebaseline(history[1])
    # A real edit under the new extractor is an edit again, compared with the new baseline.
    edited = _by(gt_record(text="Body, edited.", offset=3), archiver="0.2")
    assert [r.changes for r in version_history([edited], history[-1])] == [["text"]]
    # Stated extractor versions decide when both records have one.
    stated = _by(gt_record(text="Body.", offset=4), archiver="0.1", version="3")
    same = _by(gt_record(text="Body, edited.", offset=5), archiver="0.2", version="3")
    other = _by(gt_record(text="Body, edited.", offset=5), archiver="0.2", version="4")
    assert same_extractor(stated, same) and not same_extractor(stated, other)
    assert next_version(stated, same) is not None and next_version(stated, same).changes == ["text"]  # type: ignore[union-attr]
    assert next_version(stated, other).changes == []  # type: ignore[union-attr]
    # `archiver changes` lists the edit, not the re-baseline.
    with ArchiveIndex(tmp_path) as index:
        for number, record in enumerate([*history, *version_history([edited], history[-1])]):
            index.record_version(record, f"records/globaltimes/{number}.jsonl")
        listed = list_changes(index, None, None)
    assert [(c.version, c.changes) for c in listed] == [(3, ["text"])]


def test_version_history_refuses_two_articles() -> None:
    other = gt_record().model_copy(update={"article_id": "1"})
    with pytest.raises(ValueError, match="two articles"):
        version_history([gt_record(), other])


def _exchange(body: bytes) -> HttpExchange:
    return plain_exchange(URL, body)


def test_a_warc_left_open_is_cut_to_its_last_pair_and_indexed(tmp_path: Path) -> None:
    directory = tmp_path / "warc" / "globaltimes"
    writer = RotatingWarcWriter(directory, "globaltimes", 10**9, {}, root=tmp_path, pid=999999)
    for number in range(3):
        writer.write_exchange(_exchange(f"<p>page {number}</p>".encode()))
    [open_path] = directory.glob("*.warc.gz.open")
    final = open_path.with_name(open_path.name.removesuffix(".open"))
    writer._fh.close()  # type: ignore[union-attr]  # the process "dies" here
    size = open_path.stat().st_size
    with open_path.open("r+b") as fh:  # the kill cut the last request record short
        fh.truncate(size - 30)
    recovered = recover_open_warcs(tmp_path)
    assert recovered == [final]
    records = list(iter_records(recovered[0]))
    assert [r.type for r in records] == ["warcinfo"] + ["response", "request"] * 2
    with ArchiveIndex(tmp_path) as index:
        report = sync(index)
        assert report.captures == 2
        assert sync(index).files == 0  # nothing new the second time


def test_a_damaged_records_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "records" / "globaltimes" / "run.jsonl"
    path.parent.mkdir(parents=True)
    v1 = next_version(None, gt_record())
    assert v1 is not None
    path.write_text(v1.to_json_line() + "\n" + "{not json}\n" + '{"url": "cut', encoding="utf-8")
    with ArchiveIndex(tmp_path) as index:
        report = sync(index)
    assert report.records == 1
    assert len(report.problems) == 1
    assert json.loads(v1.to_json_line())["version"] == 1


@pytest.mark.parametrize("cut_into_last_pair", [1, 10, 200, "response-end", "request-minus-1"])
def test_a_kill_inside_a_pair_keeps_every_complete_pair_before_it(
    tmp_path: Path, cut_into_last_pair: int | str
) -> None:
    # A kill can land anywhere in the pair being written: inside its response record, between
    # its two records, or inside its request. Every complete pair before it must survive.
    directory = tmp_path / "warc" / "globaltimes"
    writer = RotatingWarcWriter(directory, "globaltimes", 10**9, {}, root=tmp_path, pid=999999)
    for number in range(3):
        writer.write_exchange(_exchange(f"<p>page {number}</p>".encode()))
    [open_path] = directory.glob("*.warc.gz.open")
    writer._fh.close()  # type: ignore[union-attr]  # the process "dies" here
    records = list(iter_records(open_path))
    third_response, third_request = records[5], records[6]
    assert (third_response.type, third_request.type) == ("response", "request")
    if cut_into_last_pair == "response-end":
        size = third_request.offset
    elif cut_into_last_pair == "request-minus-1":
        size = open_path.stat().st_size - 1
    else:
        assert isinstance(cut_into_last_pair, int)
        size = third_response.offset + cut_into_last_pair
    with open_path.open("r+b") as fh:
        fh.truncate(size)
    recovered = recover_open_warcs(tmp_path)
    kept = list(iter_records(recovered[0]))
    assert [r.type for r in kept] == ["warcinfo"] + ["response", "request"] * 2
    assert recovered[0].stat().st_size == third_response.offset
