"""The China Daily section lists the mirror serves: the spiders' default sections, as data.

The mirror has fewer stories than the sections would list on the real sites, so stories are
reused across sections (archiver/mirror/SOURCES.md says which).
"""

from __future__ import annotations

from tools.mirror.chinadaily import text as c
from tools.mirror.chinadaily.lists import ListItem, Section
from tools.mirror.model import CdArticle

# Section path -> (breadcrumb, page title, catalog id as `<meta name="catalogs">` prints it).
SECTIONS: dict[str, tuple[Section, str, str]] = {
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
LEADS: dict[str, tuple[ListItem, ...]] = {
    "china/society": ((c.CD_SOFT_404_URL, c.CD_SOFT_404_LIST_TITLE, "2026-09-23 16:40", ""),),
}

# Right-rail "中文 Chinese" boxes: the Chinese-language articles, which no English section
# lists. An assumption (archiver/mirror/SOURCES.md): it makes them reachable from the default
# start pages.
CHINESE_RAIL: dict[str, tuple[tuple[str, str], ...]] = {
    "china/society": ((c.CD_LEGACY_ZH_GB.url, c.CD_LEGACY_ZH_GB.title),),
    "world/china-us": ((c.CD_REAL_ZH, "外国专家：中美合作共赢符合国际社会利益"),),
}


def _item(url: str, title: str, when: str, img: str) -> ListItem:
    return (url, title, when, img)


def _img(a: CdArticle) -> str:
    return a.figure.src if a.figure else ""


def list_items() -> dict[tuple[str, int], list[ListItem]]:
    """The dated entries of every list page, keyed by (section path, page number)."""
    it = _item
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


def list_url(path: str, page: int) -> str:
    """The real URL of page `page` of section `path` (page 1 is the bare section URL)."""
    return f"https://www.chinadaily.com.cn/{path}" + ("" if page == 1 else f"/page_{page}.html")
