"""The WARC writer on a real full disk (a small tmpfs): whole pairs or nothing, no empty files."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from archiver.durable import FIRST_ERROR_STAT, IO_FAILURES
from archiver.warc.exchange import HttpExchange
from archiver.warc.extension import WarcExtension
from archiver.warc.raw import iter_records
from archiver.warc.writer import RotatingWarcWriter
from tests.exchanges import plain_exchange
from tests.tmpfs import fill, small_disk

pytestmark = pytest.mark.unit

URL = "https://www.globaltimes.cn/page/202609/1371581.shtml"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", "64k") as mount:
        yield mount


def _exchange(number: int, size: int = 3000) -> HttpExchange:
    # Bodies that do not compress away, so a few pairs fill 64 KB.
    body = random.Random(number).randbytes(size)
    return plain_exchange(f"{URL}?n={number}", body)


def _writer(disk: Path) -> RotatingWarcWriter:
    return RotatingWarcWriter(disk / "warc" / "globaltimes", "globaltimes", 10**9, {}, root=disk)


def test_a_pair_that_does_not_fit_is_cut_back_and_the_file_stays_whole(disk: Path) -> None:
    writer = _writer(disk)
    written: list[int] = []
    with pytest.raises(OSError) as failed:
        for number in range(100):
            written.append(writer.write_exchange(_exchange(number)).warc_offset)
    assert failed.value.errno == 28  # ENOSPC
    assert 3 <= len(written) < 100
    [open_path] = (disk / "warc" / "globaltimes").glob("*.open")
    assert open_path.stat().st_size == writer.bytes_written  # nothing of the failed pair
    records = list(iter_records(open_path))
    assert [r.type for r in records] == ["warcinfo"] + ["response", "request"] * len(written)
    assert [r.offset for r in records if r.type == "response"] == written
    writer.close()
    [final] = writer.files
    assert [r.type for r in iter_records(final)][-2:] == ["response", "request"]


def test_space_freed_mid_crawl_lets_the_next_pair_in(disk: Path) -> None:
    writer = _writer(disk)
    writer.write_exchange(_exchange(0))
    filler = fill(disk)
    with pytest.raises(OSError):  # larger than the slack of the file's last page
        writer.write_exchange(_exchange(1, size=20_000))
    filler.unlink()
    capture = writer.write_exchange(_exchange(2))
    writer.close()
    [final] = writer.files
    records = list(iter_records(final))
    assert [r.type for r in records] == ["warcinfo", "response", "request", "response", "request"]
    assert records[3].offset == capture.warc_offset
    assert records[3].target_uri.endswith("n=2")


def test_a_new_file_that_cannot_take_its_warcinfo_is_removed(disk: Path) -> None:
    filler = fill(disk)
    writer = _writer(disk)
    for number in range(3):  # every write tries a new file: none may stay behind
        with pytest.raises(OSError):
            writer.write_exchange(_exchange(number))
    assert list((disk / "warc" / "globaltimes").iterdir()) == []
    assert writer.files_opened == 0
    filler.unlink()
    writer.write_exchange(_exchange(3))
    writer.close()
    assert [r.type for r in iter_records(writer.files[0])] == ["warcinfo", "response", "request"]


def test_the_extension_counts_every_failed_write_but_stops_and_logs_once(
    disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = get_crawler(settings_dict={"ARCHIVER_DIR": str(disk)})
    extension = build_from_crawler(WarcExtension, crawler)
    extension.spider_opened(Spider(name="unit"))
    fill(disk)
    before = list(IO_FAILURES)
    try:
        for number in range(3):
            request = Request(f"{URL}?n={number}")
            body = random.Random(number).randbytes(20_000)
            extension.response_downloaded(
                Response(request.url, body=body, request=request), request
            )
            assert "archiver_capture" not in request.meta
        assert crawler.stats is not None
        stats = crawler.stats.get_stats()
        assert stats["archiver/io/errors/ENOSPC"] == 3
        assert stats["archiver/warc/errors/OSError"] == 3
        assert stats[FIRST_ERROR_STAT].endswith(": No space left on device")
        assert IO_FAILURES[len(before) :] == [stats[FIRST_ERROR_STAT]]
        errors = [r for r in caplog.records if r.levelname == "ERROR"]
        assert [r.getMessage().split(":")[0] for r in errors] == ["stopping the crawl"]
        assert not any(r.exc_info for r in caplog.records)
        extension.spider_closed(Spider(name="unit"))
        assert list((disk / "warc" / "unit").iterdir()) == []
    finally:
        IO_FAILURES[:] = before
