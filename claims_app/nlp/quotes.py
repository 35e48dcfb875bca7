"""Direct-quote claims: attribute each quoted region to a speaker, or to the author.

Conventions:
* one claim per quoted piece: `"A," X said, "B."` gives two claims, both X's;
* the span is the text inside the marks, minus a trailing comma or dash;
* 1-4 word quotes are scare quotes unless they are a sentence of their own ("Nobody came.")
  that a speech verb frames or that continues the previous speaker's quote;
* an unattributed quote is the author's assertion when it is a whole paragraph, or a whole
  sentence in an opinion piece; an unattributed fragment inside a sentence is no claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Token

from claims_app.nlp.claim_candidates import ClaimCandidate
from claims_app.nlp.doc_layout import DocLayout, QuoteRegion
from claims_app.nlp.records import ClaimKind
from claims_app.nlp.reporting_cues import (
    DIRECT_CUES,
    INDIRECT_CUES,
    SENTENCE_END_PUNCT,
    STATEMENT_NOUNS,
    WEAK_DIRECT_CUES,
    reporting_cue,
)
from claims_app.nlp.speaker_mentions import Mention, is_common_noun, mention_for, source_token, speaker_token

MAX_SCARE_WORDS = 4
MAX_FRAME_TOKENS = 30
MAX_CUE_DISTANCE = 15  # a cue after a quote must come this soon to attribute it
MAX_ATTRIBUTION_SENTENCE = 25  # 'Ewa Lindgren, 67, has lived here for years.' is short
MAX_STATEMENT_NOUN_OFFSET = 8  # 'Those were the words of X, ...' names the words early
MAX_TOKENS_BETWEEN_CONTINUED = 25
_SENTENCE_FINAL_CHARS = frozenset(".!?\u2026")
_CLAUSE_DEPS = frozenset({"ccomp"})
_SOURCE_PREPOSITIONS = frozenset({"of", "from", "by"})


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who a quote is pinned to, and by which cue ('say', 'according to', 'word')."""

    cue: str
    mention: Mention


def find_quote_claims(layout: DocLayout, *, opinion: bool) -> list[ClaimCandidate]:
    """One candidate per quoted region that is a claim, in document order."""
    claims: list[ClaimCandidate] = []
    previous: _Previous | None = None
    for index, region in enumerate(layout.quotes):
        claim = _claim_for_region(layout, region, previous, opinion=opinion)
        if claim is not None:
            claims.append(claim)
            previous = _Previous(region, claim, _is_last_in_paragraph(layout, index))
    return claims


@dataclass(frozen=True, slots=True)
class _Previous:
    """The last quote that became a claim, for attributing the quotes that continue it."""

    region: QuoteRegion
    claim: ClaimCandidate
    ends_paragraph: bool


def _is_last_in_paragraph(layout: DocLayout, index: int) -> bool:
    quotes = layout.quotes
    return index + 1 == len(quotes) or quotes[index + 1].paragraph != quotes[index].paragraph


def _claim_for_region(
    layout: DocLayout,
    region: QuoteRegion,
    previous: _Previous | None,
    *,
    opinion: bool,
) -> ClaimCandidate | None:
    words = _word_count(layout, region)
    if words == 0:
        return None
    short = words <= MAX_SCARE_WORDS
    if short and not _is_sentence_like(layout, region):
        return None
    attribution = _frame_attribution(layout, region, short=short)
    if attribution is None:
        attribution = _continued_attribution(layout, region, previous, opinion=opinion)
    if attribution is None and not short and _stands_alone(layout, region):
        attribution = _neighbour_attribution(layout, region, opinion=opinion)
        if attribution is None and (opinion or _fills_paragraph(layout, region)):
            return ClaimCandidate(region.start, region.end, "assertion", "", None)
    if attribution is None:
        return None
    kind: ClaimKind = "assertion" if attribution.mention.form == "author" else "direct"
    return ClaimCandidate(region.start, region.end, kind, attribution.cue, attribution.mention)


# -- shape of a region ------------------------------------------------------------


def _word_count(layout: DocLayout, region: QuoteRegion) -> int:
    return sum(1 for word in layout.text[region.start : region.end].split() if any(c.isalnum() for c in word))


def _is_sentence_like(layout: DocLayout, region: QuoteRegion) -> bool:
    """'"Nobody came."' is a sentence; '"cosmetic"', '"hero,"' and book titles are not."""
    text = layout.text
    final = region.final_char
    if final.isalnum() and region.terminated and _starts_sentence(layout, region):
        final = text[region.close + 1 : region.close + 2]  # British: '‘Nobody came’, she said.'
    return final in _SENTENCE_FINAL_CHARS | {","} and text[region.start].isupper()


