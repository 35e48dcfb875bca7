"""Claim spans found in a Doc before speakers are resolved, and the rules that settle overlaps
between quote-based and reported-speech-based findings.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from claims_app.nlp.records import ClaimKind
from claims_app.nlp.speaker_mentions import Mention

# A quote filling at least this share of a reported clause is the claim itself ("said that
# '...'"); a smaller one is a fragment inside reported speech and the clause wins.
QUOTE_DOMINATES_CLAUSE = 0.8
# Reported clauses mostly inside a quoted claim are parser echoes of that direct quote.
MAX_QUOTED_SHARE_OF_REPORTED = 0.5


@dataclass(frozen=True, slots=True)
class ClaimCandidate:
    """A claim span (character offsets into the body) with the mention it is attributed to; `source` is the
    source as the attribution tagger marked it ('who', 'the senator'), when it did."""

    start: int
    end: int
    kind: ClaimKind
    cue: str
    mention: Mention | None
    source: tuple[int, int] | None = None

    @property
    def length(self) -> int:
        return self.end - self.start


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def reconcile(quoted: Iterable[ClaimCandidate], reported: Iterable[ClaimCandidate]) -> list[ClaimCandidate]:
    """Merge both finders' output: one claim per stretch of text, in document order.

    Quote claims come from disjoint regions, so they are sorted by start and by end alike and
    the ones touching a reported clause are found by bisection (no all-pairs loop).
    """
    quoted = sorted(quoted, key=lambda c: c.start)
    ends = [q.end for q in quoted]
    starts = [q.start for q in quoted]
    dropped_quotes: set[int] = set()
    kept_reported: list[ClaimCandidate] = []
    for claim in _unique(reported):
        near = range(bisect_right(ends, claim.start - 1), bisect_left(starts, claim.end + 1))
        inside = [i for i in near if quoted[i].start >= claim.start and quoted[i].end <= claim.end]
        if any(quoted[i].length >= QUOTE_DOMINATES_CLAUSE * claim.length for i in inside):
            continue  # "X said that '...'": the quote is the claim
        overlap = sum(_overlap(quoted[i].start - 1, quoted[i].end + 1, claim.start, claim.end) for i in near)
        if overlap - sum(quoted[i].length for i in inside) > MAX_QUOTED_SHARE_OF_REPORTED * claim.length:
            continue  # the parser's echo of '"...," X said'
        dropped_quotes.update(inside)  # a quoted fragment inside reported speech
        kept_reported.append(claim)
    kept = [q for i, q in enumerate(quoted) if i not in dropped_quotes] + kept_reported
    return sorted(kept, key=lambda c: (c.start, c.end))


def _unique(claims: Iterable[ClaimCandidate]) -> list[ClaimCandidate]:
    """Drop exact duplicates (an 'according to' sentence can also hold a cue verb)."""
    seen: set[tuple[int, int]] = set()
    unique = []
    for claim in claims:
        if (claim.start, claim.end) not in seen:
            seen.add((claim.start, claim.end))
            unique.append(claim)
    return unique
