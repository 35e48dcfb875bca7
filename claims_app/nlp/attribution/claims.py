"""Tagged attributions as claim candidates, and how they combine with the rule-based finders.

When the tagger runs, its attributions are the claims: on PolNeAR dev it finds paraphrase, beliefs, intentions,
data and the long tail of cues the rules do not know, and its own source for a claim beats the rules' guess. The
rules stay as a safety net: their direct quotes where the tagger found nothing, and their speaker for a tagged
claim with no source. Tagged sources become the same `Mention`s the rules make, so pronouns, surnames and aliases
go through the in-article speaker resolution; the source as tagged ('who', 'the senator') is kept beside it as
the claim's speaker mention.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from claims_app.nlp.claim_candidates import ClaimCandidate
from claims_app.nlp.records import ClaimKind, SpeakerKind
from claims_app.nlp.speaker_mentions import Mention, MentionForm, mention_for, speaker_token

from .component import SPANS_KEY
from .grouping import Attribution, group, is_quoted
from .tagging import RoleSpan


def tagged_spans(doc: Doc) -> list[RoleSpan] | None:
    """The tagger's role spans for `doc`, or None when the pipeline has no tagger."""
    raw = doc.user_data.get(SPANS_KEY)
    return None if raw is None else [RoleSpan(*span) for span in raw]


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
    source = attribution.source
    if source is None:
        subject = _untagged_speaker(doc, attribution) if attribution.cue and kind in _UNTAGGED_KINDS else None
        mention = mention_for(subject) if subject is not None else None
        return ClaimCandidate(attribution.start, attribution.end, kind, cue, mention)
    subject = _cue_subject(doc, attribution.cue, source) if attribution.cue else None
    mention = source_mention(doc, text, source, head=subject)
    if mention is None:
        return ClaimCandidate(attribution.start, attribution.end, kind, cue, None)
    start, end = source.start, source.end
    if subject is not None:  # 'LIND, Oct 6 (Nordwire) - Vera Kolb, the inspector,' names Vera Kolb
        start, end = max(start, subject.left_edge.idx), min(end, subject.right_edge.idx + len(subject.right_edge))
    return ClaimCandidate(attribution.start, attribution.end, kind, cue, mention, _stripped(text, start, end))


def _cue_subject(doc: Doc, cue: RoleSpan, source: RoleSpan) -> Token | None:
    """The parse's subject of the cue verb when it lies inside the tagged source: the tagger's source may take in
    a dateline or an aside before the name, and the subject is the name that speaks."""
    span = doc.char_span(cue.start, cue.end, alignment_mode="expand")
    if span is None or not len(span) or span.root.pos_ not in ("VERB", "AUX"):
        return None
    subject = speaker_token(span.root)
    if subject is None or not (source.start <= subject.idx < source.end) or subject.pos_ not in _HEAD_POS:
        return None
    return subject


