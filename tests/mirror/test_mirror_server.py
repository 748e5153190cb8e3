"""The offline mirror server: routing by Host, encodings, routes.json behaviour, overlays."""

from __future__ import annotations

import gzip
import http.client
import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from archiver.mirror import MirrorServer, bundled_root, load_manifest
from archiver.sites.urls import absolute_url, parse_article_url

SITE = bundled_root() / "site"
FITNESS = "https://www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html"


pytestmark = pytest.mark.unit


def fetch(
    server: MirrorServer, url: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Request a real-site URL from the mirror the way the crawler does; raw (undecoded) body."""
    parts = urlsplit(url)
    port = urlsplit(server.url).port
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn.request(method, path, headers={"Host": parts.netloc, **(headers or {})})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, resp.getheaders(), body


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name.lower()), None)


def site_file(url: str) -> Path:
    parts = urlsplit(url)
    path = parts.path
    if path.endswith("/") or "." not in path.rsplit("/", 1)[-1]:
        path = path.rstrip("/") + "/index.html"
    return SITE / f"{parts.hostname}{path}"


def test_article_served_byte_identical(mirror: MirrorServer) -> None:
    status, headers, body = fetch(mirror, FITNESS)
    assert status == 200
    assert body == site_file(FITNESS).read_bytes()
    assert header(headers, "Content-Type") == "text/html; charset=utf-8"
    assert header(headers, "Content-Encoding") is None


def test_gzip_when_asked(mirror: MirrorServer) -> None:
    status, headers, body = fetch(mirror, FITNESS, headers={"Accept-Encoding": "gzip, deflate"})
    assert status == 200
    assert header(headers, "Content-Encoding") == "gzip"
    assert header(headers, "Content-Length") == str(len(body))
    assert gzip.decompress(body) == site_file(FITNESS).read_bytes()


def test_gzip_is_deterministic(mirror: MirrorServer) -> None:
    first = fetch(mirror, FITNESS, headers={"Accept-Encoding": "gzip"})[2]
    second = fetch(mirror, FITNESS, headers={"Accept-Encoding": "gzip"})[2]
    assert first == second


def test_identity_when_gzip_refused(mirror: MirrorServer) -> None:
    _, headers, body = fetch(mirror, FITNESS, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert header(headers, "Content-Encoding") is None
    assert body == site_file(FITNESS).read_bytes()


def test_non_gzip_route_ignores_accept_encoding(mirror: MirrorServer) -> None:
    url = "https://www.chinadaily.com.cn/a/202609/27/WS6ab878a0a3107a2e1d4f8b92.html"
    status, headers, body = fetch(mirror, url, headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert header(headers, "Content-Encoding") is None
    assert body == site_file(url).read_bytes()


def test_chunked_route_is_chunked_on_the_wire(mirror: MirrorServer) -> None:
    url = "https://www.chinadaily.com.cn/a/202609/23/WS6ab3c558a3107a2e1d4f4f10.html"
    port = urlsplit(mirror.url).port
    assert port is not None
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"GET /a/202609/23/WS6ab3c558a3107a2e1d4f4f10.html HTTP/1.1\r\n"
            b"Host: www.chinadaily.com.cn\r\nConnection: close\r\n\r\n"
        )
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").lower().split("\r\n")
    assert "transfer-encoding: chunked" in lines
    assert not any(line.startswith("content-length:") for line in lines)
    # De-chunk by hand: the payload must be the file, in more than one chunk.
    body, chunks = b"", 0
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        body, rest, chunks = body + rest[:size], rest[size + 2 :], chunks + 1
    assert chunks > 1
    assert body == site_file(url).read_bytes()


def test_redirect_location_is_real_absolute_url(mirror: MirrorServer) -> None:
    manifest = load_manifest()
    (redirect,) = manifest.redirects
    status, headers, _ = fetch(mirror, redirect.url)
    assert status == 301
    assert header(headers, "Location") == redirect.location
    assert redirect.location.startswith("https://www.chinadaily.com.cn/a/")


def test_unknown_path_and_host_are_404(mirror: MirrorServer) -> None:
    assert fetch(mirror, "https://www.chinadaily.com.cn/no/such/page.html")[0] == 404
    assert fetch(mirror, "https://www.example.com/")[0] == 404
    assert fetch(mirror, "https://www.chinadaily.com.cn/robots.txt")[0] == 404


def test_path_traversal_is_refused(mirror: MirrorServer) -> None:
    assert fetch(mirror, "https://www.chinadaily.com.cn/../../routes.json")[0] == 404
    assert fetch(mirror, "https://www.chinadaily.com.cn/a/%2e%2e/%2e%2e/x.html")[0] == 404


def test_head_has_headers_and_no_body(mirror: MirrorServer) -> None:
    status, headers, body = fetch(mirror, FITNESS, method="HEAD")
    assert status == 200
    assert body == b""
    assert header(headers, "Content-Length") == str(len(site_file(FITNESS).read_bytes()))


def test_gb2312_page_charset_header(mirror: MirrorServer) -> None:
    url = "https://cn.chinadaily.com.cn/2014-03/05/content_17323881.htm"
    status, headers, body = fetch(mirror, url)
    assert status == 200
    assert header(headers, "Content-Type") == "text/html; charset=gb2312"
    assert "北京今年将新增公共自行车一万辆" in body.decode("gb2312")


def test_content_types(mirror: MirrorServer) -> None:
    _, headers, _ = fetch(mirror, "https://www.globaltimes.cn/sitemap.xml")
    assert header(headers, "Content-Type") == "application/xml"
    _, headers, body = fetch(mirror, "https://www.globaltimes.cn/robots.txt")
    assert header(headers, "Content-Type") == "text/plain; charset=utf-8"
    assert b"Sitemap: https://www.globaltimes.cn/sitemap.xml" in body


def test_repeated_set_cookie_headers(mirror: MirrorServer) -> None:
    _, headers, _ = fetch(mirror, "https://www.chinadaily.com.cn/world/china-us")
    cookies = [v for k, v in headers if k.lower() == "set-cookie"]
    assert len(cookies) == 2


def test_directory_urls_map_to_index(mirror: MirrorServer) -> None:
    index = (SITE / "www.globaltimes.cn/china/index.html").read_bytes()
    for url in ("https://www.globaltimes.cn/china/", "https://www.globaltimes.cn/china/index.html"):
        assert fetch(mirror, url)[2] == index


def test_query_ignored_unless_routed(mirror: MirrorServer) -> None:
    assert fetch(mirror, FITNESS + "?from=list")[2] == site_file(FITNESS).read_bytes()


def test_requests_are_recorded_with_host(mirror: MirrorServer) -> None:
    fetch(mirror, "https://www.globaltimes.cn/robots.txt?probe=recorded")
    last = mirror.requests[-1]
    assert (last.host, last.method, last.path) == (
        "www.globaltimes.cn",
        "GET",
        "/robots.txt?probe=recorded",
    )
    assert last.header("host") == "www.globaltimes.cn"


def _overlay(tmp_path: Path, routes: dict[str, object], files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        target = tmp_path / "site" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (tmp_path / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    return tmp_path


def test_429_then_200_with_retry_after(tmp_path: Path) -> None:
    overlay = _overlay(
        tmp_path, {"www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html":
                   {"status": 429, "retry_after": 1, "times": 2}}, {}
    )  # fmt: skip
    with MirrorServer(overlays=[overlay]) as server:
        first, second, third = (fetch(server, FITNESS) for _ in range(3))
    assert [first[0], second[0], third[0]] == [429, 429, 200]
    assert header(first[1], "Retry-After") == "1"
    assert third[2] == site_file(FITNESS).read_bytes()


def test_throttle_state_is_per_server(tmp_path: Path) -> None:
    overlay = _overlay(
        tmp_path, {"www.globaltimes.cn/robots.txt": {"status": 429, "retry_after": 1, "times": 1}},
        {},
    )  # fmt: skip
    for _ in range(2):
        with MirrorServer(overlays=[overlay]) as server:
            assert fetch(server, "https://www.globaltimes.cn/robots.txt")[0] == 429


def test_overlay_overrides_file_and_adds_robots(tmp_path: Path) -> None:
    overlay = _overlay(
        tmp_path,
        {},
        {
            "www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html": b"<html>v2</html>",
            "www.chinadaily.com.cn/robots.txt": b"User-agent: *\nDisallow: /a/\n",
        },
    )
    with MirrorServer(overlays=[overlay]) as server:
        assert fetch(server, FITNESS)[2] == b"<html>v2</html>"
        status, _, body = fetch(server, "https://www.chinadaily.com.cn/robots.txt")
        assert (status, body) == (200, b"User-agent: *\nDisallow: /a/\n")
        # Bundled routes still apply where the overlay says nothing.
        redirect = load_manifest().redirects[0]
        assert fetch(server, redirect.url)[0] == 301


def test_overlay_route_replaces_bundled_route(tmp_path: Path) -> None:
    redirect = load_manifest().redirects[0]
    key = urlsplit(redirect.url).hostname + urlsplit(redirect.url).path  # type: ignore[operator]
    overlay = _overlay(tmp_path, {key: {"status": 410}}, {})
    with MirrorServer(overlays=[overlay]) as server:
        assert fetch(server, redirect.url)[0] == 410


def test_url_requires_start() -> None:
    with pytest.raises(RuntimeError):
        _ = MirrorServer().url


def test_binds_loopback_by_default(mirror: MirrorServer) -> None:
    assert mirror.url.startswith("http://127.0.0.1:")


# ---------------------------------------------------------------------------------------------
# The bundled data, served


def test_every_manifest_url_answers_as_declared(mirror: MirrorServer) -> None:
    manifest = load_manifest()
    for article in manifest.articles:
        pages = parse_article_url(article.url)
        assert pages is not None, article.url
        for n in range(1, article.pages + 1):
            status, _, _ = fetch(mirror, pages.page_url(n))
            assert status == article.status, pages.page_url(n)
    for url in (*manifest.lists, *manifest.others):
        assert fetch(mirror, url)[0] == 200, url
    for url in manifest.missing:
        assert fetch(mirror, url)[0] == 404, url
    for r in manifest.redirects:
        assert fetch(mirror, r.url)[0] == r.status


def _served(mirror: MirrorServer, url: str) -> bool:
    status, headers, _ = fetch(mirror, url, method="HEAD")
    if status in (301, 302):
        location = header(headers, "Location")
        return location is not None and fetch(mirror, location, method="HEAD")[0] == 200
    return status == 200


def test_list_pages_link_only_to_served_articles_and_pages(mirror: MirrorServer) -> None:
    manifest = load_manifest()
    checked = 0
    for list_url in manifest.lists:
        body = fetch(mirror, list_url)[2]
        if list_url.endswith(".xml"):
            root = lxml_html.etree.fromstring(body)  # type: ignore[attr-defined]
            hrefs = [
                el.text for el in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
            ]
        else:
            doc = lxml_html.fromstring(body)
            # Article links anywhere, plus the pager: what a list spider follows.
            hrefs = [
                h for h in doc.xpath("//a/@href") if parse_article_url(absolute_url(h, list_url))
            ]
            hrefs += doc.xpath('//div[@id="div_currpage"]//a/@href')
            hrefs += doc.xpath('//div[@class="selectpage"]//a[@class="pagestyle"]/@href')
        assert hrefs, list_url
        for href in hrefs:
            url = absolute_url(href, list_url)
            assert _served(mirror, url), f"{list_url} links {url}, which the mirror does not serve"
            checked += 1
    assert checked > 20


def test_every_manifest_article_is_linked_from_a_default_start_page(mirror: MirrorServer) -> None:
    """So a crawl with no urls= (first list pages and the sitemap only) finds every article."""
    manifest = load_manifest()
    linked: set[str] = set()
    for site in ("chinadaily", "globaltimes"):
        for list_url in manifest.default_start_pages(site):
            body = fetch(mirror, list_url)[2].decode("utf-8")
            linked.update(a.url for a in manifest.articles if a.url.split("://", 1)[1] in body)
    redirected = {r.location for r in manifest.redirects}
    assert {a.url for a in manifest.articles} - linked - redirected == set()
    assert manifest.unreached("chinadaily") == manifest.unreached("globaltimes") == []


def _jpeg_size(data: bytes) -> tuple[int, int]:
    # (width, height) from the SOF0 segment of a baseline JPEG; AssertionError if malformed.
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    pos = 2
    while pos < len(data):
        assert data[pos] == 0xFF, pos
        marker, length = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xC0:
            body = data[pos + 4 : pos + 2 + length]
            return int.from_bytes(body[3:5], "big"), int.from_bytes(body[1:3], "big")
        pos += 2 + length
    raise AssertionError("no SOF0 segment")


def test_page_requisites_are_served_and_linked(mirror: MirrorServer) -> None:
    """A picture and a stylesheet of at least one article per site, marked reconstructed."""
    manifest = load_manifest()
    pages = {r.page for r in manifest.requisites}
    assert {parse_article_url(p).site for p in pages} == {"chinadaily", "globaltimes"}  # type: ignore[union-attr]
    for req in manifest.requisites:
        status, headers, body = fetch(mirror, req.url)
        assert status == 200, req.url
        assert (header(headers, "Content-Type") or "").split(";")[0] == req.content_type
        assert b"reconstructed for the archiver mirror:" in body[:200], req.url
        page = fetch(mirror, req.page)[2].decode("utf-8")
        parts = urlsplit(req.url)
        assert f"//{parts.netloc}{parts.path}" in page, (req.page, req.url)
        if req.content_type == "image/jpeg":
            assert header(headers, "Content-Encoding") is None
            width, height = _jpeg_size(body)
            assert width > 8 and height > 8
