"""`archiver reextract`, `export wacz|parquet` and `verify`: the archive read back, offline."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from archiver.cli.common import (
    CommandError,
    Commands,
    add_dir,
    add_env,
    add_site,
    archive_dir,
    os_error,
    positive_int,
    since,
)

if TYPE_CHECKING:
    from archiver.offline.reextract import ReextractResult
    from archiver.offline.verify import Check, VerifyReport


def register(commands: Commands) -> None:
    """Add this module's subcommands to `commands`."""
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
    reextract.add_argument("--since", type=since, help="only articles captured since DATE")
    add_site(reextract)
    reextract.add_argument("--workers", type=positive_int, help="processes (default: all CPUs)")
    reextract.add_argument(
        "--no-second-reader",
        dest="second_reader",
        action="store_false",
        help="skip trafilatura's second reading of every page (faster); records then carry "
        "extractor.agreement null and differ from the crawl's",
    )
    add_dir(reextract)
    reextract.set_defaults(run=_run_reextract)

    _register_export(commands)

    verify = commands.add_parser(
        "verify",
        help="check the whole archive; exit status 1 on any problem",
        description="Checks WARC digests and header/body consistency, revisits, that every "
        "JSON record's captures resolve, that re-extraction reproduces every record, and that "
        "every capture is in the replay index. Prints a summary table. Reads only the files "
        "new or changed since the last verify (DIR/verify/ledger.json) and a rotating sample "
        "of the others; --full reads everything.",
    )
    verify.add_argument("--json", action="store_true", help="machine-readable report")
    verify.add_argument("--workers", type=positive_int, help="processes (default: all CPUs)")
    verify.add_argument(
        "--full",
        action="store_true",
        help="read every file, not only those new or changed since the last verify",
    )
    verify.add_argument(
        "--sample",
        type=_percent,
        default=None,
        metavar="PERCENT",
        help="share of the unchanged files read again anyway, least recently verified first "
        "(default: 5)",
    )
    add_env(verify)
    add_dir(verify)
    verify.set_defaults(run=_run_verify)


def _register_export(commands: Commands) -> None:
    """`export wacz` and `export parquet`."""
    export = commands.add_parser("export", help="export the archive in another format")
    formats = export.add_subparsers(title="formats", required=True, metavar="FORMAT")
    wacz = formats.add_parser(
        "wacz",
        help="pack WARC files, index and pages.jsonl (one page per article) into a WACZ",
    )
    wacz.add_argument("--out", type=Path, required=True, metavar="FILE.wacz")
    wacz.add_argument("--since", type=since, help="only articles captured since DATE")
    add_site(wacz)
    add_env(wacz)
    add_dir(wacz)
    wacz.set_defaults(run=_run_export_wacz)
    parquet = formats.add_parser(
        "parquet",
        help="write the records as Parquet (typed columns for DuckDB, pandas, R, Arrow)",
        description="Writes OUT/articles.parquet: the latest record of every article, one "
        "column per record field with a declared type. Needs pyarrow: "
        "pip install 'archiver[parquet]'.",
    )
    parquet.add_argument(
        "--out", type=Path, required=True, metavar="OUT", help="output folder (made if missing)"
    )
    parquet.add_argument(
        "--since", type=since, metavar="DATE", help="only records first captured since DATE"
    )
    add_site(parquet)
    parquet.add_argument(
        "--versions",
        action="store_true",
        help="every version of every article, to OUT/versions.parquet",
    )
    add_dir(parquet)
    parquet.set_defaults(run=_run_export_parquet)


def _run_reextract(options: argparse.Namespace) -> int:
    """Run, write OUT/<site>.jsonl, print a summary; 0 unless nothing could be read."""
    from archiver.layout import ArchiveLayout
    from archiver.offline.output import SortedOutput
    from archiver.offline.reextract import default_out, run_reextract

    root = archive_dir(options.dir)
    warc_root = ArchiveLayout(root).warc_root
    if not warc_root.is_dir():
        raise CommandError(f"no WARC files under {warc_root}: nothing to re-extract")
    try:
        # Records go to disk as they come, sorted there: memory does not grow with the archive.
        output = SortedOutput(options.out or default_out(root))
        bar = _Progress(terminal=sys.stderr.isatty())
        try:
            result = run_reextract(
                root,
                site=options.site,
                since=options.since,
                workers=options.workers,
                progress=bar,
                second_reader=options.second_reader,
                sink=lambda line: output.add(line.site, line.sort_key, line.line),
            )
            bar.finish()
            sites = [options.site] if options.site else [*result.sites()]
            written = output.finish(sites)
        finally:
            output.close()
    except OSError as exc:
        raise os_error(exc) from None
    _print_summary(result, written)
    return 0


def _print_summary(result: ReextractResult, written: list[Path]) -> None:
    per_page = result.cpu_seconds / result.pages if result.pages else 0.0
    rate = result.pages / result.seconds if result.seconds else 0.0
    print(f"WARC files read      {result.files:>8}")
    print(f"articles             {result.articles:>8}")
    print(f"pages extracted      {result.pages:>8}")
    print(f"records written      {result.records:>8}")
    print(f"extraction failures  {sum(result.failures.values()):>8}")
    for reason, count in sorted(result.failures.items()):
        print(f"  {reason:<18} {count:>8}")
    print(f"corrupt records      {len(result.corrupt):>8}")
    for problem in result.corrupt[:20]:
        print(f"  {problem}")
    print(f"workers              {result.workers:>8}")
    print(f"seconds              {result.seconds:>8.2f}  ({rate:.1f} pages/s)")
    print(f"CPU seconds per page {per_page:>8.4f}")
    for path in written:
        print(f"wrote {path}")


