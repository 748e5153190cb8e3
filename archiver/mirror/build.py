"""Regenerate the mirror's reconstructed pages, routes.json and manifest.json from content.py.

Run `python -m archiver.mirror.build` after editing content.py or templates/. Real captured pages
under site/ are inputs here (the photo story's later pages are derived from its real page 1) and
are never written. Output is deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import html
import json
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

from archiver.mirror import content as c
from archiver.mirror.server import BUNDLED_ROOT

TEMPLATES = Path(__file__).resolve().parent / "templates"
MARK = "<!-- reconstructed for the archiver mirror: {} -->\n"

Files = dict[str, bytes]  # path relative to the mirror root -> bytes


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def fill(template: str, **values: str) -> str:
    """Replace every {{name}} in `template`; ValueError when one is left without a value."""
    out = template
    for key, value in values.items():
        out = out.replace("{{" + key + "}}", value)
    left = re.findall(r"\{\{(\w+)\}\}", out)
    if left:
        raise ValueError(f"template placeholders without a value: {sorted(set(left))}")
    return out


def _tpl(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _site_path(url: str) -> str:
    """site/<host>/<path> for an absolute URL; directory URLs map to index.html."""
    parts = urlsplit(url)
    path = parts.path
    if path.endswith("/") or "." not in path.rsplit("/", 1)[-1]:
        path = path.rstrip("/") + "/index.html"
    return f"site/{parts.hostname}{path}"


def _pr(url: str) -> str:
    """Protocol-relative form, as China Daily pages link."""
    return "//" + url.split("://", 1)[1]


# ---------------------------------------------------------------------------------------------
# China Daily pieces

_CD_SUBNAV = {
    "china": ("China", (("News", "china/governmentandpolicy"), ("Society", "china/society"),
                        ("Innovation", "china/scitech"), ("Cover Story", "china/coverstory"),
                        ("Environment", "china/environment"))),
    "world": ("World", (("Asia-Pacific", "world/asia_pacific"), ("Americas", "world/america"),
                        ("Europe", "world/europe"), ("Middle East", "world/middle_east"),
                        ("Africa", "world/africa"), ("China-US", "world/china-us"),
                        ("China-Europe", "world/cn_eu"))),
    "business": ("Business", (("Economy", "business/economy"), ("Companies", "business/companies"),
                              ("Tech", "business/tech"), ("Finance", "business/money"))),
    "opinion": ("Opinion", (("Editorials", "opinion/editorials"),
                            ("Columnists", "opinion/columnists"),
                            ("Op-Ed", "opinion/op-ed"), ("Commentary", "opinion/commentator"))),
    "culture": ("Culture", (("Art", "culture/art"), ("Heritage", "culture/heritage"),
                            ("Music and Theater", "culture/musicandtheater"),
                            ("Film and TV", "culture/filmandtv"), ("Books", "culture/books"))),
    "life": ("Lifestyle", (("People", "life/people"), ("Fashion", "life/fashion"),
                           ("Celebrity", "life/celebrity"), ("Health", "life/health"))),
}  # fmt: skip


def _cd_subnav(top: str, article: bool) -> str:
    label, subs = _CD_SUBNAV[top]
    style = ' style="margin-bottom:0;"' if article else ""
    items = "".join(
        f'        <li>\n          <a target="_top" shape="rect" '
        f'href="//www.chinadaily.com.cn/{path}">{_e(name)}</a>\n        </li>\n'
        for name, path in subs
    )
    return f'    <div class="topNav2_art"{style}>\n      <span>{label}</span>\n      <ul>\n{items}      </ul>\n    </div>'  # noqa: E501


def _cd_breadcrumbs(section: tuple[tuple[str, str], ...], link_last: bool = True) -> str:
    span = ['          <a shape="rect" href="//www.chinadaily.com.cn">Home</a>']
    ol = ['           <li><a shape="rect" href="//www.chinadaily.com.cn">Home</a></li>']
    for i, (label, path) in enumerate(section):
        span.append(
            f'          <a shape="rect" href="//www.chinadaily.com.cn/{path}">/ {label}</a>'
        )
        if i == len(section) - 1 and not link_last:
            ol.append(f"                / {label}")
        else:
            ol.append(f'          <li><a shape="rect" href="//www.chinadaily.com.cn/{path}">'
                      f"{label}</a></li>")  # fmt: skip
    return (
        '    <div class="topNav3_art"> <span id="bread-nav">\n'
        + "\n".join(span)
        + "\n      </span></div>\n"
        + '    <!-- 响应式bread导航 -->\n    <ol class="breadcrumb res-m" id="bread-nav1">\n'
        + "\n".join(ol)
        + '\n      <img src="//www.chinadaily.com.cn/image_e/2020/share/share.png" '
        'class="share-icon" alt="Share to ..." title="Share to ...">\n    </ol>'
    )


def _cd_figure(fig: c.Figure, indent: str = "        ") -> str:
    img_id = fig.src.rsplit("/", 1)[-1].split(".")[0]
    return (
        f'{indent}<figure class="image" style="display: table;"> \n'
        f' <img src="{fig.src}" data-from="newsroom" data-mimetype="image/jpeg" id="img-{img_id}"> \n'  # noqa: E501
        ' <figcaption style="display: table-caption; caption-side: bottom;">\n'
        f"   {_e(fig.caption)}&nbsp;{_e(fig.credit)} \n"
        " </figcaption> \n"
        "</figure> \n"
    )


def _cd_links_list(articles: Iterable[tuple[str, str]]) -> str:
    return "\n".join(
        f'              <li><a target="_blank" shape="rect" href="{_pr(url)}">{_e(title)}</a></li>'
        for url, title in articles
    )


def cd_current(a: c.CdArticle, others: list[c.CdArticle]) -> str:
    """A reconstructed current-template English article page."""
    fig = a.figure
    img = ("http:" + fig.src) if fig else "http://www.chinadaily.com.cn/image_e/2020/logo21.jpg"
    content = (_cd_figure(fig) if fig else "        \n") + "".join(
        f"<p>{_e(p)}</p> \n" for p in a.paragraphs
    )
    info = (f"          {a.byline} | \n" if a.byline else "          \n") + (
        f"          {a.source} |\n          Updated: {a.updated}"
    )
    related = [(o.url, o.title) for o in others if o.url != a.url][:5]
    photo_items = "".join(
        '                  <div class="p_art">\n'
        f'                    <a class="t_art" target="_blank" shape="rect" href="{_pr(u)}">'
        f"{_e(t)}</a>\n                  </div>\n"
        for u, t in related[:3]
    )
    photo_block = (
        '        <!-- China Photos -->\n        <div class="mb20 r-phototitle">\n'
        '          <div class="bt2" style="margin-bottom:15px;"><b>\n'
        '            <a shape="rect" href="//www.chinadaily.com.cn/china/211flash">Photo</a>\n'
        '            </b></div>\n          <div class="photo_art">\n'
        '            <div style="clear:both; overflow:auto">\n'
        f"{photo_items}            </div>\n          </div>\n        </div>\n"
    )
    latest = (
        '          <ul class="lisBox lunbor-600">\n'
        + _cd_links_list(related)
        + "\n          </ul>\n"
    )
    selectpage = '      <div class="selectpage">\n        <!--移动分页-->\n        \n      </div>'
    page = fill(
        _tpl("cd_article_en.html"),
        title=_e(a.title),
        desc=_e(a.description),
        desc_js=a.description.replace("'", "\\'"),
        url=a.url,
        img_share=img,
        img_twitter=img,
        img_wx=img,
        catalog=a.catalog,
        article_id=a.article_id,
        publishdate=a.updated[:10],
        editor=a.editor,
        source=_e(a.source),
        year=a.updated[:4],
        subnav=_cd_subnav(a.section[0][1], article=True),
        breadcrumbs=_cd_breadcrumbs(a.section),
        info=info,
        content=content,
        selectpage=selectpage,
        photo_block=photo_block,
        latest=latest,
        rail="",
    )
    return MARK.format(f"current English article template, text invented ({a.article_id})") + page


def cd_legacy_en(a: c.CdArticle, related: list[c.CdArticle]) -> str:
    """A reconstructed old-CMS (content_N.htm) English article page."""
    host = urlsplit(a.url).hostname or ""
    parts = []
    if a.figure:
        parts.append(f'<p align="center"><img src="{a.figure.src}" border="0" /></p>')
        parts.append(f'<p align="center">{_e(a.figure.caption)} {_e(a.figure.credit)}</p>')
    parts.extend(f"<p>{_e(p)}</p>" for p in a.paragraphs)
    label, path = a.section[0]
    page = fill(
        _tpl("cd_legacy_en.html"),
        title=_e(a.title),
        desc=_e(a.description),
        keywords=_e(", ".join(a.title.split()[:4])),
        catalog=a.catalog,
        content_number=a.article_id.removeprefix("content_"),
        publishdate=a.updated[:10],
        editor=a.editor,
        source=_e(a.source),
        host=host,
        section_label=label,
        section_path=path,
        url=a.url,
        info=_e(f"{a.byline} | {a.source} | Updated: {a.updated}"),
        content="\n".join(parts),
        related="\n".join(
            f'        <li><a href="{_pr(r.url)}" target="_blank">{_e(r.title)}</a></li>'
            for r in related
        ),
        year=a.updated[:4],
    )
    return MARK.format(f"old CMS English template, text invented ({a.article_id})") + page


def cd_legacy_zh(a: c.CdArticle) -> bytes:
    """A reconstructed old Chinese article page, encoded GB2312 as it declares."""
    body = "\n".join(f"<p>　　{_e(p)}</p>" for p in a.paragraphs)
    body += f"\n<p>（编辑：{a.editor}）</p>"
    page = fill(
        _tpl("cd_legacy_zh.html"),
        title=_e(a.title),
        desc=_e(a.description),
        keywords="公共自行车,北京,交通",
        content_number=a.article_id.removeprefix("content_"),
        publishdate=a.updated[:10],
        editor=a.editor,
        source=a.source,
        updated=a.updated,
        content=body,
    )
    text = MARK.format(f"old Chinese template in GB2312, text invented ({a.article_id})") + page
    return text.encode("gb2312")


def cd_photo_page(page1: str, n: int, total: int, fig: c.Figure) -> str:
    """Page `n` of the real photo story, built from its real page 1 by swapping the picture."""
    base = c.CD_REAL_PHOTO.removesuffix(".html")

    def page_url(k: int) -> str:
        return _pr(c.CD_REAL_PHOTO if k == 1 else f"{base}_{k}.html")

    text = page1
    nxt = (
        f'<a class="pagestyle" shape="rect" href="{page_url(n + 1)}">\n'
        '            <div id="apDiv1"> </div></a>'
        if n < total
        else ""
    )
    text, count = re.subn(
        r'<a class="pagestyle" shape="rect" href="[^"]*">\n {12}<div id="apDiv1"> </div></a>',
        lambda _m: nxt,
        text,
    )
    assert count == 1
    new_content = "          \n" + _cd_figure(fig, indent="          ")
    text, count = re.subn(
        r'(<div id="Content">\n)(.*?)(\n        </div>\n\n        <!--<div id="div_currpage">)',
        lambda m: m.group(1) + new_content + m.group(3),
        text,
        flags=re.S,
    )
    assert count == 1
    links = ["        \n"]
    if n > 1:
        links.append(
            f'          <a href="{page_url(1)}">|&lt;&lt;</a>&nbsp;&nbsp;'
            f'<a class="pagestyle" href="{page_url(n - 1)}">Previous</a>\n'
        )
    for k in range(1, total + 1):
        if k == n:
            links.append(
                f'          <span style="background-color: #003366;color: #fff;">{k}</span>\n'
            )
        else:
            links.append(f'          <a href="{page_url(k)}">{k}</a>\n')
    if n < total:
        links.append(
            f'          <a class="pagestyle" href="{page_url(n + 1)}">Next</a>&nbsp;&nbsp; '
            f'<a style="text-decoration:none" href="{page_url(total)}">&gt;&gt;|</a>\n'
        )
    pager = '      <div id="div_currpage"><!--&nbsp;&nbsp;-->\n' + "".join(links) + "      </div>"
    text, count = re.subn(
        r'      <div id="div_currpage"><!--.*?\n      </div>', lambda _m: pager, text, flags=re.S
    )
    assert count == 1
    mobile = [
        '        <div class="selectpage">\n          <!--移动分页-->\n',
        f'            <span class="prev">\n              <a class="pagestyle" shape="rect" '
        f'href="{page_url(n - 1)}">Previous</a>\n            </span>\n',
        '            <span class="pageno">\n              <a href="javascript:void (0)" '
        f'shape="rect">\n                {n}/{total}\n              </a>\n            </span>\n',
    ]
    if n < total:
        mobile.append(
            '            <span class="next">\n              <a class="pagestyle" shape="rect" '
            f'href="{page_url(n + 1)}">Next</a>\n            </span>\n'
        )
    mobile.append("        </div>")
    text, count = re.subn(
        r'        <div class="selectpage">.*?\n        </div>',
        lambda _m: "".join(mobile),
        text,
        count=1,
        flags=re.S,
    )
    assert count == 1
    note = f"page {n} of the real photo story, built from its real page 1, picture swapped"
    return MARK.format(note) + text


# List items: (url, title, "YYYY-MM-DD HH:MM", image or "")
ListItem = tuple[str, str, str, str]


def _cd_item(url: str, title: str, when: str, img: str) -> ListItem:
    return (url, title, when, img)


def _cd_lead(lead: Sequence[ListItem]) -> str:
    main = lead[0]
    return (
        '        <div class="tw2" style="margin-bottom:10px;">\n            <div class="tw2_l">\n'
        + (
            f'                        <a target="_blank" shape="rect" href="{_pr(main[0])}">'
            f'<img width="290" height="187" src="{main[3]}" /></a>\n'
            if main[3]
            else ""
        )
        + '                        <span class="tw2_l_t"><a target="_blank" shape="rect" '
        f'href="{_pr(main[0])}">{_e(main[1])}</a></span>\n'
        '            </div>\n            <div class="tw2_r">\n                <div class="mb10">\n'
        + "".join(
            f'                            <div class="tBox2"><a target="_blank" shape="rect" '
            f'href="{_pr(u)}">{_e(t)}</a></div>\n'
            for u, t, _, _ in lead[1:3]
        )
        + "                </div>\n            </div>\n        </div>\n"
    )


def cd_list(
    section: tuple[tuple[str, str], ...],
    page_title: str,
    catalog: str,
    items: list[ListItem],
    page: int,
    pages: int,
    chinese: Sequence[tuple[str, str]] = (),
    lead: Sequence[ListItem] = (),
) -> str:
    """A section list page in the current list markup (template: the real china-us page).

    `items` are the dated list entries; `lead` (up to 3) fill the undated lead block above
    them, which on the real page shows other stories than the list (no article is in both).
    `chinese` (url, title) pairs go into a right-rail box linking the Chinese-language site.
    """
    path = section[-1][1]

    def page_url(k: int) -> str:
        return f"//www.chinadaily.com.cn/{path}" + ("" if k == 1 else f"/page_{k}.html")

    lead_html = _cd_lead(lead) if lead else ""
    blocks = []
    for u, t, when, img in items:
        pic = (
            f'\n                        <a target="_blank" shape="rect" href="{_pr(u)}">\n'
            f'                            <img width="200" height="130" src="{img}" />\n'
            "                        </a>\n"
            if img
            else ""
        )
        blocks.append(
            f'                <div class="mb10 tw3_01_2 ">\n                    {pic}'
            '                    <span class="tw3_01_2_t">\n'
            f'                <h4><a shape="rect" href="{_pr(u)}">{_e(t)}</a></h4>\n'
            f"                <b>{when}</b>\n              </span>\n                </div>"
        )
    nums = []
    if page > 1:
        nums.append(f'        <a class="pagestyle" href="{page_url(page - 1)}">Previous</a>')
    for k in range(1, pages + 1):
        nums.append(
            f'            <span style="background-color: #003366;color: #fff;">{k}</span>'
            if k == page
            else f'            <a href="{page_url(k)}">{k}</a>'
        )
    if page < pages:
        nums.append(
            f'        <a class="pagestyle" href="{page_url(page + 1)}">Next</a>&nbsp;&nbsp;\n'
            f'        <a style="text-decoration:none" href="{page_url(pages)}">&gt;&gt;|</a>'
        )
    pager = '            <div id="div_currpage">\n' + "\n".join(nums) + "\n            </div>"
    mobile = (
        '            <div class="selectpage">\n                <!--移动分页-->\n'
        '                    <span class="pageno">\n'
        f'                <a href="javascript:void (0)" shape="rect">\n                  {page}/{pages}</a>\n'  # noqa: E501
        "              </span>\n"
        + (
            '                    <span class="next">\n'
            f'                <a class="pagestyle" shape="rect" href="{page_url(page + 1)}">Next</a>\n'  # noqa: E501
            "              </span>\n"
            if page < pages
            else ""
        )
        + "            </div>"
    )
    rail = (
        '       <!--Special-->\n        <div class="bt2">\n            <b>\n'
        f'                    <a target="_top" shape="rect" href="//www.chinadaily.com.cn/{section[0][1]}/special_coverage">Special Coverage</a>\n'  # noqa: E501
        "            </b>\n        </div>"
    )
    if chinese:
        rail += (
            '\n       <!--中文-->\n        <div class="bt2">\n            <b>\n'
            '                    <a target="_blank" shape="rect" href="//cn.chinadaily.com.cn">'
            "中文 Chinese</a>\n            </b>\n        </div>\n"
            '        <ul class="lisBox">\n' + _cd_links_list(chinese) + "\n        </ul>"
        )
    page_html = fill(
        _tpl("cd_list_en.html"),
        page_title=_e(page_title),
        catalog=catalog,
        subnav=_cd_subnav(section[0][1], article=False).replace("    <div", "<div", 1),
        breadcrumbs=_cd_breadcrumbs(section, link_last=False),
        lead=lead_html,
        items="\n".join(blocks),
        pager=pager,
        selectpage=mobile,
        rail=rail,
    )
    note = "section list page in the markup of the real transcribed china-us list, items invented"
    return MARK.format(note) + page_html


# ---------------------------------------------------------------------------------------------
# Global Times pieces


def _gt_time(published: str) -> datetime:
    return datetime.strptime(published, "%Y-%m-%d %H:%M:%S")


def gt_pub_time(published: str) -> str:
    """ "Sep 25, 2026 07:48 AM" as current article pages print it."""
    return _gt_time(published).strftime("%b %d, %Y %I:%M %p")


def gt_list_time(published: str) -> str:
    """ "2026/9/25 7:48:03" as list pages and old articles print it."""
    t = _gt_time(published)
    return f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}"


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def _gt_by(a: c.GtArticle) -> str:
    if not a.authors:
        return f"Source: {a.source}"
    return "By " + " and ".join(a.authors)


def gt_article(a: c.GtArticle, by_id: dict[str, c.GtArticle]) -> str:
    """A reconstructed current-template (/page/) Global Times article."""
    column = " / ".join(
        f'<span class="cloumm_level_{"one" if i == 0 else "two"}"><a href="https://www.globaltimes.cn/{p}/index.html">{label}</a></span>'
        for i, (label, p) in enumerate(a.column)
    )
    if a.authors:
        names = " and ".join(
            f'<a href="https://www.globaltimes.cn/author/{_slug(n)}.html" class="author_name">{_e(n)}</a>'  # noqa: E501
            for n in a.authors
        )
        byline = f'            <span class="byline">By {names}</span>'
        card = "\n".join(
            '        <div class="author_card">\n'
            f'          <div class="card_author_img"><img src="https://www.globaltimes.cn/Portals/0/author/{_slug(n)}.jpg" alt=""></div>\n'  # noqa: E501
            f'          <div class="card_author_name"><a href="https://www.globaltimes.cn/author/{_slug(n)}.html">{_e(n)}</a></div>\n'
            '          <div class="card_author_desc">Global Times reporter</div>\n        </div>'
            for n in a.authors
        )
    else:
        byline = f'            <span class="source">Source: {_e(a.source)}</span>'
        card = ""
    pieces: list[str] = []
    if a.figure:
        f = a.figure
        cap = f"{_e(f.caption)} {_e(f.credit)}" if f.caption else _e(f.credit)
        pieces.append(
            f'<center><img src="{f.src}" alt="{_e(f.caption or a.title)}" style="max-width:100%;">'
            f'</center><p class="picture" style="text-align:center;">{cap}</p><br>'
        )
    paras = [_e(p) for p in a.paragraphs]
    if a.related:
        box = (
            '<div class="related_articles"><div class="related_title">RELATED ARTICLES:</div><ul>'
            + "".join(
                f'<li><a href="{by_id[r].url}" target="_blank">{_e(by_id[r].title)}</a></li>'
                for r in a.related
            )
            + "</ul></div>"
        )
        paras.insert(min(2, len(paras)), box)
    body = "<br><br>".join(paras)
    if a.newspaper_headline:
        body += f"<br><br>Newspaper headline: {_e(a.newspaper_headline)}"
    page = fill(
        _tpl("gt_article.html"),
        title=_e(a.title),
        title_q=quote(a.title),
        subtitle=_e(a.subtitle),
        keywords=_e(",".join(a.keywords)),
        desc=_e(a.paragraphs[0]),
        url=a.url,
        og_image=a.figure.src if a.figure else "https://www.globaltimes.cn/img/logo1.png",
        column=column,
        byline=byline,
        pub_time=gt_pub_time(a.published),
        body="\n" + "".join(pieces) + body + "\n",
        author_card=card,
    )
    return (
        MARK.format(f"current article template per SITES.md 2.3, text invented ({a.article_id})")
        + page
    )


def gt_legacy(a: c.GtArticle) -> str:
    """A reconstructed old-template (/content/) Global Times article."""
    crumbs = " &gt; ".join(
        f'<a href="http://www.globaltimes.cn/{p}/">{label}</a>' for label, p in a.column
    )
    who = " and ".join(a.authors) + (f" in {a.place}" if a.place else "")
    source_line = f"By {who} Source:{a.source} Published: {gt_list_time(a.published)}"
    last = a.column[-1]
    page = fill(
        _tpl("gt_legacy.html"),
        title=_e(a.title),
        desc=_e(a.paragraphs[0]),
        keywords=_e(", ".join(label.title() for label, _ in a.column)),
        crumbs=crumbs,
        source_line=_e(source_line),
        body="<br /><br />".join(_e(p) for p in a.paragraphs),
        posted_in=f'<a href="http://www.globaltimes.cn/{last[1]}/">{last[0]}</a>',
    )
    return MARK.format(f"old template per SITES.md 2.3, text invented ({a.article_id})") + page


def gt_list(
    section: str, heading: str, articles: list[c.GtArticle], older: Sequence[c.GtArticle] = ()
) -> str:
    """A section index page in the current list markup (SITES.md 2.2).

    `older` articles appear only at the end of the "MORE" list, after `articles`.
    """

    def summary(a: c.GtArticle) -> str:
        return _e(a.subtitle or a.paragraphs[0])

    def img(a: c.GtArticle) -> str:
        return a.figure.src if a.figure else "https://www.globaltimes.cn/img/default_list.jpg"

    first, rest = articles[0], articles[1:]
    top = [
        '      <div class="china_article_form1">\n'
        f'        <div class="form1_img"><a href="{first.url}" target="_blank"><img src="{img(first)}"></a></div>\n'  # noqa: E501
        f'        <a class="new_title_ml" href="{first.url}" target="_blank">{_e(first.title)}</a>\n'  # noqa: E501
        f'        <div class="form1_desc"><p>{summary(first)}</p></div>\n      </div>'
    ]
    for i, a in enumerate(rest[:3]):
        top.append(
            f'      <div class="china_article_form{i + 2}">\n'
            f'        <a class="new_title_ms" href="{a.url}" target="_blank">{_e(a.title)}</a>\n'
            f'        <div class="form2_desc"><p>{summary(a)}</p></div>\n      </div>'
        )
    mid = "\n".join(
        '    <div class="mid_elem">\n'
        f'      <div class="column_title"><a href="https://www.globaltimes.cn/{a.column[-1][1]}/index.html">{a.column[-1][0]}</a></div>\n'
        f'      <div class="mid_title"><a href="{a.url}" target="_blank">{_e(a.title)}</a></div>\n'
        f'      <div class="mid_desc">{summary(a)}</div>\n    </div>'
        for a in articles[:2]
    )
    bottom = "\n".join(
        f'        <li><a class="new_title_ss" href="{a.url}" target="_blank">{_e(a.title)}</a></li>'
        for a in articles
    )
    more = "\n".join(
        "          <li>\n"
        f'            <div class="list_img"><a href="{a.url}" target="_blank"><img src="{img(a)}"></a></div>\n'  # noqa: E501
        '            <div class="list_info">\n'
        f'              <a class="new_title_ms" href="{a.url}" target="_blank">{_e(a.title)}</a>\n'
        f"              <p>{summary(a)}</p>\n"
        f'              <div class="source_time">{_e(_gt_by(a))} | {gt_list_time(a.published)}</div>\n'  # noqa: E501
        "            </div>\n          </li>"
        for a in [*articles, *older]
    )
    page = fill(
        _tpl("gt_list.html"),
        heading=heading,
        heading_title=heading.title(),
        section=section,
        top_blocks="\n".join(top),
        mid_blocks=mid,
        bottom_items=bottom,
        more_items=more,
    )
    return MARK.format(f"{section} index page, current list markup per SITES.md 2.2") + page


def gt_sitemap(articles: list[c.GtArticle]) -> str:
    """Google News sitemap of the latest articles, newest first."""
    entries = []
    for a in sorted(articles, key=lambda x: x.published, reverse=True):
        when = _gt_time(a.published).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        entries.append(
            "<url>\n"
            f"<loc>{a.url}</loc>\n"
            "<news:news>\n<news:publication>\n<news:name>Global Times</news:name>\n"
            "<news:language>en</news:language>\n</news:publication>\n"
            f"<news:publication_date>{when}</news:publication_date>\n"
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


GT_ROBOTS = "User-agent: *\nSitemap: https://www.globaltimes.cn/sitemap.xml\n"

# ---------------------------------------------------------------------------------------------
# Page requisites: a placeholder picture and a stylesheet for a few article pages


def tiny_jpeg(width: int, height: int, gray: int, comment: str) -> bytes:
    """A valid baseline JPEG of one uniform gray level, with `comment` in a COM segment.

    Hand-encoded (no image library, so the bytes never depend on a library version): every
    8x8 block has only a DC coefficient; the first block codes it, the rest repeat it.
    """
    if not (0 < width <= 256 and 0 < height <= 256 and 0 <= gray <= 255):
        raise ValueError("tiny_jpeg: size 1..256, gray 0..255")

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload

    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    dc = 8 * (gray - 128)  # F(0,0) of a uniform block, quantizer 1
    size = abs(dc).bit_length()
    bits = ""
    if size:
        # DC Huffman table: category 0 -> "0", category `size` -> "10"; AC: EOB -> "0".
        value = dc if dc > 0 else dc + (1 << size) - 1
        bits = "10" + format(value, f"0{size}b") + "0"
    else:
        bits = "00"
    bits += "00" * (blocks - 1)
    bits += "1" * (-len(bits) % 8)
    scan = bytearray()
    for i in range(0, len(bits), 8):
        byte = int(bits[i : i + 8], 2)
        scan += bytes((byte, 0)) if byte == 0xFF else bytes((byte,))
    dims = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    dc_symbols = bytes((0, size)) if size else bytes((0,))
    dc_counts = bytes((1, 1 if size else 0)) + bytes(14)
    return b"".join(
        (
            b"\xff\xd8",
            segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            segment(0xFE, comment.encode("ascii")),
            segment(0xDB, b"\x00" + bytes([1] * 64)),
            segment(0xC0, b"\x08" + dims + b"\x01\x01\x11\x00"),
            segment(0xC4, b"\x00" + dc_counts + dc_symbols),
            segment(0xC4, b"\x10" + bytes((1,)) + bytes(15) + b"\x00"),
            segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
            bytes(scan),
            b"\xff\xd9",
        )
    )


_JPEG_NOTE = "reconstructed for the archiver mirror: placeholder picture, not the real photo"
# Article pages whose body picture the mirror serves (as a placeholder): page URL -> picture.
REQUISITE_FIGURES: tuple[tuple[str, str, int], ...] = (
    (c.CD_SOCIETY.url, c.CD_SOCIETY.figure.src if c.CD_SOCIETY.figure else "", 150),
    (c.GT_TOURISM.url, c.GT_TOURISM.figure.src if c.GT_TOURISM.figure else "", 90),
)
# Stylesheets every page of the current article templates links (one of several each).
# (URL as the templates link it, query included; the mirror ignores the query; content)
REQUISITE_CSS: tuple[tuple[str, str], ...] = (
    (
        "https://img2.chinadaily.com.cn/static/2017www_china_page_en/css/r-content.css?var=79",
        "#Content figure.image img { max-width: 100%; height: auto; }\n"
        "#Content figcaption { color: #666; font-size: 14px; }\n",
    ),
    (
        "https://www.globaltimes.cn/css/article_n.css?v=20260901",
        ".article_right img { max-width: 100%; }\n"
        ".article_right p.picture { color: #666; font-size: 14px; text-align: center; }\n",
    ),
)


def requisite_url(src: str) -> str:
    """Absolute https URL of an <img src> as the page writes it (protocol-relative or not)."""
    return ("https:" + src) if src.startswith("//") else src


def requisite_files() -> Files:
    """The placeholder pictures and stylesheets, keyed by mirror-root path."""
    files: Files = {}
    for _page, src, gray in REQUISITE_FIGURES:
        files[_site_path(requisite_url(src))] = tiny_jpeg(64, 48, gray, _JPEG_NOTE)
    for url, css in REQUISITE_CSS:
        note = "/* reconstructed for the archiver mirror: a stand-in for the real stylesheet */\n"
        files[_site_path(url)] = (note + css).encode("ascii")
    return files


# ---------------------------------------------------------------------------------------------
# Assembly

_CD_LISTS = {
    "china/society": (
        (("China", "china"), ("Society", "china/society")),
        "Society - China - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc3a",
    ),
    "world/china-us": (
        (("World", "world"), ("China-US", "world/china-us")),
        "China-US - China Daily - Opinion - Chinadaily.com.cn",
        "59b8d011a3108c54ed7dfc54",
    ),
    "business/economy": (
        (("Business", "business"), ("Economy", "business/economy")),
        "Economy - Business - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc52",
    ),
    "opinion/editorials": (
        (("Opinion", "opinion"), ("Editorials", "opinion/editorials")),
        "Editorials - Opinion - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc47",
    ),
    "china/governmentandpolicy": (
        (("China", "china"), ("News", "china/governmentandpolicy")),
        "News - China - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc27",
    ),
    "china/scitech": (
        (("China", "china"), ("Innovation", "china/scitech")),
        "Innovation - China - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc2e",
    ),
    "world/asia_pacific": (
        (("World", "world"), ("Asia-Pacific", "world/asia_pacific")),
        "Asia-Pacific - World - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc31",
    ),
    "world/america": (
        (("World", "world"), ("Americas", "world/america")),
        "Americas - World - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc32",
    ),
    "world/europe": (
        (("World", "world"), ("Europe", "world/europe")),
        "Europe - World - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc33",
    ),
    "opinion/op-ed": (
        (("Opinion", "opinion"), ("Op-Ed", "opinion/op-ed")),
        "Op-Ed - Opinion - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc4b",
    ),
    "culture/art": (
        (("Culture", "culture"), ("Art", "culture/art")),
        "Art - Culture - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc60",
    ),
    "life/health": (
        (("Lifestyle", "life"), ("Health", "life/health")),
        "Health - Lifestyle - Chinadaily.com.cn",
        "59b8d010a3108c54ed7dfc6d",
    ),
}

# Lead blocks (undated, above the dated items): only china/society has one, with the soft 404,
# so that every real article is linked from dated list items only (or, GT, the sitemap).
_CD_LEADS: dict[str, tuple[ListItem, ...]] = {
    "china/society": ((c.CD_SOFT_404_URL, c.CD_SOFT_404_LIST_TITLE, "2026-09-23 16:40", ""),),
}

# Right-rail "中文 Chinese" boxes: the Chinese-language articles, which no English section
# lists. An assumption (SOURCES.md): it makes them reachable from the default start pages.
_CD_CHINESE_RAIL: dict[str, tuple[tuple[str, str], ...]] = {
    "china/society": ((c.CD_LEGACY_ZH_GB.url, c.CD_LEGACY_ZH_GB.title),),
    "world/china-us": ((c.CD_REAL_ZH, "外国专家：中美合作共赢符合国际社会利益"),),
}


def _img(a: c.CdArticle) -> str:
    return a.figure.src if a.figure else ""


def _cd_list_items() -> dict[tuple[str, int], list[ListItem]]:
    it = _cd_item
    soc, mos, was, xin, edi = (
        c.CD_SOCIETY, c.CD_MOSCOW, c.CD_WASHINGTON, c.CD_XINHUA, c.CD_EDITORIAL,
    )  # fmt: skip
    eur, www = c.CD_LEGACY_EUROPE, c.CD_LEGACY_WWW
    fitness = it(
        c.CD_REAL_FITNESS,
        "Youngsters becoming more fitness-conscious",
        "2024-05-13 09:08",
        "//img2.chinadaily.com.cn/images/202405/13/664167f4a31082fc2b6dd360.jpeg",
    )
    photo = it(
        c.CD_REAL_PHOTO,
        "Centuries-old golden nanmu add color to Chongqing village",
        "2024-05-20 14:41",
        "//img2.chinadaily.com.cn/images/202405/20/664af0b2a31082fc2b6e553e.jpeg",
    )
    moved = it(c.CD_REDIRECT_FROM, xin.title, xin.updated, "")
    return {
        ("china/society", 1): [it(soc.url, soc.title, soc.updated, _img(soc)), photo,
                               fitness, it(www.url, www.title, www.updated, "")],
        ("world/china-us", 1): [it(mos.url, mos.title, mos.updated, ""),
                                it(was.url, was.title, was.updated, ""),
                                it(edi.url, edi.title, edi.updated, "")],
        ("world/china-us", 2): [it(eur.url, eur.title, eur.updated, _img(eur)),
                                it(www.url, www.title, www.updated, "")],
        ("business/economy", 1): [moved, it(was.url, was.title, was.updated, "")],
        ("opinion/editorials", 1): [it(edi.url, edi.title, edi.updated, "")],
        # The other default sections of spiders/chinadaily.py, with stories reused from above
        # (the Xinhua story only through its redirecting URL: one fetch of it per crawl).
        ("china/governmentandpolicy", 1): [it(www.url, www.title, www.updated, ""),
                                           it(soc.url, soc.title, soc.updated, _img(soc))],
        ("china/scitech", 1): [it(mos.url, mos.title, mos.updated, "")],
        ("world/asia_pacific", 1): [it(edi.url, edi.title, edi.updated, "")],
        ("world/america", 1): [it(was.url, was.title, was.updated, "")],
        ("world/europe", 1): [it(mos.url, mos.title, mos.updated, ""),
                              it(eur.url, eur.title, eur.updated, _img(eur))],
        ("opinion/op-ed", 1): [it(edi.url, edi.title, edi.updated, "")],
        ("culture/art", 1): [photo],
        ("life/health", 1): [fitness],
    }  # fmt: skip


def build_files(source_root: Path = BUNDLED_ROOT) -> Files:
    """Every generated file of the mirror, keyed by path relative to the mirror root."""
    files: Files = {}
    current = [a for a in c.CD_ARTICLES if a.template == "current-en"]
    for a in c.CD_ARTICLES:
        if a.template == "current-en":
            files[_site_path(a.url)] = cd_current(a, current).encode("utf-8")
        elif a.template == "legacy-en":
            rel = [o for o in c.CD_ARTICLES if o.template == "legacy-en" and o.url != a.url]
            files[_site_path(a.url)] = cd_legacy_en(a, rel).encode("utf-8")
        else:
            files[_site_path(a.url)] = cd_legacy_zh(a)
    page1 = (source_root / _site_path(c.CD_REAL_PHOTO)).read_text(encoding="utf-8")
    total = len(c.CD_PHOTO_PAGES) + 1
    for n, fig in enumerate(c.CD_PHOTO_PAGES, start=2):
        url = c.CD_REAL_PHOTO.removesuffix(".html") + f"_{n}.html"
        files[_site_path(url)] = cd_photo_page(page1, n, total, fig).encode("utf-8")
    files[_site_path(c.CD_SOFT_404_URL)] = (
        MARK.format("China Daily 'page not found' body served with status 200 (soft 404)")
        + _tpl("cd_soft404.html")
    ).encode("utf-8")
    lists = _cd_list_items()
    for (path, page), items in lists.items():
        section, title, catalog = _CD_LISTS[path]
        pages = max(p for (q, p) in lists if q == path)
        url = f"https://www.chinadaily.com.cn/{path}" + ("" if page == 1 else f"/page_{page}.html")
        chinese = _CD_CHINESE_RAIL.get(path, ()) if page == 1 else ()
        lead = _CD_LEADS.get(path, ()) if page == 1 else ()
        files[_site_path(url)] = cd_list(
            section, title, catalog, items, page, pages, chinese, lead
        ).encode("utf-8")

    by_id = {a.article_id: a for a in c.GT_ARTICLES}
    for g in c.GT_ARTICLES:
        text = gt_article(g, by_id) if g.month else gt_legacy(g)
        files[_site_path(g.url)] = text.encode("utf-8")
    for gt_section, (heading, ids) in c.GT_SECTIONS.items():
        url = f"https://www.globaltimes.cn/{gt_section}/index.html"
        older = [by_id[i] for i in c.GT_SECTION_OLDER.get(gt_section, ())]
        text = gt_list(gt_section, heading, [by_id[i] for i in ids], older)
        files[_site_path(url)] = text.encode("utf-8")
    files["site/www.globaltimes.cn/sitemap.xml"] = gt_sitemap(
        [g for g in c.GT_ARTICLES if g.in_sitemap]
    ).encode("utf-8")
    files["site/www.globaltimes.cn/robots.txt"] = GT_ROBOTS.encode("ascii")
    files.update(requisite_files())
    files["routes.json"] = _json(routes())
    files["manifest.json"] = _json(manifest())
    return files


def routes() -> dict[str, object]:
    """routes.json: the pages that need more than "200 with the file"."""

    def key(url: str) -> str:
        p = urlsplit(url)
        return f"{p.hostname}{p.path}"

    return {
        "_comment": "Generated by python -m archiver.mirror.build; see SOURCES.md.",
        key(c.CD_REDIRECT_FROM): {"status": 301, "location": c.CD_XINHUA.url},
        key(c.CD_XINHUA.url): {"gzip": False},
        key(c.CD_EDITORIAL.url): {"chunked": True},
        key(c.CD_LEGACY_ZH_GB.url): {"charset": "gb2312"},
        "www.chinadaily.com.cn/world/china-us/index.html": {
            "headers": [
                ["Set-Cookie", "HWWAFSESID=2f8c41a7d0b9e36c15; path=/"],
                ["Set-Cookie", "HWWAFSESTIME=1790290800000; path=/"],
            ]
        },
    }


def _entry(
    url: str, site: str, article_id: str, title: str | None, published: str | None,
    authors: tuple[str, ...], source: str | None, *, pages: int = 1, expect: str = "article",
    language: str = "en", template: str, real: bool, includes: tuple[str, ...] = (),
    excludes: tuple[str, ...] = (), figures: tuple[c.Figure | None, ...] = (),
) -> dict[str, object]:  # fmt: skip
    # The excludes that are a picture's caption or credit: the record's images carry them.
    in_images = [
        x for x in excludes
        if any(f is not None and (x in f.caption or x in f.credit) for f in figures)
    ]  # fmt: skip
    return {
        "url": url, "site": site, "article_id": article_id, "pages": pages, "title": title,
        "expect": expect, "published": published, "authors": list(authors), "source": source,
        "language": language, "template": template, "real": real,
        "text_includes": list(includes), "text_excludes": list(excludes),
        "image_snippets": in_images,
    }  # fmt: skip


def _without(text: str, snippets: tuple[str, ...]) -> str:
    # `text` with the snippets a record must not contain cut out (a trailing e-mail address).
    for snippet in snippets:
        text = text.replace(snippet, "")
    return text.strip()


def manifest() -> dict[str, object]:
    """manifest.json: ground truth of every article-like URL and every list the mirror serves."""
    arts: list[dict[str, object]] = [
        _entry(
            c.CD_REAL_FITNESS,
            "chinadaily",
            "WS664167f4a31082fc043c6af7",
            "Youngsters becoming more fitness-conscious",
            "2024-05-13 09:08",
            ("Wang Xiaoyu",),
            "China Daily",
            template="chinadaily/current-en",
            real=True,
            includes=(
                "For centuries, the concept of yangsheng",
                "The patient's condition was soon alleviated",
            ),
            excludes=("LIU CHAOFU/FOR CHINA DAILY", "Kung fu pilgrimage", "Copyright 1995"),
            figures=(c.Figure("", "", "LIU CHAOFU/FOR CHINA DAILY"),),
        ),
        _entry(
            c.CD_REAL_PHOTO,
            "chinadaily",
            "WS664af0b2a31082fc043c814d",
            "Centuries-old golden nanmu add color to Chongqing village",
            "2024-05-20 14:41",
            (),
            "chinadaily.com.cn",
            pages=6,
            template="chinadaily/current-en",
            real=True,
            includes=(
                "Deep in the mountains of Youyang county",
                "Nanmu is a national second-level key protected plant",
            ),
            excludes=("[Photo by Su Zhigang/For chinadaily.com.cn]",),
            figures=c.CD_PHOTO_PAGES,
        ),
        _entry(
            c.CD_REAL_ZH,
            "chinadaily",
            "WS65571297a310d5acd876f404",
            "外国专家：中美合作共赢符合国际社会利益",
            "2023-11-17 15:13",
            (),
            "中国日报网",
            language="zh",
            template="chinadaily/current-zh",
            real=True,
            includes=("在美国旧金山举行的中美元首会晤吸引了全世界的目光",),
            excludes=("【责任编辑：严玉洁】", "中国日报网版权说明"),
        ),
    ]
    for a in c.CD_ARTICLES:
        # The parser that reads the markup (extractor.parser): the old GB2312 page has the
        # markup of the current Chinese template (h1.dabiaoti), see SOURCES.md.
        tmpl = {"current-en": "chinadaily/current-en", "legacy-en": "chinadaily/legacy",
                "legacy-zh-gb": "chinadaily/current-zh"}[a.template]  # fmt: skip
        arts.append(
            _entry(
                a.url,
                "chinadaily",
                a.article_id,
                a.title,
                a.updated,
                a.authors,
                a.source,
                language="zh" if a.template == "legacy-zh-gb" else "en",
                template=tmpl,
                real=False,
                includes=(a.paragraphs[0][:60], a.paragraphs[-2][:60]),
                excludes=a.excludes,
                figures=(a.figure,),
            )
        )
    arts.append(
        _entry(
            c.CD_SOFT_404_URL,
            "chinadaily",
            "WS6ab38f34a3107a2e1d4f4a6c",
            None,
            None,
            (),
            None,
            expect="not-article",
            template="chinadaily/soft-404",
            real=False,
        )
    )
    for g in c.GT_ARTICLES:
        arts.append(
            _entry(
                g.url,
                "globaltimes",
                g.article_id,
                g.title,
                g.published[:16],
                g.authors,
                g.source,
                template="globaltimes/current" if g.month else "globaltimes/legacy",
                real=False,
                includes=(g.paragraphs[0][:60], _without(g.paragraphs[-1], g.excludes)[:60]),
                excludes=g.excludes,
                figures=(g.figure,),
            )
        )
    cd_lists = [
        "https://www.chinadaily.com.cn/" + path + ("" if page == 1 else f"/page_{page}.html")
        for path, page in _cd_list_items()
    ]
    gt_lists = [f"https://www.globaltimes.cn/{s}/index.html" for s in c.GT_SECTIONS]
    return {
        "_comment": "Generated by python -m archiver.mirror.build from content.py; "
        "published is Beijing time as printed; authors in normal case.",
        "articles": arts,
        "lists": [*cd_lists, *gt_lists, "https://www.globaltimes.cn/sitemap.xml"],
        "redirects": [{"url": c.CD_REDIRECT_FROM, "status": 301, "location": c.CD_XINHUA.url}],
        "others": [
            "https://www.globaltimes.cn/robots.txt",
            "https://www.globaltimes.cn/index.html",
            "https://www.globaltimes.cn/",
            "https://www.globaltimes.cn/china/",
        ],
        "missing": [
            "https://www.chinadaily.com.cn/robots.txt",
            "https://china.chinadaily.com.cn/robots.txt",
            "https://europe.chinadaily.com.cn/robots.txt",
        ],
        "requisites": _requisites(),
    }


def _requisites() -> list[dict[str, str]]:
    # Each page with a served picture, and the stylesheet its template links on that host.
    out = []
    for page, src, _gray in REQUISITE_FIGURES:
        host = urlsplit(page).hostname or ""
        css = next(u for u, _ in REQUISITE_CSS if host.split(".", 1)[1] in u)
        out.append({"page": page, "url": requisite_url(src), "content_type": "image/jpeg"})
        out.append({"page": page, "url": css, "content_type": "text/css"})
    return out


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    """Write the generated files into --root (default: the bundled mirror); print each path."""
    parser = argparse.ArgumentParser(prog="python -m archiver.mirror.build", description=__doc__)
    parser.add_argument("--root", type=Path, default=BUNDLED_ROOT)
    args = parser.parse_args(argv)
    for rel, data in sorted(build_files(BUNDLED_ROOT).items()):
        out = args.root / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        print(rel)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
