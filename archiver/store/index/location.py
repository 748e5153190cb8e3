"""Where the index is: an SQLite file, or a PostgreSQL database named by URL."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

IndexLocation = Path | str
"""An SQLite file (a Path, or a str that is no URL) or a postgresql:// URL."""

_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_index_url(location: IndexLocation) -> bool:
    """True for a PostgreSQL URL (postgresql://, postgres:// or postgresql+psycopg://)."""
    return isinstance(location, str) and urlsplit(location).scheme in _SCHEMES


def driver_url(url: str) -> str:
    """The URL as libpq (psycopg) takes it: SQLAlchemy's `+psycopg` suffix dropped."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql"))


def redact(url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
