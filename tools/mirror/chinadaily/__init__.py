"""China Daily's reconstructed pages: articles, the photo story's later pages, soft 404, lists."""

from __future__ import annotations

from pathlib import Path

from tools.mirror.chinadaily import articles, sections
from tools.mirror.chinadaily import text as c
from tools.mirror.chinadaily.lists import list_page
from tools.mirror.chinadaily.photo import photo_page
from tools.mirror.markup import Files, site_path


def _article_files() -> Files:
    files: Files = {}
    current = [a for a in c.CD_ARTICLES if a.template == "current-en"]
    for a in c.CD_ARTICLES:
        if a.template == "current-en":
            files[site_path(a.url)] = articles.current(a, current).encode("utf-8")
        elif a.template == "legacy-en":
            rel = [o for o in c.CD_ARTICLES if o.template == "legacy-en" and o.url != a.url]
            files[site_path(a.url)] = articles.legacy_en(a, rel).encode("utf-8")
        else:
            files[site_path(a.url)] = articles.legacy_zh(a)
    files[site_path(c.CD_SOFT_404_URL)] = articles.soft_404().encode("utf-8")
    return files


def _photo_files(source_root: Path) -> Files:
    files: Files = {}
    page1 = (source_root / site_path(c.CD_REAL_PHOTO)).read_text(encoding="utf-8")
    total = len(c.CD_PHOTO_PAGES) + 1
    for n, fig in enumerate(c.CD_PHOTO_PAGES, start=2):
        url = c.CD_REAL_PHOTO.removesuffix(".html") + f"_{n}.html"
        files[site_path(url)] = photo_page(page1, n, total, fig).encode("utf-8")
    return files


def _list_files() -> Files:
    files: Files = {}
    lists = sections.list_items()
    for (path, page), items in lists.items():
        section, title, catalog = sections.SECTIONS[path]
        pages = max(p for (q, p) in lists if q == path)
        chinese = sections.CHINESE_RAIL.get(path, ()) if page == 1 else ()
        lead = sections.LEADS.get(path, ()) if page == 1 else ()
        html = list_page(section, title, catalog, items, page, pages, chinese, lead)
        files[site_path(sections.list_url(path, page))] = html.encode("utf-8")
    return files


def files(source_root: Path) -> Files:
    """Every generated China Daily page; the photo story's page 1 is read under `source_root`."""
    return {**_article_files(), **_photo_files(source_root), **_list_files()}
