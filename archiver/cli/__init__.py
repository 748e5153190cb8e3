"""The `archiver` command: one subcommand group per module of this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from archiver import __version__
from archiver.cli import basics, crawl, fixtures, incremental, offline, replay, serve
from archiver.cli.common import archive_dir
from archiver.cli.parsing import ArchiverParser
from archiver.errors import ArchiverError

__all__ = ["archive_dir", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv`; returns the exit status (1 for an ArchiverError, such as
    a CommandError: one line on stderr, no traceback)."""
    options = parser().parse_args(argv)
    try:
        result: int = options.run(options)
    except ArchiverError as exc:
        print(f"archiver: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("archiver: interrupted", file=sys.stderr)
        return 130
    return result


def parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    # Subcommand parsers are made with the same class (argparse's parser_class default).
    top = ArchiverParser(
        prog="archiver",
        description="Archive China Daily and Global Times: WARC captures and JSON article records.",
    )
    top.add_argument("--version", action="version", version=f"archiver {__version__}")
    commands = top.add_subparsers(title="commands", required=True, metavar="COMMAND")
    for group in (crawl, basics, incremental, replay, offline, fixtures, serve):
        group.register(commands)
    return top


if __name__ == "__main__":
    sys.exit(main())
