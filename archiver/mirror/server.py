"""Loopback HTTP server that answers as China Daily and Global Times from bundled pages."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any, Self
from urllib.parse import unquote, urlsplit

BUNDLED_ROOT = Path(__file__).resolve().parent

# Chunk size for chunked routes: small enough that a typical page spans several chunks.
_CHUNK = 4096

_CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".json": "application/json",
    ".js": "application/javascript",
    ".css": "text/css",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
}
_TEXT_TYPES = {"text/html", "text/plain", "application/xml", "text/css", "application/javascript"}

_NOT_FOUND = (
    b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
    b"<body><h1>404 Not Found</h1><p>The requested URL was not found on this server.</p>"
    b"</body></html>\n"
)


@dataclass(frozen=True)
class MirrorRequest:
    """One request the mirror received, as the client sent it."""

    host: str
    method: str
    path: str  # path with ?query, exactly as in the request line
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        """First value of header `name` (case-insensitive), or None."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


@dataclass(frozen=True)
class Route:
    """Special behaviour for one "host/path" of the mirror (an entry of routes.json)."""

    status: int = 200
    location: str | None = None
    gzip: bool = True
    chunked: bool = False
    charset: str | None = None
    content_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    retry_after: int | None = None
    times: int = 0  # for status 429/503: answer it this many times, then serve normally

    @classmethod
    def from_json(cls, key: str, data: dict[str, Any]) -> Route:
        """Build from one routes.json value; ValueError names the key and the bad field."""
        known = {
            "status", "location", "gzip", "chunked", "charset", "content_type", "headers",
            "retry_after", "times", "note",
        }  # fmt: skip
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"routes.json {key!r}: unknown field(s) {sorted(unknown)}")
        status = int(data.get("status", 200))
        if status in (301, 302, 303, 307, 308) and not data.get("location"):
            raise ValueError(f"routes.json {key!r}: a {status} route needs a location")
        return cls(
            status=status,
            location=data.get("location"),
            gzip=bool(data.get("gzip", True)),
            chunked=bool(data.get("chunked", False)),
            charset=data.get("charset"),
            content_type=data.get("content_type"),
            headers=tuple((str(k), str(v)) for k, v in data.get("headers", ())),
            retry_after=data.get("retry_after"),
            times=int(data.get("times", 0)),
        )


def load_routes(root: Path) -> dict[str, Route]:
    """routes.json of a mirror directory (empty when the file is absent)."""
    path = root / "routes.json"
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {key: Route.from_json(key, value) for key, value in raw.items() if key != "_comment"}


def file_path_for(path: str) -> str | None:
    """Relative file path ("section/index.html") for a URL path; None if it escapes the site.

    A path ending in "/" or whose last segment has no extension names a directory index.
    """
    decoded = unquote(path)
    parts = [p for p in decoded.split("/") if p]
    if any(p in (".", "..") or "\\" in p for p in parts):
        return None
    if decoded.endswith("/") or not parts or "." not in parts[-1]:
        parts.append("index.html")
    return str(PurePosixPath(*parts))


