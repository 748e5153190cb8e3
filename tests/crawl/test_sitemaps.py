"""Google News sitemap reading."""

from __future__ import annotations

from datetime import date

import pytest

from archiver.crawl.sitemaps import iter_news_sitemap

pytestmark = pytest.mark.unit

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url>
    <loc>https://www.globaltimes.cn/page/202609/1371581.shtml</loc>
    <news:news>
      <news:publication><news:name>Global Times</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2026-09-25T07:48:03+08:00</news:publication_date>
      <news:title>A title</news:title>
      <news:keywords>a,b,</news:keywords>
    </news:news>
  </url>
  <url><loc>https://www.globaltimes.cn/page/202609/1371580.shtml</loc></url>
</urlset>"""


def test_entries_with_news_fields() -> None:
    entries = list(iter_news_sitemap(NEWS_SITEMAP))
    assert [e.url for e in entries] == [
        "https://www.globaltimes.cn/page/202609/1371581.shtml",
        "https://www.globaltimes.cn/page/202609/1371580.shtml",
    ]
    assert entries[0].published == "2026-09-25T07:48:03+08:00"
    assert entries[0].day == date(2026, 9, 25)
    assert entries[0].title == "A title"
    assert entries[1].published is None and entries[1].day is None


def test_entities_are_not_expanded_and_truncation_keeps_earlier_entries() -> None:
    hostile = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&e;https://a/</loc></url>'
    )
    entries = list(iter_news_sitemap(hostile))
    assert all("root:" not in e.url for e in entries)
    cut = NEWS_SITEMAP[
        : NEWS_SITEMAP.index(b"<url><loc>https://www.globaltimes.cn/page/202609/1371580") + 20
    ]
    assert next(e.url for e in iter_news_sitemap(cut)).endswith("1371581.shtml")
