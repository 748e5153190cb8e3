"""Page fixtures: captured responses plus the expected record, made from WARC files and re-run.

A fixture is a folder:
- single page: `body.html` + `response.json`; multi-page: `body_1.html`, `response_1.json`,
  `body_2.html`, ... in page order, page 1 first;
- `body*.html`: the HTTP body bytes as received (still gzip/br-encoded when the response said
  so in Content-Encoding; decoded on load as the WARC reader does);
- `response*.json`: {"url", "status", "headers": [[name, value], ...], "fetched_at" (ISO 8601
  with offset), "hints" (discovery hints, optional), "reconstructed": bool, "reviewed": bool,
  "note"}; a reconstructed page says so in `note` ("RECONSTRUCTED ...") and what was invented;
  `reviewed` is false until a person has checked expected.json against the page (`archiver
  fixtures add` writes false; the gate and the fixture tests refuse unreviewed fixtures);
- `expected.json`: the expected record without the fields in RECORD_ONLY, or
  {"error": "NotAnArticle" | "ExtractionError", "reason": slug}.
"""

from __future__ import annotations

import contextlib
import difflib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from archiver.errors import CommandError
from archiver.extract import ExtractionError, NotAnArticle, extract_article
from archiver.page import CapturedPage
from archiver.urls import parse_article_url
from archiver.warc.codings import DecodingError, decode_body, split_codings

# Record fields that describe the run, not the page: never part of an expected record.
RECORD_ONLY = frozenset({"captures", "extractor", "version", "previous_version", "changes"})
# Where the fixtures live in the repository; `default_root` finds the folder from anywhere.
DEFAULT_ROOT = Path("tests") / "fixtures" / "pages"
FLOORS_NAME = "quality_floors.json"
# The comment the offline mirror's generated pages carry (archiver/mirror/build.py).
MIRROR_MARK = b"reconstructed for the archiver mirror"
UNREVIEWED_HINT = (
    'check expected.json against the page, then set "reviewed": true in its response*.json'
)


def default_root(cwd: Path | None = None) -> Path | None:
    """The repository's fixture folder: tests/fixtures/pages in `cwd` (default: the working
    directory) or an ancestor, else the one of the checkout archiver is installed from; None
    when there is none."""
    start = (cwd or Path.cwd()).resolve()
    package_repo = Path(__file__).resolve().parents[1]
    for base in (start, *start.parents, package_repo):
        if (base / DEFAULT_ROOT).is_dir():
            return base / DEFAULT_ROOT
    return None


def default_floors(folders: Sequence[Path]) -> Path | None:
    """The floors file of fixture folders: quality_floors.json in the nearest ancestor of the
    first folder (tests/quality_floors.json for tests/fixtures/pages/...); None if none."""
    if not folders:
        return None
    for base in folders[0].resolve().parents:
        if (base / FLOORS_NAME).is_file():
            return base / FLOORS_NAME
    return None


@dataclass(frozen=True)
class Fixture:
    """One fixture folder, loaded: pages in page order, their response.json, the expectation."""

    path: Path
    pages: list[CapturedPage]
    responses: list[dict[str, Any]]
    expected: dict[str, Any]

    @property
    def name(self) -> str:
        """The folder name."""
        return self.path.name

    @property
    def is_error(self) -> bool:
        """True when the page must give no record (expected.json names an error)."""
        return "error" in self.expected

    @property
    def reviewed(self) -> bool:
        """True when every page's response.json says `"reviewed": true`."""
        return all(r.get("reviewed") is True for r in self.responses)

    @property
    def site(self) -> str:
        """Site of page 1 ("chinadaily", "globaltimes"), from its URL."""
        url = parse_article_url(self.pages[0].url)
        return url.site if url is not None else "unknown"


def page_files(folder: Path) -> list[tuple[Path, Path]]:
    """(body, response.json) pairs of a fixture folder, page order; FileNotFoundError if none."""
    if (folder / "body.html").exists():
        return [(folder / "body.html", folder / "response.json")]
    bodies = sorted(folder.glob("body_*.html"), key=lambda p: int(p.stem.split("_")[1]))
    if not bodies:
        raise FileNotFoundError(f"{folder} has no body.html or body_N.html")
    return [(b, folder / f"response_{b.stem.split('_')[1]}.json") for b in bodies]