class MirrorServer:
    """The offline mirror: serves `site/<host>/<path>` from `root` and each overlay.

    Overlays are consulted first, in order; their routes.json entries replace the bundled ones
    key by key. Requests are routed by Host header, path and (only when routes.json names the
    full path+query) query string.
    """

    def __init__(
        self,
        root: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        overlays: Sequence[Path] = (),
    ) -> None:
        self.roots: list[Path] = [Path(p) for p in overlays] + [
            Path(root) if root else BUNDLED_ROOT
        ]
        self.routes: dict[str, Route] = {}
        for r in reversed(self.roots):
            self.routes.update(load_routes(r))
        self.bind_host = host
        self.bind_port = port
        self.requests: list[MirrorRequest] = []
        self._lock = threading.Lock()
        self._served: dict[str, int] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, "http://127.0.0.1:<port>"; only valid once started."""
        if self._httpd is None:
            raise RuntimeError("MirrorServer.url is known only after start()")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Bind and serve in a daemon thread; returns once the socket is listening."""
        if self._httpd is not None:
            return
        handler = type("_BoundHandler", (_Handler,), {"mirror": self})
        self._httpd = ThreadingHTTPServer((self.bind_host, self.bind_port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="archiver-mirror", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, request: MirrorRequest) -> None:
        """Append to `requests` (thread-safe)."""
        with self._lock:
            self.requests.append(request)

    def route_for(self, host: str, path: str, query: str) -> tuple[str, Route] | None:
        """The routes.json entry for a request: full path+query first, then path, then file."""
        candidates = []
        if query:
            candidates.append(f"{host}{path}?{query}")
        candidates.append(f"{host}{path}")
        rel = file_path_for(path)
        if rel is not None:
            candidates.append(f"{host}/{rel}")
        for key in candidates:
            if key in self.routes:
                return key, self.routes[key]
        return None

    def find_file(self, host: str, path: str) -> Path | None:
        """The file serving `path` on `host`, from the first root that has it."""
        rel = file_path_for(path)
        if rel is None or not host or "/" in host or host.startswith("."):
            return None
        for r in self.roots:
            candidate = r / "site" / host / rel
            if candidate.is_file():
                return candidate
        return None

    def take_throttle(self, key: str, route: Route) -> bool:
        """True when this request must still get the route's throttling status."""
        with self._lock:
            count = self._served.get(key, 0)
            self._served[key] = count + 1
        return count < route.times


class _Handler(BaseHTTPRequestHandler):
    mirror: MirrorServer
    protocol_version = "HTTP/1.1"
    server_version = "archiver-mirror"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        # Tests run with many requests; the request list is the log.
        return

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        raw_host = self.headers.get("Host", "")
        host = raw_host.rsplit(":", 1)[0] if not raw_host.endswith("]") else raw_host
        host = host.strip().lower().rstrip(".")
        self.mirror.record(
            MirrorRequest(
                host=host,
                method=self.command,
                path=self.path,
                headers=tuple((k, v) for k, v in self.headers.items()),
            )
        )
        parts = urlsplit(self.path)
        path = parts.path or "/"
        found = self.mirror.route_for(host, path, parts.query)
        route = found[1] if found else Route()
        if found and route.status in (429, 503) and route.times:
            if self.mirror.take_throttle(found[0], route):
                extra = [("Retry-After", str(route.retry_after))] if route.retry_after else []
                self._send_small(route.status, "Too Many Requests", head, extra)
                return
            route = Route(
                gzip=route.gzip, chunked=route.chunked, charset=route.charset,
                content_type=route.content_type, headers=route.headers,
            )  # fmt: skip
        if route.location is not None:
            self._send_small(route.status, "Moved", head, [("Location", route.location)])
            return
        if route.status >= 400:
            self._send_small(route.status, "Error", head, list(route.headers))
            return
        file = self.mirror.find_file(host, path)
        if file is None:
            self._send_small(404, "Not Found", head, [])
            return
        self._send_file(file, route, head)

    def _send_small(
        self, status: int, title: str, head: bool, headers: list[tuple[str, str]]
    ) -> None:
        body = _NOT_FOUND if status == 404 else (
            f"<!DOCTYPE html>\n<html><head><title>{status} {title}</title></head>\n"
            f"<body><h1>{status} {title}</h1></body></html>\n"
        ).encode("ascii")  # fmt: skip
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _send_file(self, file: Path, route: Route, head: bool) -> None:
        body = file.read_bytes()
        ctype = route.content_type or _CONTENT_TYPES.get(
            file.suffix.lower(), "application/octet-stream"
        )
        if ctype in _TEXT_TYPES and "charset" not in ctype and ctype != "application/xml":
            ctype = f"{ctype}; charset={route.charset or 'utf-8'}"
        elif route.charset:
            ctype = f"{ctype}; charset={route.charset}"
        compressible = ctype.split(";")[0] in _TEXT_TYPES
        encoded = False
        if route.gzip and compressible and _accepts_gzip(self.headers.get("Accept-Encoding", "")):
            # mtime=0: the same page always compresses to the same bytes.
            body = gzip.compress(body, compresslevel=6, mtime=0)
            encoded = True
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        if compressible:
            self.send_header("Vary", "Accept-Encoding")
        for k, v in route.headers:
            self.send_header(k, v)
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        if route.chunked:
            for start in range(0, len(body), _CHUNK):
                piece = body[start : start + _CHUNK]
                self.wfile.write(f"{len(piece):x}\r\n".encode("ascii") + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)


def _accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding value allows gzip (a q=0 entry forbids it)."""
    for item in header.split(","):
        token, _, params = item.strip().partition(";")
        if token.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and float(q[2:] or "1") == 0)
    return False
