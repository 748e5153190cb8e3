"""The explorer in headless Chromium (Debian's, driven by Playwright) over an archive crawled
from the mirror twice, one article edited and one deleted between the runs, and one article
whose title and text carry script payloads: what a person sees, with screenshots."""

from __future__ import annotations

import html
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import ConsoleMessage, Page, sync_playwright

from archiver.mirror import bundled_root
from tests.crawling import REPO
from tests.explore.archiving import DELETED, EDITED, EDITED_TITLE, edited_archive
from tests.explore.serving import Served, serve
from tests.replaying import replay_env

pytestmark = [pytest.mark.crawl, pytest.mark.replay, pytest.mark.browser]

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
HOSTILE = "https://www.chinadaily.com.cn/a/202609/24/WS6ab45b94a3107a2e1d4f5c21.html"
XSS_TITLE = '<script>window.__xss = 1</script> Canteens <img src=x onerror="window.__xss = 2">'
XSS_TEXT = 'Payload <img src=x onerror="window.__xss = 3"> and <script>window.__xss = 4</script>.'
CHINESE = "https://cn.chinadaily.com.cn/2014-03/05/content_17323881.htm"


def _xss_overlay(base: Path) -> Path:
    """HOSTILE with the payloads as its headline and a paragraph (escaped in the page's HTML,
    so they are the text a reader of the site sees and the record keeps), plus a raw
    <img onerror> in the body."""
    relative = Path("www.chinadaily.com.cn") / HOSTILE.split(".com.cn/", 1)[1]
    page = (bundled_root() / "site" / relative).read_text(encoding="utf-8")
    title = "<h1>Community canteens serve up affordable meals for seniors</h1>"
    marker = '<div id="Content">'
    assert title in page and marker in page
    page = page.replace(title, f"<h1>{html.escape(XSS_TITLE)}</h1>", 1)
    raw = '<img src="x" onerror="window.__xss = 5">'
    page = page.replace(marker, f"{marker}<p>{html.escape(XSS_TEXT)}</p>{raw}", 1)
    target = base / "site" / relative
    target.parent.mkdir(parents=True)
    target.write_text(page, encoding="utf-8")
    return base


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("browser")
    root = edited_archive(tmp / "archive", tmp / "edit", [_xss_overlay(tmp / "xss")])
    with serve(root, replay_env=replay_env().path) as server:
        assert server.replay is not None, "pywb did not start"
        yield server


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Page, list[str]]]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    problems: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        page = context.new_page()

        def console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                problems.append(f"{page.url}: console {message.type}: {message.text}")

        page.on("console", console)
        page.on("pageerror", lambda error: problems.append(f"{page.url}: page error: {error}"))
        page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
        try:
            yield page, problems
        finally:
            context.close()


def _shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"explorer-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.read_bytes().startswith(b"\x89PNG")
    return path


def _open(page: Page, served: Served, path: str) -> None:
    response = page.goto(served.url + path.lstrip("/"))
    assert response is not None and response.status == 200, path
    assert "script-src 'self'" in response.headers["content-security-policy"]


def _charts_drawn(page: Page) -> int:
    count: Any = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".filter(c => Chart.getChart(c) !== undefined && c.width > 0).length"
    )
    return int(count)


def test_overview_coverage_and_changes(
    browser_page: tuple[Page, list[str]], served: Served
) -> None:
    page, problems = browser_page
    _open(page, served, "/")
    assert _charts_drawn(page) == 1
    rows = page.locator("table.totals tbody tr").all_inner_texts()
    assert any(row.startswith("globaltimes") for row in rows), rows
    assert page.locator("span.verdict-ok").count() >= 3
    _shot(page, "overview")
    _open(page, served, "/coverage?since=2026-09-01&until=2026-09-30")
    assert _charts_drawn(page) >= 4
    assert page.locator("li.gap").count() >= 1
    _shot(page, "coverage")
    _open(page, served, "/changes")
    text = page.locator("table.changes").inner_text()
    assert EDITED in text and DELETED in text and "title: “" in text
    _shot(page, "changes")
    assert problems == []


def test_search_in_english_and_in_chinese(
    browser_page: tuple[Page, list[str]], served: Served
) -> None:
    page, problems = browser_page
    _open(page, served, "/search")
    page.fill("form.search input[name=q]", "travel bookings")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("li.result")
    assert EDITED_TITLE in page.locator("li.result a.title").first.inner_text()
    marked = page.locator("li.result mark").all_inner_texts()
    assert "bookings" in {m.lower() for m in marked}, marked  # the snippet is from the text
    _shot(page, "search-en")
    page.fill("form.search input[name=q]", "自行车")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("li.result")
    titles = page.locator("li.result a.title").all_inner_texts()
    assert any("自行车" in t for t in titles), titles
    assert "自行车" in page.locator("li.result mark").all_inner_texts()
    _shot(page, "search-zh")
    assert problems == []


def test_the_diff_marks_the_changed_words_and_replay_opens(
    browser_page: tuple[Page, list[str]], served: Served
) -> None:
    page, problems = browser_page
    _open(page, served, f"/article?url={quote(EDITED)}")
    assert page.locator("h1.title").inner_text() == EDITED_TITLE
    assert page.locator("table.versions tbody tr").count() == 2
    _shot(page, "article")
    page.click("text=diff with 1")
    page.wait_for_selector("table.diff")
    removed = " ".join(page.locator("td.old del").all_inner_texts())
    added = " ".join(page.locator("td.new ins").all_inner_texts())
    assert "tourism" in removed and "travel" in added, (removed, added)
    assert "CORRECTION" in added
    _shot(page, "diff")
    assert problems == []
    replay = page.locator("a.replay").last.get_attribute("href")
    assert replay is not None and served.replay is not None and replay.startswith(served.replay)
    page.locator("a.replay").last.click()
    assert _replayed(page, "CORRECTION"), page.url
    _shot(page, "replay")


def _replayed(page: Page, text: str, seconds: float = 60.0) -> bool:
    """True once some frame of the page (pywb's replay frame) shows `text`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                body = frame.evaluate("() => document.body ? document.body.innerText : ''")
            except Exception:
                continue
            if text in str(body):
                return True
        page.wait_for_timeout(250)
    return False


def test_payloads_in_an_archived_page_are_shown_as_text(
    browser_page: tuple[Page, list[str]], served: Served
) -> None:
    page, problems = browser_page
    problems.clear()
    _open(page, served, f"/article?url={quote(HOSTILE)}")
    assert page.locator("h1.title").inner_text() == XSS_TITLE
    assert XSS_TEXT in page.locator("div.text").inner_text()
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("div.text img, h1 img, h1 script").count() == 0
    _shot(page, "xss")
    _open(page, served, "/search?q=canteens")
    assert XSS_TITLE in page.locator("li.result a.title").first.inner_text()
    assert page.evaluate("() => window.__xss") is None
    assert problems == []
