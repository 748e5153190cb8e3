"""`archiver export wacz`: WARC files, index and an explicit pages.jsonl packed by `wacz create`."""

from __future__ import annotations

import json
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archiver.errors import ArchiverError
from archiver.layout import ArchiveLayout
from archiver.offline.selection import selected_since, site_selected
from archiver.record import Article
from archiver.replay.env import ReplayEnv
from archiver.warc.scan import Originals, scan_file


@dataclass(frozen=True)
class WaczPage:
    """One entry of pages.jsonl: an article's first page as captured, with its title."""

    url: str
    ts: str  # WARC-Date of the capture, ISO 8601 UTC with Z
    title: str

    def to_json(self) -> str:
        return json.dumps({"url": self.url, "ts": self.ts, "title": self.title}, ensure_ascii=False)


def latest_records(
    root: Path, site: str | None = None, since: datetime | None = None
) -> list[Article]:
    """The latest record of every article under root/records, filtered; sorted by site, id.

    `since` keeps articles with a record first captured on or after it (`selected_since`, the
    definition `reextract --since` uses; the latest record is the last captured). Lines that are not
    valid records are skipped (`archiver verify` reports them).
    """
    latest: dict[tuple[str, str], Article] = {}
    for path in sorted(ArchiveLayout(root).records_root.glob("*/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = Article.model_validate_json(line)
            except ValueError:
                continue
            if not site_selected(record.site, site) or not record.captures:
                continue
            key = (record.site, record.article_id)
            known = latest.get(key)
            if known is None or _captured(record) >= _captured(known):
                latest[key] = record
    chosen = [r for r in latest.values() if selected_since(_captured(r), since)]
    return sorted(chosen, key=lambda r: (r.site, r.article_id))


def pages_for(records: list[Article]) -> list[WaczPage]:
    """pages.jsonl entries: one per article, its first page's capture and its title."""
    pages = []
    for record in records:
        lead = record.captures[0]
        ts = lead.fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        pages.append(WaczPage(lead.url, ts, record.title))
    return pages


def needed_files(root: Path, records: list[Article]) -> list[str]:
    """WARC files (relative to root) holding the records' captures and their revisits' originals."""
    files = {c.warc_file for r in records for c in r.captures}
    wanted = {(c.warc_file, c.warc_offset) for r in records for c in r.captures}
    scans = {name: scan_file(root, name) for name in sorted(files)}
    revisits = [m for s in scans.values() for m in s.records if m.type == "revisit"]
    if any((m.warc_file, m.offset) in wanted for m in revisits):
        # An original can lie in any earlier file: look at all of them.
        layout = ArchiveLayout(root)
        everything = [
            m
            for p in sorted(layout.warc_root.glob("**/*.warc.gz"))
            for m in scan_file(root, layout.relative(p)).records
        ]
        originals = Originals(everything)
        for meta in revisits:
            if (meta.warc_file, meta.offset) in wanted:
                found = originals.original(meta)
                if found is not None:
                    files.add(found.warc_file)
    return sorted(files)


@dataclass(frozen=True)
class WaczReport:
    """What one export packed."""

    out: Path
    files: int  # WARC files
    pages: int  # pages.jsonl entries, one per article


def export_wacz(
    root: Path, out: Path, env: ReplayEnv, site: str | None = None, since: datetime | None = None
) -> WaczReport:
    """Write `out` (a .wacz) for the selected articles (`archiver.offline.selection`).

    Raises ArchiverError when nothing is selected, a WARC file is missing, `wacz create` fails,
    or the package lacks a page listed (wacz drops pages whose capture it cannot find).
    """
    env.require()
    records = latest_records(root, site, since)
    if not records:
        records_root = ArchiveLayout(root).records_root
        raise ArchiverError(f"no article records under {records_root} match the selection")
    pages = pages_for(records)
    files = needed_files(root, records)
    missing = [f for f in files if not (root / f).is_file()]
    if missing:
        raise ArchiverError(f"WARC file(s) named by records are missing: {', '.join(missing)}")
    damaged = [
        f"{name} {scan.corrupt[0]}" for name in files if (scan := scan_file(root, name)).corrupt
    ]
    if damaged:
        # wacz would stop on them with a traceback of its own, or pack what cannot replay.
        raise ArchiverError(
            f"damaged WARC file(s), nothing packed: {'; '.join(damaged)} (run `archiver verify`)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    title = f"archiver: {site or 'all sites'}" + (f" since {since:%Y-%m-%d}" if since else "")
    _wacz_create(env, out, pages, title, [root / f for f in files])
    packed = count_pages(out)
    if packed != len(pages):
        raise ArchiverError(
            f"{out}: {packed} of {len(pages)} pages packed; wacz could not match the others "
            "to a capture (run `archiver verify`)"
        )
    return WaczReport(out, len(files), packed)


def _wacz_create(
    env: ReplayEnv, out: Path, pages: list[WaczPage], title: str, warcs: list[Path]
) -> None:
    """Run `wacz create` with an explicit pages.jsonl; ArchiverError when it fails."""
    with tempfile.TemporaryDirectory(prefix="archiver-wacz-") as tmp:
        pages_path = Path(tmp) / "pages.jsonl"
        header = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}
        lines = [json.dumps(header), *(page.to_json() for page in pages)]
        pages_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = [
            str(env.bin("wacz")),
            "create",
            "-o",
            str(out),
            "-p",
            str(pages_path),
            "--title",
            title,
            *(str(path) for path in warcs),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        # Its last line says what went wrong; the lines above it are a Python stack.
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise ArchiverError(f"wacz create failed: {lines[-1] if lines else done.returncode}")


def count_pages(wacz: Path) -> int:
    """Entries in the package's pages/pages.jsonl, header line excluded."""
    with zipfile.ZipFile(wacz) as package:
        try:
            text = package.read("pages/pages.jsonl").decode("utf-8")
        except KeyError:
            return 0
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]
    return sum(1 for entry in entries if "format" not in entry)


def _captured(record: Article) -> datetime:
    return record.captures[0].fetched_at
