"""Tagged attributions as claim candidates, and how they combine with the rule-based finders.

The rules are precise on direct quotes and good at speakers; the tagger finds what they miss (paraphrase,
beliefs, intentions, data, headline 'Name: ...'). Combined: a rule claim the tagger also sees keeps its span
and speaker (a speaker it lacks comes from the tagger's source); a rule claim the tagger marks no content in
at all is vetoed when `veto` is set; a tagged claim with a tagged source that no rule overlaps is added.
Sources become the same `Mention`s the rules make, so pronouns, surnames and aliases go through the in-article
speaker resolution.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from spacy.tokens import Doc, Span, Token

from claims_app.nlp.claim_candidates import ClaimCandidate
from claims_app.nlp.records import ClaimKind, SpeakerKind
from claims_app.nlp.speaker_mentions import Mention, MentionForm, mention_for

from .component import SPANS_KEY
from .grouping import Attribution, group, is_quoted
from .tagging import RoleSpan

# A rule claim with less than this share of its characters tagged as content (by any attribution) is vetoed.
VETO_BELOW = 0.1
# A tagged claim no rule found needs at least this many words.
MIN_ADDED_WORDS = 4
_WORD = re.compile(r"[^\W_]+")


def tagged_spans(doc: Doc) -> list[RoleSpan] | None:
    """The tagger's role spans for `doc`, or None when the pipeline has no tagger."""
    raw = doc.user_data.get(SPANS_KEY)
    return None if raw is None else [RoleSpan(role, start, end) for role, start, end in raw]


def model_candidates(doc: Doc, spans: Sequence[RoleSpan]) -> list[ClaimCandidate]:
    """One candidate per decoded attribution."""
    text = doc.text
    return [_candidate(doc, text, attribution) for attribution in group(text, spans)]


def _candidate(doc: Doc, text: str, attribution: Attribution) -> ClaimCandidate:
    cue = _cue_lemma(doc, text, attribution.cue) if attribution.cue else ""
    kind: ClaimKind
    if cue == "according to":
        kind = "according_to"
    elif is_quoted(text[attribution.start : attribution.end]):
        kind = "direct"
    else:
        kind = "indirect"
    mention = source_mention(doc, text, attribution.source) if attribution.source else None
    return ClaimCandidate(attribution.start, attribution.end, kind, cue, mention)


def _cue_lemma(doc: Doc, text: str, cue: RoleSpan) -> str:
    span = doc.char_span(cue.start, cue.end, alignment_mode="expand")
    if span is None or not len(span):
        return text[cue.start : cue.end].strip().lower()
    words = [t for t in span if not t.is_punct and not t.is_space]
    if not words:
        return span.text.strip()
    if [t.lower_ for t in words[:2]] == ["according", "to"]:
        return "according to"
    return span.root.lemma_.lower() if span.root in words else words[0].lemma_.lower()


def source_mention(doc: Doc, text: str, source: RoleSpan) -> Mention | None:
    """The rules' mention for the head of a tagged source; its own text when the rules make none.

    `text` is `doc.text`, which spaCy rebuilds from every token on each access: callers looping over an
    article's sources read it once (reading it per source made long articles quadratic).
    """
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    words = [t for t in span if not t.is_punct and not t.is_space and t.tag_ != "POS"]
    if not words:
        return None
    root = _source_head(span, words)
    mention = mention_for(root)
    # The rules' mention may reach outside the tagged span (an antecedent, an owner); keep it only when it
    # overlaps what was tagged, so 'Trump's campaign' does not become 'Trump' and 'of' never heads a name.
    overlaps = mention is not None and mention.start < source.end and mention.end > source.start
    if mention is not None and (overlaps or root.pos_ == "PRON"):
        return mention
    start, end = words[0].idx, words[-1].idx + len(words[-1])
    return Mention(
        text=text[start:end], start=start, end=end, form=_UNREAD_FORM, kind=_UNREAD_KIND, name=text[start:end]
    )


# What source_mention falls back to when the rules read no name, noun or pronoun in a tagged source.
_UNREAD_FORM: MentionForm = "description"
_UNREAD_KIND: SpeakerKind = "unknown"


def read_by_rules(mention: Mention) -> bool:
    """False for source_mention's fallback: the tagged words, which the rules could not read as a source."""
    return (mention.form, mention.kind) != (_UNREAD_FORM, _UNREAD_KIND)


_HEAD_POS = ("PROPN", "NOUN", "PRON")


def _source_head(span: Span, words: Sequence[Token]) -> Token:
    """The word that names the source: the span's root when it is a noun or pronoun, else the last one."""
    if span.root in words and span.root.pos_ in _HEAD_POS:
        return span.root
    nouns = [t for t in words if t.pos_ in _HEAD_POS]
    return nouns[-1] if nouns else words[-1]


def combine(
    rules: Iterable[ClaimCandidate],
    tagged: Iterable[ClaimCandidate],
    spans: Sequence[RoleSpan],
    *,
    text: str,
    veto: bool = True,
) -> list[ClaimCandidate]:
    """Rule claims (confirmed or vetoed by the tagger) plus the tagged claims worth adding that no rule claim
    overlaps."""
    content = sorted((s.start, s.end) for s in spans if s.role == "CONTENT")
    tagged = list(tagged)
    kept: list[ClaimCandidate] = []
    for rule in rules:
        if veto and _covered(content, rule.start, rule.end) < VETO_BELOW * max(1, rule.length):
            continue
        if rule.mention is None:
            twin = next((t for t in tagged if _overlap(t, rule) and t.mention is not None), None)
            if twin is not None:
                rule = ClaimCandidate(rule.start, rule.end, rule.kind, rule.cue or twin.cue, twin.mention)
        kept.append(rule)
    added = [t for t in tagged if _worth_adding(t, text) and not any(_overlap(t, k) for k in kept)]
    return sorted(kept + added, key=lambda c: (c.start, c.end))


def _worth_adding(candidate: ClaimCandidate, text: str) -> bool:
    """A tagged claim no rule found is filed only with a source the rules can read and a few words.

    A tagged content with no source is mostly background the tagger half-recognised (on PolNeAR dev one in
    five matched anything), and fragments ('a TV', 'stop them') or unreadable sources are its typical misses
    on styles it has not seen.
    """
    mention = candidate.mention
    if mention is None or not read_by_rules(mention):
        return False
    return len(_WORD.findall(text[candidate.start : candidate.end])) >= MIN_ADDED_WORDS


def _overlap(a: ClaimCandidate, b: ClaimCandidate) -> bool:
    return min(a.end, b.end) > max(a.start, b.start)


def _covered(content: Sequence[tuple[int, int]], start: int, end: int) -> int:
    return sum(max(0, min(end, e) - max(start, s)) for s, e in content if s < end and e > start)