class _Progress:
    """Progress of `reextract` on stderr: on a terminal a bar redrawn in place with rate and
    ETA; otherwise (a log, a cron mail) one line every PROGRESS_EVERY seconds."""

    def __init__(self, *, terminal: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self.terminal = terminal
        self.clock = clock
        self.started = clock()
        self.last = self.started
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if not self.terminal and now - self.last < PROGRESS_EVERY and done != total:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        eta = _duration((total - done) / rate) if rate > 0 else "?"
        figures = f"{done}/{total} articles, {rate:.1f}/s, ETA {eta}"
        if self.terminal:
            width = 30
            filled = width * done // total if total else width
            bar = "#" * filled + "-" * (width - filled)
            sys.stderr.write(f"\rreextract [{bar}] {figures}  ")
            self.drawn = True
        else:
            percent = 100 * done / total if total else 100.0
            sys.stderr.write(f"reextract: {figures} ({percent:.1f}%)\n")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")


PROGRESS_EVERY = 10.0
"""Seconds between two progress lines of `reextract` when stderr is not a terminal."""


def _duration(seconds: float) -> str:
    """`1h02m`, `4m05s` or `12s`."""
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _run_export_wacz(options: argparse.Namespace) -> int:
    from archiver.offline.wacz import export_wacz
    from archiver.replay.env import replay_env

    env = replay_env(options.env).require()
    out: Path = options.out
    if out.suffix != ".wacz":
        raise CommandError(f"--out {out}: the file name must end in .wacz")
    try:
        report = export_wacz(archive_dir(options.dir), out, env, options.site, options.since)
    except OSError as exc:
        raise os_error(exc) from None
    print(f"wrote {report.out}: {report.files} WARC file(s), {report.pages} pages (articles)")
    return 0


PARQUET_EXTRA = "export parquet needs pyarrow: pip install 'archiver[parquet]'"


def _run_export_parquet(options: argparse.Namespace) -> int:
    from archiver.cli.common import index_path

    try:
        from archiver.offline.parquet import export_parquet
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "pyarrow":
            raise
        raise CommandError(PARQUET_EXTRA) from None
    root = archive_dir(options.dir)
    if not root.is_dir():
        raise CommandError(f"no archive at {root}; give --dir or run a crawl first")
    try:
        report = export_parquet(
            root,
            options.out,
            site=options.site,
            since=options.since,
            versions=options.versions,
            index_path=index_path(None),
        )
    except OSError as exc:
        raise os_error(exc) from None
    print(report.summary())
    return 0


def _run_verify(options: argparse.Namespace) -> int:
    from archiver.offline.ledger import DEFAULT_SAMPLE_PERCENT
    from archiver.offline.verify import verify_archive
    from archiver.replay.env import replay_env

    # An environment the user named (--env, $ARCHIVER_REPLAY_ENV) must exist; the default one
    # may not yet, and then the replay check is reported as not run.
    named = options.env is not None or bool(os.environ.get("ARCHIVER_REPLAY_ENV"))
    sample = DEFAULT_SAMPLE_PERCENT if options.sample is None else options.sample
    report = verify_archive(
        archive_dir(options.dir),
        replay_env(options.env),
        options.workers,
        replay_required=named,
        full=options.full,
        sample_percent=sample,
    )
    return _print_report(report.checks, as_json=options.json, files=report)


def _percent(value: str) -> float:
    try:
        share = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 0 <= share <= 100:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 100")
    return share


def _print_report(checks: list[Check], *, as_json: bool, files: VerifyReport | None = None) -> int:
    """Print the summary table (or JSON); 1 when any check found a problem, else 0 (a check
    that could not run is said, with how to run it, and is not a problem). With `files`, a
    line (and a `files` object) says which files were read and which skipped as unchanged."""
    ok = not any(c.problems for c in checks)
    not_run = [c.name for c in checks if c.not_run]
    if as_json:
        report: dict[str, object] = {"ok": ok, "not_run": not_run}
        if files is not None:
            report["files"] = files.files()
        report["checks"] = [c.as_json() for c in checks]
        print(json.dumps(report, indent=2))
        return 0 if ok else 1
    if files is not None:
        print(f"files: {files.files_line()}")
    print(f"{'check':<10} {'checked':>8} {'skipped':>8} {'problems':>9}  what")
    for c in checks:
        figures = f"{c.checked:>8} {c.skipped:>8} {len(c.problems):>9}"
        if c.not_run:
            figures = f"{'not run':>27}"
        print(f"{c.name:<10} {figures}  {c.description}")
    for c in checks:
        if c.not_run:
            print(f"{c.name}: not run: {c.not_run}")
        for note in c.notes:
            print(f"{c.name}: note: {note}")
    for c in checks:
        for problem in c.problems[:50]:
            print(f"{c.name}: {problem}")
        if len(c.problems) > 50:
            print(f"{c.name}: ... and {len(c.problems) - 50} more (use --json for all)")
    undone = f" ({', '.join(not_run)} not run)" if not_run else ""
    print(f"result: ok{undone}" if ok else f"result: PROBLEMS FOUND{undone}")
    return 0 if ok else 1
