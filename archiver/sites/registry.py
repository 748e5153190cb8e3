"""The sites the archiver knows, as data: every module outside sites/ asks here, never by name."""

from __future__ import annotations

from typing import get_args

from archiver.record import Site

SITE_NAMES: tuple[Site, ...] = get_args(Site)
"""Every site, in the record schema's order ("chinadaily", "globaltimes")."""
