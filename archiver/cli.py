"""The `archiver` command: schema, extract, demo."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from archiver import __version__
from archiver.errors import CommandError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    try:
        result: int = options.run(options)
    except CommandError as exc:
        print(f"archiver: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("archiver: interrupted", file=sys.stderr)
        return 130
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archiver",
        description="Archive China Daily and Global Times: WARC captures and JSON article records.",
    )
    parser.add_argument("--version", action="version", version=f"archiver {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    schema = commands.add_parser("schema", help="print the JSON Schema of article records")
    schema.set_defaults(run=_run_schema)

    extract = commands.add_parser(
        "extract",
        help="extract article records from a WARC file or an HTML page (no network)",
        description="Prints one JSON record per article, as JSON Lines. FILE is a WARC file "
        "(every article response in it; pages of one article are joined) or an HTML page "
        "(then give its --url).",
    )
    extract.add_argument("file", type=Path, metavar="FILE")
    extract.add_argument("--url", help="URL the HTML page was served from (HTML input only)")
    _add_dir(extract)
    extract.set_defaults(run=_run_extract)

    demo = commands.add_parser(
        "demo",
        help="crawl both sites from the bundled offline mirror into --dir and print a summary",
    )
    _add_dir(demo)
    demo.set_defaults(run=_run_demo)
    return parser


def _add_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="archive root (default: the ARCHIVER_DIR setting, 'archive')",
    )


def archive_dir(option: Path | None) -> Path:
    """--dir if given, else the project's ARCHIVER_DIR setting."""
    if option is not None:
        return option
    from scrapy.utils.project import get_project_settings

    return Path(get_project_settings().get("ARCHIVER_DIR") or "archive")


def _run_schema(options: argparse.Namespace) -> int:
    from archiver.record import schema_json

    print(json.dumps(schema_json(), indent=2, ensure_ascii=False))
    return 0


def _run_extract(options: argparse.Namespace) -> int:
    from archiver.extract_command import extract_file

    return extract_file(options.file, options.url, archive_dir(options.dir))


def _run_demo(options: argparse.Namespace) -> int:
    from archiver.demo import run_demo

    return run_demo(archive_dir(options.dir))


if __name__ == "__main__":
    sys.exit(main())
