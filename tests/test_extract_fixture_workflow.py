"""`archiver fixtures add` from a real WARC file and `archiver fixtures rerun` diffs and --write."""

from __future__ import annotations

import gzip
import itertools
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archiver.cli import main
from archiver.fixtures import load
from archiver.warc.exchange import HttpExchange
from archiver.warc.writer import RotatingWarcWriter
from tests.fixture_pages import FIXTURES

T0 = datetime(2025, 6, 18, 5, 0, 0, tzinfo=UTC)
SOURCE = FIXTURES / "chinadaily-en-multipage-2025-06-18"


def _exchange(
    url: str, body: bytes, headers: list[tuple[str, str]], status: int = 200
) -> HttpExchange:
    return HttpExchange(
        url=url,
        method="GET",
        request_headers=[("Host", url.split("/")[2])],
        request_body=b"",
        protocol="HTTP/1.1",
        status=status,
        reason="OK" if status == 200 else "Service Unavailable",
        response_headers=[*headers, ("Content-Length", str(len(body)))],
        response_body=body,
    )


HTML = [("Content-Type", "text/html; charset=utf-8")]


def _warc(tmp_path: Path) -> Path:
    """A WARC holding a list page and both pages of the multi-page fixture, page 1 gzipped."""
    fixture = load(SOURCE)
    page1, page2 = fixture.pages
    return _write(
        tmp_path,
        [
            _exchange("https://www.chinadaily.com.cn/culture/heritage", b"<html>list</html>", HTML),
            _exchange(page2.url, page2.body, HTML),
            _exchange(
                page1.url,
                gzip.compress(page1.body, mtime=0),
                [*HTML, ("Content-Encoding", "gzip")],
            ),
        ],
    )


def _write(tmp_path: Path, exchanges: list[HttpExchange]) -> Path:
    ticks = itertools.count()
    ids = itertools.count(1)
    with RotatingWarcWriter(
        tmp_path / "warc",
        "t",
        10**9,
        {"software": "test"},
        root=tmp_path,
        clock=lambda: T0 + timedelta(seconds=next(ticks)),
        record_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(ids):012d}>",
        host="h",
        pid=1,
    ) as writer:
        for ex in exchanges:
            writer.write_exchange(ex)
    (path,) = writer.files
    return path


def test_add_makes_a_fixture_from_a_warc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warc = _warc(tmp_path)
    root = tmp_path / "fixtures"
    url = load(SOURCE).pages[0].url
    assert main(["fixtures", "add", str(warc), "--url", url, "--root", str(root)]) == 0
    (folder,) = root.iterdir()
    assert folder.name == "chinadaily-2025-06-18-WS68520f6aa310a04af22c7b91"
    assert sorted(p.name for p in folder.iterdir()) == [
        "body_1.html",
        "body_2.html",
        "expected.json",
        "response_1.json",
        "response_2.json",
    ]
    # Bytes as received: page 1 is still gzip-encoded, and decodes to the original.
    assert (folder / "body_1.html").read_bytes()[:2] == b"\x1f\x8b"
    made = load(folder)
    assert made.pages[0].body == load(SOURCE).pages[0].body
    response = json.loads((folder / "response_1.json").read_text())
    assert ["Content-Encoding", "gzip"] in response["headers"]
    assert response["fetched_at"] == "2025-06-18T05:00:03+00:00"
    assert response["reconstructed"] is False
    # The expected record is the extractor's, which equals the hand-written one of the source,
    # but nobody has checked it yet: the gate and the fixture tests refuse it until then.
    assert made.expected == {**load(SOURCE).expected}
    assert response["reviewed"] is False and not made.reviewed
    assert 'set "reviewed": true' in capsys.readouterr().out
    floors = tmp_path / "floors.json"
    args = ["fixtures", "gate", str(root), "--floors", str(floors), "--update-floors"]
    assert main(args) == 1
    assert "not reviewed" in capsys.readouterr().err
    # Nothing is overwritten.
    assert main(["fixtures", "add", str(warc), "--url", url, "--root", str(root)]) == 1
    assert "exists" in capsys.readouterr().err


