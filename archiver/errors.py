"""Errors shown to the user of the `archiver` command."""

from __future__ import annotations


class CommandError(Exception):
    """A user-facing failure: printed as one line `archiver: error: ...`, exit status 1."""
