"""China Daily section list pages in the current list markup (docs/sites.md 1.2).

The template is the real transcribed world/china-us list (docs/sites.md 3): its head, header, nav
and footer are kept; the lead block, items, pagers and right rail are generated here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tools.mirror.chinadaily.chrome import breadcrumbs, links_list, subnav
from tools.mirror.markup import MARK, esc, fill, no_scheme, template

# A list entry: (url, title, "YYYY-MM-DD HH:MM", image or "")
ListItem = tuple[str, str, str, str]
Section = tuple[tuple[str, str], ...]  # breadcrumb (label, path) after Home


def _lead(lead: Sequence[ListItem]) -> str:
    # The undated lead block `div.tw2` above the dated items.
    main = lead[0]
    return (
        '        <div class="tw2" style="margin-bottom:10px;">\n            <div class="tw2_l">\n'
        + (
            f'                        <a target="_blank" shape="rect" href="{no_scheme(main[0])}">'
            f'<img width="290" height="187" src="{main[3]}" /></a>\n'
            if main[3]
            else ""
        )
        + '                        <span class="tw2_l_t"><a target="_blank" shape="rect" '
        f'href="{no_scheme(main[0])}">{esc(main[1])}</a></span>\n'
        '            </div>\n            <div class="tw2_r">\n                <div class="mb10">\n'
        + "".join(
            f'                            <div class="tBox2"><a target="_blank" shape="rect" '
            f'href="{no_scheme(u)}">{esc(t)}</a></div>\n'
            for u, t, _, _ in lead[1:3]
        )
        + "                </div>\n            </div>\n        </div>\n"
    )


def _items(items: list[ListItem]) -> str:
    # The dated entries: `div.mb10.tw3_01_2 > span.tw3_01_2_t > h4 > a` and `<b>` with the date.
    blocks = []
    for u, t, when, img in items:
        pic = (
            f'\n                        <a target="_blank" shape="rect" href="{no_scheme(u)}">\n'
            f'                            <img width="200" height="130" src="{img}" />\n'
            "                        </a>\n"
            if img
            else ""
        )
        blocks.append(
            f'                <div class="mb10 tw3_01_2 ">\n                    {pic}'
            '                    <span class="tw3_01_2_t">\n'
            f'                <h4><a shape="rect" href="{no_scheme(u)}">{esc(t)}</a></h4>\n'
            f"                <b>{when}</b>\n              </span>\n                </div>"
        )
    return "\n".join(blocks)


def _desktop_pager(page: int, pages: int, page_url: Callable[[int], str]) -> str:
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
    return '            <div id="div_currpage">\n' + "\n".join(nums) + "\n            </div>"


def _mobile_pager(page: int, pages: int, page_url: Callable[[int], str]) -> str:
    return (
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


def _rail(section: Section, chinese: Sequence[tuple[str, str]]) -> str:
    # The right rail: "Special Coverage", and a "中文 Chinese" box when `chinese` is given.
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
            '        <ul class="lisBox">\n' + links_list(chinese) + "\n        </ul>"
        )
    return rail


def list_page(
    section: Section,
    page_title: str,
    catalog: str,
    items: list[ListItem],
    page: int,
    pages: int,
    chinese: Sequence[tuple[str, str]] = (),
    lead: Sequence[ListItem] = (),
) -> str:
    """Page `page` of `pages` of a section list.

    `items` are the dated list entries; `lead` (up to 3) fill the undated lead block above
    them, which on the real page shows other stories than the list (no article is in both).
    `chinese` (url, title) pairs go into a right-rail box linking the Chinese-language site.
    """
    path = section[-1][1]

    def page_url(k: int) -> str:
        return f"//www.chinadaily.com.cn/{path}" + ("" if k == 1 else f"/page_{k}.html")

    page_html = fill(
        template("cd_list_en.html"),
        page_title=esc(page_title),
        catalog=catalog,
        subnav=subnav(section[0][1], article=False).replace("    <div", "<div", 1),
        breadcrumbs=breadcrumbs(section, link_last=False),
        lead=_lead(lead) if lead else "",
        items=_items(items),
        pager=_desktop_pager(page, pages, page_url),
        selectpage=_mobile_pager(page, pages, page_url),
        rail=_rail(section, chinese),
    )
    note = "section list page in the markup of the real transcribed china-us list, items invented"
    return MARK.format(note) + page_html
