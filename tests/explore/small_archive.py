"""A small archive made in-process (no crawl): records, an event, captures and run reports
written as files, then indexed, for the explorer's unit tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from archiver.record import Article
from archiver.store.events import ArticleEvent
from archiver.store.index.archive_index import ArchiveIndex, CaptureRow
from archiver.store.index.location import IndexLocation

EDITED: Final = "https://www.globaltimes.cn/page/202609/1371581.shtml"
DELETED: Final = "https://www.globaltimes.cn/page/202609/1371412.shtml"
CHINESE: Final = "https://cn.chinadaily.com.cn/a/202609/20/WS6ab0000000000000000000cc.html"
HOSTILE: Final = "https://www.chinadaily.com.cn/a/202609/21/WS6ab1111111111111111111dd.html"
PAYLOAD_TITLE: Final = '<script>alert("title")</script> Markets <img src=x onerror=alert(1)>'
PAYLOAD_TEXT: Final = (
    'Text with <script>document.title="pwned"</script> and <b onmouseover=alert(2)>x</b>'
)
FIRST_RUN: Final = datetime(2026, 9, 26, 2, 0, tzinfo=UTC)
SECOND_RUN: Final = FIRST_RUN + timedelta(days=1)


def _record(url: str, site: str, article_id: str, at: datetime, **fields: Any) -> Article:
    capture = {
        "url": url,
        "warc_file": f"warc/{site}/{site}-{at:%Y%m%d%H%M%S}-00001-test-1.warc.gz",
        "warc_offset": 1234,
        "warc_record_id": f"<urn:uuid:{article_id}-{at:%H%M%S}>",
        "fetched_at": at.isoformat(),
        "status": 200,
    }
    base: dict[str, Any] = {
        "url": url,
        "site": site,
        "article_id": article_id,
        "title": "A title",
        "language": "en",
        "text": "One paragraph.\n\nAnother one.",
        "pages": [url],
        "captures": [capture],
        "published_at": (at - timedelta(hours=5)).isoformat(),
        "section": ["China", "Society"],
        "extractor": {"archiver": "0.1.0", "trafilatura": "2.0", "parser": "test", "version": "1"},
    }
    return Article.model_validate(base | fields)


def records() -> list[tuple[str, Article]]:
    """(records file, record) of every record of the archive, in writing order."""
    edited_v1 = _record(
        EDITED,
        "globaltimes",
        "1371581",
        FIRST_RUN,
        title="Autumn tourism bookings surge ahead of National Day",
        text="Bookings for the National Day holiday rose sharply.\n\nHotels are full.",
        authors=[{"name": "Li Hao", "location": "Beijing"}],
        dates_raw=[{"source": "byline", "raw": "Published: Sep 25, 2026 09:08 PM"}],
        published_from="byline",
        images=[
            {"url": "https://www.globaltimes.cn/img/a.jpg", "caption": "Crowds", "credit": "VCG"}
        ],
    )
    edited_v2 = edited_v1.model_copy(
        update={
            "title": "Autumn travel bookings soar ahead of National Day",
            "text": "CORRECTION: figures fixed. Bookings for the National Day holiday rose "
            "sharply.\n\nHotels are full.",
            "version": 2,
            "previous_version": 1,
            "changes": ["title", "text"],
            "captures": [
                _record(EDITED, "globaltimes", "1371581", SECOND_RUN).captures[0],
            ],
            "tags": ["tourism"],
        }
    )
    deleted = _record(DELETED, "globaltimes", "1371412", FIRST_RUN, title="Sensor research")
    chinese = _record(
        CHINESE,
        "chinadaily",
        "WS6ab0000000000000000000cc",
        FIRST_RUN,
        title="北京今年将新增公共自行车一万辆",
        text="北京市交通委员会表示，今年将新增公共自行车一万辆，方便市民出行。",
        language="zh",
        section=["北京"],
    )
    hostile = _record(
        HOSTILE,
        "chinadaily",
        "WS6ab1111111111111111111dd",
        FIRST_RUN,
        title=PAYLOAD_TITLE,
        text=PAYLOAD_TEXT,
        section=["<img src=x onerror=alert(3)>"],
    )
    gt1 = "records/globaltimes/globaltimes-20260926020000-test-1.jsonl"
    gt2 = "records/globaltimes/globaltimes-20260927020000-test-2.jsonl"
    cd1 = "records/chinadaily/chinadaily-20260926020000-test-1.jsonl"
    return [(gt1, edited_v1), (gt1, deleted), (cd1, chinese), (cd1, hostile), (gt2, edited_v2)]


def _run_report(root: Path, name: str, verdict: str, problems: list[str]) -> None:
    report = {
        "spider": name.split("-")[0],
        "mode": "latest",
        "finish_reason": "finished",
        "summary": {
            "pages_fetched": 30,
            "new_articles": 2,
            "new_versions": 0,
            "deletions": 0,
            "errors": {"article/http_404": 1},
            "duration_seconds": 2.5,
            "fill_rates": {"title": 1.0, "authors": 0.5 if verdict == "ok" else 0.1},
        },
        "verdict": verdict,
        "problems": problems,
        "stats": {},
    }
    (root / "runs").mkdir(parents=True, exist_ok=True)
    (root / "runs" / name).write_text(json.dumps(report), encoding="utf-8")


def build(root: Path, location: IndexLocation | None = None) -> Path:
    """Write and index the small archive under `root` (into the index at `location`: default
    root/index.sqlite3, or a postgresql:// URL); returns root."""
    for record_file, record in records():
        path = root / record_file
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(record.to_json_line() + "\n")
    event = ArticleEvent(
        kind="deleted",
        site="globaltimes",
        article_id="1371412",
        url=DELETED,
        at=SECOND_RUN,
        status=404,
    )
    events = root / "events" / "globaltimes" / "globaltimes-20260927020000-test-2.jsonl"
    events.parent.mkdir(parents=True)
    events.write_text(event.model_dump_json() + "\n", encoding="utf-8")
    with ArchiveIndex(root, location) as index:
        for record_file, record in records():
            for capture in record.captures:
                index.record_capture(
                    CaptureRow(
                        capture.warc_file,
                        capture.warc_offset,
                        capture.warc_record_id,
                        "response",
                        capture.url,
                        capture.status,
                        capture.fetched_at.astimezone(UTC).isoformat(),
                        None,
                        None,
                    )
                )
            index.record_version(record, record_file)
        index.record_event(event)
    _run_report(root, "chinadaily-20260926020500-test-1.json", "ok", [])
    _run_report(
        root, "globaltimes-20260927020500-test-2.json", "failed", ["field 'authors' <b>dropped</b>"]
    )
    return root
