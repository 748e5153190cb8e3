"""Bylines: "By AN BAIJIE in Moscow and LI XIAOKUN in Beijing" to authors with locations."""

from __future__ import annotations

import re

from archiver.record import Author
from archiver.sites.common import clean

_BY = re.compile(r"^\s*(?:Written\s+)?By[:\s]\s*", re.I)
# Authors are joined by "and", "&" or commas; a comma inside a place ("in Washington, DC") is
# put back below.
_JOIN = re.compile(r"\s*(?:,\s*and\s+|\s+and\s+|\s*&\s*|\s*,\s*|\s*;\s*)", re.I)
_IN = re.compile(r"^(?P<name>.+?)\s+in\s+(?P<place>.+)$")
# Words that mean the "author" is an outlet or a role, not a person.
_NOT_PEOPLE = frozenset(
    {
        "china daily",
        "chinadaily.com.cn",
        "xinhua",
        "global times",
        "agencies",
        "staff reporter",
        "gt staff reporters",
        "gt staff reporter",
        "our correspondent",
        "reuters",
        "afp",
        "ap",
    }
)


def normal_case(name: str) -> str:
    """Name as a reader writes it: ALL-CAPS bylines title-cased ("AN BAIJIE" -> "An Baijie")."""
    name = clean(name)
    letters = [c for c in name if c.isalpha()]
    if (
        letters
        and all(c.isupper() for c in letters if c.isascii())
        and any(c.isascii() for c in letters)
    ):
        return " ".join(_title_word(w) for w in name.split(" "))
    return name


def _title_word(word: str) -> str:
    # "MCDONALD" stays "Mcdonald": rare on these sites, and guessing Mc/Mac is worse.
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


def parse_byline(text: str) -> list[Author]:
    """Authors in a byline ("By X in P and Y in Q"); [] when it names no person.

    Leading "By" is optional; places come from "in <Place>" after each name.
    """
    text = clean(text)
    text = _BY.sub("", text).strip(" |:")
    if not text:
        return []
    authors: list[Author] = []
    for part in _JOIN.split(text):
        part = part.strip(" .|")
        if not part:
            continue
        m = _IN.match(part)
        if m is None and authors and authors[-1].location and len(part.split()) == 1:
            # "in Washington, DC": the comma was part of the place, not a list separator.
            last = authors.pop()
            authors.append(Author(name=last.name, location=f"{last.location}, {part}"))
            continue
        name, place = (m.group("name"), m.group("place")) if m else (part, None)
        name = normal_case(name)
        if not name or name.lower() in _NOT_PEOPLE or not any(c.isalpha() for c in name):
            continue
        authors.append(Author(name=name, location=clean(place) if place else None))
    return authors
