"""Shared page-reading helpers: HTML parsing, text lines, captions, credits, the per-page result."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import lxml.html
from lxml.etree import ParserError
from lxml.html import HtmlElement

from archiver.record import Author, DateCandidate, Image, Language
from archiver.sites.urls import absolute_url


class PageError(Exception):
    """A page is no article record: `reason` is a short slug; `not_article` for videos, 404s."""

    def __init__(self, reason: str, message: str, *, not_article: bool = False) -> None:
        super().__init__(message)
        self.reason = reason
        self.not_article = not_article


@dataclass(frozen=True)
class ParsedPage:
    """What one page of an article says; extract.py merges the pages of one article."""

    parser: str
    title: str | None
    paragraphs: list[str]
    subtitle: str | None = None
    authors: list[Author] = field(default_factory=list)
    source: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    dates_raw: list[DateCandidate] = field(default_factory=list)
    published_from: str | None = None
    dates_disagree: bool = False
    section: list[str] = field(default_factory=list)
    language: Language = "en"
    tags: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    newspaper_headline: str | None = None
    images: list[Image] = field(default_factory=list)
    # Kinds of media seen where the body should be ("video", "gallery"): for NotAnArticle reasons.
    media: frozenset[str] = frozenset()
    # True when no body container was found and trafilatura read the body: a second trafilatura
    # reading would only agree with itself, so extract.py measures no agreement then.
    body_by_fallback: bool = False


_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def clean(text: str | None) -> str:
    """Whitespace collapsed (NBSP, ideographic and zero-width spaces too), stripped; '' for None."""
    if not text:
        return ""
    return _WS.sub(" ", text).strip()


def parse_html(text: str) -> HtmlElement:
    """The document tree of `text`; PageError("not-html") when there is no markup to parse."""
    if "<" not in text:
        raise PageError("not-html", "body has no HTML markup")
    try:
        root = lxml.html.document_fromstring(text)
    except (ParserError, ValueError) as exc:
        raise PageError("not-html", f"body is not parseable HTML: {exc}") from exc
    return root


def classes(el: HtmlElement) -> set[str]:
    """The element's class names."""
    return set((el.get("class") or "").split())


def has_class(el: HtmlElement, *names: str) -> bool:
    """True when the element carries any of `names` as a class."""
    return bool(classes(el) & set(names))


def first(root: HtmlElement, *xpaths: str) -> HtmlElement | None:
    """The first element matched by the first xpath that matches anything."""
    for xp in xpaths:
        found = root.xpath(xp)
        for el in found:
            if isinstance(el, HtmlElement):
                return el
    return None


def text_of(el: HtmlElement | None) -> str:
    """All text under `el` (scripts and styles left out), whitespace collapsed."""
    if el is None:
        return ""
    parts: list[str] = []
    for node in el.iter():
        if node is not el and node.tag in ("script", "style"):
            continue
        if isinstance(node.tag, str) and node.tag not in ("script", "style") and node.text:
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    return clean(" ".join(parts)) if parts else ""


def meta(root: HtmlElement, name: str) -> str | None:
    """Content of <meta name=NAME> or <meta property=NAME> (case-insensitive name), or None."""
    wanted = name.lower()
    for el in root.iter("meta"):
        key = (el.get("name") or el.get("property") or "").lower()
        if key == wanted:
            value = clean(el.get("content"))
            return value or None
    return None


def split_keywords(raw: str | None) -> list[str]:
    """Meta keywords split on commas (ASCII and full-width) and semicolons, de-duplicated."""
    if not raw:
        return []
    out: list[str] = []
    for part in re.split(r"[,，;；、]", raw):
        tag = clean(part)
        if tag and tag not in out:
            out.append(tag)
    return out


