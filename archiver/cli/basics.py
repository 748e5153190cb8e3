"""`archiver schema`, `extract` and `demo`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from archiver.cli.common import CommandError, Commands, add_dir, archive_dir


def register(commands: Commands) -> None:
    """Add this module's subcommands to `commands`."""
    schema = commands.add_parser("schema", help="print the JSON Schema of article records")
    schema.set_defaults(run=_run_schema)

    extract = commands.add_parser(
        "extract",
        help="extract article records from a WARC file or an HTML page (no network)",
        description="Prints one JSON record per article, as JSON Lines. FILE is a WARC file "
        "(every article response in it; pages of one article are joined) or an HTML page "
        "(then give its --url). captures.warc_file is the WARC file's path relative to the "
        "archive root: --dir when FILE lies under it, else <root> when FILE is "
        "<root>/warc/<spider>/<file>, else just the file name.",
    )
    extract.add_argument("file", type=Path, metavar="FILE")
    extract.add_argument("--url", help="URL the HTML page was served from (HTML input only)")
    add_dir(extract)
    extract.set_defaults(run=_run_extract)

    demo = commands.add_parser(
        "demo",
        help="crawl both sites from the bundled offline mirror into --dir and print a summary",
    )
    add_dir(demo)
    demo.set_defaults(run=_run_demo)


def _run_schema(options: argparse.Namespace) -> int:
    from archiver.record import schema_json

    print(json.dumps(schema_json(), indent=2, ensure_ascii=False))
    return 0


def _run_extract(options: argparse.Namespace) -> int:
    from archiver.offline.extract_file import SNIFF, is_warc

    path: Path = options.file
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF)
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not head:
        raise CommandError(f"{path} is empty")
    if is_warc(head):
        return _extract_warc(path, archive_dir(options.dir))
    return _extract_html(path, options.url, head)


def _extract_warc(path: Path, root: Path) -> int:
    from archiver.offline.extract_file import Skipped, extract_warc
    from archiver.warc.raw import WarcReadError

    try:
        for extracted in extract_warc(path, root):
            if isinstance(extracted, Skipped):
                print(f"archiver: skipped {extracted.url}: {extracted.reason}", file=sys.stderr)
            else:
                print(extracted.to_json_line(), flush=True)
    except WarcReadError as exc:
        raise CommandError(str(exc)) from None
    return 0


def _extract_html(path: Path, url: str | None, head: bytes) -> int:
    from archiver.offline.extract_file import extract_html
    from archiver.sites.extract import ExtractionError
    from archiver.sites.urls import parse_article_url

    if url is None:
        raise CommandError(f"{path} is not a WARC file; for an HTML page give its --url")
    if b"\x00" in head:
        raise CommandError(f"{path} is binary, neither a WARC file nor an HTML page")
    if parse_article_url(url) is None:
        raise CommandError(f"--url {url} is not an article URL of China Daily or Global Times")
    try:
        record = extract_html(path, url)
    except ExtractionError as exc:
        raise CommandError(f"no article in {path}: {exc.reason}: {exc}") from None
    print(record.to_json_line())
    return 0


def _run_demo(options: argparse.Namespace) -> int:
    from archiver.demo import run_demo

    return run_demo(archive_dir(options.dir))
