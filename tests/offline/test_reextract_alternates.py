"""A version written from a later capture of the same content (workers sharing an index)."""

from __future__ import annotations

from hashlib import sha256

import pytest

from archiver.offline.reextract import _alternates
from archiver.record import Article
from archiver.store.versions import next_version, version_history
from tests.articles import gt_record

pytestmark = pytest.mark.unit


def _extracted(text: str, second: int) -> Article:
    return gt_record(text=text, offset=second)


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
