"""A crawl of the live sites without ARCHIVER_CONTACT warns once, as it starts; a mirror crawl
does not. The live crawl is tested without the internet: through a loopback HTTP proxy that
answers every request 404 (Scrapy's HttpProxyMiddleware honours $http_proxy)."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.settings import Settings

from archiver.crawl.addon import contact_warning
from archiver.mirror import MirrorServer
from tests.crawling import REPO, TEST_SETTINGS

ARTICLE = "http://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"
WARNING = "ARCHIVER_CONTACT is not set"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("settings", "warns"),
    [
        ({}, True),
        ({"ARCHIVER_CONTACT": "  "}, True),
        ({"ARCHIVER_CONTACT": "ops@example.org"}, False),
        ({"ARCHIVER_MIRROR": "http://127.0.0.1:8000"}, False),
    ],
)
def test_the_warning_is_for_live_crawls_without_a_contact(
    settings: dict[str, str], warns: bool
) -> None:
    warning = contact_warning(Settings({"ARCHIVER_CONTACT": "", "ARCHIVER_MIRROR": "", **settings}))
    assert (warning is not None) == warns
    if warning is not None:
        assert warning.startswith(WARNING) and "-s ARCHIVER_CONTACT=" in warning


class _NotFound(http.server.BaseHTTPRequestHandler):
    requested: list[str] = []  # noqa: RUF012 (shared by the handler instances on purpose)

    def do_GET(self) -> None:
        self.requested.append(self.path)
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _crawl(root: Path, settings: dict[str, str], env: dict[str, str]) -> str:
    command = [sys.executable, "-m", "scrapy", "crawl", "chinadaily", "-a", f"urls={ARTICLE}"]
    for name, value in {**TEST_SETTINGS, "ARCHIVER_DIR": str(root), **settings}.items():
        command += ["-s", f"{name}={value}"]
    done = subprocess.run(
        command,
        cwd=REPO,
        env={**os.environ, "SCRAPY_SETTINGS_MODULE": "archiver.settings", **env},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    return done.stdout + done.stderr


@pytest.mark.crawl
def test_a_live_crawl_without_contact_warns_once_at_its_start(proxy: str, tmp_path: Path) -> None:
    _NotFound.requested.clear()
    log = _crawl(tmp_path, {}, {"http_proxy": proxy, "no_proxy": ""})
    # It did crawl "live" (through the proxy, not a mirror), and warned once, as it started.
    assert ARTICLE in _NotFound.requested, log[-3000:]
    lines = log.splitlines()
    warned = [n for n, line in enumerate(lines) if WARNING in line]
    assert len(warned) == 1, log[-3000:]
    assert "WARNING" in lines[warned[0]]
    opened = next(n for n, line in enumerate(lines) if "Spider opened" in line)
    assert warned[0] < opened


@pytest.mark.crawl
def test_a_mirror_crawl_does_not_warn(tmp_path: Path) -> None:
    with MirrorServer() as mirror:
        log = _crawl(tmp_path, {"ARCHIVER_MIRROR": mirror.url}, {})
    assert list(tmp_path.glob("records/chinadaily/*.jsonl")), log[-3000:]
    assert WARNING not in log
