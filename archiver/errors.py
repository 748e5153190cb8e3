"""The archiver's domain error: a failure a user can act on, told in one line."""

from __future__ import annotations


class ArchiverError(Exception):
    """A failure with a one-line message saying what to do next, never a traceback.

    Library modules raise it (or a subclass); the `archiver` command prints it as
    `archiver: error: <message>` and exits with status 1.
    """


class StorageLost(ArchiverError):
    """The archive's storage stopped answering (the shared index's server): a crawl stops in
    one line, as on a full disk (archiver.durable.is_storage_error)."""
