"""Text for the search index: CJK made searchable, user queries parsed, snippets marked.

No SQL here (search.py runs it). The index stores a normalised copy of each article's title,
subtitle and text in an FTS5 table with SQLite's unicode61 tokenizer (case and diacritics
folded). unicode61 makes a whole run of Chinese characters one token, so "中国外交部" would
only be found whole; the normalised copy puts spaces around every CJK character, making each
its own token, and a Chinese run in a query becomes a phrase of single characters: any
substring of one or more characters is found, and only where its characters stand together.
Between two CJK characters that anything (punctuation, a space) separates, a break token
(U+E000, private use: a token to unicode61, never produced from a query) is put, so "国美" is
not found in "中国，美国". Latin words are left to unicode61 as they are.

Changing what `normalise` or `facet_tokens` produce changes the index's content: it needs a
schema version bump (schema.py) so that existing indexes are filled again, because deleting a
row of the contentless FTS table needs the very values it was indexed with.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

# Han ideographs (with extensions and compatibility ideographs) and Japanese kana: scripts
# written without spaces between words.
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
BREAK = "\ue000"

_CJK_CHAR = re.compile(f"([{CJK}])")
_CJK_RUN = re.compile(f"[{CJK}]+")
# Anything but a token character (Python's \w minus "_" is close to unicode61's L*, N*),
# between two CJK characters.
_CJK_GAP = re.compile(rf"(?<=[{CJK}])(?:[^\w]|_)+(?=[{CJK}])")
# A query or text token: one CJK character, or a run of other letters and digits.
_TOKEN = re.compile(rf"[{CJK}]|(?:(?![{CJK}])[^\W_])+")
# Fullwidth letters and digits (in Chinese text: "２０２４", "ＣＯＶＩＤ") read as ASCII. Not
# fullwidth punctuation ("，" in every Chinese sentence): a separator either way, and
# translate() is slow on a text with many characters to change.
_WIDTH = {
    code: code - 0xFEE0
    for start, end in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
    for code in range(start, end + 1)
}
_FULLWIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")

MAX_QUERY_CHARS = 1000
MAX_QUERY_TOKENS = 64
MIN_PREFIX_CHARS = 2


class QueryError(ValueError):
    """The query text cannot be searched; the message says why, for the user."""


def _narrow(text: str) -> str:
    # translate() with a dict looks up every character: only when there is one to change.
    if text.isascii() or _FULLWIDTH.search(text) is None:
        return text
    return text.translate(_WIDTH)


def normalise(text: str) -> str:
    """The copy of `text` the FTS table indexes (see the module docstring)."""
    text = _narrow(text)
    if text.isascii() or _CJK_CHAR.search(text) is None:
        return text
    # One Python call per run of CJK characters, not per character.
    return _CJK_RUN.sub(_spaced, _CJK_GAP.sub(f" {BREAK} ", text))


def _spaced(run: re.Match[str]) -> str:
    return " " + " ".join(run.group()) + " "


def facet_token(field: str, value: str) -> str:
    """The token that stands for `field` = `value` (case-insensitive) in the facets column.

    A digest, so that any value (a section name with spaces) is one plain token, and no word
    of the text can be mistaken for it (the text columns are searched apart anyway).
    """
    digest = hashlib.blake2b(value.strip().casefold().encode(), digest_size=8).hexdigest()
    return f"f{field}{digest}"


ALL_TOKEN = "fall"
"""A facets token every document has: what a query with no words or filters matches."""


def facet_tokens(site: str, language: str, kind: str, sections: list[str]) -> str:
    """The facets column of a document: one token per filterable value, plus ALL_TOKEN."""
    tokens = [
        ALL_TOKEN,
        facet_token("site", site),
        facet_token("lang", language),
        facet_token("kind", kind),
    ]
    tokens += sorted({facet_token("sec", section) for section in sections})
    return " ".join(tokens)


@dataclass(frozen=True)
class Term:
    """One thing a document must contain: a word, a phrase or a Chinese run (a phrase of its
    characters), each given as its tokens; `prefix`: the last token may be longer."""

    tokens: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        """The term as an FTS5 string: every token quoted, so no user text is FTS syntax."""
        return '"' + " ".join(self.tokens) + '"' + (" *" if self.prefix else "")


def tokens(text: str) -> list[str]:
    """The tokens of `text` as the index sees them (CJK characters one by one)."""
    return _TOKEN.findall(_narrow(text))


def parse_query(text: str) -> list[Term]:
    """The terms of a user's query: words (all required), "quoted phrases", prefix* (2+
    characters), Chinese runs. A word joining tokens (e-mail, U.S., 中国2024) is a phrase of
    them. Operators are not supported: AND, OR, NOT, NEAR, -, :, ( ) are plain text.

    Raises QueryError for text with nothing to search for, too long, or a prefix too short.
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long: at most {MAX_QUERY_CHARS} characters")
    terms: list[Term] = []
    for chunk in _chunks(text):
        prefix = chunk.rstrip().endswith("*")
        found = tokens(chunk)
        if not found:
            continue
        if prefix and not _is_cjk(found[-1]) and len(found[-1]) < MIN_PREFIX_CHARS:
            raise QueryError(
                f"a prefix needs {MIN_PREFIX_CHARS} or more letters before the *: {chunk.strip()}"
            )
        terms.append(Term(tuple(found), prefix and not _is_cjk(found[-1])))
    if not terms:
        raise QueryError("the query has no words to search for")
    if sum(len(term.tokens) for term in terms) > MAX_QUERY_TOKENS:
        raise QueryError(f"the query is too long: at most {MAX_QUERY_TOKENS} words or characters")
    return terms


