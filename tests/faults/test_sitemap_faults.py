"""Hostile sitemaps at Global Times: entity expansion, external entities, empty and HTML bodies.

One crawl of four sitemaps and an article answering 999 on the fault server's Global Times host.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from archiver.replay.env import ReplayEnv
from tests.crawling import CrawlResult, run_crawl
from tests.faults.checks import TRACEBACK, responses, verify
from tests.faults.server import FaultServer, answer

pytestmark = pytest.mark.crawl

GT = "www.globaltimes.cn"
XML = {"Content-Type": "application/xml"}
LAUGHED = "https://www.globaltimes.cn/page/202609/1371581.shtml"
EXTERNAL = "https://www.globaltimes.cn/page/202609/1371539.shtml"
ODD_STATUS = "/page/202609/1379999.shtml"
_LOL = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)).replace(
    "&lol0;" * 10, "lol"
)
LAUGHS = (
    f'<?xml version="1.0"?><!DOCTYPE urlset [{_LOL}]>'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    f"<url><loc>{LAUGHED}</loc><lastmod>&lol9;</lastmod></url></urlset>"
).encode()
XXE = (
    '<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    f"<url><loc>{EXTERNAL}</loc><lastmod>&e;</lastmod></url>"
    f"<url><loc>https://{GT}{ODD_STATUS}</loc></url></urlset>"
).encode()
FAULTS = {
    "/sitemap-laughs.xml": answer(200, LAUGHS, XML),
    "/sitemap-xxe.xml": answer(200, XXE, XML),
    "/sitemap-empty.xml": answer(200, b"", XML),
    "/sitemap-html.xml": answer(200, b"<html><body>Maintenance</body></html>", XML),
    ODD_STATUS: answer(999, b"<html><body>odd</body></html>"),
}


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer({f"{GT}{path}": fault for path, fault in FAULTS.items()}) as fault_server:
        yield fault_server


@pytest.fixture(scope="module")
def crawl(server: FaultServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    sitemaps = [f"https://{GT}{path}" for path in FAULTS if path.endswith(".xml")]
    return run_crawl(
        "globaltimes",
        tmp_path_factory.mktemp("sitemaps"),
        server.url,
        args={"urls": ",".join(sitemaps)},
        timeout=120,
    )


def test_the_run_is_healthy_and_prints_no_traceback(crawl: CrawlResult) -> None:
    assert crawl.returncode == 0, crawl.log[-3000:]
    assert TRACEBACK not in crawl.log


def test_entities_are_neither_expanded_nor_fetched(crawl: CrawlResult, server: FaultServer) -> None:
    recorded = {r["url"] for r in crawl.records()}
    assert {LAUGHED, EXTERNAL} <= recorded
    assert all("root:" not in r.path and "lol" not in r.path for r in server.requests)
    assert all("root:x" not in r["text"] for r in crawl.records())


def test_sitemaps_that_do_not_parse_are_counted_and_logged(crawl: CrawlResult) -> None:
    assert crawl.stats["archiver/discovery/list_failed/unparseable_sitemap"] == 2
    assert "sitemap https://www.globaltimes.cn/sitemap-empty.xml not parsed" in crawl.log
    assert "sitemap https://www.globaltimes.cn/sitemap-html.xml not parsed" in crawl.log
    for path in ("/sitemap-empty.xml", "/sitemap-html.xml"):
        assert [r.http_status for r in responses(crawl.root)[f"https://{GT}{path}"]] == [200]


def test_a_999_on_the_second_site_is_archived_and_counted(crawl: CrawlResult) -> None:
    assert [r.http_status for r in responses(crawl.root)[f"https://{GT}{ODD_STATUS}"]] == [999]
    assert crawl.stats["archiver/http/unusual_status/999"] == 1


@pytest.mark.replay
def test_verify_is_clean(crawl: CrawlResult, env: ReplayEnv) -> None:
    done = verify(crawl.root, env.path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "result: ok" in done.stdout
