"""Reported-speech claims: 'X said/told Y/claimed that ...' (indirect) and 'according to X' claims.

Span conventions:
* indirect: the content clause, without a leading 'that' and trailing punctuation;
  'said that A and that B' gives two claims; 'A, X said.' takes the clause before the verb;
* according_to: the clause without the attribution ('According to X, A.' / 'A, according
  to X.'); with the attribution in mid-sentence the whole sentence is the claim.
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Doc, Token

from claims_app.nlp.claim_candidates import ClaimCandidate
from claims_app.nlp.doc_layout import DocLayout
from claims_app.nlp.records import ClaimKind
from claims_app.nlp.reporting_cues import INDIRECT_CUES, is_indirect_question, reporting_cue
from claims_app.nlp.speaker_mentions import is_name_token, mention_for, source_token, speaker_token

MIN_CLAUSE_TOKENS = 3
MAX_THAT_DISTANCE = 10  # 'said in a TV interview on Tuesday that ...'
_CONTENT_POS = frozenset({"VERB", "AUX"})
_ATTACHED_REPORT_DEPS = frozenset({"advcl", "conj", "parataxis"})
# Verbs that report clauses, rarely things: their noun 'object' followed by a finite verb is
# a misparsed clause. ('confirmed the visit' or 'announced a package' take real objects.)
CLAUSE_TAKING_CUES = frozenset(
    {"say", "tell", "claim", "insist", "argue", "warn", "add", "note", "state", "maintain", "stress", "explain"}
)
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
_SUBJECT_START_POS = frozenset({"DET", "NOUN", "PROPN", "PRON", "NUM", "ADJ"})
_NOT_A_SUBJECT = frozenset({"nothing", "something", "anything", "little", "much", "so", "this", "that", "it"})
_LEADING_JUNK = frozenset({"that", ",", "and", "but", ":", "\u2014", "\u2013", "-"})


def find_reported_claims(layout: DocLayout) -> Iterator[ClaimCandidate]:
    """Indirect and 'according to' candidates, one linear pass over tokens outside quotes."""
    doc = layout.doc
    for token in doc:
        if layout.in_quote(token):
            continue
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            claim = _according_to_claim(layout, token)
            if claim is not None:
                yield claim
        else:
            cue = reporting_cue(token, INDIRECT_CUES)
            if cue is not None:
                yield from _indirect_claims(layout, token, cue)


def _indirect_claims(layout: DocLayout, verb: Token, cue: str) -> Iterator[ClaimCandidate]:
    if any(child.dep_ == "neg" for child in verb.children):
        return  # "did not say that ..." reports nothing
    ranges = _content_ranges(verb)
    if not ranges:
        return
    subject = speaker_token(verb)
    mention = mention_for(subject) if subject is not None else None
    if mention is None:
        return
    kind: ClaimKind = "assertion" if mention.form == "author" else "indirect"
    for start, end in ranges:
        span = _trimmed(layout, verb, start, _cut_at_nested_report(verb, start, end))
        if span is not None:
            yield ClaimCandidate(span[0], span[1], kind, cue, mention)


def _content_ranges(verb: Token) -> list[tuple[int, int]]:
    """Token ranges [start, end) of what the verb reports, one per claim."""
    clauses = [child for child in verb.children if child.dep_ == "ccomp"] or _that_clause(verb)
    clauses = [clause for clause in clauses if not is_indirect_question(clause)]
    if not clauses:
        fallback = _before_trailing_attribution(verb) or _clause_misparsed_as_object(verb)
        return [fallback] if fallback is not None else []
    ranges: list[tuple[int, int]] = []
    for side in ([c for c in clauses if c.i < verb.i], [c for c in clauses if c.i > verb.i]):
        if len(side) == 1:
            ranges.extend(_coordinated_pieces(side[0]))
        elif side:  # the parser split one clause at a dash or comma: keep it whole
            ranges.append((min(c.left_edge.i for c in side), max(c.right_edge.i for c in side) + 1))
    return ranges


def _before_trailing_attribution(verb: Token) -> tuple[int, int] | None:
    """'The festival has been cancelled, its director, Nils Aberg, said on Wednesday.' when the
    parser did not make the clause before the comma the verb's complement."""
    subject = next((child for child in verb.children if child.dep_ == "nsubj"), None)
    if subject is None:
        return None
    doc = verb.doc
    left = subject.left_edge.i
    sentence = verb.sent
    if left - 1 <= sentence.start or doc[left - 1].text != ",":
        return None
    if any(token.pos_ in _CONTENT_POS or token.text == ":" for token in doc[verb.i + 1 : sentence.end]):
        return None  # the verb introduces something after it
    if doc[sentence.start].tag_ in {"VBN", "VBG"}:
        return None  # 'Asked how long it would take, he said: ...' is a participle phrase
    return sentence.start, left - 1


