"""A replayed article opened in real headless Chromium: what a reader would see."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.mirror import MirrorServer, load_manifest
from archiver.replay.server import ReplayServer
from tests.crawling import REPO, run_crawl
from tests.replaying import records, replay_env

pytestmark = [pytest.mark.crawl, pytest.mark.replay, pytest.mark.browser]

ARTIFACTS = REPO / "test-artifacts"
ARTICLE = "https://www.chinadaily.com.cn/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html"
IMAGE = "https://img2.chinadaily.com.cn/images/archiver-test/lead.png"
MAGENTA = (255, 0, 255)  # a colour no page of the mirror uses


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour 8-bit RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _pixels(png: bytes, rgb: tuple[int, int, int]) -> int:
    """How many pixels of an 8-bit RGB or RGBA PNG (as Chromium writes) have colour `rgb`."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    position, data, width, height, kind = 8, b"", 0, 0, 0
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        name = png[position + 4 : position + 8]
        body = png[position + 8 : position + 8 + length]
        if name == b"IHDR":
            width, height, depth, kind = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and kind in (2, 6), (depth, kind)
        elif name == b"IDAT":
            data += body
        position += 12 + length
    raw = zlib.decompress(data)
    step = 3 if kind == 2 else 4
    stride = width * step
    previous = bytearray(stride)
    count = 0
    for y in range(height):
        start = y * (stride + 1)
        kind_of_filter = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - step] if x >= step else 0
            up = previous[x]
            corner = previous[x - step] if x >= step else 0
            if kind_of_filter == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind_of_filter == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind_of_filter == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind_of_filter == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + best) & 0xFF
        count += sum(1 for x in range(0, stride, step) if tuple(line[x : x + 3]) == rgb)
        previous = line
    return count


def _overlay(base: Path) -> Path:
    """The article with a lead image in its body, and the image, as mirror overlay files."""
    bundled = REPO / "archiver" / "mirror" / "site"
    relative = Path("www.chinadaily.com.cn") / ARTICLE.split(".com.cn/", 1)[1]
    html = (bundled / relative).read_text("utf-8")
    marker = '<div id="Content">'
    assert marker in html
    lead = f'<figure><img src="{IMAGE}" width="400" height="300" alt="lead"></figure>'
    page = base / "site" / relative
    page.parent.mkdir(parents=True)
    page.write_text(html.replace(marker, marker + lead, 1), "utf-8")
    image = base / "site" / "img2.chinadaily.com.cn" / IMAGE.split(".com.cn/", 1)[1]
    image.parent.mkdir(parents=True)
    image.write_bytes(_png(400, 300, MAGENTA))
    return base


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    return found


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1280,1600",
        "--virtual-time-budget=5000",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_replayed_article_renders_in_chromium(tmp_path: Path) -> None:
    binary = _chromium()
    root = tmp_path / "archive"
    urls = ",".join([*load_manifest().start_urls("chinadaily"), ARTICLE])
    with MirrorServer(overlays=[_overlay(tmp_path / "overlay")]) as mirror:
        crawl = run_crawl("chinadaily", root, mirror.url, args={"urls": urls})
        assert crawl.returncode == 0, crawl.log[-3000:]
    assert crawl.stats.get("archiver/requisites/fetched", 0) >= 1
    record = next(r for r in records(root) if r["url"] == ARTICLE)
    capture = record["captures"][0]
    ts = datetime.fromisoformat(capture["fetched_at"]).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    with ReplayServer(root, replay_env(), reindex_interval=0) as server:
        url = f"{server.url}{ts}mp_/{capture['url']}"
        dom = _run_chromium(binary, tmp_path / "profile-dom", "--dump-dom", url)
        assert dom.returncode == 0, dom.stderr[-2000:]
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"replay-{record['article_id']}.png"
        shot.unlink(missing_ok=True)
        taken = _run_chromium(binary, tmp_path / "profile-shot", f"--screenshot={shot}", url)
        assert taken.returncode == 0, taken.stderr[-2000:]
    title = re.search(r"<title>(.*?)</title>", dom.stdout, re.S)
    assert title is not None, dom.stdout[:2000]
    assert record["title"] in " ".join(title.group(1).split())
    body_text = re.sub(r"<[^>]+>", " ", dom.stdout)
    assert record["title"] in " ".join(body_text.split())
    assert "not found" not in dom.stdout.lower()
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank square
    # The lead image was archived with the page and replays: its pixels are on screen.
    assert _pixels(shot.read_bytes(), MAGENTA) > 10_000, "the lead image did not render"
