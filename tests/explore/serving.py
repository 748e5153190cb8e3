"""`archiver serve` run as a user runs it: a subprocess on a free loopback port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.crawling import REPO


class Served:
    """A running `archiver serve`: its base URL (ending in /) and the replay URL it printed."""

    def __init__(self, process: subprocess.Popen[str], url: str, replay: str | None) -> None:
        self.process = process
        self.url = url
        self.replay = replay

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of GET url+path; error statuses are returned, not raised."""
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=30) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, path: str) -> Any:
        status, _, body = self.get(path)
        assert status == 200, (path, status, body[:500])
        return json.loads(body)


@contextmanager
def serve(root: Path, *args: str, replay_env: Path | None = None) -> Iterator[Served]:
    """`python -m archiver serve --dir ROOT --port 0 ARGS`, until the block ends (SIGTERM).

    Without `replay_env`, ARCHIVER_REPLAY_ENV names a folder that does not exist: no pywb.
    """
    env = {**os.environ, "ARCHIVER_REPLAY_ENV": str(replay_env or root / "no-pywb-here")}
    command = [sys.executable, "-m", "archiver", "serve", "--dir", str(root), "--port", "0", *args]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url, replay = _started(process)
        yield Served(process, url, replay)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()
        process.stderr.close()


def _started(process: subprocess.Popen[str]) -> tuple[str, str | None]:
    """The explorer's URL and pywb's (or None) from the first lines it prints."""
    assert process.stdout is not None and process.stderr is not None
    deadline = time.monotonic() + 120
    url: str | None = None
    replay: str | None = None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"archiver serve exited: {process.stderr.read()[-3000:]}")
        if line.startswith("explorer: "):
            url = line.split()[1]
        elif line.startswith("replay: http"):
            replay = line.split()[1]
        if url and line.startswith("replay: "):
            return url, replay
    raise AssertionError("archiver serve did not start within 120 s")
