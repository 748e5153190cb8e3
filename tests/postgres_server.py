"""A throwaway PostgreSQL cluster on a free loopback port, for the tests of the PostgreSQL index.

Debian's `postgresql` package provides the binaries (scripts/system-deps.sh installs it); the
tests start their own cluster with its own port and directory, never Debian's. PostgreSQL
refuses to run as root, and CI runs as root: then initdb and postgres run as an unprivileged
account, in a cluster directory that account owns.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.redis_server import _free_port

SUPERUSER = "archiver"
DATABASE = "archiver"
START_TIMEOUT = 30.0
# For a cluster that is deleted after the tests: durability is of no use and costs time.
SPEED_SETTINGS = (
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=100",
)


def _bin_dir() -> Path:
    """The directory of initdb and postgres: Debian's newest version, else on PATH.

    Debian keeps them in /usr/lib/postgresql/<major>/bin, off PATH (only wrappers are on it).
    """

    def major(initdb: Path) -> tuple[int, ...]:  # 9.6 < 15: by number, not by name
        return tuple(int(n) for n in re.findall(r"\d+", initdb.parent.parent.name))

    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=major)
    if debian:
        return debian[-1].parent
    initdb = shutil.which("initdb")
    if initdb is not None and shutil.which("postgres", path=str(Path(initdb).parent)):
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL not found: `apt-get install postgresql` (CI does)")


def _server_account() -> pwd.struct_passwd | None:
    """The account postgres runs as: None (this one) unless we are root, which it refuses."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):  # `postgres` exists once Debian's package is installed
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and no `postgres` or `nobody` account to run postgres as")


def _as_account(account: pwd.struct_passwd | None) -> dict[str, Any]:
    """Popen arguments that run the child as `account` (without root's extra groups)."""
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


def _make_cluster_dir(account: pwd.struct_passwd | None) -> Path:
    """A fresh directory for the data and the socket, owned by the account postgres runs as.

    Not inside pytest's tmp dir: as root that is /tmp/pytest-of-root/, mode 700, which the
    unprivileged account cannot traverse. The system temp dir (/tmp) is open to all.
    """
    cluster = Path(tempfile.mkdtemp(prefix="archiver-pg-"))
    if account is None:
        return cluster
    os.chown(cluster, account.pw_uid, account.pw_gid)
    for parent in cluster.parents:
        if not parent.stat().st_mode & stat.S_IXOTH:
            shutil.rmtree(cluster)
            raise RuntimeError(
                f"{account.pw_name} cannot reach the cluster in {cluster}: {parent} is not "
                "traversable by others (point TMPDIR at a directory that is)"
            )
    return cluster


def _initdb(bin_dir: Path, data: Path, account: pwd.struct_passwd | None, log: Path) -> None:
    """Create the cluster: trust on loopback (no passwords in tests), UTF-8, C locale."""
    with log.open("ab") as out:
        result = subprocess.run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "--auth=trust",
                "-U",
                SUPERUSER,
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",  # nothing to make durable: the cluster is deleted afterwards
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=data.parent,  # the account may not be able to read the caller's cwd
            env={**os.environ, "LC_ALL": "C"},
            check=False,
            **_as_account(account),
        )
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed: {_tail(log)}")


def _tail(log: Path, lines: int = 15) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _wait_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until a connection succeeds; raises if postgres exits or takes over START_TIMEOUT."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with psycopg.connect(
                host="127.0.0.1", port=port, user=SUPERUSER, dbname="postgres", connect_timeout=2
            ):
                return
        except psycopg.OperationalError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"postgres did not start: {_tail(log)}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Fast shutdown (SIGINT: disconnect clients, then exit), immediate if that hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def postgres_server(workdir: Path) -> Iterator[str]:
    """Start a throwaway PostgreSQL cluster on 127.0.0.1 with a database `archiver` in it.

    Yields its SQLAlchemy URL, `postgresql+psycopg://archiver@127.0.0.1:<port>/archiver`
    (trust authentication: no password). initdb's and postgres's output go to
    `workdir/postgres.log`; the cluster itself is deleted at exit.
    """
    bin_dir = _bin_dir()
    account = _server_account()
    log = workdir / "postgres.log"
    cluster = _make_cluster_dir(account)
    process: subprocess.Popen[bytes] | None = None
    try:
        data = cluster / "data"
        _initdb(bin_dir, data, account, log)
        port = _free_port()
        # TCP on loopback only; the Unix socket goes in the cluster, not Debian's /run/postgresql.
        command = [str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port)]
        command += ["-k", str(cluster), "-F"]
        command += [arg for setting in SPEED_SETTINGS for arg in ("-c", setting)]
        with log.open("ab") as out:
            process = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=cluster,
                env={**os.environ, "LC_ALL": "C"},
                **_as_account(account),
            )
        _wait_ready(process, port, log)
        with psycopg.connect(
            host="127.0.0.1", port=port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
        yield f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(cluster, ignore_errors=True)


def fresh_database(url: str, name: str) -> str:
    """Create an empty database `name` on the server of `url`; returns its URL.

    One server per module, one database per test: a database costs milliseconds, a server a
    second or more.
    """
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
        autocommit=True,  # CREATE DATABASE cannot run inside a transaction
    ) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return parsed.set(database=name).render_as_string(hide_password=False)


def _database_of(url: str) -> tuple[str, dict[str, object]]:
    parsed = make_url(url)
    assert parsed.database is not None
    server = {"host": parsed.host, "port": parsed.port, "user": parsed.username}
    return parsed.database, {**server, "password": parsed.password, "dbname": "postgres"}


def cut_connections(url: str, allow: bool = True) -> None:
    """Cut every connection to the database of `url` (a server restart, as its clients see
    it); with `allow` False the database then refuses new ones (the server gone for good)
    until `allow_connections`."""
    name, server = _database_of(url)
    with psycopg.connect(**server, autocommit=True) as conn:  # type: ignore[arg-type]
        if not allow:
            conn.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(sql.Identifier(name))
            )
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )


def allow_connections(url: str) -> None:
    """Let the database of `url` take connections again (after `cut_connections(allow=False)`)."""
    name, server = _database_of(url)
    with psycopg.connect(**server, autocommit=True) as conn:  # type: ignore[arg-type]
        conn.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(sql.Identifier(name))
        )
