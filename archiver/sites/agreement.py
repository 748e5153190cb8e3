"""How far two readings of one article agree: token F1 of the site parser against trafilatura."""

from __future__ import annotations

import re
from collections import Counter

# Words, and every CJK ideograph on its own (Chinese has no spaces), as the quality gate counts.
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W_]+", re.UNICODE)
AGREEMENT_DIGITS = 3
"""Decimals kept in `extractor.agreement`: rounded so the record's JSON is byte-stable."""


def tokens(text: str) -> list[str]:
    """Words of `text` lower-cased; every CJK ideograph is a token of its own."""
    return [t.lower() for t in _TOKEN.findall(text)]


def agreement(parser_text: str, second_text: str) -> float | None:
    """Token F1 (0..1, AGREEMENT_DIGITS decimals) of two readings of the same pages.

    Symmetric: neither reading is the truth, the number says how much of one the other holds.
    None when the site parser read no words (nothing to compare); 0.0 when the second reader
    found nothing where the parser found words (the page itself may be fine: a low value is a
    signal for the run as a whole, not a verdict on one page).
    """
    mine = Counter(tokens(parser_text))
    if not mine:
        return None
    theirs = Counter(tokens(second_text))
    common = sum((mine & theirs).values())
    if common == 0:
        return 0.0
    precision = common / sum(theirs.values())
    recall = common / sum(mine.values())
    return round(2 * precision * recall / (precision + recall), AGREEMENT_DIGITS)
