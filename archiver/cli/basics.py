"""`archiver schema`, `extract` and `demo`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from archiver.cli.common import Commands, add_dir, archive_dir


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
    from archiver.offline.extract_file import extract_file

    return extract_file(options.file, options.url, archive_dir(options.dir))


def _run_demo(options: argparse.Namespace) -> int:
    from archiver.demo import run_demo

    return run_demo(archive_dir(options.dir))