def is_cjk_text(text: str) -> bool:
    """True when CJK ideographs are at least a fifth of the letters: the text is Chinese."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    cjk = sum(1 for c in letters if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")
    return cjk * 5 >= len(letters)


# --- lines of text ---------------------------------------------------------------------------

_BLOCK = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "blockquote",
        "section",
        "article",
        "table",
        "tr",
        "td",
        "th",
        "center",
        "header",
        "footer",
        "aside",
        "nav",
        "dl",
        "dt",
        "dd",
        "pre",
        "hr",
        "form",
    ]
)
_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "iframe",
        "video",
        "audio",
        "object",
        "embed",
        "img",
        "picture",
        "figure",
        "figcaption",
        "svg",
        "canvas",
        "button",
        "input",
        "select",
        "textarea",
        "template",
        "map",
    ]
)


@dataclass
class Line:
    """One line of body text: a paragraph or a <br>-separated run."""

    text: str
    # Every letter of it sits inside <a>: typical of related-link lists.
    link_only: bool
    # The block element it came from ("p", "h2", "br" for bare text runs, ...).
    tag: str
    # An image or figure sits right before or after it (or in it), or its element is marked as
    # a caption: only such a line can be a caption printed as a paragraph.
    near_media: bool = False


# Elements that show a picture; elements a `skip` callback drops count as one when their class
# or id says so ("picture", "photo", "caption").
_MEDIA = frozenset(["img", "figure", "picture", "video", "svg", "canvas"])
_MEDIA_IDENT = re.compile(r"pic|photo|caption|image|img|figure", re.I)


def _ident(el: HtmlElement) -> str:
    return (el.get("id") or "") + " " + (el.get("class") or "")


class _LineBuilder:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self._parts: list[tuple[str, bool]] = []
        self._tag = "br"
        self._caption = False
        # A picture came since the last line ended (the next line follows it).
        self._media_pending = False
        # A picture sits inside the line being built.
        self._media_in = False

    def add(self, text: str | None, in_link: bool) -> None:
        if text:
            self._parts.append((text, in_link))

    def media(self) -> None:
        if any(clean(t) for t, _ in self._parts):
            self._media_in = True
            return
        self._media_pending = True
        if self.lines:
            # Nothing printed between the last line and the picture: the line sits above it.
            self.lines[-1].near_media = True

    def flush(self, next_tag: str = "br", caption: bool = False) -> None:
        text = clean("".join(t for t, _ in self._parts))
        if text:
            link_only = all(link or not clean(t) for t, link in self._parts)
            near = self._media_pending or self._media_in or self._caption
            self.lines.append(Line(text, link_only, self._tag, near))
            self._media_pending = False
        self._media_in = False
        self._parts = []
        self._tag = next_tag
        self._caption = caption


def lines_of(
    container: HtmlElement, skip: Callable[[HtmlElement], bool] | None = None
) -> list[Line]:
    """Text lines of `container` in document order.

    Block elements and <br> end a line; images, figures, scripts and elements for which
    `skip(el)` is true contribute nothing (their tail text still counts). A line next to a
    picture, or in an element whose class says caption/picture, has `near_media` set.
    """
    builder = _LineBuilder()

    def visit(el: HtmlElement, in_link: bool) -> None:
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            skipped = bool(tag) and tag not in _SKIP and skip is not None and skip(child)
            if not tag or tag in _SKIP or skipped:
                if tag in _BLOCK or tag in ("figure", "iframe", "video"):
                    builder.flush()
                if tag in _MEDIA or (skipped and _MEDIA_IDENT.search(_ident(child))):
                    builder.media()
                builder.add(child.tail, in_link)
                continue
            if tag == "br":
                builder.flush()
                builder.add(child.tail, in_link)
                continue
            block = tag in _BLOCK
            if block:
                caption = bool(re.search(r"caption|picture|pic_", _ident(child), re.I))
                builder.flush(tag, caption)
            builder.add(child.text, in_link or tag == "a")
            visit(child, in_link or tag == "a")
            if block:
                builder.flush()
            builder.add(child.tail, in_link)

    builder.add(container.text, False)
    visit(container, False)
    builder.flush()
    return builder.lines


# --- images, captions, credits -----------------------------------------------------------------

_CREDIT_RULES: tuple[re.Pattern[str], ...] = (
    # "[Photo/Agencies]", "[Photo by Su Zhigang/For chinadaily.com.cn]", "[Provided to China Daily]"
    re.compile(
        r"[\[【]\s*((?:Photos?|Photo by|Provided|Image|Video|Xinhua)[^\]】]*?)\s*[\]】]\s*$", re.I
    ),
    # "(Photo/Xinhua)"
    re.compile(r"[(（]\s*((?:Photos?|Photo by|Provided)[^)）]*?)\s*[)）]\s*$", re.I),
    # "LIU CHAOFU/FOR CHINA DAILY", "FENG YONGBIN/CHINA DAILY": all-caps names, a slash, caps.
    re.compile(
        r"(?:^|(?<=\s))((?:[A-Z][A-Z'\-]*\s+){0,5}[A-Z][A-Z'\-]*"
        r"\s*/\s*(?:FOR\s+)?[A-Z][A-Z .]*[A-Z])\s*$"
    ),
    # Global Times: "Photo: AFP", "Photos: VCG", "Photo: Li Hao/GT", "Graphic: GT".
    re.compile(
        r"(?:^|(?<=\s))(?:Photos?|Graphic|Image|Chart|Cartoon|Illustration)\s*:\s*(.+?)\s*$"
    ),
)


def split_credit(caption: str) -> tuple[str | None, str | None]:
    """(caption without credit, credit without brackets) for a caption as printed; None if empty."""
    text = clean(caption)
    for rule in _CREDIT_RULES:
        m = rule.search(text)
        if m:
            credit = clean(m.group(1)).strip("/ ")
            rest = clean(text[: m.start()]).rstrip(" -—|")
            return (rest or None), (credit or None)
    return (text or None), None


def has_credit(text: str) -> bool:
    """True when `text` ends with a photo credit, so it is a caption and not body text."""
    return split_credit(text)[1] is not None


def image_url(el: HtmlElement, page_url: str) -> str | None:
    """Absolute URL of an <img> (lazy-load attributes first); None for data: URIs and blanks."""
    for attr in ("data-original", "data-src", "src"):
        value = clean(el.get(attr))
        if value and not value.startswith("data:"):
            return absolute_url(value, page_url)
    return None


def figure_images(container: HtmlElement, page_url: str) -> list[Image]:
    """Images of `container`: <figure> with <img> and <figcaption>, then bare <img> elsewhere."""
    images: list[Image] = []
    seen: set[str] = set()
    for fig in container.iter("figure"):
        caption_el = first(fig, ".//figcaption")
        caption, credit = split_credit(text_of(caption_el))
        for img in fig.iter("img"):
            url = image_url(img, page_url)
            if url and url not in seen:
                seen.add(url)
                images.append(Image(url=url, caption=caption, credit=credit))
    for img in container.iter("img"):
        url = image_url(img, page_url)
        if url and url not in seen:
            seen.add(url)
            images.append(Image(url=url))
    return images


def unique(items: Iterable[str]) -> list[str]:
    """`items` without blanks and repeats, order kept."""
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out


def captioned_images(
    body: HtmlElement, page_url: str, images: list[Image]
) -> tuple[list[Image], set[str]]:
    """Give figure-less images the caption printed right after them.

    Older templates put an image alone in a <p>/<center> and the caption in the next element
    (centred, class "picture", or ending with a credit) or in the bare text that follows it.
    Returns `images` (captions filled in) and the caption texts, which are not body text.
    """
    captions: set[str] = set()
    by_url = {img.url: img for img in images}
    for img_el in body.iter("img"):
        url = image_url(img_el, page_url)
        if (
            url is None
            or url not in by_url
            or by_url[url].caption
            or img_el.xpath("ancestor::figure")
        ):
            continue
        holder = img_el
        parent = img_el.getparent()
        # Climb out of wrappers that hold nothing but the image (<a>, <center>, <p>).
        while parent is not None and parent is not body and not text_of(parent):
            holder, parent = parent, parent.getparent()
        text = ""
        nxt = holder.getnext()
        tail = clean(holder.tail)
        # "<center><img></center><br>Caption. Photo: VCG<br>": the caption is a <br>'s tail.
        while not tail and nxt is not None and nxt.tag == "br":
            tail = clean(nxt.tail)
            nxt = nxt.getnext()
        if tail:
            text = tail if has_credit(tail) and len(tail) < 400 else ""
        elif nxt is not None and isinstance(nxt.tag, str) and not nxt.xpath(".//img"):
            candidate = text_of(nxt)
            marked = (
                has_class(nxt, "picture", "caption", "pic_caption")
                or nxt.tag == "figcaption"
                or nxt.get("align") == "center"
                or "center" in (nxt.get("style") or "")
                or has_credit(candidate)
            )
            if candidate and len(candidate) < 400 and marked:
                text = candidate
        if text:
            caption, credit = split_credit(text)
            by_url[url] = Image(url=url, caption=caption, credit=credit)
            captions.add(text)
    return [by_url[img.url] for img in images], captions
