"""Highlighting hands each claim only to the paragraphs it touches; the result is the all-pairs one's."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from claims_app.review.highlighting import Paragraph, Segment, highlighted_paragraphs, paragraph_bounds


def _all_pairs(body: str, claims: list) -> list[Paragraph]:
    """The former algorithm: every claim against every paragraph."""
    spans = sorted(claims, key=lambda c: (c.start, -c.end))
    paragraphs = []
    for start, end in paragraph_bounds(body):
        segments, cursor = [], start
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


@st.composite
def bodies_and_claims(draw):  # type: ignore[no-untyped-def]
    paragraphs = draw(st.lists(st.text(alphabet="ab .", min_size=0, max_size=30), min_size=1, max_size=8))
    body = "\n\n".join(paragraphs)
    spans = draw(st.lists(st.tuples(st.integers(0, len(body)), st.integers(1, max(1, len(body)))), max_size=12))
    claims = [SimpleNamespace(pk=i, start=min(a, b), end=max(a, b)) for i, (a, b) in enumerate(spans) if a != b]
    return body, claims


@given(bodies_and_claims())
def test_highlighting_matches_the_all_pairs_result(case):  # type: ignore[no-untyped-def]
    body, claims = case
    assert highlighted_paragraphs(body, claims) == _all_pairs(body, claims)


def test_a_claim_across_paragraphs_is_marked_in_each():
    body = "First one.\n\nSecond one.\n\nThird."
    claim = SimpleNamespace(pk=1, start=6, end=20)
    paragraphs = highlighted_paragraphs(body, [claim])
    marked = [[s.text for s in p.segments if s.in_claim] for p in paragraphs]
    assert marked == [["one."], ["Second o"], []]
