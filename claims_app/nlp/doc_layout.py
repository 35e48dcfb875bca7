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
    SINGLE_CLOSING_QUOTE,
    SINGLE_OPENING_QUOTE,
)

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_NEWLINE = re.compile(r"\n")
_QUOTE_MARK = re.compile("[" + "".join(sorted(QUOTE_CHARS)) + "]")
_OPENING_CONTEXT = frozenset("([{\u2014\u2013-/")
_CLOSING_CONTEXT = frozenset(".,;:!?)]}\u2014\u2013")
_TRAILING_ATTRIBUTION_PUNCT = ",;:\u2014\u2013- \t\n"
_SINGLE_MARK = re.compile(f"[{SINGLE_OPENING_QUOTE}{SINGLE_CLOSING_QUOTE}]")
_DECADE = re.compile(r"\d\ds?\b")  # '‘90s' typed with an opening mark is an apostrophe
_POSSESSIVE_ENDINGS = frozenset("sxzSXZ")  # 'the nurses’ union', 'Rees’ motion'


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
    """Pair quote marks paragraph by paragraph; an unclosed quote runs to its paragraph's end.

    Double marks are the quotes unless the article's outermost quotes are mostly single curly
    ones (British style; on a tie, the style the other one nests in): then those are, and
    double marks inside them are part of the text.
    """
    doubles: list[QuoteRegion] = []
    singles: list[QuoteRegion] = []
    for index, (p_start, p_end) in enumerate(paragraphs):
        doubles.extend(_paragraph_regions(text, index, p_start, p_end))
        singles.extend(_single_quote_regions(text, index, p_start, p_end))
    outer_singles, outer_doubles = _outermost(singles, doubles), _outermost(doubles, singles)
    nested_doubles, nested_singles = len(doubles) - outer_doubles, len(singles) - outer_singles
    if (outer_singles, nested_doubles) <= (outer_doubles, nested_singles):
        return tuple(doubles)
    # Double-quoted stretches outside the single-quoted ones are still quotes.
    outside = _outside(doubles, singles)
    return tuple(sorted(singles + outside, key=lambda region: region.open))


def _outermost(regions: list[QuoteRegion], others: list[QuoteRegion]) -> int:
    """How many of `regions` do not open inside one of `others` (both sorted and disjoint)."""
    opens = [other.open for other in others]
    count = 0
    for region in regions:
        index = bisect_left(opens, region.open) - 1
        count += index < 0 or others[index].close < region.open
    return count


def _outside(regions: list[QuoteRegion], others: list[QuoteRegion]) -> list[QuoteRegion]:
    """The `regions` that overlap none of `others` (both sorted and disjoint)."""
    opens = [other.open for other in others]
    kept = []
    for region in regions:
        index = bisect_right(opens, region.close) - 1
        if index < 0 or others[index].close < region.open:
            kept.append(region)
    return kept


def _single_mark_role(text: str, pos: int, p_start: int, p_end: int) -> str:
    """'open', 'close', 'weak' (a closer or a plural possessive, 'the nurses’ union') or ''
    (an apostrophe: 'don’t', '’90s') for the single curly mark at `pos`."""
    before = text[pos - 1] if pos > p_start else " "
    after = text[pos + 1] if pos + 1 < p_end else " "
    if text[pos] == SINGLE_OPENING_QUOTE:
        # Only a misused apostrophe ('don‘t', '‘90s') follows a letter or precedes a decade.
        opens = not before.isalnum() and not after.isspace()
        return "open" if opens and not _DECADE.match(text, pos + 1, p_end) else ""
    if after.isalnum() and (before.isalnum() or before.isspace()):
        return ""  # inside a word, or an elision at its start
    if before in _POSSESSIVE_ENDINGS and after.isspace() and pos + 2 < p_end and text[pos + 2].isalnum():
        return "weak"
    return "close"


def _single_quote_regions(text: str, index: int, p_start: int, p_end: int) -> Iterator[QuoteRegion]:
    """Pair single curly marks: a 'weak' mark closes a quote only when no sure closer follows
    before the next opening mark."""
    marks = [
        (m.start(), _single_mark_role(text, m.start(), p_start, p_end))
        for m in _SINGLE_MARK.finditer(text, p_start, p_end)
    ]
    marks = [(pos, role) for pos, role in marks if role]
    closer_ahead = [False] * len(marks)
    ahead = False
    for n in range(len(marks) - 1, -1, -1):
        closer_ahead[n] = ahead
        role = marks[n][1]
        ahead = role == "close" or (ahead and role != "open")
    open_at: int | None = None
    for n, (pos, role) in enumerate(marks):
        if role == "open":
            if open_at is not None:  # a second opening mark: the first quote was never closed
                yield from _region(text, index, open_at, pos, terminated=False)
            open_at = pos
        elif open_at is not None and (role == "close" or not closer_ahead[n]):
            yield from _region(text, index, open_at, pos, terminated=True)
            open_at = None
    if open_at is not None:
        yield from _region(text, index, open_at, p_end, terminated=False)


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
    single_marks: frozenset[int] = frozenset()  # offsets of single curly marks that open or close a quote
    closing_marks: frozenset[int] = frozenset()  # offsets of the marks that close a quote

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
            single_marks=frozenset(_single_mark_offsets(text, quotes)),
            closing_marks=frozenset(q.close for q in quotes if q.terminated),
        )

    def in_quote(self, token: Token) -> bool:
        return self.token_quote[token.i] >= 0

    def is_quote_mark(self, token: Token) -> bool:
        return token.text in QUOTE_CHARS or (len(token.text) == 1 and token.idx in self.single_marks)

    def closes_quote(self, token: Token) -> bool:
        return len(token.text) == 1 and token.idx in self.closing_marks

    def first_token_at(self, char: int) -> int:
        """Index of the first token starting at or after `char`."""
        return bisect_left(self.token_starts, char)

    def last_token_before(self, char: int) -> int:
        """Index of the last token starting before `char` (-1 if none)."""
        return bisect_right(self.token_starts, char - 1) - 1


def _single_mark_offsets(text: str, quotes: tuple[QuoteRegion, ...]) -> Iterator[int]:
    for region in quotes:
        if text[region.open] == SINGLE_OPENING_QUOTE:
            yield region.open
            if region.close < len(text) and text[region.close] == SINGLE_CLOSING_QUOTE:
                yield region.close


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
