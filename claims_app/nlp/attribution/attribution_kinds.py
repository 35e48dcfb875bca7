"""What kind of attribution a claim is, from its cue: a statement, a belief, an intention or data.

PolNeAR marks all four; editors filter on them (a poll's figure is checked differently from a promise).
Word lists are cue lemmas as the rules and the tagger report them (`ClaimRecord.cue`).
"""

from __future__ import annotations

from typing import Literal

AttributionKind = Literal["statement", "belief", "intention", "data"]

BELIEF_CUES: frozenset[str] = frozenset(
    {
        "think", "believe", "feel", "fear", "hope", "expect", "seem", "appear", "know", "see", "view",
        "consider", "doubt", "suspect", "worry", "assume", "guess", "imagine", "agree", "question",
        "wonder", "trust", "understand", "regard", "suppose",
    }
)  # fmt: skip
INTENTION_CUES: frozenset[str] = frozenset(
    {
        "want", "plan", "intend", "seek", "aim", "try", "vow", "pledge", "promise", "threaten", "push",
        "urge", "call", "propose", "demand", "refuse", "decline", "vote", "endorse", "support", "back",
        "oppose", "offer", "ask", "order", "pressure", "lobby", "campaign", "wish", "prepare",
    }
)  # fmt: skip
DATA_CUES: frozenset[str] = frozenset(
    {"show", "find", "indicate", "reveal", "suggest", "estimate", "poll", "survey", "count", "measure", "record"}
)


def attribution_kind(cue: str) -> AttributionKind:
    """The attribution kind for a cue lemma ('say' and unknown cues: a statement)."""
    word = cue.strip().lower().split(" ")[0] if cue.strip() else ""
    if word in DATA_CUES:
        return "data"
    if word in BELIEF_CUES:
        return "belief"
    if word in INTENTION_CUES:
        return "intention"
    return "statement"
