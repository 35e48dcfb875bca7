"""Filed claims back into PolNeAR-shaped training examples (`manage.py export_training_data`).

A claim stores its content span, its speaker mention's span and its cue as a lemma ("say", "according to"),
not where the cue was written; the cue is found again as the nearest run of tokens whose lemmas (or words)
are the cue's, outside the content and the mention. A cue that cannot be found is left out (the tagger then
learns the content and source only), never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc

CUE_WINDOW = 200  # characters either side of the content and mention searched for the cue


@dataclass(frozen=True, slots=True)
class FiledClaim:
    """What the database keeps of a claim an editor left standing (or added)."""

    start: int
    end: int
    cue: str
    mention_start: int | None = None
    mention_end: int | None = None


def example(doc: Doc, *, example_id: str, claims: Sequence[FiledClaim], meta: dict[str, Any]) -> dict[str, Any]:
    """One JSON-lines record shaped like PolNeAR's train.jsonl: {"id", "text", "meta", "attributions"}."""
    text = doc.text
    attributions = []
    for number, claim in enumerate(sorted(claims, key=lambda c: (c.start, c.end)), start=1):
        source = _part(text, claim.mention_start, claim.mention_end)
        taken = [(claim.start, claim.end)] + ([(source["start"], source["end"])] if source else [])
        cue = _find_cue(doc, len(text), claim, taken)
        attributions.append(
            {
                "id": f"E{number}",
                "label": "Attribution" if source else "Attribution-no-source",
                "source": source,
                "cue": _part(text, *cue) if cue else None,
                "content": _part(text, claim.start, claim.end),
            }
        )
    return {"id": example_id, "text": text, "meta": meta, "attributions": attributions}


def _part(text: str, start: int | None, end: int | None) -> dict[str, Any] | None:
    if start is None or end is None or not 0 <= start < end <= len(text):
        return None
    return {"text": text[start:end], "start": start, "end": end, "spans": [[start, end]]}


def _find_cue(doc: Doc, length: int, claim: FiledClaim, taken: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
    words = claim.cue.casefold().split()
    if not words:
        return None
    lo = min(start for start, _ in taken) - CUE_WINDOW
    hi = max(end for _, end in taken) + CUE_WINDOW
    window = doc.char_span(max(0, lo), min(length, hi), alignment_mode="expand")
    if window is None:
        return None
    best: tuple[int, tuple[int, int]] | None = None
    tokens = list(window)
    for i in range(len(tokens) - len(words) + 1):
        run = tokens[i : i + len(words)]
        if not all(word in (t.lemma_.casefold(), t.lower_) for word, t in zip(words, run, strict=True)):
            continue
        start, end = run[0].idx, run[-1].idx + len(run[-1].text)
        if any(start < b and a < end for a, b in taken):
            continue
        distance = max(claim.start - end, start - claim.end, 0)
        if best is None or distance < best[0]:
            best = (distance, (start, end))
    return best[1] if best else None
