"""The crawl runs of an archive, read from its run reports (`runs/*.json`) for the explorer."""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archiver.layout import ArchiveLayout

_STEM = re.compile(r"^(?P<spider>.+?)-(?P<stamp>\d{14})-")


@dataclass(frozen=True)
class RunInfo:
    """What the explorer shows of one run: when it ended (ISO UTC, from its file name), its
    spider and mode, verdict and problems, a few figures, and each field's fill rate (0-1)."""

    name: str
    spider: str
    finished: str
    mode: str
    verdict: str
    problems: list[str]
    figures: dict[str, int | float | None]
    fill_rates: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "spider": self.spider,
            "finished": self.finished,
            "mode": self.mode,
            "verdict": self.verdict,
            "problems": self.problems,
            **self.figures,
            "fill_rates": self.fill_rates,
        }


_FIGURES = ("pages_fetched", "new_articles", "new_versions", "deletions", "duration_seconds")


def _read(path: Path, spider: str, finished: str) -> RunInfo | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    summary = data.get("summary") if isinstance(data.get("summary"), dict) else {}
    assert isinstance(summary, dict)
    figures = {
        name: value if isinstance(value, int | float) else None
        for name, value in ((n, summary.get(n)) for n in _FIGURES)
    }
    errors = summary.get("errors")
    figures["errors"] = (
        sum(v for v in errors.values() if isinstance(v, int)) if isinstance(errors, dict) else 0
    )
    rates = summary.get("fill_rates")
    problems = data.get("problems")
    return RunInfo(
        name=path.name,
        spider=str(data.get("spider") or spider),
        finished=finished,
        mode=str(data.get("mode") or "latest"),
        verdict=str(data.get("verdict") or "unknown"),
        problems=[str(p) for p in problems] if isinstance(problems, list) else [],
        figures=figures,
        fill_rates={str(k): float(v) for k, v in rates.items() if isinstance(v, int | float)}
        if isinstance(rates, dict)
        else {},
    )


class RunReports:
    """The run reports under an archive root, newest last, re-read only when new.

    A report is written once (a temporary file renamed), so each is parsed once and kept in
    its short form (a few hundred bytes); listing the folder finds new ones on every call.
    """

    def __init__(self, root: Path) -> None:
        self.folder = ArchiveLayout(root).runs_dir
        self._known: dict[str, RunInfo | None] = {}
        self._sorted: tuple[int, list[RunInfo]] = (-1, [])
        self._lock = threading.Lock()

    def all(self) -> list[RunInfo]:
        """Every readable run report, oldest first (by the UTC time in its file name).

        The folder is listed again only when its modification time changed (a report added,
        renamed into place or removed), so an unchanged folder costs one `stat`."""
        try:
            changed = os.stat(self.folder).st_mtime_ns
        except OSError:
            return []
        with self._lock:
            if self._sorted[0] == changed:
                return self._sorted[1]
            try:
                names = [e.name for e in os.scandir(self.folder) if e.name.endswith(".json")]
            except OSError:
                return []
            found: list[RunInfo] = []
            for name in names:
                if name not in self._known:
                    self._known[name] = self._load(name)
                info = self._known[name]
                if info is not None:
                    found.append(info)
            found.sort(key=lambda run: (run.finished, run.name))
            self._sorted = (changed, found)
            return found

    def _load(self, name: str) -> RunInfo | None:
        match = _STEM.match(name)
        if match is None:
            return None
        stamp = datetime.strptime(match["stamp"], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        return _read(self.folder / name, match["spider"], stamp.isoformat())

    def latest(self, count: int) -> list[RunInfo]:
        """The `count` newest runs, newest first."""
        return self.all()[-count:][::-1]