def load(folder: Path) -> Fixture:
    """The fixture in `folder`, bodies content-decoded as the WARC reader decodes them."""
    pages: list[CapturedPage] = []
    responses: list[dict[str, Any]] = []
    for body_path, response_path in page_files(folder):
        meta = json.loads(response_path.read_text(encoding="utf-8"))
        headers = [(str(k), str(v)) for k, v in meta["headers"]]
        body = body_path.read_bytes()
        codings = split_codings(v for k, v in headers if k.lower() == "content-encoding")
        # A mislabelled plain body is kept as stored, as the WARC reader does.
        with contextlib.suppress(DecodingError):
            body = decode_body(body, codings)
        pages.append(
            CapturedPage(
                url=meta["url"],
                body=body,
                status=int(meta["status"]),
                headers=headers,
                fetched_at=datetime.fromisoformat(meta["fetched_at"]),
                hints={str(k): str(v) for k, v in meta.get("hints", {}).items()},
            )
        )
        responses.append(meta)
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    return Fixture(folder, pages, responses, expected)


def find(paths: Sequence[Path]) -> list[Path]:
    """Fixture folders named by `paths`: each a fixture or a folder of fixtures; sorted."""
    found: list[Path] = []
    for path in paths:
        if (path / "expected.json").exists():
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.iterdir() if (p / "expected.json").exists())
        else:
            raise CommandError(f"{path} is not a fixture folder (no expected.json)")
    return found


def outcome(pages: Sequence[CapturedPage]) -> dict[str, Any]:
    """What extraction makes of `pages`, in expected.json form (record or error)."""
    try:
        article = extract_article(pages)
    except NotAnArticle as exc:
        return {"error": "NotAnArticle", "reason": exc.reason}
    except ExtractionError as exc:
        return {"error": "ExtractionError", "reason": exc.reason}
    record: dict[str, Any] = json.loads(article.to_json_line())
    return {k: v for k, v in record.items() if k not in RECORD_ONLY}


