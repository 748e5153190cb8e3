"""The WACZ of `archiver export wacz` opened in ReplayWeb.page, in real headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

from tests.crawling import REPO
from tests.replaying import SITES, crawl_archive, records, replay_env

pytestmark = [pytest.mark.crawl, pytest.mark.replay, pytest.mark.browser]

# Made by `make replaywebpage` (a dependency of `make test`): the npm package's ui.js and sw.js.
TOOLS = REPO / ".tools" / "replaywebpage"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOAD_SECONDS = 90.0
# A first visit can stall while the service worker installs (seen on a fresh machine under
# load): a page that has shown no replay frame by then is loaded again.
RELOAD_AFTER_SECONDS = 25.0


class _StaticHandler(SimpleHTTPRequestHandler):
    """Files of one folder, with single byte ranges: ReplayWeb.page reads a WACZ by ranges."""

    extensions_map = {  # noqa: RUF012 - the base class declares it so
        ".html": "text/html",
        ".js": "application/javascript",
        ".wacz": "application/wacz+zip",
        "": "application/octet-stream",
    }

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: pytest captures nothing useful from a server thread

    def send_head(self) -> Any:
        spec = self.headers.get("Range", "")
        path = Path(self.translate_path(self.path))
        if not spec.startswith("bytes=") or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first_text, _, last_text = spec[len("bytes=") :].partition("-")
        if first_text:
            first, last = int(first_text), min(int(last_text or size - 1), size - 1)
        else:  # a suffix range: the last N bytes
            first, last = max(size - int(last_text), 0), size - 1
        if first > last:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        with path.open("rb") as fh:
            fh.seek(first)
            body = fh.read(last - first + 1)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)
        return None

    def end_headers(self) -> None:
        if "Range" not in self.headers:
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()


def _serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_StaticHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A static site on 127.0.0.1: ReplayWeb.page plus the WACZ of a crawl of both sites."""
    for name in ("ui.js", "sw.js"):
        if not (TOOLS / name).is_file():
            pytest.fail(f"ReplayWeb.page missing at {TOOLS}: run `make replaywebpage` first")
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    archive = crawl_archive(tmp_path_factory.mktemp("archive"))
    folder = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "archiver", "export", "wacz", "--dir", str(archive)]
    command += ["--env", str(replay_env().path), "--out", str(folder / "archive.wacz")]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    shutil.copy(TOOLS / "ui.js", folder / "ui.js")
    all_records = records(archive)
    for name in SITES:
        article = next(r for r in all_records if r["site"] == name)
        (folder / f"{name}.html").write_text(_page_html(article["captures"][0]["url"]), "utf-8")
    (folder / "replay").mkdir()
    shutil.copy(TOOLS / "sw.js", folder / "replay" / "sw.js")
    server, url = _serve(folder)
    try:
        yield url, all_records
    finally:
        server.shutdown()
        server.server_close()


def _page_html(url: str) -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><script src='/ui.js'></script></head>"
        "<body style='margin:0'><replay-web-page source='/archive.wacz' "
        f"url='{url}' style='display:block;width:100%;height:100vh'></replay-web-page>"
        "</body></html>"
    )


@pytest.mark.parametrize("site_name", SITES)
def test_replaywebpage_replays_an_exported_article(
    site: tuple[str, list[dict[str, Any]]], site_name: str, tmp_path: Path
) -> None:
    base, all_records = site
    record = next(r for r in all_records if r["site"] == site_name)
    article_url = record["captures"][0]["url"]
    title = " ".join(record["title"].split())
    seen: list[str] = []
    with sync_playwright() as playwright:
        # Playwright adds --headless and the fresh profile; no browser of its own is downloaded.
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 1400},
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}"))
            page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
            page.goto(f"{base}/{site_name}.html")
            text = _replayed_text(page, article_url, title)
            frames = [frame.url for frame in page.frames]
            ARTIFACTS.mkdir(exist_ok=True)
            shot = ARTIFACTS / f"replaywebpage-{site_name}-{record['article_id']}.png"
            page.screenshot(path=str(shot))
        finally:
            context.close()
    assert title in text, (text[:2000], frames, seen[-20:])
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def _replayed_text(page: Page, article_url: str, title: str) -> str:
    """The title and text of the frame replaying `article_url`, once it shows `title`."""
    start = time.monotonic()
    deadline = start + LOAD_SECONDS
    next_reload = start + RELOAD_AFTER_SECONDS
    text = ""
    while time.monotonic() < deadline:
        replaying = [f for f in page.frames if "mp_/" in f.url]
        if not replaying and time.monotonic() > next_reload:
            page.reload()
            next_reload = time.monotonic() + RELOAD_AFTER_SECONDS
        for frame in page.frames:
            if "mp_/" in frame.url and frame.url.endswith(article_url):
                try:
                    text = frame.evaluate(
                        "() => document.title + '\\n' + (document.body ? document.body.innerText : '')"
                    )
                except PlaywrightError:  # the frame navigated or went away while we read it
                    continue
                text = " ".join(text.split())
                if title in text:
                    return text
        page.wait_for_timeout(250)
    return text