def _starts_sentence(layout: DocLayout, region: QuoteRegion) -> bool:
    index = layout.last_token_before(region.open)
    doc = layout.doc
    while index >= 0 and doc[index].is_space:
        index -= 1
    if index < 0 or layout.token_paragraph[index] != region.paragraph:
        return True
    return doc[index].text in SENTENCE_END_PUNCT or doc[index].text == ":"


def _ends_sentence(layout: DocLayout, region: QuoteRegion) -> bool:
    if region.final_char in _SENTENCE_FINAL_CHARS or not region.terminated:
        return True
    index = layout.first_token_at(region.close + 1)
    doc = layout.doc
    return index >= len(doc) or doc[index].is_space or doc[index].text in SENTENCE_END_PUNCT


def _stands_alone(layout: DocLayout, region: QuoteRegion) -> bool:
    return _starts_sentence(layout, region) and _ends_sentence(layout, region)


def _fills_paragraph(layout: DocLayout, region: QuoteRegion) -> bool:
    p_start, p_end = layout.paragraphs[region.paragraph]
    tail = layout.text[region.close + 1 : p_end].strip()
    return region.open == p_start and (not region.terminated or not tail or tail in SENTENCE_END_PUNCT)


# -- attribution in the quote's own sentence ------------------------------------------


def _frame_attribution(layout: DocLayout, region: QuoteRegion, *, short: bool) -> Attribution | None:
    """Speech verb right after the quote ('..., X said') or right before it ('X said: ...')."""
    before = _before_frame(layout, region)
    after = _after_frame(layout, region)
    introduces = bool(before) and before[-1].text in {":", ","}
    found_before = _cue_in(reversed(before), before, short=short)
    found_after = _cue_in(after[:MAX_CUE_DISTANCE], after, short=short)
    if introduces and found_before is not None:
        return found_before
    return found_after or found_before


def _after_frame(layout: DocLayout, region: QuoteRegion) -> list[Token]:
    """Tokens after the closing mark up to the end of the sentence or the next quote."""
    if not region.terminated or region.final_char in {".", ";", ":"}:
        return []
    frame = _frame_tokens(layout, region, layout.first_token_at(region.close + 1), step=1)
    if region.final_char.isalnum() and frame and frame[0].text != ",":
        return []  # the quote runs on inside a sentence: "called it 'x y z' and left"
    return frame


def _before_frame(layout: DocLayout, region: QuoteRegion) -> list[Token]:
    """Tokens from the start of the sentence (or the previous quote) up to the opening mark."""
    frame = _frame_tokens(layout, region, layout.last_token_before(region.open), step=-1)
    frame.reverse()
    return frame


def _frame_tokens(layout: DocLayout, region: QuoteRegion, index: int, *, step: int) -> list[Token]:
    """Walk from `index` in one direction until a paragraph break, a quote or a sentence end."""
    doc = layout.doc
    frame: list[Token] = []
    while 0 <= index < len(doc) and len(frame) < MAX_FRAME_TOKENS:
        token = doc[index]
        if layout.token_paragraph[index] != region.paragraph and not token.is_space:
            break
        if layout.is_quote_mark(token) or layout.in_quote(token) or token.text in SENTENCE_END_PUNCT:
            break
        if not token.is_space:
            frame.append(token)
        index += step
    return frame


def _cue_in(candidates: Iterator[Token] | list[Token], frame: list[Token], *, short: bool) -> Attribution | None:
    """First speech cue among `candidates` whose speaker sits inside `frame`."""
    inside = {token.i for token in frame}
    for token in candidates:
        if token.lower_ == "according":
            found = _according_to(token, inside)
        else:
            cue = reporting_cue(token, DIRECT_CUES)
            if cue is None or (short and cue in WEAK_DIRECT_CUES):
                continue
            found = _verb_attribution(token, cue, inside)
        if found is not None:
            return found
    return None


def _verb_attribution(verb: Token, cue: str, inside: set[int]) -> Attribution | None:
    subject = speaker_token(verb)
    if subject is None or subject.i not in inside:
        subject = _adjacent_name(verb, inside) or _leading_name(verb, inside)
    if subject is None:
        return None
    mention = mention_for(subject)
    return Attribution(cue, mention) if mention is not None else None


