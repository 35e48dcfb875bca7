"""Split article text into plain segments for highlighting, so templates can auto-escape every character."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claims_app.models import Claim

PARAGRAPH_BREAK = "\n\n"


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    claim: Claim | None = None
    in_claim: bool = False
    in_mention: bool = False


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int  # offset of the paragraph's first character in the article body
    segments: list[Segment]


def paragraph_bounds(body: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each paragraph, split the way ingestion joins them."""
    bounds: list[tuple[int, int]] = []
    position = 0
    for text in body.split(PARAGRAPH_BREAK):
        bounds.append((position, position + len(text)))
        position += len(text) + len(PARAGRAPH_BREAK)
    return bounds


def highlighted_paragraphs(body: str, claims: list[Claim]) -> list[Paragraph]:
    """The body as paragraphs of segments, each claim's span its own segment (earliest claim wins overlaps).

    Linear in paragraphs plus claims: each claim is handed only to the paragraphs it touches (found by
    bisection), so a long article with many claims does not compare every claim with every paragraph.
    """
    bounds = paragraph_bounds(body)
    starts = [start for start, _ in bounds]
    touching: list[list[Claim]] = [[] for _ in bounds]
    for claim in sorted(claims, key=lambda c: (c.start, -c.end)):
        first = max(0, bisect_right(starts, claim.start) - 1)
        last = max(first, bisect_left(starts, claim.end) - 1)
        for index in range(first, min(last, len(bounds) - 1) + 1):
            touching[index].append(claim)
    paragraphs: list[Paragraph] = []
    for (start, end), spans in zip(bounds, touching, strict=True):
        segments: list[Segment] = []
        cursor = start
        for claim in spans:
            if claim.end <= cursor or claim.start >= end:
                continue
            seg_start, seg_end = max(claim.start, cursor), min(claim.end, end)
            if seg_start > cursor:
                segments.append(Segment(body[cursor:seg_start]))
            segments.append(Segment(body[seg_start:seg_end], claim=claim, in_claim=True))
            cursor = seg_end
        if cursor < end:
            segments.append(Segment(body[cursor:end]))
        paragraphs.append(Paragraph(start=start, segments=segments))
    return paragraphs


def claim_context(body: str, claim: Claim) -> list[Segment]:
    """The paragraph(s) around a claim, with the claim and its speaker mention marked."""
    bounds = paragraph_bounds(body)
    start = next((s for s, e in bounds if s <= claim.start <= e), 0)
    end = next((e for s, e in bounds if s <= max(claim.end - 1, claim.start) < e + 1), len(body))
    mention = (claim.speaker_mention_start, claim.speaker_mention_end)
    if mention[0] is not None and mention[1] is not None and mention[0] < start:
        start = next((s for s, e in bounds if s <= mention[0] <= e), start)
    if mention[1] is not None and mention[1] > end:
        end = next((e for s, e in bounds if s <= mention[1] <= e), end)
    cuts = {start, end, claim.start, claim.end}
    if mention[0] is not None and mention[1] is not None:
        cuts |= {mention[0], mention[1]}
    points = sorted(p for p in cuts if start <= p <= end)
    segments: list[Segment] = []
    for left, right in pairwise(points):
        if right <= left:
            continue
        in_claim = claim.start <= left and right <= claim.end
        in_mention = mention[0] is not None and mention[1] is not None and mention[0] <= left and right <= mention[1]
        segments.append(Segment(body[left:right], in_claim=in_claim, in_mention=in_mention))
    return segments
