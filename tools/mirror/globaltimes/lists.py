"""Global Times discovery pages: section indexes, the news sitemap and robots.txt.

Section indexes follow docs/sites.md 2.2, the sitemap and robots.txt docs/sites.md 2.5.

Their marks say "per SITES.md 2.2" and "2.5": the reference notes docs/sites.md was written from,
with the same section numbers. The served bytes stay as they are, so the marks keep that name.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from tools.mirror.globaltimes.dates import list_time, sitemap_time
from tools.mirror.markup import MARK, esc, fill, template
from tools.mirror.model import GtArticle

ROBOTS = "User-agent: *\nSitemap: https://www.globaltimes.cn/sitemap.xml\n"
_DEFAULT_IMAGE = "https://www.globaltimes.cn/img/default_list.jpg"


def _summary(a: GtArticle) -> str:
    return esc(a.subtitle or a.paragraphs[0])


def _img(a: GtArticle) -> str:
    return a.figure.src if a.figure else _DEFAULT_IMAGE


def _by(a: GtArticle) -> str:
    # The `div.source_time` prefix: "By X and Y", or "Source: Xinhua" when no author.
    if not a.authors:
        return f"Source: {a.source}"
    return "By " + " and ".join(a.authors)


def _top_blocks(articles: list[GtArticle]) -> str:
    # `div.china_article_form1` (a.new_title_ml), then form2..4 (a.new_title_ms).
    first, rest = articles[0], articles[1:]
    top = [
        '      <div class="china_article_form1">\n'
        f'        <div class="form1_img"><a href="{first.url}" target="_blank"><img src="{_img(first)}"></a></div>\n'  # noqa: E501
        f'        <a class="new_title_ml" href="{first.url}" target="_blank">{esc(first.title)}</a>\n'  # noqa: E501
        f'        <div class="form1_desc"><p>{_summary(first)}</p></div>\n      </div>'
    ]
    for i, a in enumerate(rest[:3]):
        top.append(
            f'      <div class="china_article_form{i + 2}">\n'
            f'        <a class="new_title_ms" href="{a.url}" target="_blank">{esc(a.title)}</a>\n'
            f'        <div class="form2_desc"><p>{_summary(a)}</p></div>\n      </div>'
        )
    return "\n".join(top)


def _mid_blocks(articles: list[GtArticle]) -> str:
    return "\n".join(
        '    <div class="mid_elem">\n'
        f'      <div class="column_title"><a href="https://www.globaltimes.cn/{a.column[-1][1]}/index.html">{a.column[-1][0]}</a></div>\n'
        f'      <div class="mid_title"><a href="{a.url}" target="_blank">{esc(a.title)}</a></div>\n'
        f'      <div class="mid_desc">{_summary(a)}</div>\n    </div>'
        for a in articles[:2]
    )


def _more_items(articles: Sequence[GtArticle]) -> str:
    # The "MORE" list, the one place list pages print a date (`div.source_time`).
    return "\n".join(
        "          <li>\n"
        f'            <div class="list_img"><a href="{a.url}" target="_blank"><img src="{_img(a)}"></a></div>\n'  # noqa: E501
        '            <div class="list_info">\n'
        f'              <a class="new_title_ms" href="{a.url}" target="_blank">{esc(a.title)}</a>\n'
        f"              <p>{_summary(a)}</p>\n"
        f'              <div class="source_time">{esc(_by(a))} | {list_time(a.published)}</div>\n'
        "            </div>\n          </li>"
        for a in articles
    )


def section_index(
    section: str, heading: str, articles: list[GtArticle], older: Sequence[GtArticle] = ()
) -> str:
    """A section index page in the current list markup.

    `older` articles appear only at the end of the "MORE" list, after `articles`.
    """
    bottom = "\n".join(
        f'        <li><a class="new_title_ss" href="{a.url}" target="_blank">{esc(a.title)}</a></li>'  # noqa: E501
        for a in articles
    )
    page = fill(
        template("gt_list.html"),
        heading=heading,
        heading_title=heading.title(),
        section=section,
        top_blocks=_top_blocks(articles),
        mid_blocks=_mid_blocks(articles),
        bottom_items=bottom,
        more_items=_more_items([*articles, *older]),
    )
    return MARK.format(f"{section} index page, current list markup per SITES.md 2.2") + page


def sitemap(articles: list[GtArticle]) -> str:
    """Google News sitemap of the latest articles, newest first."""
    entries = []
    for a in sorted(articles, key=lambda x: x.published, reverse=True):
        entries.append(
            "<url>\n"
            f"<loc>{a.url}</loc>\n"
            "<news:news>\n<news:publication>\n<news:name>Global Times</news:name>\n"
            "<news:language>en</news:language>\n</news:publication>\n"
            f"<news:publication_date>{sitemap_time(a.published)}</news:publication_date>\n"
            f"<news:title>{html.escape(a.title, quote=False)}</news:title>\n"
            f"<news:keywords>{html.escape(','.join(a.keywords), quote=False)},</news:keywords>\n"
            "</news:news>\n</url>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<!-- reconstructed for the archiver mirror: Google News sitemap per SITES.md 2.5 -->\n"
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        + "\n".join(entries)
        + "\n</urlset>\n"
    )
