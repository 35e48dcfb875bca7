"""Design (b) of docs/attribution-model.md: the rules with cue verbs mined from PolNeAR train (`cue_lexicon.tsv`).

A verb from the table with a subject and a complement (a clause, 'to' infinitive, object, or 'for'/'on' phrase)
gives a claim: 'X called for an inquiry', 'the data shows that ...', 'X wants to ...'. Kept as the comparison
point and as what the rules-only setting could grow into; the shipped default is the tagger (design c).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from claims_app.nlp.claim_candidates import ClaimCandidate
from claims_app.nlp.doc_layout import DocLayout
from claims_app.nlp.reporting_cues import INDIRECT_CUES
from claims_app.nlp.speaker_mentions import mention_for, speaker_token

LEXICON_FILE = Path(__file__).with_name("cue_lexicon.tsv")
MIN_COUNT = 10
MIN_CONTENT_TOKENS = 3
# Mined verbs too general to mark attribution on their own (they head most sentences that use them).
_GENERAL_VERBS = frozenset(
    {
        "accord",
        "have",
        "make",
        "go",
        "take",
        "come",
        "give",
        "put",
        "get",
        "do",
        "be",
        "look",
        "try",
        "hop",
        "lead",
        "use",
        "find",
        "keep",
        "let",
        "become",
        "leave",
        "run",
        "turn",
    }
)
_COMPLEMENT_DEPS = ("ccomp", "xcomp")
_PHRASE_PREPOSITIONS = frozenset({"for", "on", "about", "to", "as"})


@functools.cache
def cue_verbs(min_count: int = MIN_COUNT) -> frozenset[str]:
    """Mined cue lemmas seen at least `min_count` times in train, minus the rules' own and the too general."""
    verbs = set()
    for line in LEXICON_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        lemma, count = line.split("\t")
        if int(count) >= min_count:
            verbs.add(lemma)
    return frozenset(verbs - INDIRECT_CUES - _GENERAL_VERBS)


def find_lexicon_claims(layout: DocLayout) -> Iterator[ClaimCandidate]:
    """Claims headed by a mined cue verb, outside quotes."""
    doc = layout.doc
    verbs = cue_verbs()
    for token in doc:
        if token.pos_ != "VERB" or token.lemma_.lower() not in verbs or layout.in_quote(token):
            continue
        if any(child.dep_ == "neg" for child in token.children):
            continue
        subject = speaker_token(token)
        mention = mention_for(subject) if subject is not None else None
        if mention is None:
            continue
        content = _complement(token)
        if content is None:
            continue
        start, end = content
        if end - start < MIN_CONTENT_TOKENS or layout.token_paragraph[start] != layout.token_paragraph[token.i]:
            continue
        while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
            end -= 1
        while start < end and (doc[start].is_punct or doc[start].lower_ == "that"):
            start += 1
        if end - start >= MIN_CONTENT_TOKENS:
            yield ClaimCandidate(
                doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), "indirect", token.lemma_.lower(), mention
            )


def _complement(verb) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    """Token range [start, end) of what the cue verb frames."""
    for deps in (_COMPLEMENT_DEPS, ("dobj",)):
        children = [c for c in verb.children if c.dep_ in deps and c.i > verb.i]
        if children:
            first = children[0]
            last = max(
                c.right_edge.i for c in verb.children if c.i >= first.i and c.dep_ not in ("punct", "cc", "conj")
            )
            return first.left_edge.i, last + 1
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in _PHRASE_PREPOSITIONS and child.i > verb.i:
            return child.i + 1, child.right_edge.i + 1
    return None