def test_add_refuses_a_url_not_in_the_warc(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warc = _warc(tmp_path)
    url = "https://www.chinadaily.com.cn/a/202506/18/WS68520f6aa310a04af22c0000.html"
    assert main(["fixtures", "add", str(warc), "--url", url, "--root", str(tmp_path)]) == 1
    assert "no response for page 1" in capsys.readouterr().err


def test_rerun_prints_field_diffs_and_write_accepts_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "fx"
    shutil.copytree(FIXTURES / "globaltimes-current-2024-12-03-viewpoint-updated", folder)
    assert main(["fixtures", "rerun", str(folder)]) == 0
    assert "0 differ" in capsys.readouterr().out

    expected = json.loads((folder / "expected.json").read_text())
    wrong = {**expected, "title": "Another headline", "text": expected["text"] + "\n\nExtra."}
    del wrong["tags"]
    (folder / "expected.json").write_text(json.dumps(wrong))
    assert main(["fixtures", "rerun", str(folder)]) == 1
    out = capsys.readouterr().out
    assert '- expected "Another headline"' in out
    assert '+ actual   "Global AI rules need common safety tests"' in out
    assert "tags: not expected" in out
    assert "    -Extra." in out
    assert "rerun --write" in out
    # Without --write nothing changed on disk.
    assert json.loads((folder / "expected.json").read_text()) == wrong

    assert main(["fixtures", "rerun", "--write", str(folder)]) == 0
    assert "expected.json rewritten" in capsys.readouterr().out
    assert json.loads((folder / "expected.json").read_text()) == expected
    assert main(["fixtures", "rerun", str(folder)]) == 0


def test_rerun_rejects_a_folder_without_fixtures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fixtures", "rerun", str(tmp_path)]) == 1
    assert "no fixtures found" in capsys.readouterr().err


def test_add_keeps_the_last_good_answer_of_a_retried_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A 503, the retry's 200, then a later 503 (a re-fetch that failed): the 200 is the page.
    page = load(FIXTURES / "chinadaily-en-2024-05-13").pages[0]
    busy = b"<html><body>Service Unavailable</body></html>"
    warc = _write(
        tmp_path,
        [
            _exchange(page.url, busy, HTML, status=503),
            _exchange(page.url, page.body, HTML),
            _exchange(page.url, busy, HTML, status=503),
        ],
    )
    root = tmp_path / "fixtures"
    assert main(["fixtures", "add", str(warc), "--url", page.url, "--root", str(root)]) == 0
    (folder,) = root.iterdir()
    made = load(folder)
    assert made.responses[0]["status"] == 200
    assert made.pages[0].body == page.body
    assert made.expected["title"] == load(FIXTURES / "chinadaily-en-2024-05-13").expected["title"]
    capsys.readouterr()


def test_add_marks_mirror_pages_reconstructed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = load(FIXTURES / "chinadaily-en-2024-05-13").pages[0]
    mirror = b"<!-- reconstructed for the archiver mirror: test -->\n" + page.body
    warc = _write(tmp_path, [_exchange(page.url, mirror, HTML)])
    root = tmp_path / "fixtures"
    assert main(["fixtures", "add", str(warc), "--url", page.url, "--root", str(root)]) == 0
    response = json.loads(next(root.glob("*/response.json")).read_text())
    assert response["reconstructed"] is True and "RECONSTRUCTED" in response["note"]
    # A page the mirror does not mark is marked by the flag.
    plain = _write(tmp_path / "plain", [_exchange(page.url, page.body, HTML)])
    args = ["fixtures", "add", str(plain), "--url", page.url, "--root", str(tmp_path / "b")]
    assert main([*args, "--reconstructed"]) == 0
    response = json.loads(next((tmp_path / "b").glob("*/response.json")).read_text())
    assert response["reconstructed"] is True and "RECONSTRUCTED" in response["note"]
    capsys.readouterr()
