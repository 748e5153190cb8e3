"""Shared by the replay, reextract, WACZ, verify and browser tests: archives made by real crawls."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.mirror import MirrorServer, load_manifest
from archiver.record import Site
from archiver.replay.env import ReplayEnv
from archiver.warc.raw import RawRecord, iter_records
from tests.crawling import REPO, run_crawl

SITES: tuple[Site, ...] = ("chinadaily", "globaltimes")


def replay_env() -> ReplayEnv:
    """pywb's environment made by `make pywb`; the test FAILS without it (CI must have it)."""
    env = ReplayEnv(Path(os.environ.get("ARCHIVER_REPLAY_ENV") or REPO / ".venv-pywb"))
    if not env.ready:
        pytest.fail(f"pywb environment missing at {env.path}: run `make pywb` first")
    return env


def crawl_archive(root: Path) -> Path:
    """Both sites crawled from their mirror start pages into `root`; returns root."""
    manifest = load_manifest()
    with MirrorServer() as mirror:
        for site in SITES:
            result = run_crawl(
                site, root, mirror.url, args={"urls": ",".join(manifest.start_urls(site))}
            )
            assert result.returncode == 0, result.log[-3000:]
    return root


def copy_archive(source: Path, target: Path) -> Path:
    """A copy of an archive's WARC files and records (no replay index), to damage freely."""
    for part in ("warc", "records"):
        shutil.copytree(source / part, target / part)
    return target


def records(root: Path) -> list[dict[str, Any]]:
    """Every JSON record under root/records, in file then line order."""
    return [
        json.loads(line)
        for path in sorted(root.glob("records/*/*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def record_lines(root: Path) -> list[str]:
    return sorted(
        line
        for path in root.glob("records/*/*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    )


def response_record(root: Path, url: str) -> tuple[str, RawRecord]:
    """(warc_file relative to root, record) of the first response captured for `url`."""
    for path in sorted(root.glob("warc/**/*.warc.gz")):
        for record in iter_records(path):
            if record.type == "response" and record.target_uri == url:
                return path.relative_to(root).as_posix(), record
    raise AssertionError(f"no response for {url}")


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_warc(path: Path, build: Any) -> None:
    """Write a gzip WARC/1.0 file: a warcinfo record, then what `build(writer)` writes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.0")
        info = writer.create_warcinfo_record(path.name, {"software": "archiver tests"})
        writer.write_record(info)
        build(writer)


def write_revisit(
    root: Path, url: str, later: timedelta = timedelta(days=1), lost_original: bool = False
) -> datetime:
    """A revisit of `url`'s capture, `later` after it, in a WARC file of its own under root.

    Identical-payload-digest profile as warcio writes it, naming the original's URI, date and
    record id, paired with a request record as the archiver writes them; HTTP headers are the
    original's. With `lost_original` it names an original that is in no file. Returns the
    revisit's WARC-Date.
    """
    _, original = response_record(root, url)
    original_date = original.header("WARC-Date") or ""
    date = datetime.fromisoformat(original_date) + later
    head = original.http_head.decode("latin-1").split("\r\n")
    status_line = head[0].split(" ", 1)[1]
    headers = [tuple(h.split(": ", 1)) for h in head[1:] if ": " in h]
    refers_to = original.record_id
    if lost_original:
        refers_to, original_date = (
            "<urn:uuid:00000000-0000-0000-0000-000000000000>",
            "2001-01-01T00:00:00Z",
        )

    def build(writer: WARCWriter) -> None:
        revisit = writer.create_revisit_record(
            url,
            original.header("WARC-Payload-Digest"),
            url,
            original_date,
            http_headers=StatusAndHeaders(status_line, headers, protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": _date(date), "WARC-Refers-To": refers_to},
        )
        writer.write_record(revisit)
        writer.write_record(_request(writer, url, date, revisit))

    stamp = date.strftime("%Y%m%d%H%M%S")
    write_warc(root / "warc" / "revisits" / f"revisits-{stamp}-00001-test-1.warc.gz", build)
    return date


def _request(writer: WARCWriter, url: str, date: datetime, response: Any) -> Any:
    return writer.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        http_headers=StatusAndHeaders(
            "GET / HTTP/1.1", [("Host", "example")], is_http_request=True
        ),
        warc_headers_dict={
            "WARC-Date": _date(date),
            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
        },
    )


def write_response(
    root: Path,
    name: str,
    url: str,
    body: bytes,
    date: datetime,
    headers: list[tuple[str, str]],
) -> None:
    """One response record (and its request) for `url` with `body` stored as given."""

    def build(writer: WARCWriter) -> None:
        http = StatusAndHeaders(
            "200 OK", [*headers, ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
        )
        response = writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),  # known: warcio then needs no temporary file
            http_headers=http,
            warc_headers_dict={"WARC-Date": _date(date)},
        )
        request = _request(writer, url, date, response)
        writer.write_record(response)
        writer.write_record(request)

    write_warc(root / "warc" / "extra" / name, build)


def decoded_html(record: RawRecord) -> bytes:
    """The response's body, gzip removed when the server sent it so."""
    body = record.payload
    return gzip.decompress(body) if body.startswith(b"\x1f\x8b") else body