def diff(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Field-level differences, one block per field, in the order of `actual` then `expected`.

    `text` is shown as a diff of its paragraphs; other fields as expected and actual JSON.
    [] when equal.
    """
    lines: list[str] = []
    keys = list(actual) + [k for k in expected if k not in actual]
    for key in keys:
        if key in expected and key in actual and expected[key] == actual[key]:
            continue
        if key not in actual:
            lines.append(f"  {key}: expected {_show(expected[key])}, got no such field")
        elif key not in expected:
            lines.append(f"  {key}: not expected, got {_show(actual[key])}")
        elif key == "text" and isinstance(expected[key], str) and isinstance(actual[key], str):
            lines.append("  text:")
            lines += [
                f"    {line}"
                for line in difflib.unified_diff(
                    expected[key].split("\n\n"),
                    actual[key].split("\n\n"),
                    "expected",
                    "actual",
                    n=0,
                    lineterm="",
                )
            ]
        else:
            lines.append(f"  {key}:")
            lines.append(f"    - expected {_show(expected[key])}")
            lines.append(f"    + actual   {_show(actual[key])}")
    return lines


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_expected(folder: Path, expected: dict[str, Any]) -> None:
    """Write expected.json: indented, non-ASCII kept, trailing newline."""
    text = json.dumps(expected, ensure_ascii=False, indent=2) + "\n"
    (folder / "expected.json").write_text(text, encoding="utf-8")


def rerun(folders: Iterable[Path], *, write: bool, out: IO[str]) -> int:
    """Re-extract every fixture offline and print field-level diffs against expected.json.

    With `write`, a fixture that differs gets the new output as its expected.json (and the diff
    is printed, so the change is never silent). Returns 0 when nothing differs or all was
    written, 1 when some fixture differs and `write` is off.
    """
    differing = 0
    total = 0
    for folder in folders:
        total += 1
        fixture = load(folder)
        actual = outcome(fixture.pages)
        changes = diff(fixture.expected, actual)
        if not changes:
            continue
        differing += 1
        print(f"{folder}: {len(_fields(changes))} field(s) differ", file=out)
        for line in changes:
            print(line, file=out)
        if write:
            write_expected(folder, actual)
            print(f"{folder}: expected.json rewritten", file=out)
    verdict = "written" if write else "differ"
    print(f"{total} fixture(s), {differing} {verdict}", file=out)
    if differing and not write:
        print("review the diffs; accept them with `archiver fixtures rerun --write DIR`", file=out)
        return 1
    return 0


def _fields(changes: list[str]) -> list[str]:
    return [line for line in changes if line.startswith("  ") and not line.startswith("    ")]


# --- making a fixture from a WARC file ---------------------------------------------------------


def unreviewed(fixtures: Iterable[Fixture]) -> list[str]:
    """Names of the fixtures not yet reviewed (see `Fixture.reviewed`)."""
    return [f.name for f in fixtures if not f.reviewed]


def add(
    warc: Path, url: str, root: Path, name: str | None = None, *, reconstructed: bool = False
) -> Path:
    """Make a fixture folder under `root` from the response records of `url` in `warc`.

    Every page of the article found in the file is taken (page 1 = `url`, then `_2`, `_3`,
    ... in page order), each with its body bytes as received, status, header pairs, capture
    time and discovery hints. Of several captures of a page (retries are archived too) the
    last with status 200 is taken, else the last one. A page is marked reconstructed when
    `reconstructed` is given or its body carries the offline mirror's "reconstructed for the
    archiver mirror" comment. expected.json is the current extractor's output, marked
    `"reviewed": false` until a person has checked it. Raises CommandError when `url` is no
    article URL, no response for it is in the file, or the folder exists (nothing is
    overwritten).
    """
    from archiver.warc.raw import WarcReadError, iter_records
    from archiver.warc.reader import page_from_record

    wanted = parse_article_url(url)
    if wanted is None:
        raise CommandError(f"{url} is not an article URL of China Daily or Global Times")
    pages: dict[int, tuple[bytes, CapturedPage]] = {}
    try:
        for record in iter_records(warc):
            if record.type != "response" or not record.has_http:
                continue
            found = parse_article_url(record.target_uri)
            if found is None or (found.site, found.article_id) != (
                wanted.site,
                wanted.article_id,
            ):
                continue
            page = page_from_record(record, warc, warc.name)
            kept = pages.get(found.page)
            # A retried page is archived once per attempt: the last good answer is the page.
            if kept is None or page.status == 200 or kept[1].status != 200:
                pages[found.page] = (record.payload, page)
    except (OSError, WarcReadError) as exc:
        raise CommandError(f"cannot read {warc}: {exc}") from None
    if 1 not in pages:
        raise CommandError(f"no response for page 1 of {url} in {warc}")
    first_page = pages[1][1]
    when = first_page.fetched_at
    stamp = when.strftime("%Y-%m-%d") if when else "undated"
    folder = root / (name or f"{wanted.site}-{stamp}-{wanted.article_id}")
    if folder.exists():
        raise CommandError(f"{folder} exists; pick another --name (nothing was overwritten)")
    numbers = sorted(pages)
    folder.mkdir(parents=True)
    for number in numbers:
        raw, page = pages[number]
        suffix = "" if len(numbers) == 1 else f"_{number}"
        (folder / f"body{suffix}.html").write_bytes(raw)
        capture = page.capture
        made_up = reconstructed or MIRROR_MARK in page.body
        prefix = "RECONSTRUCTED page, not from the live site; from " if made_up else "Captured: "
        where = (
            f"{warc.name} offset {capture.warc_offset if capture else '?'} "
            f"({capture.warc_record_id if capture else 'no record id'})"
        )
        meta: dict[str, Any] = {
            "url": page.url,
            "status": page.status,
            "headers": [[k, v] for k, v in page.headers],
            "fetched_at": page.fetched_at.isoformat() if page.fetched_at else None,
            "hints": dict(page.hints),
            "reconstructed": made_up,
            "reviewed": False,
            "note": f"{prefix}{where}. expected.json was written by `archiver fixtures add` "
            "from the extractor's output: review it against the page, then set reviewed to true.",
        }
        text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
        (folder / f"response{suffix}.json").write_text(text, encoding="utf-8")
    write_expected(folder, outcome([pages[n][1] for n in numbers]))
    return folder


def iter_fixtures(root: Path) -> Iterator[Fixture]:
    """Every fixture under `root`, sorted by name."""
    for folder in find([root]):
        yield load(folder)
