"""What changed between two versions of an article: words for title, subtitle and text, values
for the other fields, and a one-line summary."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from archiver.record import Article
from archiver.store.versions import content_of

WORDED_FIELDS = ("title", "subtitle", "text")
"""Fields compared word by word; every other content field is compared as a whole value."""

# A token is a word (letters, digits, apostrophes, inner hyphens), a run of white space, or
# any other single character: each CJK ideograph is a token of its own, so Chinese text is
# compared character by character, as it has no spaces between words.
_TOKEN = re.compile(
    r"[^\W\u3000-\u9fff\uac00-\ud7af\uf900-\ufaff]+(?:['’-][^\W\u3000-\u9fff]+)*|\s+|.", re.S
)

Mark = Literal["same", "removed", "added"]


@dataclass(frozen=True)
class Piece:
    """A run of text on one side of a diff: unchanged, or removed (old side) / added (new)."""

    text: str
    mark: Mark


@dataclass(frozen=True)
class WordDiff:
    """One field compared word by word: the old side and the new side, each a list of pieces."""

    field: str
    old: list[Piece]
    new: list[Piece]
    removed: int  # words (and ideographs) only in old
    added: int  # words only in new

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.added)


@dataclass(frozen=True)
class ValueDiff:
    """A field compared as a whole: its old and new JSON values (None when missing)."""

    field: str
    old: Any
    new: Any

    def shown(self, value: Any) -> str:
        """A value as a person reads it: text as is, anything else as indented JSON."""
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, indent=1)


def tokens(text: str) -> list[str]:
    """`text` cut into words, white space runs and single other characters (see _TOKEN)."""
    return _TOKEN.findall(text)


def _words(items: list[str]) -> int:
    # Words and ideographs count; white space and punctuation do not.
    return sum(1 for item in items if any(ch.isalnum() for ch in item))


def word_diff(name: str, old: str, new: str) -> WordDiff:
    """The word-by-word diff of two texts (difflib over tokens, not characters)."""
    a, b = tokens(old), tokens(new)
    old_side: list[Piece] = []
    new_side: list[Piece] = []
    removed = added = 0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            old_side.append(Piece("".join(a[i1:i2]), "same"))
            new_side.append(Piece("".join(b[j1:j2]), "same"))
            continue
        if i2 > i1:
            old_side.append(Piece("".join(a[i1:i2]), "removed"))
            removed += _words(a[i1:i2])
        if j2 > j1:
            new_side.append(Piece("".join(b[j1:j2]), "added"))
            added += _words(b[j1:j2])
    return WordDiff(name, old_side, new_side, removed, added)


@dataclass(frozen=True)
class VersionDiff:
    """Two versions compared: word diffs of the worded fields (all three, changed or not), and
    the other content fields whose values differ, in schema order."""

    words: list[WordDiff]
    values: list[ValueDiff]

    def summary(self) -> str:
        """One line: what changed, e.g. 'title: "A" → "B"; text: 9 words added, 2 removed'."""
        parts: list[str] = []
        for item in self.words:
            if not item.changed:
                continue
            if item.field == "title":
                old = "".join(p.text for p in item.old)
                new = "".join(p.text for p in item.new)
                parts.append(f"title: “{_short(old)}” → “{_short(new)}”")
            else:
                parts.append(f"{item.field}: {item.added} words added, {item.removed} removed")
        parts += [f"{item.field} changed" for item in self.values]
        return "; ".join(parts) or "no content change"

    def to_json(self) -> dict[str, Any]:
        return {
            "words": [
                {
                    "field": w.field,
                    "added": w.added,
                    "removed": w.removed,
                    "old": [[p.text, p.mark] for p in w.old],
                    "new": [[p.text, p.mark] for p in w.new],
                }
                for w in self.words
            ],
            "values": [{"field": v.field, "old": v.old, "new": v.new} for v in self.values],
            "summary": self.summary(),
        }


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compare(old: Article, new: Article) -> VersionDiff:
    """Compare the content of two records of one article (provenance fields left out)."""
    before, after = content_of(old), content_of(new)
    words = [
        word_diff(name, str(before.get(name) or ""), str(after.get(name) or ""))
        for name in WORDED_FIELDS
    ]
    values = [
        ValueDiff(name, before.get(name), after.get(name))
        for name in after
        if name not in WORDED_FIELDS and before.get(name) != after.get(name)
    ]
    return VersionDiff(words, values)
