"""Reconstructed Global Times article pages: current (/page/) and old (/content/) templates.

Their marks say "per SITES.md 2.3": the reference notes docs/sites.md was written from, with the
same section numbers. The served bytes stay as they are, so the marks keep that name.
"""

from __future__ import annotations

from urllib.parse import quote

from tools.mirror.globaltimes.dates import list_time, pub_time
from tools.mirror.markup import MARK, esc, fill, template
from tools.mirror.model import GtArticle

_LOGO = "https://www.globaltimes.cn/img/logo1.png"


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def _column(a: GtArticle) -> str:
    # `span.cloumm_level_one/two` (sic), docs/sites.md 2.3.
    return " / ".join(
        f'<span class="cloumm_level_{"one" if i == 0 else "two"}"><a href="https://www.globaltimes.cn/{p}/index.html">{label}</a></span>'
        for i, (label, p) in enumerate(a.column)
    )


def _byline_and_card(a: GtArticle) -> tuple[str, str]:
    # "By" with `a.author_name` links and an author card each; "Source: X" when no author.
    if not a.authors:
        return f'            <span class="source">Source: {esc(a.source)}</span>', ""
    names = " and ".join(
        f'<a href="https://www.globaltimes.cn/author/{_slug(n)}.html" class="author_name">{esc(n)}</a>'  # noqa: E501
        for n in a.authors
    )
    card = "\n".join(
        '        <div class="author_card">\n'
        f'          <div class="card_author_img"><img src="https://www.globaltimes.cn/Portals/0/author/{_slug(n)}.jpg" alt=""></div>\n'  # noqa: E501
        f'          <div class="card_author_name"><a href="https://www.globaltimes.cn/author/{_slug(n)}.html">{esc(n)}</a></div>\n'
        '          <div class="card_author_desc">Global Times reporter</div>\n        </div>'
        for n in a.authors
    )
    return f'            <span class="byline">By {names}</span>', card


def _related_box(a: GtArticle, by_id: dict[str, GtArticle]) -> str:
    return (
        '<div class="related_articles"><div class="related_title">RELATED ARTICLES:</div><ul>'
        + "".join(
            f'<li><a href="{by_id[r].url}" target="_blank">{esc(by_id[r].title)}</a></li>'
            for r in a.related
        )
        + "</ul></div>"
    )


def _body(a: GtArticle, by_id: dict[str, GtArticle]) -> str:
    # Bare text nodes between <br> (docs/sites.md 2.3): picture and caption, paragraphs with
    # the related box after the second, then the "Newspaper headline:" trailer.
    picture = ""
    if a.figure:
        f = a.figure
        cap = f"{esc(f.caption)} {esc(f.credit)}" if f.caption else esc(f.credit)
        picture = (
            f'<center><img src="{f.src}" alt="{esc(f.caption or a.title)}" style="max-width:100%;">'
            f'</center><p class="picture" style="text-align:center;">{cap}</p><br>'
        )
    paras = [esc(p) for p in a.paragraphs]
    if a.related:
        paras.insert(min(2, len(paras)), _related_box(a, by_id))
    body = "<br><br>".join(paras)
    if a.newspaper_headline:
        body += f"<br><br>Newspaper headline: {esc(a.newspaper_headline)}"
    return "\n" + picture + body + "\n"


def current(a: GtArticle, by_id: dict[str, GtArticle]) -> str:
    """A reconstructed current-template (/page/) article; `by_id` resolves its related box."""
    byline, card = _byline_and_card(a)
    page = fill(
        template("gt_article.html"),
        title=esc(a.title),
        title_q=quote(a.title),
        subtitle=esc(a.subtitle),
        keywords=esc(",".join(a.keywords)),
        desc=esc(a.paragraphs[0]),
        url=a.url,
        og_image=a.figure.src if a.figure else _LOGO,
        column=_column(a),
        byline=byline,
        pub_time=pub_time(a.published),
        body=_body(a, by_id),
        author_card=card,
    )
    note = f"current article template per SITES.md 2.3, text invented ({a.article_id})"
    return MARK.format(note) + page


def legacy(a: GtArticle) -> str:
    """A reconstructed old-template (/content/) article."""
    crumbs = " &gt; ".join(
        f'<a href="http://www.globaltimes.cn/{p}/">{label}</a>' for label, p in a.column
    )
    who = " and ".join(a.authors) + (f" in {a.place}" if a.place else "")
    source_line = f"By {who} Source:{a.source} Published: {list_time(a.published)}"
    last = a.column[-1]
    page = fill(
        template("gt_legacy.html"),
        title=esc(a.title),
        desc=esc(a.paragraphs[0]),
        keywords=esc(", ".join(label.title() for label, _ in a.column)),
        crumbs=crumbs,
        source_line=esc(source_line),
        body="<br /><br />".join(esc(p) for p in a.paragraphs),
        posted_in=f'<a href="http://www.globaltimes.cn/{last[1]}/">{last[0]}</a>',
    )
    return MARK.format(f"old template per SITES.md 2.3, text invented ({a.article_id})") + page
