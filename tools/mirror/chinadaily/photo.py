"""Pages 2-6 of the real photo story, built from its real page 1 (pages 2-6 were never captured).

Each page is page 1 with four parts swapped: the click-to-next link on the picture, the picture in
`#Content`, the `#div_currpage` pager and the mobile `div.selectpage` pager (docs/sites.md 1.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tools.mirror.chinadaily.chrome import figure
from tools.mirror.chinadaily.text import CD_REAL_PHOTO
from tools.mirror.markup import MARK, no_scheme
from tools.mirror.model import Figure

_NEXT_LINK = r'<a class="pagestyle" shape="rect" href="[^"]*">\n {12}<div id="apDiv1"> </div></a>'
_CONTENT = r'(<div id="Content">\n)(.*?)(\n        </div>\n\n        <!--<div id="div_currpage">)'
_PAGER = r'      <div id="div_currpage"><!--.*?\n      </div>'
_MOBILE = r'        <div class="selectpage">.*?\n        </div>'


def page_url(k: int) -> str:
    """Protocol-relative URL of page `k`, as the story's pagers link it."""
    base = CD_REAL_PHOTO.removesuffix(".html")
    return no_scheme(CD_REAL_PHOTO if k == 1 else f"{base}_{k}.html")


def _replace_once(
    pattern: str, replace: Callable[[re.Match[str]], str], text: str, count: int = 0
) -> str:
    # Page 1 is a real capture: a pattern that stops matching means it is not the page we cut.
    text, found = re.subn(pattern, replace, text, count=count, flags=re.S)
    assert found == 1, pattern
    return text


def _desktop_pager(n: int, total: int) -> str:
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
    return '      <div id="div_currpage"><!--&nbsp;&nbsp;-->\n' + "".join(links) + "      </div>"


def _mobile_pager(n: int, total: int) -> str:
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
    return "".join(mobile)


def photo_page(page1: str, n: int, total: int, fig: Figure) -> str:
    """Page `n` of `total` of the real photo story: its real page 1 with `fig` as the picture."""
    nxt = (
        f'<a class="pagestyle" shape="rect" href="{page_url(n + 1)}">\n'
        '            <div id="apDiv1"> </div></a>'
        if n < total
        else ""
    )
    text = _replace_once(_NEXT_LINK, lambda _m: nxt, page1)
    new_content = "          \n" + figure(fig, indent="          ")
    text = _replace_once(_CONTENT, lambda m: m.group(1) + new_content + m.group(3), text)
    pager = _desktop_pager(n, total)
    text = _replace_once(_PAGER, lambda _m: pager, text)
    mobile = _mobile_pager(n, total)
    text = _replace_once(_MOBILE, lambda _m: mobile, text, count=1)
    note = f"page {n} of the real photo story, built from its real page 1, picture swapped"
    return MARK.format(note) + text