def _chunks(text: str) -> Iterator[str]:
    # Quoted parts (an unclosed quote runs to the end), with a * right after the closing quote,
    # and the whitespace-separated words between them.
    for match in re.finditer(r'"([^"]*)(?:"(\*?)|$)|[^\s"]+', text):
        if match.group(0).startswith('"'):
            yield (match.group(1) or "") + (match.group(2) or "")
        else:
            yield match.group(0)


def _is_cjk(token: str) -> bool:
    return len(token) == 1 and _CJK_CHAR.match(token) is not None


# -- snippets -------------------------------------------------------------------------------

MAX_MARKED = 200
"""Matches looked at per snippet: bounds the cost of a text that repeats a word endlessly."""

_LATIN = rf"(?:(?![{CJK}])[^\W_])"
_RIGHT = rf"(?:(?=[{CJK}])|(?![^\W_]))"
_SEP = r"(?:[^\w]|_)"
_ASCII_UPPER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}


@dataclass(frozen=True)
class SnippetPart:
    """A piece of a snippet; `match`: the query matched it (the web page wraps it in <mark>)."""

    text: str
    match: bool


@lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[0]
    lower = base.lower()
    return lower if len(lower) == 1 else base


# Letters that may carry a diacritic (Latin, Greek, Cyrillic, Latin Extended Additional).
_MAY_FOLD = re.compile("[\u00c0-\u024f\u0370-\u04ff\u1e00-\u1fff]")


def fold(text: str) -> str:
    """`text` lower-cased, without diacritics or fullwidth forms: one character for each one
    of `text`, so that a position in the result is the same position in `text`."""
    text = _narrow(text)
    if text.isascii():
        return text.lower()
    if _MAY_FOLD.search(text) is None:
        # Curly quotes, dashes, CJK: lower() is enough, and fast.
        lowered = text.lower()
        if len(lowered) == len(text):
            return lowered
    table: dict[int, str | int] = dict(_ASCII_UPPER)
    table.update((ord(char), _fold_char(char)) for char in set(text) if not char.isascii())
    return text.translate(table)


_ASCII_WORD = re.compile(r"[a-z0-9]+")
_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> set[str]:
    """The words of `text` that are not CJK, folded as `fold` does (for prefix queries)."""
    if text.isascii():
        return set(_ASCII_WORD.findall(text.lower()))
    # CJK runs out first: a look-ahead on every character would cost five times as much.
    return set(_WORD.findall(_CJK_RUN.sub(" ", fold(text))))


class Found(NamedTuple):
    """A place in a text where the query's term number `term` was found."""

    start: int
    end: int
    term: int


