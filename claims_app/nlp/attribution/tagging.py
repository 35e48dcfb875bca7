"""Attribution as token tags: source / cue / content spans in BIO form over MiniLM word pieces (pure, no Django).

PolNeAR annotations are univocal (a character belongs to at most one role of at most one attribution), so an
article's attributions are also one tag sequence. Training windows are cut from an article's word pieces; at
inference overlapping windows are averaged so every piece sees context on both sides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

ROLES = ("SOURCE", "CUE", "CONTENT")
LABELS = ("O", *(f"{p}-{r}" for r in ROLES for p in ("B", "I")))
LABEL_ID = {label: i for i, label in enumerate(LABELS)}


@dataclass(frozen=True, slots=True)
class RoleSpan:
    """A character span of one role, as a tagger reads it or an annotator marked it; `continues` marks a later
    fragment of a discontinuous span ('"A," she said, "B."': B continues A's content)."""

    role: str
    start: int
    end: int
    continues: bool = False


def gold_spans(attributions: Iterable[dict[str, Any]]) -> list[RoleSpan]:
    """Every fragment of every role in PolNeAR-shaped attributions (a discontinuous span gives several)."""
    spans: list[RoleSpan] = []
    for attribution in attributions:
        for role, key in (("SOURCE", "source"), ("CUE", "cue"), ("CONTENT", "content")):
            part = attribution.get(key)
            if not part:
                continue
            fragments = [(int(s), int(e)) for s, e in part.get("spans") or [[part["start"], part["end"]]] if e > s]
            for index, (start, end) in enumerate(sorted(fragments)):
                spans.append(RoleSpan(role, start, end, continues=index > 0))
    return spans


def piece_labels(offsets: Sequence[tuple[int, int]], spans: Sequence[RoleSpan]) -> list[int]:
    """One label id per word piece: B- on a span's first piece, I- after, O elsewhere; a fragment that continues
    a discontinuous span starts with I-, so the tagger learns which fragments belong together."""
    ordered = sorted(spans, key=lambda s: s.start)
    owner: list[int] = []
    j = 0
    for start, end in offsets:
        while j < len(ordered) and ordered[j].end <= start:
            j += 1
        hit = -1
        if end > start and j < len(ordered) and ordered[j].start < end:
            hit = j
        owner.append(hit)
    labels = []
    for i, hit in enumerate(owner):
        if hit < 0:
            labels.append(LABEL_ID["O"])
            continue
        prefix = "I" if (i > 0 and owner[i - 1] == hit) or ordered[hit].continues else "B"
        labels.append(LABEL_ID[f"{prefix}-{ordered[hit].role}"])
    return labels


def decode(offsets: Sequence[tuple[int, int]], label_ids: Sequence[int]) -> list[RoleSpan]:
    """Role spans from per-piece labels; an I- with no open span of its role starts a span that continues an
    earlier fragment."""
    spans: list[RoleSpan] = []
    role: str | None = None
    start = end = 0
    continues = False
    for (s, e), label_id in zip(offsets, label_ids, strict=True):
        if e <= s:
            continue
        label = LABELS[label_id]
        if label == "O":
            if role is not None:
                spans.append(RoleSpan(role, start, end, continues))
                role = None
            continue
        prefix, this_role = label.split("-", 1)
        if role is not None and (prefix == "B" or this_role != role):
            spans.append(RoleSpan(role, start, end, continues))
            role = None
        if role is None:
            role, start, continues = this_role, s, prefix == "I"
        end = e
    if role is not None:
        spans.append(RoleSpan(role, start, end, continues))
    return spans
