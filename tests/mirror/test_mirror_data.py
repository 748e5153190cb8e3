"""The bundled mirror data: generated files up to date, real pages untouched, manifest true."""

from __future__ import annotations

import hashlib
import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.mirror import bundled_root, load_manifest
from archiver.sites.urls import parse_article_url
from tests.crawling import REPO

ROOT = bundled_root()
SITE = ROOT / "site"
MARK = b"<!-- reconstructed for the archiver mirror:"

# The real pages, byte-exact copies of the captures docs/sites.md 3 lists (sha256 of the originals).
REAL = {
    "www.chinadaily.com.cn/a/202405/13/WS664167f4a31082fc043c6af7.html":
        "a1368c647c36a6b68febeb356cea025b0ed6da3c364c04ec4f0d14c46e0b9527",
    "www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d.html":
        "833ac7389a58de9d011a845a5d044e5344095c7bb2e12c390802c1fefa02d8c6",
    "china.chinadaily.com.cn/a/202311/17/WS65571297a310d5acd876f404.html":
        "63e4217cc1cb4c3af0e0f57d0e2ed9ac82de56730392f9fee3932526c6779278",
    "www.globaltimes.cn/index.html":
        "6c973cfd85da9cf07df8c400ba6cdabb5c8391e0b4135fcad0e5bf9dd9572e03",
}  # fmt: skip


def _file(url: str) -> Path:
    host, _, path = url.split("://", 1)[1].partition("/")
    if not path or path.endswith("/") or "." not in path.rsplit("/", 1)[-1]:
        path = path.rstrip("/") + "/index.html"
    return SITE / host / path.lstrip("/")


def _text(path: Path) -> str:
    raw = path.read_bytes()
    encoding = "gb2312" if b"charset=gb2312" in raw[:2000] else "utf-8"
    return html.unescape(re.sub(r"\s+", " ", raw.decode(encoding)))


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """What `python -m tools.mirror` writes, run as documented into an empty directory."""
    out = tmp_path_factory.mktemp("mirror")
    done = subprocess.run(
        [sys.executable, "-m", "tools.mirror", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    files = _files(out)
    assert sorted(files) == done.stdout.split()
    return files


@pytest.mark.crawl  # runs the generator in a process of its own
def test_committed_mirror_is_what_the_generator_writes(generated: dict[str, bytes]) -> None:
    """Run `python -m tools.mirror` after editing tools/mirror/ (texts, templates, code)."""
    assert {"routes.json", "manifest.json"} <= set(generated)
    for rel, data in generated.items():
        assert (ROOT / rel).read_bytes() == data, f"{rel} is stale: run python -m tools.mirror"


@pytest.mark.crawl
def test_every_served_file_is_real_or_generated(generated: dict[str, bytes]) -> None:
    """A page the generator no longer writes must not linger in the package."""
    served = {f"site/{rel}" for rel in _files(SITE)}
    assert served - set(generated) == {f"site/{rel}" for rel in REAL}


@pytest.mark.unit
def test_the_package_holds_no_generator() -> None:
    """The generator lives in tools/mirror/: the package keeps the server and the data."""
    assert {p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.py")} == {
        "__init__.py",
        "__main__.py",
        "server.py",
    }
    assert not (ROOT / "templates").exists()


@pytest.mark.unit
@pytest.mark.parametrize("rel", sorted(REAL))
def test_real_pages_are_byte_exact(rel: str) -> None:
    data = (SITE / rel).read_bytes()
    assert hashlib.sha256(data).hexdigest() == REAL[rel]
    assert MARK not in data


@pytest.mark.unit
def test_every_other_html_page_is_marked_reconstructed() -> None:
    pages = [p for p in SITE.rglob("*") if p.suffix in (".html", ".htm", ".shtml", ".xml")]
    assert len(pages) > 30
    for page in pages:
        rel = page.relative_to(SITE).as_posix()
        if rel not in REAL:
            assert MARK in page.read_bytes()[:300], rel


@pytest.mark.unit
def test_pictures_and_stylesheets_are_marked_reconstructed() -> None:
    """In a JPEG comment segment or a CSS comment: none of them is a real capture."""
    files = [p for p in SITE.rglob("*") if p.suffix in (".jpg", ".jpeg", ".png", ".css")]
    assert {p.suffix for p in files} >= {".jpeg", ".css"}
    for path in files:
        head = path.read_bytes()[:200]
        assert b"reconstructed for the archiver mirror:" in head, path
        if path.suffix == ".jpeg":
            assert head.startswith(b"\xff\xd8\xff\xe0") and b"\xff\xfe" in head, path


@pytest.mark.unit
def test_sources_md_names_every_served_file() -> None:
    sources = (ROOT / "SOURCES.md").read_text(encoding="utf-8")
    for page in SITE.rglob("*"):
        if page.is_file():
            rel = page.relative_to(SITE).as_posix()
            assert rel in sources, f"{rel} missing from SOURCES.md"


@pytest.mark.unit
def test_gb2312_page_is_really_gb2312() -> None:
    raw = (SITE / "cn.chinadaily.com.cn/2014-03/05/content_17323881.htm").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert 'charset=gb2312"' in raw.decode("gb2312")


@pytest.mark.unit
def test_manifest_articles_are_article_urls_with_matching_ids() -> None:
    manifest = load_manifest()
    assert len(manifest.articles) == 20
    for a in manifest.articles:
        parsed = parse_article_url(a.url)
        assert parsed is not None, a.url
        assert (parsed.site, parsed.article_id, parsed.canonical) == (a.site, a.article_id, a.url)


@pytest.mark.unit
def test_manifest_titles_dates_and_bylines_are_on_the_pages() -> None:
    for a in load_manifest().articles:
        text = _text(_file(a.url))
        if a.expect == "not-article":
            assert "cannot be found" in text
            continue
        assert a.title is not None and a.title in text, a.url
        assert a.published is not None
        if a.site == "chinadaily":
            assert a.published in text, a.url
        for name in a.authors:
            assert name.lower() in text.lower(), (a.url, name)


@pytest.mark.unit
def test_manifest_text_snippets_are_on_the_pages() -> None:
    for a in load_manifest().articles:
        text = _text(_file(a.url))
        for snippet in (*a.text_includes, *a.text_excludes):
            assert html.unescape(snippet) in text, (a.url, snippet)


@pytest.mark.unit
def test_multi_page_article_pages_exist() -> None:
    photo = load_manifest().article(
        "https://www.chinadaily.com.cn/a/202405/20/WS664af0b2a31082fc043c814d.html"
    )
    assert photo.pages == 6
    parsed = parse_article_url(photo.url)
    assert parsed is not None
    for n in range(2, 7):
        assert _file(parsed.page_url(n)).is_file()
