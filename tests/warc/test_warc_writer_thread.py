"""WARC writing on the writer thread gives the bytes and captures that inline writing gives."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.warc.test_warc_extension import CLOCK, SPIDER, Handler


class FixedDateHandler(Handler):
    """The same pages, with one Date header: two crawls of it get the same bytes."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        return "Mon, 13 May 2024 08:00:00 GMT"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FixedDateHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _crawl(base: str, root: Path, threaded: bool) -> tuple[bytes, list[dict[str, object]]]:
    """One crawl of the test spider; its WARC file after the warcinfo record (which names the
    file, pid included) and the captures its callbacks saw in request.meta."""
    root.mkdir()
    (root / "warctest_spider.py").write_text(SPIDER)
    (root / "warcfixed.py").write_text(CLOCK)
    out = root / "results.jsonl"
    settings = {
        "EXTENSIONS": json.dumps({"archiver.warc.extension.WarcExtension": 0}),
        "ARCHIVER_DIR": str(root / "archive"),
        "ARCHIVER_CLOCK": "warcfixed.clock",
        "ARCHIVER_RECORD_ID": "warcfixed.record_id",
        "CONCURRENT_REQUESTS": "1",
        "ROBOTSTXT_OBEY": "True",
        "DOWNLOAD_FAIL_ON_DATALOSS": "False",
        "RETRY_ENABLED": "False",
        "TELNETCONSOLE_ENABLED": "False",
    }
    if threaded:
        middleware = {"archiver.warc.extension.CaptureWaitMiddleware": 950}
        settings["DOWNLOADER_MIDDLEWARES"] = json.dumps(middleware)
    command = [sys.executable, "-m", "scrapy", "runspider", "warctest_spider.py"]
    command += ["-a", f"base={base}", "-a", f"out={out}"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    done = subprocess.run(
        command, cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "archiver/warc/errors" not in done.stderr
    (warc,) = (root / "archive" / "warc" / "warctest").iterdir()
    data = warc.read_bytes()
    reader = zlib.decompressobj(16 + zlib.MAX_WBITS)
    reader.decompress(data)
    results = [json.loads(line) for line in out.read_text().splitlines()]
    for result in results:
        capture = result["capture"]
        if isinstance(capture, dict):
            capture["warc_file"] = re.sub(r"-\d+\.warc\.gz$", "-PID.warc.gz", capture["warc_file"])
            capture["warc_offset"] -= len(data) - len(reader.unused_data)
    return reader.unused_data, sorted(results, key=lambda r: str(r["url"]))


@pytest.mark.crawl
def test_the_writer_thread_writes_what_inline_writing_writes(server: str, tmp_path: Path) -> None:
    inline_records, inline_captures = _crawl(server, tmp_path / "inline", threaded=False)
    thread_records, thread_captures = _crawl(server, tmp_path / "thread", threaded=True)
    assert thread_records == inline_records
    assert thread_captures == inline_captures
    # Every callback saw its own response's capture (the redirect's target, not its hop).
    assert all(r["capture"] is not None for r in thread_captures)
    assert {r["url"]: r["capture"]["url"] for r in thread_captures} == {  # type: ignore[index]
        r["url"]: r["url"] for r in thread_captures
    }
