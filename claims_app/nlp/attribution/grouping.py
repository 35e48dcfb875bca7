"""From tagged role spans to attributions: each content with its cue and source (pure, no spaCy, no Django).

The tagger marks source / cue / content pieces but not which belong together. PolNeAR's attributions are
local, so a small deterministic decoder is enough: content fragments split only by their own cue and source
('"A," she said, "B."') are one content; a content takes the nearest cue in its paragraph, and the cue the
nearest source (a headline 'Name: ...' is a source, the colon a cue, the rest content).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .tagging import RoleSpan

# A fragment gap holding more than this many word characters outside cue/source spans starts a new content.
MAX_GLUE_WORD_CHARS = 3
MAX_FRAGMENT_GAP = 120
MIN_CONTENT_WORDS = 2
_WORD = re.compile(r"[^\W_]+")
_QUOTES = '"\u201c\u201d\u201e\u00ab\u00bb'


@dataclass(frozen=True, slots=True)
class Attribution:
    """One content (start, end: character offsets) with the cue and source the decoder linked to it."""

    start: int
    end: int
    cue: RoleSpan | None
    source: RoleSpan | None


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph: blank lines, or single newlines when the text has no blank line."""
    separator = re.compile(r"\n\s*\n") if "\n\n" in text else re.compile(r"\n")
    out, start = [], 0
    for match in separator.finditer(text):
        out.append((start, match.start()))
        start = match.end()
    out.append((start, len(text)))
    return out


def group(text: str, spans: Sequence[RoleSpan]) -> list[Attribution]:
    """Attributions from one article's role spans, in text order."""
    paras = paragraphs(text)
    para_starts = [p[0] for p in paras]

    def para_of(pos: int) -> int:
        return max(0, bisect_right(para_starts, pos) - 1)

    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    contents = [s for s in ordered if s.role == "CONTENT"]
    cues = [s for s in ordered if s.role == "CUE"]
    sources = [s for s in ordered if s.role == "SOURCE"]
    others = [s for s in ordered if s.role != "CONTENT"]

    merged: list[list[int]] = []  # [start, end]
    for span in contents:
        if (
            merged
            and para_of(merged[-1][0]) == para_of(span.start)
            and _continues(text, merged[-1], span, cues, others)
        ):
            merged[-1][1] = max(merged[-1][1], span.end)
        else:
            merged.append([span.start, span.end])

    out: list[Attribution] = []
    for start, end in merged:
        start, end = _trim(text, start, end)
        if len(_WORD.findall(text[start:end])) < MIN_CONTENT_WORDS:
            continue
        para = para_of(start)
        cue = (
            _cue_inside(start, end, cues, contents)
            or _adjacent_cue(text, start, end, cues, others)
            or _nearest(cues, start, end, para, para_of)
        )
        anchor = (cue.start, cue.end) if cue else (start, end)
        source = _nearest(sources, *anchor, para, para_of)
        out.append(Attribution(start, end, cue, source))
    return out


def _continues(
    text: str, previous: list[int], span: RoleSpan, cues: Sequence[RoleSpan], others: Sequence[RoleSpan]
) -> bool:
    """Whether a content fragment continues the previous one: the tagger says so, and a cue between them is
    not a second one for a content that already has its own ('He said A. Asked, B': 'Asked' starts anew)."""
    if not span.continues:
        return False
    if not any(c.start >= previous[1] and c.end <= span.start for c in cues):
        return True
    return _adjacent_before(text, previous[0], cues, others) is None


def _adjacent_before(text: str, start: int, cues: Sequence[RoleSpan], others: Sequence[RoleSpan]) -> RoleSpan | None:
    """The cue just before `start` with nothing but its source between ('X said A')."""
    before = next((c for c in reversed(cues) if c.end <= start), None)
    if before is None or start - before.end > MAX_FRAGMENT_GAP:
        return None
    return before if not _WORD.search(_outside(text, before.end, start, others)) else None


def _cue_inside(start: int, end: int, cues: Sequence[RoleSpan], contents: Sequence[RoleSpan]) -> RoleSpan | None:
    """'"A," she said, "B."': a cue between the fragments of one content is its own."""
    for cue in cues:
        if start <= cue.start and cue.end <= end and not any(c.start < cue.end and c.end > cue.start for c in contents):
            return cue
    return None


