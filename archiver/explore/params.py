"""Query-string parameters of the explorer's pages, checked: a bad one is a 400 with one line."""

from __future__ import annotations

from datetime import date

from flask import abort, request

from archiver.sites.registry import SITE_NAMES

MAX_TEXT = 500


def text(name: str, default: str = "") -> str:
    """A free-text parameter (at most MAX_TEXT characters), stripped."""
    value = request.args.get(name, default)
    if len(value) > MAX_TEXT:
        abort(400, f"{name} is longer than {MAX_TEXT} characters")
    return value.strip()


def required(name: str) -> str:
    """A parameter that must be given and not empty."""
    value = text(name)
    if not value:
        abort(400, f"give {name}=")
    return value


def choice(name: str, options: tuple[str, ...]) -> str | None:
    """One of `options`, or None when empty or absent."""
    value = text(name)
    if not value:
        return None
    if value not in options:
        abort(400, f"{name} must be one of {', '.join(options)}, not {value!r}")
    return value


def site() -> str | None:
    """site=: one of the sites the archiver knows, or None."""
    return choice("site", SITE_NAMES)


def day(name: str) -> date | None:
    """A date parameter, YYYY-MM-DD, or None when empty or absent."""
    value = text(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"{name} must be a date, YYYY-MM-DD, not {value!r}")


def number(name: str, default: int, low: int = 1, high: int = 1_000_000) -> int:
    """A whole number from `low` to `high`, `default` when empty or absent."""
    value = text(name)
    if not value:
        return default
    if not value.isdigit() or not low <= int(value) <= high:
        abort(400, f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return int(value)
