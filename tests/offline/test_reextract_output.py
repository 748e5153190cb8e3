"""`reextract`'s output sorted on disk, and its progress lines: the same as sorting in memory."""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from archiver.cli.offline import _duration, _Progress
from archiver.offline.output import FAN_IN, SortedOutput

pytestmark = pytest.mark.unit


def test_spilled_runs_merge_to_the_in_memory_order(tmp_path: Path) -> None:
    rng = random.Random(7)
    lines = []
    for n in range(500):
        site = rng.choice(["a", "b"])
        key = (
            f"2026-10-{rng.randrange(1, 4):02d}T00:00:00+00:00",
            f"warc/f{rng.randrange(3)}",
            rng.randrange(5),
        )
        lines.append((site, key, f'{{"n":{n},"text":"tab\\\\t and quote \\\\" "}}'))
    output = SortedOutput(tmp_path / "out", chunk=37)  # many runs
    for site, key, line in lines:
        output.add(site, key, line)
    written = output.finish(["a", "b", "c"])
    assert [p.name for p in written] == ["a.jsonl", "b.jsonl", "c.jsonl"]
    for site in ("a", "b"):
        expected = [line for s, key, line in sorted(lines, key=lambda x: x[1]) if s == site]
        assert (tmp_path / "out" / f"{site}.jsonl").read_text().splitlines() == expected
    assert (tmp_path / "out" / "c.jsonl").read_text() == ""
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.jsonl", "b.jsonl", "c.jsonl"]


def test_progress_off_a_terminal_is_a_line_every_ten_seconds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = [100.0]
    progress = _Progress(terminal=False, clock=lambda: now[0])
    for done in range(1, 101):
        now[0] += 0.5  # two articles a second
        progress(done, 100)
    progress.finish()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 5  # every 10 s (20 articles); the last falls on one
    assert lines[0] == "reextract: 20/100 articles, 2.0/s, ETA 40s (20.0%)"
    assert lines[-1] == "reextract: 100/100 articles, 2.0/s, ETA 0s (100.0%)"


def test_progress_on_a_terminal_is_a_bar_with_an_eta(capsys: pytest.CaptureFixture[str]) -> None:
    now = [0.0]
    progress = _Progress(terminal=True, clock=lambda: now[0])
    now[0] = 30.0
    progress(10, 40)
    progress.finish()
    err = capsys.readouterr().err
    assert err.startswith("\rreextract [#######-----------------------] 10/40 articles")
    assert "ETA 1m30s" in err and err.endswith("\n")
    assert _duration(3725) == "1h02m"


Line = tuple[str, tuple[str, str, int], str]


def _lines(count: int, seed: int) -> Iterator[Line]:
    """`count` lines of about 3,000 characters (as records are), made as they are asked for."""
    rng = random.Random(seed)
    text = "words " * 500
    for n in range(count):
        site = rng.choice(["a", "b"])
        key = (f"2026-10-0{rng.randrange(1, 4)}T00:00:00+00:00", f"warc/f{rng.randrange(3)}", n)
        yield site, key, f'{{"n":{n},"text":"{text}"}}'


def _sorted_out(out: Path, count: int, seed: int, **limits: int) -> int:
    """Write `count` lines through a SortedOutput, checking what it writes; the peak of memory
    traced while the lines were added."""
    output = SortedOutput(out, **limits)
    tracemalloc.start()
    try:
        for site, key, line in _lines(count, seed):
            output.add(site, key, line)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(output.runs) < FAN_IN  # merged as they come: the final merge opens few files
    output.finish(["a", "b"])
    lines = sorted(_lines(count, seed), key=lambda x: x[1])
    for site in ("a", "b"):
        expected = [line for s, _, line in lines if s == site]
        assert (out / f"{site}.jsonl").read_text().splitlines() == expected
    return peak


def test_lines_held_are_bounded_by_their_size_not_their_number(tmp_path: Path) -> None:
    # Lines come one by one, as reextract hands them over: each is let go once spilled.
    small = _sorted_out(tmp_path / "small", 200, 1, held=100_000)
    large = _sorted_out(tmp_path / "large", 2000, 2, held=100_000)
    assert large < 1.5 * small, (small, large)
    assert large < 2000 * 3000 / 10  # a tenth of what holding every line takes


def test_many_runs_are_merged_as_they_come(tmp_path: Path) -> None:
    # 1,000 lines two by two: 500 runs, merged 64 at a time into fewer, larger ones.
    _sorted_out(tmp_path, 1000, 3, chunk=2)
