"""Paragraphs and quoted regions of an article body, mapped onto spaCy tokens.

Everything here is computed once per Doc in linear time; the claim finders only
look things up in the resulting `DocLayout`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from claims_app.nlp.reporting_cues import (
    AMBIGUOUS_QUOTES,
    CLOSING_QUOTES,
    OPENING_QUOTES,
    QUOTE_CHARS,
)

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_NEWLINE = re.compile(r"\n")
_QUOTE_MARK = re.compile("[" + "".join(sorted(QUOTE_CHARS)) + "]")
_OPENING_CONTEXT = frozenset("([{\u2014\u2013-/")
_CLOSING_CONTEXT = frozenset(".,;:!?)]}\u2014\u2013")
_TRAILING_ATTRIBUTION_PUNCT = ",;:\u2014\u2013- \t\n"


@dataclass(frozen=True, slots=True)
class QuoteRegion:
    """One quoted stretch: `open`/`close` are the marks, `start`/`end` the claim text inside."""

    open: int
    close: int
    start: int
    end: int
    paragraph: int
    terminated: bool
    final_char: str  # last non-space character inside the marks, e.g. "," or "."


def paragraph_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each non-empty paragraph; blank lines separate them, else single newlines."""
    splitter = _BLANK_LINE if _BLANK_LINE.search(text) else _NEWLINE
    spans: list[tuple[int, int]] = []
    pos = 0
    for match in splitter.finditer(text):
        spans.extend(_stripped_span(text, pos, match.start()))
        pos = match.end()
    spans.extend(_stripped_span(text, pos, len(text)))
    return tuple(spans)


def _stripped_span(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        yield (start, end)


def find_quote_regions(text: str, paragraphs: tuple[tuple[int, int], ...]) -> tuple[QuoteRegion, ...]:
    """Pair double quote marks paragraph by paragraph; an unclosed quote runs to its paragraph's end."""
    regions: list[QuoteRegion] = []
    for index, (p_start, p_end) in enumerate(paragraphs):
        regions.extend(_paragraph_regions(text, index, p_start, p_end))
    return tuple(regions)


def _mark_role(text: str, pos: int, p_start: int, p_end: int) -> str:
    """'open', 'close' or 'either' for the quote mark at `pos`, judged from its neighbours."""
    char = text[pos]
    if char in OPENING_QUOTES:
        return "open"
    if char in CLOSING_QUOTES:
        return "close"
    assert char in AMBIGUOUS_QUOTES
    before = text[pos - 1] if pos > p_start else " "
    after = text[pos + 1] if pos + 1 < p_end else " "
    opens = before.isspace() or before in _OPENING_CONTEXT
    closes = after.isspace() or after in _CLOSING_CONTEXT
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    return "either"


def _paragraph_regions(text: str, index: int, p_start: int, p_end: int) -> Iterator[QuoteRegion]:
    open_at: int | None = None
    for match in _QUOTE_MARK.finditer(text, p_start, p_end):
        pos = match.start()
        role = _mark_role(text, pos, p_start, p_end)
        if open_at is None:
            if role != "close":  # a stray closing mark opens nothing
                open_at = pos
        elif role != "open":
            yield from _region(text, index, open_at, pos, terminated=True)
            open_at = None
        else:  # a second opening mark: the first quote was never closed
            yield from _region(text, index, open_at, pos, terminated=False)
            open_at = pos
    if open_at is not None:
        yield from _region(text, index, open_at, p_end, terminated=False)


def _region(text: str, index: int, open_at: int, close_at: int, *, terminated: bool) -> Iterator[QuoteRegion]:
    start, end = open_at + 1, close_at
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    final_char = text[end - 1] if end > start else ""
    # A trailing comma or dash belongs to the attribution that follows, not to the claim.
    while end > start and text[end - 1] in _TRAILING_ATTRIBUTION_PUNCT:
        end -= 1
    if start < end:
        yield QuoteRegion(open_at, close_at, start, end, index, terminated, final_char)


@dataclass(frozen=True, slots=True)
class DocLayout:
    """A Doc plus its paragraphs, quoted regions and per-token lookups."""

    doc: Doc
    text: str  # doc.text, kept because spaCy rebuilds it from the tokens on every access
    paragraphs: tuple[tuple[int, int], ...]
    quotes: tuple[QuoteRegion, ...]
    token_quote: tuple[int, ...]  # index into `quotes` for tokens inside a quote, else -1
    token_paragraph: tuple[int, ...]  # paragraph index per token (-1 for whitespace between)
    token_starts: tuple[int, ...]

    @classmethod
    def build(cls, doc: Doc, text: str | None = None) -> DocLayout:
        """Compute paragraphs, quotes and token maps in one linear sweep; `text` is `doc.text`."""
        text = doc.text if text is None else text
        paragraphs = paragraph_spans(text)
        quotes = find_quote_regions(text, paragraphs)
        starts = tuple(token.idx for token in doc)
        return cls(
            doc=doc,
            text=text,
            paragraphs=paragraphs,
            quotes=quotes,
            token_quote=tuple(_inside_index(starts, [(q.open + 1, q.close) for q in quotes])),
            token_paragraph=tuple(_inside_index(starts, list(paragraphs))),
            token_starts=starts,
        )

    def in_quote(self, token: Token) -> bool:
        return self.token_quote[token.i] >= 0

    def is_quote_mark(self, token: Token) -> bool:
        return token.text in QUOTE_CHARS

    def first_token_at(self, char: int) -> int:
        """Index of the first token starting at or after `char`."""
        return bisect_left(self.token_starts, char)

    def last_token_before(self, char: int) -> int:
        """Index of the last token starting before `char` (-1 if none)."""
        return bisect_right(self.token_starts, char - 1) - 1


def _inside_index(starts: tuple[int, ...], spans: list[tuple[int, int]]) -> Iterator[int]:
    """For each token start, the index of the (sorted, disjoint) span containing it, else -1."""
    span_index = 0
    for start in starts:
        while span_index < len(spans) and spans[span_index][1] <= start:
            span_index += 1
        if span_index < len(spans) and spans[span_index][0] <= start:
            yield span_index
        else:
            yield -1