def _adjacent_name(verb: Token, inside: set[int]) -> Token | None:
    """'said Smith' when the parser missed the inverted subject."""
    doc = verb.doc
    for index in (verb.i + 1, verb.i - 1):
        if index in inside and doc[index].pos_ in {"PROPN", "PRON"} and doc[index].dep_ != "poss":
            return doc[index]
    return None


def _leading_name(verb: Token, inside: set[int]) -> Token | None:
    """'"...," Ann Lee, head of X, told Y' when the parser hung the name off the quote.

    Only used when the verb has no subject at all: the first named person or organisation
    between the quote and the verb is the speaker.
    """
    if any(child.dep_ in {"nsubj", "nsubjpass"} for child in verb.children):
        return None
    doc = verb.doc
    for index in sorted(i for i in inside if i < verb.i):
        token = doc[index]
        if token.ent_type_ in {"PERSON", "ORG"} and token.ent_iob_ == "B":
            # The entity starting here, read from the tokens (doc.ents rebuilds every entity on each access).
            end = index + 1
            while end < len(doc) and doc[end].ent_iob_ == "I":
                end += 1
            return doc[index:end].root
    return None


def _according_to(token: Token, inside: set[int]) -> Attribution | None:
    doc = token.doc
    if token.i + 1 >= len(doc) or doc[token.i + 1].lower_ != "to":
        return None
    pobj = next((c for c in doc[token.i + 1].children if c.dep_ == "pobj"), None)
    if pobj is None or pobj.i not in inside:
        return None
    mention = mention_for(source_token(pobj))
    return Attribution("according to", mention) if mention is not None else None


# -- attribution carried over from the previous quote ----------------------------------


def _continued_attribution(
    layout: DocLayout, region: QuoteRegion, previous: _Previous | None, *, opinion: bool
) -> Attribution | None:
    """'"A," X said. "B."' and quotes running on into the next paragraph keep X as speaker."""
    if previous is None:
        return None
    prev_region, prev_claim = previous.region, previous.claim
    if prev_claim.kind != "direct" or prev_claim.mention is None:
        return None
    attribution = Attribution(prev_claim.cue, prev_claim.mention)
    if prev_region.paragraph == region.paragraph:
        return attribution if _only_attribution_between(layout, prev_region, region, prev_claim.mention) else None
    if prev_region.paragraph != region.paragraph - 1 or region.open != layout.paragraphs[region.paragraph][0]:
        return None
    if not prev_region.terminated:
        return attribution  # the paragraph ended inside the quote: it continues here
    if opinion:
        return None  # an opinion writer's quoted paragraph after someone's quote is their own
    if previous.ends_paragraph and _only_attribution_after(layout, prev_region, prev_claim.mention):
        return attribution
    return None


def _only_attribution_between(layout: DocLayout, first: QuoteRegion, second: QuoteRegion, mention: Mention) -> bool:
    """Between two quotes there is at most the first one's attribution, no other subject."""
    start, end = layout.first_token_at(first.close + 1), layout.last_token_before(second.open)
    return end - start <= MAX_TOKENS_BETWEEN_CONTINUED and not _other_subject(layout, start, end, mention)


def _only_attribution_after(layout: DocLayout, region: QuoteRegion, mention: Mention) -> bool:
    _, p_end = layout.paragraphs[region.paragraph]
    start, end = layout.first_token_at(region.close + 1), layout.last_token_before(p_end)
    sentence_ends = sum(1 for i in range(start, end + 1) if layout.doc[i].text in SENTENCE_END_PUNCT)
    return (
        end - start <= MAX_TOKENS_BETWEEN_CONTINUED
        and sentence_ends <= 1
        and not _other_subject(layout, start, end, mention)
    )


def _other_subject(layout: DocLayout, start: int, end: int, mention: Mention) -> bool:
    doc = layout.doc
    for index in range(start, end + 1):
        token = doc[index]
        if token.dep_ != "nsubj" or layout.in_quote(token) or token.head.dep_ == "relcl":
            continue  # 'said Oona Pryce, who runs a bakery' adds no speaker
        phrase_start, phrase_end = token.left_edge.idx, token.right_edge.idx + len(token.right_edge)
        if not phrase_start <= mention.start < phrase_end:  # 'its chairman, Piet Haldor,' is one speaker
            return True
    return False


# -- attribution in the neighbouring sentence -----------------------------------------