def _glues(text: str, gap_start: int, gap_end: int, others: Sequence[RoleSpan], *, need_role: bool = True) -> bool:
    """True when only punctuation, spaces and cue/source spans lie between two content fragments."""
    if gap_end - gap_start > MAX_FRAGMENT_GAP:
        return False
    if gap_end <= gap_start:
        return True
    if "\n" in text[gap_start:gap_end]:
        return False  # never across a paragraph or headline break
    chars = list(text[gap_start:gap_end])
    saw_role = False
    for span in others:
        if span.end <= gap_start or span.start >= gap_end:
            continue
        saw_role = True
        for i in range(max(span.start, gap_start), min(span.end, gap_end)):
            chars[i - gap_start] = " "
    leftover = sum(len(w) for w in _WORD.findall("".join(chars)))
    return leftover <= MAX_GLUE_WORD_CHARS and (saw_role or leftover == 0 or not need_role)


def _own_cue_after(text: str, end: int, cues: Sequence[RoleSpan], others: Sequence[RoleSpan]) -> RoleSpan | None:
    """'"B," Bo Lund said': a fragment with a cue right after it is a new attribution, not a continuation."""
    cue = next((c for c in cues if c.start >= end), None)
    if (
        cue is not None
        and cue.start - end <= MAX_FRAGMENT_GAP
        and _glues(text, end, cue.start, others, need_role=False)
    ):
        return cue
    return None


def _adjacent_cue(
    text: str, start: int, end: int, cues: Sequence[RoleSpan], others: Sequence[RoleSpan]
) -> RoleSpan | None:
    """A cue next to the content with only its source and punctuation between: after it when no sentence ends
    between ('"A," he said'), else before it ('He said A'), else after it."""
    before = next((c for c in reversed(cues) if c.end <= start), None)
    if before is not None and not is_quoted(text[start:end]) and start - before.end <= MAX_FRAGMENT_GAP:
        gap = _outside(text, before.end, start, others)
        if not _WORD.search(gap):
            return before  # 'X said the ferry ...': nothing but the source between
        if BEFORE_WORDS and len(_WORD.findall(gap)) <= BEFORE_WORDS and not _SENTENCE_END.search(gap):
            return before  # 'X said on Wednesday that ...'
    if before is not None and (
        start - before.end > MAX_FRAGMENT_GAP or not _glues(text, before.end, start, others, need_role=False)
    ):
        before = None
    after = _own_cue_after(text, end, cues, others)
    if after is not None and not _SENTENCE_END.search(_outside(text, end, after.start, others)):
        return after
    return before or after


_SENTENCE_END = re.compile(r"[.!?]")
BEFORE_WORDS = 5  # words (outside cue and source) a cue before its content may stand apart: "said on Wednesday that"


def _outside(text: str, start: int, end: int, others: Sequence[RoleSpan]) -> str:
    """text[start:end] with role spans blanked."""
    chars = list(text[start:end])
    for span in others:
        if span.end <= start or span.start >= end:
            continue
        for i in range(max(span.start, start), min(span.end, end)):
            chars[i - start] = " "
    return "".join(chars)


def _nearest(
    candidates: Sequence[RoleSpan],
    start: int,
    end: int,
    para: int,
    para_of: Callable[[int], int],
) -> RoleSpan | None:
    """The candidate closest to [start, end) in the same paragraph (inside the span counts as distance 0)."""
    best: tuple[int, int, RoleSpan] | None = None
    for span in candidates:
        if para_of(span.start) != para:
            continue
        gap = max(0, span.start - end, start - span.end)
        key = (gap, 0 if span.start >= end else 1)  # ties: a cue after the content ('..., he said')
        if best is None or key < best[:2]:
            best = (*key, span)
    return best[2] if best else None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip spaces (keep quote marks and final punctuation: they are part of what was said)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def is_quoted(text: str) -> bool:
    """A content that opens or closes with a quotation mark is a direct quote."""
    stripped = text.strip(" ,.;:")
    return bool(stripped) and (stripped[0] in _QUOTES or stripped[-1] in _QUOTES)
