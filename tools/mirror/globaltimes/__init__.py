"""Global Times's reconstructed pages: articles, section indexes, sitemap and robots.txt."""

from __future__ import annotations

from tools.mirror.globaltimes import articles, lists
from tools.mirror.globaltimes import text as g
from tools.mirror.markup import Files, site_path


def section_url(section: str) -> str:
    """The real URL of a section's index page."""
    return f"https://www.globaltimes.cn/{section}/index.html"


def files() -> Files:
    """Every generated Global Times file, keyed by path relative to the mirror root."""
    out: Files = {}
    by_id = {a.article_id: a for a in g.GT_ARTICLES}
    for a in g.GT_ARTICLES:
        text = articles.current(a, by_id) if a.month else articles.legacy(a)
        out[site_path(a.url)] = text.encode("utf-8")
    for section, (heading, ids) in g.GT_SECTIONS.items():
        older = [by_id[i] for i in g.GT_SECTION_OLDER.get(section, ())]
        text = lists.section_index(section, heading, [by_id[i] for i in ids], older)
        out[site_path(section_url(section))] = text.encode("utf-8")
    in_sitemap = [a for a in g.GT_ARTICLES if a.in_sitemap]
    out["site/www.globaltimes.cn/sitemap.xml"] = lists.sitemap(in_sitemap).encode("utf-8")
    out["site/www.globaltimes.cn/robots.txt"] = lists.ROBOTS.encode("ascii")
    return out
