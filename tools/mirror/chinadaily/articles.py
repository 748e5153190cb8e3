"""Reconstructed China Daily article pages: current English, old-CMS English, old GB2312 Chinese."""

from __future__ import annotations

from urllib.parse import urlsplit

from tools.mirror.chinadaily.chrome import breadcrumbs, figure, links_list, subnav
from tools.mirror.markup import MARK, esc, fill, no_scheme, template
from tools.mirror.model import CdArticle

_SELECTPAGE = '      <div class="selectpage">\n        <!--移动分页-->\n        \n      </div>'
_LOGO = "http://www.chinadaily.com.cn/image_e/2020/logo21.jpg"


def _info(a: CdArticle) -> str:
    # The `span.info_l` line: "By X | China Daily | Updated: ..." (docs/sites.md 1.3).
    byline = f"          {a.byline} | \n" if a.byline else "          \n"
    return byline + f"          {a.source} |\n          Updated: {a.updated}"


def _photo_block(related: list[tuple[str, str]]) -> str:
    # The right rail's "Photo" box: the first three related stories.
    items = "".join(
        '                  <div class="p_art">\n'
        f'                    <a class="t_art" target="_blank" shape="rect" href="{no_scheme(u)}">'
        f"{esc(t)}</a>\n                  </div>\n"
        for u, t in related[:3]
    )
    return (
        '        <!-- China Photos -->\n        <div class="mb20 r-phototitle">\n'
        '          <div class="bt2" style="margin-bottom:15px;"><b>\n'
        '            <a shape="rect" href="//www.chinadaily.com.cn/china/211flash">Photo</a>\n'
        '            </b></div>\n          <div class="photo_art">\n'
        '            <div style="clear:both; overflow:auto">\n'
        f"{items}            </div>\n          </div>\n        </div>\n"
    )


def current(a: CdArticle, others: list[CdArticle]) -> str:
    """A reconstructed current-template English article page; its rails link `others`."""
    fig = a.figure
    img = ("http:" + fig.src) if fig else _LOGO
    content = (figure(fig) if fig else "        \n") + "".join(
        f"<p>{esc(p)}</p> \n" for p in a.paragraphs
    )
    related = [(o.url, o.title) for o in others if o.url != a.url][:5]
    latest = (
        '          <ul class="lisBox lunbor-600">\n' + links_list(related) + "\n          </ul>\n"
    )
    page = fill(
        template("cd_article_en.html"),
        title=esc(a.title),
        desc=esc(a.description),
        desc_js=a.description.replace("'", "\\'"),
        url=a.url,
        img_share=img,
        img_twitter=img,
        img_wx=img,
        catalog=a.catalog,
        article_id=a.article_id,
        publishdate=a.updated[:10],
        editor=a.editor,
        source=esc(a.source),
        year=a.updated[:4],
        subnav=subnav(a.section[0][1], article=True),
        breadcrumbs=breadcrumbs(a.section),
        info=_info(a),
        content=content,
        selectpage=_SELECTPAGE,
        photo_block=_photo_block(related),
        latest=latest,
        rail="",
    )
    return MARK.format(f"current English article template, text invented ({a.article_id})") + page


def legacy_en(a: CdArticle, related: list[CdArticle]) -> str:
    """A reconstructed old-CMS (content_N.htm) English article page."""
    host = urlsplit(a.url).hostname or ""
    parts = []
    if a.figure:
        parts.append(f'<p align="center"><img src="{a.figure.src}" border="0" /></p>')
        parts.append(f'<p align="center">{esc(a.figure.caption)} {esc(a.figure.credit)}</p>')
    parts.extend(f"<p>{esc(p)}</p>" for p in a.paragraphs)
    label, path = a.section[0]
    page = fill(
        template("cd_legacy_en.html"),
        title=esc(a.title),
        desc=esc(a.description),
        keywords=esc(", ".join(a.title.split()[:4])),
        catalog=a.catalog,
        content_number=a.article_id.removeprefix("content_"),
        publishdate=a.updated[:10],
        editor=a.editor,
        source=esc(a.source),
        host=host,
        section_label=label,
        section_path=path,
        url=a.url,
        info=esc(f"{a.byline} | {a.source} | Updated: {a.updated}"),
        content="\n".join(parts),
        related="\n".join(
            f'        <li><a href="{no_scheme(r.url)}" target="_blank">{esc(r.title)}</a></li>'
            for r in related
        ),
        year=a.updated[:4],
    )
    return MARK.format(f"old CMS English template, text invented ({a.article_id})") + page


def legacy_zh(a: CdArticle) -> bytes:
    """A reconstructed old Chinese article page, encoded GB2312 as it declares."""
    body = "\n".join(f"<p>　　{esc(p)}</p>" for p in a.paragraphs)
    body += f"\n<p>（编辑：{a.editor}）</p>"
    page = fill(
        template("cd_legacy_zh.html"),
        title=esc(a.title),
        desc=esc(a.description),
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


def soft_404() -> str:
    """China Daily's "page not found" body, served with status 200 at an article URL."""
    note = "China Daily 'page not found' body served with status 200 (soft 404)"
    return MARK.format(note) + template("cd_soft404.html")
