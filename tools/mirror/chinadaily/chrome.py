"""China Daily page chrome shared by article and list pages: navigation, breadcrumbs, figures."""

from __future__ import annotations

from collections.abc import Iterable

from tools.mirror.markup import esc, no_scheme
from tools.mirror.model import Figure

_SUBNAV = {
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


def subnav(top: str, article: bool) -> str:
    """The second navigation row of section `top` (article pages add a margin style)."""
    label, subs = _SUBNAV[top]
    style = ' style="margin-bottom:0;"' if article else ""
    items = "".join(
        f'        <li>\n          <a target="_top" shape="rect" '
        f'href="//www.chinadaily.com.cn/{path}">{esc(name)}</a>\n        </li>\n'
        for name, path in subs
    )
    return f'    <div class="topNav2_art"{style}>\n      <span>{label}</span>\n      <ul>\n{items}      </ul>\n    </div>'  # noqa: E501


def breadcrumbs(section: tuple[tuple[str, str], ...], link_last: bool = True) -> str:
    """Desktop and mobile breadcrumbs: Home, then `section` (label, path) pairs."""
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


def figure(fig: Figure, indent: str = "        ") -> str:
    """A body picture as `figure.image > img + figcaption` (docs/sites.md 1.3)."""
    img_id = fig.src.rsplit("/", 1)[-1].split(".")[0]
    return (
        f'{indent}<figure class="image" style="display: table;"> \n'
        f' <img src="{fig.src}" data-from="newsroom" data-mimetype="image/jpeg" id="img-{img_id}"> \n'  # noqa: E501
        ' <figcaption style="display: table-caption; caption-side: bottom;">\n'
        f"   {esc(fig.caption)}&nbsp;{esc(fig.credit)} \n"
        " </figcaption> \n"
        "</figure> \n"
    )


def links_list(articles: Iterable[tuple[str, str]]) -> str:
    """`<li>` links to (url, title) pairs, as the rails list them."""
    return "\n".join(
        f'              <li><a target="_blank" shape="rect" href="{no_scheme(url)}">{esc(title)}</a></li>'  # noqa: E501
        for url, title in articles
    )
