"""Pieces every generated file uses: the reconstructed mark, templates, paths, escaping, JSON."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

TEMPLATES = Path(__file__).resolve().parent / "templates"
# First line of every reconstructed page: archiver.fixtures and the mirror's tests look for it.
MARK = "<!-- reconstructed for the archiver mirror: {} -->\n"

Files = dict[str, bytes]  # path relative to the mirror root -> bytes


def esc(text: str) -> str:
    """HTML-escape `text` for an element or a double-quoted attribute."""
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


def template(name: str) -> str:
    """The text of templates/<name>."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


def site_path(url: str) -> str:
    """site/<host>/<path> for an absolute URL; directory URLs map to index.html."""
    parts = urlsplit(url)
    path = parts.path
    if path.endswith("/") or "." not in path.rsplit("/", 1)[-1]:
        path = path.rstrip("/") + "/index.html"
    return f"site/{parts.hostname}{path}"


def no_scheme(url: str) -> str:
    """Protocol-relative form, as China Daily pages link (docs/sites.md 1.1)."""
    return "//" + url.split("://", 1)[1]


def to_json(data: object) -> bytes:
    """routes.json and manifest.json bytes: indented, UTF-8 kept, one final newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
