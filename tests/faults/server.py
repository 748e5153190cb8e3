"""A loopback server that answers as both sites with injected faults, byte by byte.

Unlike the mirror (http.server, well-formed answers only), this server writes the status line,
headers and body itself, so it can send what real servers and networks do: any status code,
a body cut short or reset, a slow drip, a gzip bomb, malformed gzip, odd headers. A crawl
reaches it through ARCHIVER_MIRROR, like the mirror; requests are routed by Host and path.
Paths without a fault are served from the bundled mirror's pages (or 404).
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Self

from archiver.mirror.server import BUNDLED_ROOT, file_path_for

_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    404: "Not Found",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


@dataclass
class Request:
    """What the client sent: method, Host (without port), path with query, headers."""

    method: str
    host: str
    path: str
    headers: dict[str, str]


class Conn:
    """The raw connection a fault writes to."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def head(self, status: int, headers: list[tuple[str, str]], reason: str | None = None) -> None:
        """Status line and headers, exactly as given (no header is added)."""
        phrase = _REASONS.get(status, "Status") if reason is None else reason
        lines = [f"HTTP/1.1 {status} {phrase}".rstrip()]
        lines += [f"{k}: {v}" for k, v in headers]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def reset(self) -> None:
        """Close with a TCP RST instead of a FIN (SO_LINGER 0)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Fault = Callable[[Conn, Request], None]
"""Writes one whole answer (or less) to the connection; the connection is closed after."""


def answer(
    status: int = 200,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    *,
    reason: str | None = None,
    length: bool = True,
) -> Fault:
    """A complete answer: any status, the headers given, Content-Length unless `length` is off."""

    def fault(conn: Conn, request: Request) -> None:
        pairs = list((headers or {"Content-Type": "text/html; charset=utf-8"}).items())
        if length:
            pairs.append(("Content-Length", str(len(body))))
        pairs.append(("Connection", "close"))
        conn.head(status, pairs, reason)
        if request.method != "HEAD":
            conn.send(body)

    return fault


def cut(body: bytes, keep: int, *, reset: bool, headers: Mapping[str, str] | None = None) -> Fault:
    """Announces the whole body's length, sends `keep` bytes, then closes (or resets)."""

    def fault(conn: Conn, request: Request) -> None:
        pairs = list((headers or {"Content-Type": "text/html; charset=utf-8"}).items())
        conn.head(200, [*pairs, ("Content-Length", str(len(body)))])
        conn.send(body[:keep])
        if reset:
            conn.reset()

    return fault


def drip(body: bytes, *, chunk: int, every: float) -> Fault:
    """The body `chunk` bytes at a time, one chunk every `every` seconds (a slow server)."""

    def fault(conn: Conn, request: Request) -> None:
        conn.head(
            200,
            [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        for start in range(0, len(body), chunk):
            conn.send(body[start : start + chunk])
            time.sleep(every)

    return fault


def raw(head: bytes, body: bytes = b"") -> Fault:
    """Exactly these bytes: a head (status line and header lines, no final blank line), a
    blank line, the body. For what no well-formed answer can carry (broken status lines,
    conflicting lengths, bad chunking)."""

    def fault(conn: Conn, request: Request) -> None:
        conn.send(head + b"\r\n\r\n" + body)

    return fault


def redirect(location: str, status: int = 302) -> Fault:
    """A redirect to `location` (absolute or relative), no body."""
    return answer(status, b"", {"Location": location})


def sequence(*faults: Fault) -> Fault:
    """The first request gets faults[0], the second faults[1], ...; later ones the last fault
    (a 429 storm that ends, a server that recovers)."""
    lock = threading.Lock()
    served = [0]

    def fault(conn: Conn, request: Request) -> None:
        with lock:
            index = min(served[0], len(faults) - 1)
            served[0] += 1
        faults[index](conn, request)

    return fault


@cache
def gzip_bomb(decoded_size: int) -> bytes:
    """A gzip member that inflates to `decoded_size` zero bytes (about 1/1000 of it)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = []
    left = decoded_size
    while left > 0:
        parts.append(compressor.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(compressor.flush())
    return b"".join(parts)


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)


@dataclass
class FaultServer:
    """Serves `faults` ("host/path" keys, path with its query) on 127.0.0.1, else the mirror."""

    faults: dict[str, Fault] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingTCPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def hits(self, key: str) -> int:
        """How many requests reached "host/path"."""
        with self._lock:
            return sum(1 for r in self.requests if f"{r.host}{r.path}" == key)

    def start(self) -> None:
        handler = type("_Bound", (_Handler,), {"owner": self})
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)


class _Handler(socketserver.StreamRequestHandler):
    owner: FaultServer

    def handle(self) -> None:
        request = self._read_request()
        if request is None:
            return
        self.owner._record(request)
        conn = Conn(self.connection)
        fault = self.owner.faults.get(f"{request.host}{request.path}")
        # The client may give up (a timeout or size limit): that is the test's subject.
        with contextlib.suppress(OSError):
            (fault or from_mirror)(conn, request)

    def _read_request(self) -> Request | None:
        line = self.rfile.readline(65536).decode("latin-1").strip()
        if not line:
            return None
        method, path, _ = ([*line.split(" "), "", ""])[:3]
        headers: dict[str, str] = {}
        for raw in _header_lines(self.rfile):
            name, _, value = raw.partition(":")
            headers[name.strip().lower()] = value.strip()
        host = headers.get("host", "").rsplit(":", 1)[0].lower()
        return Request(method=method, host=host, path=path, headers=headers)


def _header_lines(rfile: socketserver._SocketWriter | object) -> Iterator[str]:
    while True:
        raw = rfile.readline(65536).decode("latin-1")  # type: ignore[attr-defined]
        if raw in ("\r\n", "\n", ""):
            return
        yield raw.rstrip("\r\n")


def from_mirror(conn: Conn, request: Request) -> None:
    relative = file_path_for(request.path.split("?", 1)[0])
    file = BUNDLED_ROOT / "site" / request.host / relative if relative else None
    if file is None or not file.is_file():
        answer(404, b"<html><body><h1>404 Not Found</h1></body></html>")(conn, request)
        return
    ctype = "text/html; charset=utf-8" if file.suffix in (".html", ".shtml") else "text/plain"
    answer(200, file.read_bytes(), {"Content-Type": ctype})(conn, request)


def mirror_body(host: str, path: str) -> bytes:
    """The bundled mirror's bytes for host+path (a real page of the site, to serve faultily)."""
    relative = file_path_for(path)
    assert relative is not None, path
    return (BUNDLED_ROOT / "site" / host / relative).read_bytes()
