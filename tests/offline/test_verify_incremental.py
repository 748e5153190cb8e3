"""Incremental `archiver verify`: the ledger, what is read again, damage after a verify, faults."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from archiver.offline.ledger import Entry, Ledger, file_key
from archiver.offline.verify import VerifyReport, verify_archive
from archiver.replay.env import ReplayEnv
from tests.crawling import REPO
from tests.replaying import copy_archive, records, write_revisit

NIGHT = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
NO_PYWB = ReplayEnv(Path("/nonexistent/pywb-env"))


def _verify(root: Path, night: int = 0, **options: Any) -> VerifyReport:
    options.setdefault("sample_percent", 0)
    return verify_archive(root, NO_PYWB, 2, now=NIGHT + timedelta(days=night), **options)


def _checks(report: VerifyReport) -> dict[str, Any]:
    return {c.name: c for c in report.checks}


def _problems(report: VerifyReport) -> list[str]:
    return [p for c in report.checks for p in c.problems]


def _cli(root: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "archiver", "verify", "--dir", str(root), "--workers", "1"]
    # No pywb (the replay check is not run): as right after a first crawl.
    env = {k: v for k, v in os.environ.items() if k != "ARCHIVER_REPLAY_ENV"}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.Popen(
        [*command, *args],
        cwd=root.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _flip_middle(path: Path, keep_time: bool = False) -> None:
    stat = path.stat()
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 32] = bytes(b ^ 0xFF for b in data[middle : middle + 32])
    path.write_bytes(bytes(data))
    if keep_time:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


@pytest.mark.crawl
def test_a_second_verify_reads_only_what_is_new(archive: Path, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    first = _verify(root)
    files = first.files()
    assert files["new"] == files["checked"] > 0 and files["unchanged"] == 0
    assert _problems(first) == []
    n = len(records(root))
    assert _checks(first)["reextract"].checked == n
    assert (root / "verify" / "ledger.json").is_file()

    again = _verify(root, 1)
    assert again.files()["checked"] == 0
    assert again.files()["unchanged"] == files["checked"]
    assert again.files_line() == (
        f"checked 0 files (0 new, 0 changed, 0 sample), skipped {files['checked']} unchanged"
    )
    assert _checks(again)["reextract"].checked == 0
    assert _checks(again)["warc"].unchanged == len(list(root.glob("warc/*/*.warc.gz")))
    assert _problems(again) == []

    # A new WARC file (a revisit of a capture in an old file): only it is read, and its
    # original, in a file not read again, is still found.
    write_revisit(root, records(root)[0]["captures"][0]["url"])
    third = _verify(root, 2)
    assert (third.files()["new"], third.files()["changed"]) == (1, 0)
    assert _checks(third)["revisits"].checked == 1
    assert _problems(third) == []

    full = _verify(root, 3, full=True)
    assert full.files()["checked"] == full.files()["changed"] == files["checked"] + 1


@pytest.mark.crawl
def test_a_new_record_about_an_old_capture_is_resolved_and_reextracted(
    archive: Path, tmp_path: Path
) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    assert _problems(_verify(root)) == []
    # A records file of a later run, naming captures of WARC files verified before: its
    # record is checked against them (and re-extracted) though those files are not read.
    record = next(r for r in records(root) if r["site"] == "chinadaily")
    record["title"] += " (edited)"
    later = root / "records" / "chinadaily" / "zz-later-run.jsonl"
    later.write_text(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    report = _verify(root, 1)
    assert report.files()["new"] == 1 and report.files()["changed"] == 0
    checks = _checks(report)
    assert checks["records"].checked == 1 and checks["records"].problems == []
    assert len(checks["reextract"].problems) == 1
    assert "zz-later-run.jsonl:1: re-extraction differs in title" in checks["reextract"].problems[0]
    # Still reported the next night, though nothing is read again.
    next_night = _verify(root, 2)
    assert next_night.files()["checked"] == 0
    assert _checks(next_night)["reextract"].problems == checks["reextract"].problems


@pytest.mark.crawl
def test_a_warc_file_damaged_after_its_verify_is_read_again(archive: Path, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    assert _problems(_verify(root)) == []
    victim = sorted(root.glob("warc/globaltimes/*.warc.gz"))[0]
    name = victim.relative_to(root).as_posix()
    _flip_middle(victim)
    report = _verify(root, 1)
    assert report.files()["changed"] == 1
    assert any(p.startswith(name) for p in _checks(report)["warc"].problems)
    # Unchanged since: not read, still reported (exit 1 until it is repaired).
    later = _verify(root, 2)
    assert later.files()["checked"] == 0
    assert _checks(later)["warc"].problems == _checks(report)["warc"].problems


@pytest.mark.crawl
def test_silent_damage_is_found_by_the_rotating_sample(archive: Path, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    assert _problems(_verify(root)) == []
    warcs = sorted(p.relative_to(root).as_posix() for p in root.glob("warc/*/*.warc.gz"))
    victim = root / warcs[-1]
    _flip_middle(victim, keep_time=True)  # bit rot: size and time as they were
    assert Ledger.load(root).entries[warcs[-1]].key == file_key(victim)
    assert _problems(_verify(root, 1)) == []  # the ledger cannot tell; nothing read
    # One file a night (least recently verified first, then by name): the victim's turn comes.
    share = 100 / len(warcs) - 0.01
    found_on = None
    for night in range(2, 2 + len(warcs)):
        report = _verify(root, night, sample_percent=share)
        assert report.files()["sample"] >= 1
        if _checks(report)["warc"].problems:
            found_on = night
            break
    assert found_on is not None and found_on <= 1 + len(warcs)


@pytest.mark.crawl
def test_a_damaged_ledger_is_rebuilt_with_a_note(archive: Path, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    ledger = root / "verify" / "ledger.json"
    ledger.parent.mkdir(parents=True)
    ledger.write_text('{"version": 1, "files": {"warc/x": ')  # cut short
    done = _cli(root)
    out, err = done.communicate(timeout=600)
    assert done.returncode == 0, out + err
    assert "Traceback" not in out + err
    notes = [line for line in out.splitlines() if "verify ledger" in line]
    assert len(notes) == 1 and "unreadable" in notes[0], out
    assert "files: checked" in out and "0 unchanged" in out
    assert json.loads(ledger.read_text())["version"] == 1
    again = _cli(root, "--json")
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert json.loads(out)["files"]["checked"] >= 1  # the sample (5 %: at least one file)
    assert json.loads(out)["files"]["unchanged"] >= 1


@pytest.mark.crawl
def test_a_killed_verify_leaves_the_ledger_usable(archive: Path, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    assert _problems(_verify(root)) == []
    before = (root / "verify" / "ledger.json").read_bytes()
    for path in root.glob("records/*/*.jsonl"):
        os.utime(path)  # every records file "changed": the next verify has work to do
    running = _cli(root)
    time.sleep(3)
    running.send_signal(signal.SIGKILL)
    running.communicate(timeout=60)
    after = (root / "verify" / "ledger.json").read_bytes()
    assert after == before or json.loads(after)["version"] == 1
    report = _verify(root, 1)
    assert _problems(report) == []
    assert Ledger.load(root).note == ""


@pytest.mark.crawl
def test_concurrent_verifies_both_finish_and_the_ledger_holds_every_file(
    archive: Path, tmp_path: Path
) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    runs = [_cli(root, "--json"), _cli(root, "--json")]
    outputs = [run.communicate(timeout=900) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert json.loads(out)["ok"] is True
    ledger = Ledger.load(root)
    assert ledger.note == ""
    names = [p.relative_to(root).as_posix() for p in root.glob("*/*/*.*") if p.suffix != ".json"]
    assert sorted(n for n in names if not n.startswith("verify/")) == sorted(ledger.entries)


# -- the ledger alone -------------------------------------------------------------------------


def _files(root: Path, count: int) -> list[str]:
    names = []
    for n in range(count):
        path = root / "warc" / "x" / f"f{n:02d}.warc.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * (n + 1))
        names.append(path.relative_to(root).as_posix())
    return names


@pytest.mark.unit
def test_the_sample_rotates_through_every_file(tmp_path: Path) -> None:
    names = _files(tmp_path, 10)
    ledger = Ledger(tmp_path)
    plan = ledger.plan(names, frozenset({"warc"}))
    assert plan.count("new") == 10
    ledger.save({n: Entry(plan.keys[n], "2026-10-01T00", {"warc": []}) for n in names}, set())
    seen: list[str] = []
    for night in range(2, 7):
        ledger = Ledger.load(tmp_path)
        plan = ledger.plan(names, frozenset({"warc"}), sample_percent=20)
        sample = sorted(n for n, r in plan.reasons.items() if r == "sample")
        assert len(sample) == 2 and len(plan.unchanged) == 8
        seen += sample
        stamp = f"2026-10-{night:02d}T00"
        ledger.save({n: Entry(plan.keys[n], stamp, {"warc": []}) for n in sample}, set())
    assert sorted(seen) == names  # every file once in five nights


@pytest.mark.unit
def test_a_changed_file_and_a_check_never_run_are_read_again(tmp_path: Path) -> None:
    names = _files(tmp_path, 3)
    ledger = Ledger(tmp_path)
    plan = ledger.plan(names, frozenset({"records"}))
    ledger.save({n: Entry(plan.keys[n], "t1", {"records": []}) for n in names}, set())
    with (tmp_path / names[0]).open("ab") as fh:
        fh.write(b"more")
    plan = Ledger.load(tmp_path).plan(names, frozenset({"records"}), sample_percent=0)
    assert plan.reasons == {names[0]: "changed"}
    plan = Ledger.load(tmp_path).plan(names, frozenset({"records", "replay"}), sample_percent=0)
    assert set(plan.reasons) == set(names)  # replay never ran on them


@pytest.mark.unit
def test_concurrent_saves_merge_and_the_later_verify_wins(tmp_path: Path) -> None:
    names = _files(tmp_path, 2)
    keys = {n: file_key(tmp_path / n) for n in names}
    one, two = Ledger(tmp_path), Ledger(tmp_path)
    one.save({names[0]: Entry(keys[names[0]], "t2", {"warc": ["bad"]})}, set())
    two.save({names[1]: Entry(keys[names[1]], "t1", {"warc": []})}, set())
    two.save({names[0]: Entry(keys[names[0]], "t1", {"warc": []})}, set())  # older: loses
    merged = Ledger.load(tmp_path).entries
    assert set(merged) == set(names)
    assert merged[names[0]].problems == {"warc": ["bad"]}


@pytest.mark.unit
def test_a_saved_scan_is_used_only_for_the_file_as_it_was(tmp_path: Path) -> None:
    from archiver.offline.ledger import cached_scan, save_scan
    from archiver.warc.scan import scan_file
    from tests.replaying import write_response

    url = "https://www.chinadaily.com.cn/a/202609/25/WS6ab5a918a3107a2e1d4f6a07.html"
    write_response(tmp_path, "one.warc.gz", url, b"<html>x</html>", NIGHT, [])
    name = "warc/extra/one.warc.gz"
    scan = scan_file(tmp_path, name)
    key = file_key(tmp_path / name)
    save_scan(tmp_path, scan, key)
    assert cached_scan(tmp_path, name, key) == scan
    with (tmp_path / name).open("ab") as fh:
        fh.write(b"\0")
    assert cached_scan(tmp_path, name, file_key(tmp_path / name)) is None  # changed: scan again
    saved = tmp_path / "verify" / "scans" / (name + ".json")
    saved.write_text("{not json")
    assert cached_scan(tmp_path, name, key) is None  # damaged: scanned again, no error