class Matcher:
    """Finds the terms of a query in `fold(text)` as the index matches them.

    One expression per term, each starting with the term's first letters: Python's re finds a
    literal start fast, where one alternation of terms behind look-behinds tries them at every
    character (ten times slower on an article).
    """

    def __init__(self, terms: list[Term]) -> None:
        self.patterns = [re.compile(_term_pattern(term)) for term in terms]

    def find(self, folded: str, limit: int) -> list[Found]:
        """Where the terms are, in order, without overlaps; at most `limit` per term."""
        found: list[Found] = []
        for number, pattern in enumerate(self.patterns):
            for count, match in enumerate(pattern.finditer(folded)):
                if count >= limit:
                    break
                found.append(Found(match.start(), match.end(), number))
        found.sort()
        kept: list[Found] = []
        for place in found:
            if not kept or place.start >= kept[-1].end:
                kept.append(place)
        return kept


def match_pattern(terms: list[Term]) -> Matcher:
    """The Matcher of the terms."""
    return Matcher(terms)


def _term_pattern(term: Term) -> str:
    # The first token's letters come first; the check that no letter stands before them is a
    # look-behind over them and the character before.
    parts: list[str] = []
    previous: bool | None = None
    for token in term.tokens:
        cjk = _is_cjk(token)
        literal = re.escape(fold(token))
        if previous is None:
            parts.append(literal if cjk else literal + _left_of(literal))
        else:
            if not (previous and cjk):
                # Two CJK characters stand together; anything else may have separators between.
                parts.append(_SEP + ("+" if not previous and not cjk else "*"))
            parts.append(literal)
        previous = cjk
    if term.prefix:
        parts.append(_LATIN + "*")
    if not previous:
        parts.append(_RIGHT)
    return "".join(parts)


def _left_of(literal: str) -> str:
    return rf"(?:(?<=[{CJK}]{literal})|(?<![^\W_]{literal}))"


def snippet(text: str, matcher: Matcher | None, width: int) -> tuple[SnippetPart, ...]:
    """About `width` characters of `text` around the place where most of the query's terms
    are found, matches marked, whitespace collapsed, "…" where text was left out. The start of
    the text when the query is not found in it (it matched the title) or `matcher` is None."""
    folded = fold(text)
    matches: list[Found] = []
    if matcher is not None and len(folded) == len(text):
        matches = matcher.find(folded, MAX_MARKED)
    start, end = _window(text, matches, width)
    parts: list[SnippetPart] = []
    position = start
    for found in matches:
        if found.start >= start and found.end <= end:
            parts += [
                _part(text[position : found.start], False),
                _part(text[found.start : found.end], True),
            ]
            position = found.end
    parts.append(_part(text[position:end], False))
    if start > 0:
        parts.insert(0, SnippetPart("…", False))
    if end < len(text):
        parts.append(SnippetPart("…", False))
    return _merged(parts)


def _part(text: str, match: bool) -> SnippetPart:
    return SnippetPart(re.sub(r"\s+", " ", text), match)


def _merged(parts: list[SnippetPart]) -> tuple[SnippetPart, ...]:
    out: list[SnippetPart] = []
    for part in parts:
        if not part.text:
            continue
        if out and out[-1].match == part.match and not part.match:
            out[-1] = SnippetPart(out[-1].text + part.text, False)
        else:
            out.append(part)
    if out and not out[0].match:
        out[0] = SnippetPart(out[0].text.lstrip(), False)
    if out and not out[-1].match:
        out[-1] = SnippetPart(out[-1].text.rstrip(), False)
    return tuple(part for part in out if part.text)


def _window(text: str, matches: list[Found], width: int) -> tuple[int, int]:
    # Start a quarter of the width before the best match, at a word's start where one is near;
    # end at a word's end, never inside a match.
    anchor = _best_anchor(matches, width)
    start = max(0, anchor - width // 4)
    if start > 0:
        space = text.find(" ", start, anchor)
        if space != -1 and space - start < 30:
            start = space + 1
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width * 3 // 4, end)
        if space > anchor:
            end = space
    for found in matches:
        if found.start < end < found.end:
            end = found.end
    return start, end


def _best_anchor(matches: list[Found], width: int) -> int:
    # The match that starts the window holding the most distinct terms (the first such).
    best, score = 0, 0
    counts: dict[int, int] = {}
    ahead = 0
    for number, found in enumerate(matches):
        ahead = max(ahead, number)
        while ahead < len(matches) and (
            ahead == number or matches[ahead].end <= found.start + width
        ):
            term = matches[ahead].term
            counts[term] = counts.get(term, 0) + 1
            ahead += 1
        if len(counts) > score:
            best, score = found.start, len(counts)
        counts[found.term] -= 1
        if not counts[found.term]:
            del counts[found.term]
    return best