def _clause_misparsed_as_object(verb: Token) -> tuple[int, int] | None:
    """'said the strike had cost members two weeks of pay' parsed as 'said [the strike]': a
    clause-taking verb whose 'object' runs on into a finite verb reports that clause."""
    if verb.lemma_.lower() not in CLAUSE_TAKING_CUES:
        return None
    objects = [child for child in verb.children if child.dep_ == "dobj" and child.i > verb.i]
    if not objects:
        return None
    doc = verb.doc
    start = verb.i + 1
    if verb.lemma_.lower() == "tell":  # 'told reporters the ...': skip the addressee
        start = objects[0].right_edge.i + 1
    sentence_end = verb.sent.end
    if start >= sentence_end or doc[start].lower_ in _NOT_A_SUBJECT or doc[start].pos_ not in _SUBJECT_START_POS:
        return None
    finite = (
        t
        for t in doc[start:sentence_end]
        if t.tag_ in _FINITE_TAGS and t.dep_ not in {"relcl", "acl"} and t.head.dep_ not in {"relcl", "acl"}
    )
    return (start, sentence_end) if next(finite, None) is not None else None


def _cut_at_nested_report(verb: Token, start: int, end: int) -> int:
    """End the clause before another report hanging off it ('..., although he stressed that ...')
    or before a relay of the source (', as reported by DTV-1', ', according to the agency')."""
    doc = verb.doc
    for index in range(start + 1, end):
        if _is_relay(doc, index):
            return index
        if _is_attached_report(doc[index], start):
            return doc[index].left_edge.i
    return end


def _is_attached_report(token: Token, clause_start: int) -> bool:
    return (
        token.dep_ in _ATTACHED_REPORT_DEPS
        and token.left_edge.i > clause_start
        and token.pos_ == "VERB"
        and token.lemma_.lower() in INDIRECT_CUES
        and (any(child.dep_ == "ccomp" for child in token.children) or _lacks_subject(token))
    )


def _is_relay(doc: Doc, index: int) -> bool:
    """', as reported by' / ', according to' after a comma, inside a reported clause."""
    if doc[index - 1].text != "," or index + 1 >= len(doc):
        return False
    following = doc[index + 1]
    if doc[index].lower_ == "according":
        return following.lower_ == "to"
    return doc[index].lower_ == "as" and following.tag_ == "VBN" and following.lemma_.lower() in INDIRECT_CUES


def _that_clause(verb: Token) -> list[Token]:
    """A 'that' clause the parser did not attach as a complement ('said in an interview that ...')."""
    doc = verb.doc
    for index in range(verb.i + 1, min(len(doc), verb.i + 1 + MAX_THAT_DISTANCE)):
        token = doc[index]
        if token.lower_ == "that" and token.dep_ == "mark" and token.head.i > token.i:
            # The head may be a misparsed noun ('that Kyiv reserves the right'): take its phrase.
            return [token.head]
        if token.pos_ in _CONTENT_POS or token.text in {".", ";", "!", "?"}:
            return []
    return []