def _untagged_speaker(doc: Doc, attribution: Attribution) -> Token | None:
    """For a content whose cue has no tagged source: the parse's subject of the cue verb, or the object of
    'according to', when it is a name, noun or pronoun outside the content ('Warren said' with 'Warren' untagged).

    Only quotes ask (`_UNTAGGED_KINDS`): other contents without a source are dropped unless a rule claim lends its
    speaker, and keeping them with the parse's subject added 4 false alarms on eval/extraction (0.797 to 0.790).
    Added 7 December 2026 with the linking rules in grouping.py; all five together: PolNeAR dev end-to-end F1
    0.776 to 0.780.
    """
    assert attribution.cue is not None
    span = doc.char_span(attribution.cue.start, attribution.cue.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    words = [t for t in span if not t.is_punct]
    subject: Token | None
    if len(words) >= 2 and [t.lower_ for t in words[:2]] == ["according", "to"]:
        objects = [t for t in words[1].children if t.dep_ == "pobj"]
        following = doc[span.end : span.end + 1]
        subject = objects[0] if objects else (following[0] if len(following) else None)
    elif span.root.pos_ in ("VERB", "AUX"):
        subject = speaker_token(span.root)
        if subject is None or subject.dep_ != "nsubj" or subject.lower_ in _NOT_SPEAKERS:
            return None
    else:
        return None
    if subject is None or subject.pos_ not in _HEAD_POS or attribution.start <= subject.idx < attribution.end:
        return None
    return subject


_UNTAGGED_KINDS = frozenset({"direct"})
# Subjects that name no one: 'it was unclear whether', 'there is', relative pronouns.
_NOT_SPEAKERS = frozenset({"it", "there", "that", "this", "which"})


def _stripped(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without surrounding spaces and punctuation, or None when nothing is left."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in ".)":
        end -= 1
    return (start, end) if end > start else None


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


def source_mention(doc: Doc, text: str, source: RoleSpan, *, head: Token | None = None) -> Mention | None:
    """The rules' mention for the head of a tagged source (`head` when the caller knows it); its own text when
    the rules make none; None when the source holds no name, noun or pronoun.

    `text` is `doc.text`, which spaCy rebuilds from every token on each access: callers looping over an
    article's sources read it once (reading it per source made long articles quadratic).
    """
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    words = [t for t in span if not t.is_punct and not t.is_space and t.tag_ != "POS"]
    if not words or (head is None and not any(t.pos_ in _HEAD_POS for t in words)):
        return None  # no name, noun or pronoun: a stray 'the' or 'being freed in 2010' names nobody
    root = head or _source_head(span, words)
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


_HEAD_POS = ("PROPN", "NOUN", "PRON")


def _source_head(span: Span, words: Sequence[Token]) -> Token:
    """The word that names the source: the span's root when it is a noun or pronoun, else the last one."""
    if span.root in words and span.root.pos_ in _HEAD_POS:
        return span.root
    nouns = [t for t in words if t.pos_ in _HEAD_POS]
    return nouns[-1] if nouns else words[-1]


def combine(rules: Iterable[ClaimCandidate], tagged: Iterable[ClaimCandidate]) -> list[ClaimCandidate]:
    """The tagger's claims, and the rules' direct quotes it did not see.

    A tagged claim with no source of its own takes the speaker of a rule claim covering most of it; one that still
    has none is dropped unless it is a direct quote (on PolNeAR dev such contents were mostly background the tagger
    half-recognised). The rules' direct quotes are a safety net for styles the tagger has not seen.
    """
    by_position = _ByPosition(rules)
    kept: list[ClaimCandidate] = []
    for claim in tagged:
        twin = max(by_position.overlapping(claim), key=lambda rule: _share(rule, claim), default=None)
        share = _share(twin, claim) if twin is not None else 0.0
        if twin is not None and twin.kind == "direct" and share >= SAME_QUOTE and _covers(twin, claim):
            # The same quote: the rules' span leaves out the quotation marks and the comma before the closing one.
            claim = replace(claim, start=twin.start, end=twin.end, kind="direct")
        if claim.mention is None:
            if twin is not None and twin.mention is not None and share >= TWIN_SHARE:
                claim = replace(claim, cue=claim.cue or twin.cue, mention=twin.mention, source=None)
            elif claim.kind != "direct":
                continue
        elif (
            claim.cue in RELAY_CUES
            and twin is not None
            and twin.mention is not None
            and twin.cue not in RELAY_CUES
            and share >= SAME_QUOTE
        ):
            # 'Holt said she would not stand, as reported by the Herald': the Herald relays, Holt speaks (the
            # rules read the inner attribution; PolNeAR marks the relay as the source, the desk the original).
            claim = replace(claim, cue=twin.cue, mention=twin.mention, source=None)
        kept.append(claim)
    taken = _ByPosition(kept)
    added = [rule for rule in by_position.items if rule.kind in RULE_KINDS_ADDED and not taken.overlapping(rule)]
    return sorted(kept + added, key=lambda c: (c.start, c.end))


class _ByPosition:
    """Claim candidates sorted by start, for finding those that overlap a span without trying every one (long
    articles hold thousands)."""

    def __init__(self, items: Iterable[ClaimCandidate]) -> None:
        self.items = sorted(items, key=lambda c: (c.start, c.end))
        self.starts = [c.start for c in self.items]
        self.longest = max((c.length for c in self.items), default=0)

    def overlapping(self, span: ClaimCandidate) -> list[ClaimCandidate]:
        first = bisect_left(self.starts, span.start - self.longest)
        last = bisect_left(self.starts, span.end)
        return [c for c in self.items[first:last] if c.end > span.start]


# A rule claim lends its speaker to a tagged claim when their overlap is at least this share of the shorter one.
TWIN_SHARE = 0.5
# A rule's direct quote and a tagged claim overlapping this much, each way, are the same quote.
SAME_QUOTE = 0.8
# Cues that relay someone else's words ('as reported by', 'according to' after 'X said').
RELAY_CUES = frozenset({"report", "according to", "quote", "cite", "relay"})
# Rule claims kept where the tagger found nothing.
RULE_KINDS_ADDED = frozenset({"direct"})


def _share(a: ClaimCandidate, b: ClaimCandidate) -> float:
    return max(0, min(a.end, b.end) - max(a.start, b.start)) / max(1, min(a.length, b.length))


def _covers(a: ClaimCandidate, b: ClaimCandidate) -> bool:
    """Whether `a` covers at least SAME_QUOTE of the longer of the two."""
    return max(0, min(a.end, b.end) - max(a.start, b.start)) >= SAME_QUOTE * max(a.length, b.length)
