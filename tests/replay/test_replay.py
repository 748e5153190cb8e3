"""Real pywb over a real mirror crawl: every article replays, captures are listed, revisits resolve."""

from __future__ import annotations

import html
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from archiver.mirror import load_manifest
from archiver.page import CapturedPage
from archiver.replay.env import ReplayEnv
from archiver.replay.index import merged_index, update_index
from archiver.replay.server import ReplayServer
from archiver.warc.codings import decode_body, split_codings
from archiver.warc.reader import read_response_at
from tests.replaying import copy_archive, records, write_revisit

pytestmark = [pytest.mark.crawl, pytest.mark.replay]


@pytest.fixture(scope="module")
def server(archive: Path, env: ReplayEnv) -> Iterator[ReplayServer]:
    with ReplayServer(archive, env, reindex_interval=0) as running:
        yield running


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers.items()), exc.read()


def _ts(capture: dict[str, Any]) -> str:
    return datetime.fromisoformat(capture["fetched_at"]).astimezone(UTC).strftime("%Y%m%d%H%M%S")


def _text(body: bytes, headers: dict[str, str] | None = None) -> str:
    # Decoded as the archiver decodes pages: header charset, then <meta> (GB2312 pages too).
    page = CapturedPage(url="", body=body, headers=list((headers or {}).items()))
    return " ".join(html.unescape(page.text).split())


def test_every_article_replays_with_its_title(archive: Path, server: ReplayServer) -> None:
    expected = {a.url for a in load_manifest().articles if a.expect == "article"}
    replayed = set()
    for record in records(archive):
        capture = record["captures"][0]
        status, headers, body = _get(f"{server.url}{_ts(capture)}mp_/{capture['url']}")
        assert status == 200, capture["url"]
        assert " ".join(record["title"].split()) in _text(body, headers), capture["url"]
        replayed.add(record["url"])
    assert replayed == expected


def test_multi_page_articles_replay_page_by_page(archive: Path, server: ReplayServer) -> None:
    multi = [r for r in records(archive) if len(r["captures"]) > 1]
    assert multi, "the mirror has multi-page articles"
    for record in multi:
        for capture in record["captures"]:
            # id_ gives the bytes as archived: compare them with the WARC record itself.
            status, headers, body = _get(f"{server.url}{_ts(capture)}id_/{capture['url']}")
            assert status == 200, capture["url"]
            codings = split_codings(v for k, v in headers.items() if k == "Content-Encoding")
            page = read_response_at(archive / capture["warc_file"], capture["warc_offset"])
            assert decode_body(body, codings) == page.body, capture["url"]
            status, headers, rewritten = _get(f"{server.url}{_ts(capture)}mp_/{capture['url']}")
            assert status == 200
            assert " ".join(record["title"].split()) in _text(rewritten, headers)


def test_cdx_lists_the_captures(archive: Path, server: ReplayServer) -> None:
    record = records(archive)[0]
    capture = record["captures"][0]
    status, _, body = _get(f"{server.url}cdx?url={capture['url']}&output=json")
    assert status == 200
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert [(x["filename"], int(x["offset"])) for x in lines] == [
        (capture["warc_file"], capture["warc_offset"])
    ]
    assert lines[0]["timestamp"] == _ts(capture)


def test_unknown_url_is_not_found(server: ReplayServer) -> None:
    status, _, _ = _get(f"{server.url}20240101000000mp_/https://www.chinadaily.com.cn/nothing")
    assert status == 404


def test_binds_loopback_only(server: ReplayServer) -> None:
    # /proc/net/tcp lists listening sockets as hex address:port; 0100007F is 127.0.0.1.
    listening = [
        line.split()[1]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[3] == "0A"
    ]
    ours = [a for a in listening if int(a.split(":")[1], 16) == server.port]
    assert ours == ["0100007F:" + f"{server.port:04X}"]


def test_index_is_sorted_and_relative_to_root(archive: Path, server: ReplayServer) -> None:
    lines = merged_index(archive).read_bytes().splitlines()
    assert lines == sorted(lines)
    names = {json.loads(line.split(b" ", 2)[2])["filename"] for line in lines}
    assert names == {p.relative_to(archive).as_posix() for p in archive.glob("warc/*/*.warc.gz")}


def test_new_warc_and_revisit_replay_without_restart(
    archive: Path, env: ReplayEnv, tmp_path: Path
) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    record = next(r for r in records(root) if len(r["captures"]) == 1)
    url = record["captures"][0]["url"]
    with ReplayServer(root, env, reindex_interval=0.2) as running:
        revisit_date = write_revisit(root, url, later=timedelta(days=3))
        ts = revisit_date.strftime("%Y%m%d%H%M%S")
        lines: list[dict[str, Any]] = []
        for _ in range(150):  # the re-indexing thread finds the new file; bounded wait
            _, _, body = _get(f"{running.url}cdx?url={url}&output=json")
            lines = [json.loads(line) for line in body.decode().splitlines()]
            if len(lines) == 2:
                break
            time.sleep(0.2)
        assert [x["mime"] for x in lines][1] == "warc/revisit"
        assert lines[1]["timestamp"] == ts
        status, headers, body = _get(f"{running.url}{ts}mp_/{url}")
        assert status == 200
        assert " ".join(record["title"].split()) in _text(body, headers)
        # The revisit answers with its own date: pywb did not fall back to the original.
        status, headers, _ = _get(f"{running.url}{ts}id_/{url}")
        assert status == 200
        memento = headers.get("Memento-Datetime", "")
        assert re.sub(r"\s+", " ", memento) == revisit_date.strftime("%a, %d %b %Y %H:%M:%S GMT")


def test_reindex_drops_removed_files_and_keeps_unchanged(
    archive: Path, env: ReplayEnv, tmp_path: Path
) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    first = update_index(root, env)
    assert first.files == 2 and len(first.indexed) == 2 and first.lines > 0
    again = update_index(root, env)
    assert again.indexed == [] and again.lines == first.lines
    gone = sorted(root.glob("warc/globaltimes/*.warc.gz"))[0]
    gone.unlink()
    third = update_index(root, env)
    assert third.removed == [gone.relative_to(root).as_posix()]
    lines = merged_index(root).read_bytes().splitlines()
    assert {json.loads(line.split(b" ", 2)[2])["filename"].split("/")[1] for line in lines} == {
        "chinadaily"
    }