def _neighbour_attribution(layout: DocLayout, region: QuoteRegion, *, opinion: bool) -> Attribution | None:
    """A stand-alone quote attributed by the sentence before ('X said:') or after ('Those were
    the words of X.'); in news, also by a named person introduced right after it."""
    before = _previous_sentence(layout, region)
    if before and before[-1].text == ":":
        found = _cue_in(reversed(before), before, short=False)
        if found is not None:
            return found
    after = _next_sentence(layout, region)
    if not after:
        return None
    found = _statement_noun_attribution(after)
    if found is None and not opinion and len(after) <= MAX_ATTRIBUTION_SENTENCE:
        # An opinion writer's next sentence is their own argument, not an attribution.
        found = _dangling_cue(after) or _introduced_person(after)
    return found


def _previous_sentence(layout: DocLayout, region: QuoteRegion) -> list[Token]:
    doc = layout.doc
    index = layout.last_token_before(region.open)
    while index >= 0 and doc[index].is_space:
        index -= 1
    frame: list[Token] = []
    while index >= 0 and len(frame) < MAX_FRAME_TOKENS:
        token = doc[index]
        if frame and (token.text in SENTENCE_END_PUNCT or layout.is_quote_mark(token) or layout.in_quote(token)):
            break
        if token.is_space and "\n" in token.text and frame:
            break
        if not token.is_space:
            frame.append(token)
        index -= 1
    frame.reverse()
    return frame


def _next_sentence(layout: DocLayout, region: QuoteRegion) -> list[Token]:
    doc = layout.doc
    index = layout.first_token_at(region.close + 1)
    while index < len(doc) and doc[index].is_space:
        index += 1
    frame: list[Token] = []
    while index < len(doc) and len(frame) <= MAX_FRAME_TOKENS:
        token = doc[index]
        if layout.is_quote_mark(token) or layout.in_quote(token):
            return []  # another quote: not a bare attribution sentence
        if token.is_space and "\n" in token.text:
            break
        if not token.is_space:
            frame.append(token)
        if token.text in SENTENCE_END_PUNCT:
            break
        index += 1
    return frame


def _statement_noun_attribution(sentence: list[Token]) -> Attribution | None:
    """'Those were the words of X.' / 'The warning came from X.' / 'That was X's assessment.'"""
    inside = {token.i for token in sentence}
    for token in sentence[:MAX_STATEMENT_NOUN_OFFSET]:
        if not is_common_noun(token) or token.lemma_.lower() not in STATEMENT_NOUNS:
            continue
        owner = _owner_of(token, inside)
        if owner is not None:
            mention = mention_for(owner)
            if mention is not None:
                return Attribution(token.lemma_.lower(), mention)
    return None


def _owner_of(noun: Token, inside: set[int]) -> Token | None:
    for child in noun.children:
        if child.dep_ == "poss" and child.i in inside:
            return child
        if child.dep_ == "prep" and child.lower_ in _SOURCE_PREPOSITIONS:
            pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if pobj is not None and pobj.i in inside:
                return pobj
    if noun.dep_ == "nsubj":  # "The warning came from X"
        for child in noun.head.children:
            if child.dep_ == "prep" and child.lower_ in _SOURCE_PREPOSITIONS:
                pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if pobj is not None and pobj.i in inside:
                    return pobj
    return None


def _dangling_cue(sentence: list[Token]) -> Attribution | None:
    """A speech verb with nothing reported of its own: 'Dashkin said so on Tuesday.'"""
    inside = {token.i for token in sentence}
    for token in sentence:
        cue = reporting_cue(token, INDIRECT_CUES)
        if cue is None or any(_reports_something(child) for child in token.children):
            continue
        found = _verb_attribution(token, cue, inside)
        if found is not None:
            return found
    return None


def _reports_something(child: Token) -> bool:
    """A content clause, a negation or a real object ('promised new wells'); 'this'/'so' are fine."""
    if child.dep_ in _CLAUSE_DEPS or child.dep_ == "neg":
        return True
    return child.dep_ == "dobj" and child.pos_ != "PRON"


def _introduced_person(sentence: list[Token]) -> Attribution | None:
    """News convention: a quote, then its speaker introduced by full name ('Ewa Lindgren, 67, has ...')."""
    root = next((t for t in sentence if t.dep_ == "ROOT"), None)
    if root is None:
        return None
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.ent_type_ != "PERSON":
        return None
    mention = mention_for(subject)
    if mention is None or mention.form != "name" or len(mention.name.split()) < 2:
        return None
    return Attribution("", mention)
