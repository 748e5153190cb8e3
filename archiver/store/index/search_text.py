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
# Fullwidth ASCII (common in Chinese text: "２０２４", "ＣＯＶＩＤ") read as ASCII.
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH = re.compile("[\uff01-\uff5e]")

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
_LEFT = rf"(?:(?<=[{CJK}])|(?<![^\W_]))"
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


def fold(text: str) -> str:
    """`text` lower-cased, without diacritics or fullwidth forms: one character for each one
    of `text`, so that a position in the result is the same position in `text`."""
    text = _narrow(text)
    if text.isascii():
        return text.lower()
    table: dict[int, str | int] = dict(_ASCII_UPPER)
    table.update((ord(char), _fold_char(char)) for char in set(text) if not char.isascii())
    return text.translate(table)


_ASCII_WORD = re.compile(r"[a-z0-9]+")
_WORD = re.compile(rf"{_LATIN}+")


def words_of(text: str) -> set[str]:
    """The words of `text` that are not CJK, folded as `fold` does (for prefix queries)."""
    if text.isascii():
        return set(_ASCII_WORD.findall(text.lower()))
    return set(_WORD.findall(fold(text)))


def match_pattern(terms: list[Term]) -> re.Pattern[str]:
    """A regular expression finding the terms in `fold(text)` as the index matches them;
    group `t<n>` is the n-th term."""
    return re.compile("|".join(f"(?P<t{n}>{_term_pattern(t)})" for n, t in enumerate(terms)))


def _term_pattern(term: Term) -> str:
    parts: list[str] = []
    previous: bool | None = None
    for token in term.tokens:
        cjk = _is_cjk(token)
        if previous is None:
            parts.append("" if cjk else _LEFT)
        elif not (previous and cjk):
            # Two CJK characters stand together; anything else may have separators between.
            parts.append(_SEP + ("+" if not previous and not cjk else "*"))
        parts.append(re.escape(fold(token)))
        previous = cjk
    if term.prefix:
        parts.append(_LATIN + "*")
    if not previous:
        parts.append(_RIGHT)
    return "".join(parts)


def snippet(text: str, pattern: re.Pattern[str] | None, width: int) -> tuple[SnippetPart, ...]:
    """About `width` characters of `text` around the place where most of the query's terms
    are found, matches marked, whitespace collapsed, "…" where text was left out. The start of
    the text when the query is not found in it (it matched the title) or `pattern` is None."""
    folded = fold(text)
    matches: list[re.Match[str]] = []
    if pattern is not None and len(folded) == len(text):
        for found in pattern.finditer(folded):
            matches.append(found)
            if len(matches) >= MAX_MARKED:
                break
    start, end = _window(text, matches, width)
    parts: list[SnippetPart] = []
    position = start
    for found in matches:
        if found.start() >= start and found.end() <= end:
            parts += [
                _part(text[position : found.start()], False),
                _part(text[found.start() : found.end()], True),
            ]
            position = found.end()
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


def _window(text: str, matches: list[re.Match[str]], width: int) -> tuple[int, int]:
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
        if found.start() < end < found.end():
            end = found.end()
    return start, end


def _best_anchor(matches: list[re.Match[str]], width: int) -> int:
    # The match that starts the window holding the most distinct terms (the first such).
    best, score = 0, 0
    counts: dict[str, int] = {}
    ahead = 0
    for number, found in enumerate(matches):
        ahead = max(ahead, number)
        while ahead < len(matches) and (
            ahead == number or matches[ahead].end() <= found.start() + width
        ):
            name = matches[ahead].lastgroup or ""
            counts[name] = counts.get(name, 0) + 1
            ahead += 1
        if len(counts) > score:
            best, score = found.start(), len(counts)
        name = found.lastgroup or ""
        counts[name] -= 1
        if not counts[name]:
            del counts[name]
    return best
