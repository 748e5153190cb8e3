"""Re-extracted records met with the stored ones as they come: `verify`'s reextract check.

Each line `reextract` makes goes to `Rematch.line` as soon as its article is done: the stored
records with the same captures are read again and compared with it there, and only the verdict
is kept (a byte a record, the names of the differing fields when they differ), never the line.
"""

from __future__ import annotations

import json

from archiver.offline.reextract import OutputLine
from archiver.offline.stored import StoredRecords, capture_ids_of

MATCH = 1
DIFFERS = 2


class Rematch:
    """`verdicts[n]`: MATCH, DIFFERS (`differing[n]` names the fields) or 0 (no re-extraction
    of record n's captures came); `alternates[n]`: the digest of the record a later capture of
    the same content would have made, when re-extraction gave one for n's captures."""

    def __init__(self, stored: StoredRecords) -> None:
        self.stored = stored
        self.verdicts = bytearray(len(stored))
        self.differing: dict[int, str] = {}
        self.alternates: dict[int, str] = {}

    def line(self, fresh: OutputLine) -> None:
        """A re-extracted record; one for the same captures coming later takes its place."""
        for n in self.stored.candidates(fresh.capture_ids):
            stored = self.stored.line(n)
            if stored == fresh.line:
                self.verdicts[n] = MATCH
                self.differing.pop(n, None)
            elif capture_ids_of(stored) == fresh.capture_ids:  # the line read once, not twice
                self.verdicts[n] = DIFFERS
                self.differing[n] = ", ".join(differing(stored, fresh.line))

    def alternate(self, ids: tuple[str, ...], digest: str) -> None:
        for n in self.stored.candidates(ids):
            if self.stored.capture_ids(n) == ids:
                self.alternates[n] = digest


def differing(old: str, new: str) -> list[str]:
    """The names of the fields two JSON records differ in."""
    before, after = json.loads(old), json.loads(new)
    names = [k for k in after if before.get(k) != after[k]]
    names += [k for k in before if k not in after]
    return names or ["key order or formatting"]
