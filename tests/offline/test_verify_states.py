"""`archiver verify` across extractor versions, during a crawl, and over crawler-made versions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from archiver.mirror import MirrorServer, load_manifest
from archiver.record import Article, CaptureRef
from archiver.replay.env import ReplayEnv
from archiver.replay.server import ReplayServer
from archiver.sites.extract import extract_article
from archiver.store.events import ArticleEvent
from archiver.store.versions import next_version
from archiver.warc.raw import iter_records
from archiver.warc.reader import iter_captures
from tests.crawling import REPO, TEST_SETTINGS, run_crawl
from tests.replaying import (
    copy_archive,
    decoded_html,
    record_lines,
    records,
    response_record,
    write_response,
)

pytestmark = [pytest.mark.crawl, pytest.mark.replay]

EDITED = "https://www.chinadaily.com.cn/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html"


def _verify(root: Path, env: ReplayEnv) -> tuple[int, dict[str, Any], str]:
    command = [sys.executable, "-m", "archiver", "verify", "--dir", str(root)]
    command += ["--env", str(env.path), "--workers", "2", "--json"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert done.stdout, done.stderr
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    return done.returncode, checks, done.stderr


def _rewrite_records(root: Path, change: Any) -> None:
    for path in sorted(root.glob("records/*/*.jsonl")):
        lines = []
        for line in path.read_text("utf-8").splitlines():
            record = json.loads(line)
            kept = change(record)
            if kept is not None:
                lines.append(json.dumps(kept, ensure_ascii=False, separators=(",", ":")))
        path.write_text("".join(line + "\n" for line in lines), "utf-8")


def test_record_of_an_older_extractor_is_skipped(
    archive: Path, env: ReplayEnv, tmp_path: Path
) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    target = records(root)[0]["url"]

    def older(record: dict[str, Any]) -> dict[str, Any]:
        if record["url"] == target:
            record["extractor"]["version"] = "2000.1.1"
        return record

    _rewrite_records(root, older)
    code, checks, _ = _verify(root, env)
    assert code == 0, checks
    assert checks["reextract"]["skipped"] == 1
    assert checks["reextract"]["checked"] == len(records(root)) - 1


def test_missing_record_and_bad_event_capture_are_reported(
    archive: Path, env: ReplayEnv, tmp_path: Path
) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    dropped = next(r for r in records(root) if r["site"] == "globaltimes")
    _rewrite_records(root, lambda r: None if r["url"] == dropped["url"] else r)
    good = CaptureRef.model_validate(records(root)[0]["captures"][0])
    bad = good.model_copy(update={"warc_offset": 0})
    events = root / "events" / "chinadaily" / "test.jsonl"
    events.parent.mkdir(parents=True)
    lines = [
        ArticleEvent(
            kind="deleted",
            site="chinadaily",
            article_id="x",
            url=good.url,
            at=good.fetched_at,
            status=404,
            capture=capture,
        ).model_dump_json()
        for capture in (good, bad)
    ]
    events.write_text("".join(line + "\n" for line in lines), "utf-8")
    code, checks, _ = _verify(root, env)
    assert code == 1
    assert checks["events"]["checked"] == 2
    assert checks["events"]["problems"]
    assert all(":2: " in p for p in checks["events"]["problems"])
    problems = checks["unrecorded"]["problems"]
    assert len(problems) == 1 and dropped["article_id"] in problems[0], problems
    # The mirror's soft 404 has no record and fails extraction: a counted failure, no problem.
    assert any("1 article(s) without a record fail" in n for n in checks["unrecorded"]["notes"])


def _open_files(root: Path) -> list[Path]:
    return sorted(root.glob("warc/**/*.warc.gz.open"))


def test_verify_during_a_running_crawl(env: ReplayEnv, tmp_path: Path) -> None:
    root = tmp_path / "archive"
    manifest = load_manifest()
    urls = [a.url for a in manifest.articles if a.site == "chinadaily"]
    # Slow enough that the crawl outlives verify on a loaded machine: it is killed after
    # verify has run, so the delay costs the test nothing.
    settings = {**TEST_SETTINGS, "DOWNLOAD_DELAY": "2.5", "ARCHIVER_DIR": str(root)}
    with MirrorServer() as mirror:
        command = [sys.executable, "-m", "scrapy", "crawl", "chinadaily"]
        for name, value in {**settings, "ARCHIVER_MIRROR": mirror.url}.items():
            command += ["-s", f"{name}={value}"]
        command += ["-a", "urls=" + ",".join(urls)]
        crawl = subprocess.Popen(
            command,
            cwd=REPO,
            env={**os.environ, "SCRAPY_SETTINGS_MODULE": "archiver.settings"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            before = len(record_lines(root))
            for _ in range(900):  # bounded wait: a record written from the open WARC file
                if _open_files(root) and len(record_lines(root)) > before:
                    break
                assert crawl.poll() is None, "the crawl ended before verify could run"
                time.sleep(0.1)
            code, checks, stderr = _verify(root, env)
            assert crawl.poll() is None, "the crawl must still run for this test"
            assert code == 0, (checks, stderr)
            assert checks["records"]["skipped"] >= 1
            assert checks["warc"]["skipped"] == 1
            assert any("a crawl is writing it" in n for n in checks["warc"]["notes"])
        finally:
            crawl.send_signal(signal.SIGKILL)
            crawl.wait(timeout=60)
    # Killed: the file stays open until the next crawl repairs it.
    assert _open_files(root)
    code, checks, _ = _verify(root, env)
    assert code == 0, checks
    assert any("the next crawl" in n for n in checks["warc"]["notes"])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _edited_overlay(base: Path) -> Path:
    # The article as the site changed it: a new title.
    bundled = Path(__file__).resolve().parents[2] / "archiver" / "mirror" / "site"
    relative = Path("www.chinadaily.com.cn") / EDITED.split("chinadaily.com.cn/", 1)[1]
    html = (bundled / relative).read_text("utf-8")
    title = "Chinese, US delegates meet on sidelines of Moscow energy forum"
    assert html.count(title) >= 1
    target = base / "site" / relative
    target.parent.mkdir(parents=True)
    target.write_text(html.replace(title, "Updated: " + title), "utf-8")
    return base


def test_crawler_revisits_and_versions_verify_and_replay(env: ReplayEnv, tmp_path: Path) -> None:
    root = tmp_path / "archive"
    manifest = load_manifest()
    urls = ",".join([*manifest.start_urls("chinadaily"), EDITED])
    with MirrorServer() as mirror:
        for _ in range(2):  # the second crawl finds the named article unchanged: a revisit
            done = run_crawl("chinadaily", root, mirror.url, args={"urls": urls})
            assert done.returncode == 0, done.log[-3000:]
    with MirrorServer(overlays=[_edited_overlay(tmp_path / "overlay")]) as mirror:
        done = run_crawl("chinadaily", root, mirror.url, args={"urls": urls})
        assert done.returncode == 0, done.log[-3000:]
    versions = [r for r in records(root) if r["url"] == EDITED]
    assert [r["version"] for r in versions] == [1, 2]
    assert versions[1]["title"].startswith("Updated: ")
    revisits = [
        (path, record)
        for path in sorted(root.glob("warc/**/*.warc.gz"))
        for record in iter_records(path)
        if record.type == "revisit" and record.target_uri == EDITED
    ]
    assert revisits, "the unchanged second fetch is a revisit record"
    code, checks, stderr = _verify(root, env)
    assert code == 0, (checks, stderr)
    assert checks["revisits"]["checked"] >= 1
    out = tmp_path / "out"
    command = [sys.executable, "-m", "archiver", "reextract", "--dir", str(root)]
    done_re = subprocess.run(
        [*command, "--out", str(out), "--workers", "2"], cwd=REPO, capture_output=True, text=True
    )
    assert done_re.returncode == 0, done_re.stderr
    again = sorted(line for p in out.glob("*.jsonl") for line in p.read_text("utf-8").splitlines())
    assert again == record_lines(root)
    original = versions[0]["captures"][0]
    with ReplayServer(root, env, reindex_interval=0) as server:
        ts = datetime.fromisoformat(original["fetched_at"]).astimezone(UTC)
        _, first = _get(f"{server.url}{ts:%Y%m%d%H%M%S}id_/{EDITED}")
        for _, revisit in revisits:
            stamp = datetime.fromisoformat(revisit.header("WARC-Date") or "").astimezone(UTC)
            status, body = _get(f"{server.url}{stamp:%Y%m%d%H%M%S}id_/{EDITED}")
            assert status == 200
            assert body == first


def test_versions_restart_where_the_extractor_changed(
    archive: Path, env: ReplayEnv, tmp_path: Path
) -> None:
    # v1 by an older extractor, then an edited capture that the crawl, running the current
    # extractor, wrote as the next version after it (archiver.store.versions: a re-baseline).
    root = copy_archive(archive, tmp_path / "archive")
    record = next(r for r in records(root) if len(r["captures"]) == 1 and r["language"] == "en")
    url = record["captures"][0]["url"]
    _, original = response_record(root, url)
    title = record["title"].encode()
    later = datetime.fromisoformat(record["captures"][0]["fetched_at"]) + timedelta(days=2)
    content_type = original.http_header("Content-Type") or "text/html"
    edited = decoded_html(original).replace(title, b"Edited: " + title)
    write_response(root, "edit.warc.gz", url, edited, later, [("Content-Type", content_type)])

    def older(line: dict[str, Any]) -> dict[str, Any]:
        if line["url"] == url:
            line["extractor"]["version"] = "2000.1.1"
        return line

    _rewrite_records(root, older)
    old = Article.model_validate(next(r for r in records(root) if r["url"] == url))
    page = next(iter_captures(root / "warc" / "extra" / "edit.warc.gz", root))
    crawl_wrote = next_version(old, extract_article([page]))
    assert crawl_wrote is not None and crawl_wrote.version == 2
    path = next(root.glob(f"records/{record['site']}/*.jsonl"))
    with path.open("a", encoding="utf-8") as fh:
        fh.write(crawl_wrote.to_json_line() + "\n")
    code, checks, stderr = _verify(root, env)
    assert code == 0, (checks, stderr)
    assert checks["reextract"]["skipped"] == 1
    assert checks["reextract"]["checked"] == len(records(root)) - 1
