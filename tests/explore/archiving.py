"""An archive for the explorer's tests: both sites crawled from the mirror, then a second
Global Times run against a mirror where one article was edited and one deleted (404)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from archiver.mirror import MirrorServer, bundled_root, load_manifest
from tests.crawling import run_crawl

EDITED: Final = "https://www.globaltimes.cn/page/202609/1371581.shtml"
DELETED: Final = "https://www.globaltimes.cn/page/202609/1371412.shtml"
EDITED_TITLE: Final = "Autumn travel bookings soar ahead of National Day"
ADDED_WORDS: Final = "CORRECTION: an earlier version misstated the figures."
REFRESH: Final = {"mode": "refresh", "days": "36500"}


def edit_overlay(base: Path) -> Path:
    """Mirror overlay: EDITED's headline and first paragraph changed, DELETED answers 404."""
    manifest = load_manifest()
    source = bundled_root() / "site" / "www.globaltimes.cn" / "page" / "202609"
    html = (source / "1371581.shtml").read_text(encoding="utf-8")
    old_title = manifest.article(EDITED).title
    snippet = manifest.article(EDITED).text_includes[0]
    assert old_title and f'class="article_title">{old_title}<' in html
    head, body = html.split('class="article_right"', 1)
    assert snippet in body
    html = (
        head.replace(
            f'class="article_title">{old_title}<', f'class="article_title">{EDITED_TITLE}<'
        )
        + 'class="article_right"'
        + body.replace(snippet, f"{ADDED_WORDS} {snippet}", 1)
    )
    target = base / "site" / "www.globaltimes.cn" / "page" / "202609"
    target.mkdir(parents=True)
    (target / "1371581.shtml").write_text(html, encoding="utf-8")
    routes = {"www.globaltimes.cn/page/202609/1371412.shtml": {"status": 404}}
    (base / "routes.json").write_text(json.dumps(routes), encoding="utf-8")
    return base


def edited_archive(root: Path, overlay: Path, overlays: list[Path] | None = None) -> Path:
    """Crawl both sites into `root` (with `overlays` on the mirror), then refresh Global
    Times against the edited mirror (`overlay` is made there); returns root."""
    manifest = load_manifest()
    with MirrorServer(overlays=overlays or []) as mirror:
        for site in ("chinadaily", "globaltimes"):
            urls = ",".join(manifest.start_urls(site))
            result = run_crawl(site, root, mirror.url, args={"urls": urls})
            assert result.returncode == 0, result.log[-3000:]
    with MirrorServer(overlays=[*(overlays or []), edit_overlay(overlay)]) as mirror:
        result = run_crawl("globaltimes", root, mirror.url, args=REFRESH)
        assert result.returncode == 0, result.log[-3000:]
    return root
