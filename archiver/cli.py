"""The `archiver` command: schema, extract, demo."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
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

    _add_fixtures(commands)
    _add_incremental(commands)
    _add_replay_tools(commands)
    return parser


def _add_incremental(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    index = commands.add_parser("index", help="the archive index (a cache of the files)")
    actions = index.add_subparsers(title="actions", required=True, metavar="ACTION")
    rebuild = actions.add_parser(
        "rebuild", help="recreate the index from the WARC, records and events files alone"
    )
    _add_dir(rebuild)
    rebuild.set_defaults(run=_run_index_rebuild)

    changes = commands.add_parser(
        "changes",
        help="list article edits (with a diff of title and text) and deletions",
        description="With --json, one object per line: url, kind (edited|deleted), at, site, "
        "article_id, and version, previous_version, changes for edits or status, location for "
        "deletions.",
    )
    changes.add_argument("--since", type=_day, help="only changes seen on or after YYYY-MM-DD")
    changes.add_argument("--site", choices=["chinadaily", "globaltimes"])
    changes.add_argument("--json", action="store_true", help="JSON Lines output")
    _add_dir(changes)
    changes.set_defaults(run=_run_changes)

    schedule = commands.add_parser(
        "schedule",
        help="run crawl jobs on cron expressions (TOML config; default: hourly, daily, nightly)",
    )
    schedule.add_argument("--config", type=Path, help="TOML file of [[job]] entries")
    schedule.add_argument(
        "--print-crontab", action="store_true", help="print crontab lines for the jobs and exit"
    )
    schedule.add_argument(
        "--print-config", action="store_true", help="print the default config and exit"
    )
    schedule.add_argument("--job", help="run this one job now, in the foreground, and exit")
    _add_dir(schedule)
    schedule.set_defaults(run=_run_schedule)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _run_index_rebuild(options: argparse.Namespace) -> int:
    from archiver.index.commands import run_rebuild

    return run_rebuild(archive_dir(options.dir))


def _run_changes(options: argparse.Namespace) -> int:
    from archiver.changes import run_changes

    return run_changes(archive_dir(options.dir), options.since, options.site, options.json)


def _run_schedule(options: argparse.Namespace) -> int:
    from archiver.schedule.command import run_schedule

    return run_schedule(
        archive_dir(options.dir),
        options.config,
        print_crontab=options.print_crontab,
        print_config=options.print_config,
        job=options.job,
    )


def _add_fixtures(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser(
        "fixtures", help="page fixtures: make them from WARC captures, re-run them, score them"
    )
    actions = group.add_subparsers(title="actions", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="make a fixture folder from the response records of URL in a WARC file",
        description="Copies every page of the article (body bytes as received, status, headers, "
        "capture time, hints) and writes expected.json from the current extractor, for review.",
    )
    add.add_argument("warc", type=Path, metavar="WARC")
    add.add_argument("--url", required=True, help="URL of the article's first page")
    add.add_argument("--name", help="folder name (default: <site>-<capture date>-<article id>)")
    add.add_argument(
        "--root", type=Path, default=Path("tests/fixtures/pages"), help="where the folder goes"
    )
    add.set_defaults(run=_run_fixtures_add)
    rerun = actions.add_parser(
        "rerun",
        help="re-extract fixtures offline and print field-level diffs against expected.json",
    )
    rerun.add_argument("dirs", type=Path, nargs="*", metavar="DIR")
    rerun.add_argument("--write", action="store_true", help="accept the diffs: rewrite expected")
    rerun.set_defaults(run=_run_fixtures_rerun)
    gate = actions.add_parser(
        "gate", help="score fixtures per site and field; fail when a score is below its floor"
    )
    gate.add_argument("dirs", type=Path, nargs="*", metavar="DIR")
    gate.add_argument("--floors", type=Path, default=Path("tests/quality_floors.json"))
    gate.add_argument("--update-floors", action="store_true", help="pin the current scores")
    gate.add_argument(
        "--lower-floors", action="store_true", help="allow --update-floors to lower a floor"
    )
    gate.set_defaults(run=_run_fixtures_gate)


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


def _run_fixtures_add(options: argparse.Namespace) -> int:
    from archiver.fixtures_command import run_add

    return run_add(options.warc, options.url, options.root, options.name)


def _run_fixtures_rerun(options: argparse.Namespace) -> int:
    from archiver.fixtures_command import run_rerun

    return run_rerun(options.dirs, options.write)


def _run_fixtures_gate(options: argparse.Namespace) -> int:
    from archiver.fixtures_command import run_gate

    return run_gate(options.dirs, options.floors, options.update_floors, options.lower_floors)


def _add_replay_tools(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    # Issue 5: replay, reextract, export wacz, verify. pywb lives in its own environment and is
    # only ever run as a subprocess (PITFALLS.md), so nothing here imports it.
    replay = commands.add_parser(
        "replay",
        help="serve the archive with pywb on 127.0.0.1 (collection `archive`)",
        description="Indexes the WARC files under --dir into a sorted CDXJ (cdxj-indexer), "
        "writes a pywb config pointing at the files in place, and runs pywb's wayback. New WARC "
        "files are indexed while it runs. Replay: /archive/<timestamp>mp_/<url>; captures: "
        "/archive/cdx?url=<url>&output=json.",
    )
    replay.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any)")
    replay.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine)"
    )
    replay.add_argument(
        "--setup", action="store_true", help="create pywb's own virtualenv (--env) and exit"
    )
    replay.add_argument(
        "--index", action="store_true", help="bring the replay index up to date and exit"
    )
    replay.add_argument(
        "--interval", type=float, default=10.0, help="seconds between looks for new WARC files"
    )
    _add_env(replay)
    _add_dir(replay)
    replay.set_defaults(run=_run_replay)

    reextract = commands.add_parser(
        "reextract",
        help="re-derive the JSON records from the WARC files with the current extractor",
        description="Reads the WARC files under --dir (no network), extracts every capture of "
        "every article in parallel processes and writes <site>.jsonl files to --out. For the "
        "same extractor version each record is byte-identical to the one the crawl wrote.",
    )
    reextract.add_argument(
        "--out", type=Path, help="output folder (default: DIR/reextract/archiver-<version>)"
    )
    reextract.add_argument("--since", type=_since, help="only articles captured since DATE")
    reextract.add_argument("--site", choices=("chinadaily", "globaltimes"))
    reextract.add_argument("--workers", type=int, help="processes (default: all CPUs)")
    _add_dir(reextract)
    reextract.set_defaults(run=_run_reextract)

    export = commands.add_parser("export", help="export the archive in another format")
    formats = export.add_subparsers(title="formats", required=True, metavar="FORMAT")
    wacz = formats.add_parser(
        "wacz",
        help="pack WARC files, index and pages.jsonl (one page per article) into a WACZ",
    )
    wacz.add_argument("--out", type=Path, required=True, metavar="FILE.wacz")
    wacz.add_argument("--since", type=_since, help="only articles captured since DATE")
    wacz.add_argument("--site", choices=("chinadaily", "globaltimes"))
    _add_env(wacz)
    _add_dir(wacz)
    wacz.set_defaults(run=_run_export_wacz)

    verify = commands.add_parser(
        "verify",
        help="check the whole archive; exit status 1 on any problem",
        description="Checks WARC digests and header/body consistency, revisits, that every "
        "JSON record's captures resolve, that re-extraction reproduces every record, and that "
        "every capture is in the replay index. Prints a summary table.",
    )
    verify.add_argument("--json", action="store_true", help="machine-readable report")
    verify.add_argument("--workers", type=int, help="processes (default: all CPUs)")
    _add_env(verify)
    _add_dir(verify)
    verify.set_defaults(run=_run_verify)


def _add_env(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env",
        type=Path,
        default=None,
        help="pywb's virtualenv (default: $ARCHIVER_REPLAY_ENV or .venv-pywb)",
    )


def _since(value: str) -> datetime:
    from archiver.reextract import parse_since

    try:
        return parse_since(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _run_replay(options: argparse.Namespace) -> int:
    from archiver.replay.command import run_replay
    from archiver.replay.env import replay_env

    return run_replay(
        archive_dir(options.dir),
        replay_env(options.env),
        setup=options.setup,
        index_only=options.index,
        port=options.port,
        host=options.host,
        interval=options.interval,
    )


def _run_reextract(options: argparse.Namespace) -> int:
    from archiver.reextract import reextract_command

    return reextract_command(
        archive_dir(options.dir), options.out, options.since, options.site, options.workers
    )


def _run_export_wacz(options: argparse.Namespace) -> int:
    from archiver.replay.env import replay_env
    from archiver.wacz_export import export_wacz

    return export_wacz(
        archive_dir(options.dir), options.out, replay_env(options.env), options.site, options.since
    )


def _run_verify(options: argparse.Namespace) -> int:
    from archiver.replay.env import replay_env
    from archiver.verify import print_report, verify_archive

    checks = verify_archive(archive_dir(options.dir), replay_env(options.env), options.workers)
    return print_report(checks, as_json=options.json)


if __name__ == "__main__":
    sys.exit(main())
