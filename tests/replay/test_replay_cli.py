"""`archiver replay` options, bad input, and the replay index under concurrency and growth."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from archiver.errors import ArchiverError
from archiver.replay.env import ReplayEnv, constraints_file, find_python
from archiver.replay.index import merged_index, update_index
from tests.crawling import REPO
from tests.replaying import copy_archive


def _archiver(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "archiver", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)


def _one_line_error(done: subprocess.CompletedProcess[str], status: int, text: str) -> None:
    assert done.returncode == status, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert text in done.stderr, done.stderr


@pytest.mark.crawl
def test_bad_worker_counts_and_ports_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    for workers in ("-1", "0", "two"):
        done = _archiver("reextract", "--dir", str(tmp_path), "--workers", workers)
        _one_line_error(done, 2, "--workers")
    _one_line_error(_archiver("verify", "--dir", str(tmp_path), "--workers", "0"), 2, "--workers")
    for port in ("99999", "-1"):
        _one_line_error(_archiver("replay", "--dir", str(tmp_path), "--port", port), 2, "--port")


@pytest.mark.crawl
@pytest.mark.replay
def test_unwritable_out_is_one_line(archive: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = _archiver("reextract", "--dir", str(archive), "--workers", "1", "--out", str(blocker))
    _one_line_error(done, 1, "archiver: error: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert str(blocker) in done.stderr


@pytest.mark.crawl
@pytest.mark.replay
def test_busy_port_is_one_line(archive: Path, env: ReplayEnv, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        done = _archiver("replay", "--dir", str(root), "--env", str(env.path), "--port", port)
    _one_line_error(done, 1, f"archiver: error: cannot listen on 127.0.0.1:{port}")


@pytest.mark.crawl
@pytest.mark.replay
def test_index_only_and_host(archive: Path, env: ReplayEnv, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    done = _archiver("replay", "--index", "--dir", str(root), "--env", str(env.path))
    assert done.returncode == 0, done.stderr
    lines = merged_index(root).read_bytes().splitlines()
    n = len(list(root.glob("warc/*/*.warc.gz")))
    assert f"replay index: {n} WARC file(s), {len(lines)} captures ({n} indexed now" in done.stdout
    # --host: another loopback address, and nothing on 127.0.0.1 at that port.
    with socket.socket() as probe:
        probe.bind(("127.0.0.2", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "archiver", "replay", "--dir", str(root)]
    command += ["--env", str(env.path), "--host", "127.0.0.2", "--port", str(port)]
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        status = 0
        for _ in range(300):  # bounded wait for pywb to come up
            try:
                with urllib.request.urlopen(f"http://127.0.0.2:{port}/archive/cdx?url=x") as r:
                    status = r.status
                    break
            except urllib.error.HTTPError as exc:
                status = exc.code
                break
            except OSError:
                assert server.poll() is None, "archiver replay exited"
                time.sleep(0.2)
        assert status == 200
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/archive/cdx?url=x", timeout=5)
    finally:
        server.terminate()
        server.communicate(timeout=30)  # waits, and closes the pipes


@pytest.mark.crawl
def test_find_python_takes_a_supported_interpreter_from_path(tmp_path: Path) -> None:
    here = (sys.version_info[0], sys.version_info[1])
    # This interpreter is supported (CI runs one); pretend it is not, so PATH is searched.
    link = tmp_path / "python3"
    link.symlink_to(sys.executable)
    assert find_python(current=(3, 10), path=str(tmp_path)) == (str(link), here)
    assert find_python()[1] == here
    with pytest.raises(ArchiverError, match=r"pywb needs Python 3\.11, 3\.12, 3\.13"):
        find_python(current=(3, 10), path=str(tmp_path / "empty"))


@pytest.mark.unit
def test_every_supported_python_has_constraints_pinning_setuptools() -> None:
    for version in ((3, 11), (3, 12), (3, 13)):
        pins = constraints_file(version).read_text().splitlines()
        setuptools = [p for p in pins if p.startswith("setuptools==")]
        assert setuptools, version
        major = int(setuptools[0].split("==")[1].split(".")[0])
        assert major < 82, "pywb imports pkg_resources, gone from setuptools 82"
        assert any(p.startswith("pywb==") for p in pins)


def _warc_copies(root: Path, count: int) -> None:
    source = sorted(root.glob("warc/chinadaily/*.warc.gz"))[0]
    for n in range(count):
        target = root / "warc" / "copies" / f"copy-{n:03d}.warc.gz"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


@pytest.mark.crawl
@pytest.mark.replay
def test_concurrent_index_updates_do_not_collide(
    archive: Path, env: ReplayEnv, tmp_path: Path
) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    _warc_copies(root, 12)
    command = [sys.executable, "-m", "archiver", "replay", "--index", "--dir", str(root)]
    command += ["--env", str(env.path)]
    runs = [
        subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = [(run.wait(timeout=300), run.communicate()) for run in runs]
    for code, (out, err) in outputs:
        assert code == 0, out.decode() + err.decode()
    files = sorted(p.name for p in (root / "replay").rglob("*") if p.is_file())
    assert not [n for n in files if n.endswith(".tmp")], files
    merged = merged_index(root).read_bytes().splitlines()
    assert merged == sorted(merged)
    again = update_index(root, env)
    assert again.indexed == [] and again.lines == len(merged)


@pytest.mark.crawl
@pytest.mark.replay
def test_new_files_merge_into_the_index(archive: Path, env: ReplayEnv, tmp_path: Path) -> None:
    root = copy_archive(archive, tmp_path / "archive")
    first = update_index(root, env)
    state = json.loads((root / "replay" / "cdxj" / "state.json").read_text())
    assert state["lines"] == first.lines and sum(state["counts"].values()) == first.lines
    _warc_copies(root, 1)
    second = update_index(root, env)
    assert second.indexed == ["warc/copies/copy-000.warc.gz"] and second.removed == []
    merged = merged_index(root).read_bytes()
    assert second.lines == len(merged.splitlines()) > first.lines
    # The same as rebuilding from every file's own index.
    shutil.rmtree(root / "replay")
    rebuilt = update_index(root, env)
    assert merged_index(root).read_bytes() == merged and rebuilt.lines == second.lines
    # Counts come from state.json: an unchanged archive does not read the merged index.
    os.truncate(merged_index(root), 0)
    assert update_index(root, env).lines == second.lines
