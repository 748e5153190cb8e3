"""A version written from a later capture of the same content (workers sharing an index)."""

from __future__ import annotations

from datetime import UTC, datetime
from hashlib import sha256

import pytest

from archiver.offline.reextract import _alternates
from archiver.record import Article, CaptureRef, ExtractorInfo
from archiver.store.versions import next_version, version_history

pytestmark = pytest.mark.unit

URL = "https://www.globaltimes.cn/page/202609/1371581.shtml"


def _extracted(text: str, second: int) -> Article:
    capture = CaptureRef(
        url=URL,
        warc_file=f"warc/gt/{second}.warc.gz",
        warc_offset=second,
        warc_record_id=f"<urn:uuid:{second}>",
        fetched_at=datetime(2026, 9, 25, 1, 0, second, tzinfo=UTC),
        status=200,
    )
    return Article(
        url=URL,
        site="globaltimes",
        article_id="1371581",
        title="Title",
        language="en",
        text=text,
        pages=[URL],
        captures=[capture],
        extractor=ExtractorInfo(archiver="0", trafilatura="0", parser="globaltimes/current"),
    )


def test_a_later_capture_of_an_edit_gives_the_record_it_would_have_made() -> None:
    first, edit, edit_again, unchanged = (
        _extracted("Body.", 1),
        _extracted("Edited.", 2),
        _extracted("Edited.", 3),
        _extracted("Body.", 4),
    )
    history = version_history([first, edit, edit_again])
    assert [r.version for r in history] == [1, 2]
    alternates = _alternates([first, edit, edit_again], None)
    # The third capture, had it claimed version 2 first (another machine's worker):
    written_elsewhere = next_version(history[0], edit_again)
    assert written_elsewhere is not None and written_elsewhere.version == 2
    digest = sha256(written_elsewhere.to_json_line().encode("utf-8")).hexdigest()
    assert alternates == {("<urn:uuid:3>",): digest}
    # Nothing to offer before the first version, nor against a baseline made elsewhere.
    assert _alternates([first], None) == {}
    assert _alternates([unchanged], history[0]) == {}
