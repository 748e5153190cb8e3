"""Loading page fixtures: tests/fixtures/pages/<name>/ holds one captured article and its record.

Layout of a fixture folder:
- single page: `body.html` (bytes as received) + `response.json`;
- multi-page article: `body_1.html`, `body_2.html`, ... each with `response_1.json`, ... in page
  order (page 1 first);
- `response.json`: {"url", "status", "headers": [[name, value], ...], "fetched_at",
  "reconstructed": bool, "note"}; reconstructed pages say so and say what was invented;
- `expected.json`: the expected Article minus `captures` and `extractor`, written by hand from
  what the page shows; or {"error": "NotAnArticle" | "ExtractionError", "reason": slug}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from archiver.page import CapturedPage

FIXTURES = Path(__file__).parent / "fixtures" / "pages"


@dataclass(frozen=True)
class PageFixture:
    name: str
    pages: list[CapturedPage]
    responses: list[dict[str, Any]]
    expected: dict[str, Any]

    @property
    def is_error(self) -> bool:
        return "error" in self.expected


def _page(body: Path, response: Path) -> tuple[CapturedPage, dict[str, Any]]:
    meta = json.loads(response.read_text(encoding="utf-8"))
    page = CapturedPage(
        url=meta["url"],
        body=body.read_bytes(),
        status=meta["status"],
        headers=[(k, v) for k, v in meta["headers"]],
        fetched_at=datetime.fromisoformat(meta["fetched_at"]),
        hints=dict(meta.get("hints", {})),
    )
    return page, meta


def load(name: str) -> PageFixture:
    """The fixture folder `name`, pages in page order."""
    folder = FIXTURES / name
    if (folder / "body.html").exists():
        pairs = [(folder / "body.html", folder / "response.json")]
    else:
        bodies = sorted(folder.glob("body_*.html"), key=lambda p: int(p.stem.split("_")[1]))
        pairs = [(b, folder / f"response_{b.stem.split('_')[1]}.json") for b in bodies]
    if not pairs:
        raise FileNotFoundError(f"{folder} has no body.html or body_N.html")
    loaded = [_page(b, r) for b, r in pairs]
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return PageFixture(name, [p for p, _ in loaded], [m for _, m in loaded], expected)


def names() -> list[str]:
    """Names of all fixture folders, sorted."""
    return sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").exists())
