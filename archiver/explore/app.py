"""The explorer's Flask app: configuration, one read-only index connection per request, the
security headers of every response, and errors as pages (or JSON) with one line, no traceback."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from archiver.errors import ArchiverError
from archiver.explore.runs import RunReports
from archiver.sites.registry import SITE_NAMES
from archiver.store.index.database import IndexDatabase, PostgresDatabase
from archiver.store.index.explore import IndexUnavailable, open_read_only
from archiver.store.index.location import IndexLocation, is_index_url

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""Content-Security-Policy of every response: only the package's own scripts and styles, no
inline script or style, nothing fetched from elsewhere, never framed."""

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class Connections:
    """One read-only index connection per thread, kept between requests so that SQLite's page
    cache stays warm (waitress has a fixed pool of threads: memory stays bounded). Each request
    still sees what was committed when its query starts (WAL; PostgreSQL's autocommit). An
    SQLite connection is opened again when the index file was replaced (`archiver index
    rebuild` puts a new file in its place), a PostgreSQL one when it was lost (a server
    restart)."""

    def __init__(self, location: IndexLocation) -> None:
        self.location = location
        self._local = threading.local()
        self._all: list[IndexDatabase] = []
        self._lock = threading.Lock()

    def _identity(self) -> tuple[int, int] | None:
        if is_index_url(self.location):
            return (0, 0)
        try:
            status = os.stat(self.location)
        except OSError:
            return None
        return (status.st_dev, status.st_ino)

    def get(self) -> IndexDatabase:
        identity = self._identity()
        held: tuple[tuple[int, int] | None, IndexDatabase] | None = getattr(
            self._local, "held", None
        )
        if held is not None and held[0] == identity and identity is not None:
            db = held[1]
            if not isinstance(db, PostgresDatabase) or not db.conn.closed:
                return db
        db = open_read_only(self.location)
        with self._lock:
            if held is not None:
                held[1].close()
                self._all.remove(held[1])
            self._all.append(db)
        self._local.held = (identity, db)
        return db

    def close(self) -> None:
        """Close every thread's connection (when the server stops)."""
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()


@dataclass(frozen=True)
class Explorer:
    """What the app serves: the archive root, its index (a file or a postgresql:// URL), and
    pywb's collection URL (ending in /archive/) when replay runs, else None."""

    root: Path
    index_path: IndexLocation
    replay_url: str | None
    runs: RunReports
    connections: Connections

    def replay_link(self, fetched_at: str, url: str) -> str | None:
        """pywb's URL replaying `url` as captured at `fetched_at` (ISO), or None."""
        if self.replay_url is None:
            return None
        moment = datetime.fromisoformat(fetched_at).astimezone(UTC)
        return f"{self.replay_url}{moment.strftime('%Y%m%d%H%M%S')}/{url}"


REPLAY_SETUP = "archiver replay --setup"
"""The one command that sets replay up, shown on the pages when it is not."""


def explorer() -> Explorer:
    """The running app's Explorer."""
    found: Explorer = current_app.extensions["archiver"]
    return found


def db() -> IndexDatabase:
    """This thread's read-only connection to the index (see Connections)."""
    return explorer().connections.get()


def _secure(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


def wants_json() -> bool:
    """True for the JSON twins (/api/...), whose errors are JSON too."""
    return request.path.startswith("/api/")


def _error(exc: HTTPException) -> tuple[Any, int]:
    return _page_of_error(exc.code or 500, exc.name, exc.description or exc.name)


def _archiver_error(exc: ArchiverError) -> tuple[Any, int]:
    # A missing article is a 404, a bad parameter a 400 (their `http_status`); an index that
    # cannot be read (missing, of another version) leaves the server up, answering 503.
    status = getattr(exc, "http_status", 503 if isinstance(exc, IndexUnavailable) else 500)
    return _page_of_error(status, HTTP_STATUS_CODES.get(status, "Error"), str(exc))


def _page_of_error(status: int, name: str, message: str) -> tuple[Any, int]:
    if wants_json():
        return jsonify({"error": message, "status": status}), status
    return render_template("error.html", status=status, name=name, message=message), status


def create_app(
    root: Path, index_path: IndexLocation | None = None, replay_url: str | None = None
) -> Flask:
    """The explorer over the archive at `root` (index at `index_path`: a file, default
    root/index.sqlite3, or a postgresql:// URL). Nothing it does writes to the archive."""
    from archiver.explore import views
    from archiver.layout import ArchiveLayout

    app = Flask(__name__, static_folder="static", template_folder="templates")
    # Every template is escaped, whatever its name (the Atom feed's .xml too).
    app.jinja_env.autoescape = True
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    path = index_path or ArchiveLayout(root).index_path
    app.extensions["archiver"] = Explorer(
        root=root,
        index_path=path,
        replay_url=replay_url,
        runs=RunReports(root),
        connections=Connections(path),
    )
    app.after_request(_secure)
    app.register_error_handler(HTTPException, _error)
    app.register_error_handler(ArchiverError, _archiver_error)
    app.register_blueprint(views.pages)
    app.register_blueprint(views.article_pages)
    app.jinja_env.globals["replay_setup"] = REPLAY_SETUP
    app.jinja_env.globals["page_url"] = views.page_url
    app.jinja_env.globals["replay_url"] = replay_url
    app.jinja_env.globals["sites"] = SITE_NAMES
    return app