def _coordinated_pieces(clause: Token) -> list[tuple[int, int]]:
    """Token ranges of 'that A and that B': split where a conjunct carries its own 'that'."""
    splits = [
        child.left_edge.i
        for child in clause.rights
        if child.dep_ == "conj" and (child.left_edge.lower_ == "that" or _has_that_mark(child))
    ]
    bounds = [clause.left_edge.i, *splits, clause.right_edge.i + 1]
    return [(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def _lacks_subject(verb: Token) -> bool:
    """'warned that A and pledged to B': a conjunct report sharing the outer speaker."""
    return verb.dep_ == "conj" and not any(child.dep_ in {"nsubj", "nsubjpass"} for child in verb.children)


def _has_that_mark(clause: Token) -> bool:
    return any(child.dep_ == "mark" and child.lower_ == "that" for child in clause.children)


def _trimmed(layout: DocLayout, verb: Token, start: int, end: int, *, need_verb: bool = True) -> tuple[int, int] | None:
    """Character span of tokens [start, end) without leading 'that'/commas and trailing punctuation."""
    doc = layout.doc
    paragraph = layout.token_paragraph[verb.i]
    while start < end and (doc[start].lower_ in _LEADING_JUNK or doc[start].is_space or doc[start].is_punct):
        start += 1
    end = _trim_end(layout, start, end)
    if end - start < MIN_CLAUSE_TOKENS:
        return None
    if need_verb and not any(doc[i].pos_ in _CONTENT_POS for i in range(start, end)):
        return None
    if layout.token_paragraph[start] != paragraph or layout.token_paragraph[end - 1] != paragraph:
        return None
    if start <= verb.i < end:
        return None
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def _according_to_claim(layout: DocLayout, according: Token) -> ClaimCandidate | None:
    doc = layout.doc
    preposition = doc[according.i + 1]
    pobj = next((c for c in preposition.children if c.dep_ == "pobj"), None)
    if pobj is None:
        return None
    mention = mention_for(source_token(pobj))
    sentence = according.sent
    if not any(_is_word(doc[i]) for i in range(sentence.start, according.i)):
        # "According to X, A.": the parser often drags A into X's phrase, so cut at the comma.
        phrase_end = next((i for i in range(preposition.i + 1, sentence.end) if doc[i].text == ","), None)
        if phrase_end is None:
            return None
        start, end = phrase_end, sentence.end
    else:
        start = max(pobj.right_edge.i, preposition.i) + 1
        has_after = any(_is_word(doc[i]) for i in range(start, sentence.end))
        start, end = (sentence.start, sentence.end) if has_after else (sentence.start, according.i)
    named_end = _trailing_appositive(doc, start, sentence.end)
    if named_end is not None:  # "according to the finance director, Henrik Sallow, ..."
        mention = mention_for(doc[named_end - 1]) or mention
        start = named_end
    if mention is None:
        return None
    if start <= according.i < end:  # attribution in mid-sentence: the whole sentence is the claim
        span = _whole_sentence(layout, according, start, end)
    else:
        # No verb check: the 'according to' cue already makes this a claim, and the tagger
        # misreads verbs here ('71 percent back the nurses').
        span = _trimmed(layout, according, start, end, need_verb=False)
    if span is None:
        return None
    return ClaimCandidate(span[0], span[1], "according_to", "according to", mention)


def _trailing_appositive(doc: Doc, start: int, limit: int) -> int | None:
    """End of ', Name Surname' right after an attribution phrase, when the parser left it out."""
    if start + 1 >= limit or doc[start].text != "," or not is_name_token(doc[start + 1]):
        return None
    end = start + 1
    while end < limit and is_name_token(doc[end]):
        end += 1
    return end if end < limit and doc[end].text == "," else None


def _whole_sentence(layout: DocLayout, anchor: Token, start: int, end: int) -> tuple[int, int] | None:
    doc = layout.doc
    while start < end and (doc[start].is_space or doc[start].is_punct):
        start += 1
    end = _trim_end(layout, start, end)
    paragraph = layout.token_paragraph[anchor.i]
    if end - start < MIN_CLAUSE_TOKENS or layout.token_paragraph[start] != paragraph:
        return None
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def _trim_end(layout: DocLayout, start: int, end: int) -> int:
    """Drop trailing punctuation, but keep a closing quote mark whose opening mark is in the span."""
    doc = layout.doc
    if end < len(doc) and layout.closes_quote(doc[end]) and _opens_inside(layout, start, end):
        end += 1  # the parser left the mark out of the clause: 'the offer ‘remains on the table’'
    while end > start:
        last = doc[end - 1]
        if layout.is_quote_mark(last) and _opens_inside(layout, start, end - 1):
            break
        if not (last.is_punct or last.is_space or last.lower_ in {"and", "but"}):
            break
        end -= 1
    return end


def _opens_inside(layout: DocLayout, start: int, end: int) -> bool:
    marks = sum(1 for i in range(start, end) if layout.is_quote_mark(layout.doc[i]))
    return marks % 2 == 1


def _is_word(token: Token) -> bool:
    return not (token.is_punct or token.is_space)
