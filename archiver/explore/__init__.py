"""The archive explorer (`archiver serve`): a local, read-only web app over an archive."""

from __future__ import annotations

from archiver.explore.app import create_app

__all__ = ["create_app"]
