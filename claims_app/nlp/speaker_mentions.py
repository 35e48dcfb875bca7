"""Who speaks, as written: the noun phrase behind a reporting cue turned into a `Mention`.

The small English model mislabels many names (people as ORG or GPE, surnames as
PRODUCT), so a name is any entity or proper-noun chain, and its kind comes from context
(titles, role nouns, organisation words) before the NER label.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Span, Token

from claims_app.nlp.records import SpeakerKind
from claims_app.nlp.reporting_cues import SOURCE_DOCUMENT_NOUNS
from claims_app.nlp.speaker_matching import ORGANISATION_WORDS, TITLE_WORDS

MentionForm = Literal["name", "pronoun", "role", "description", "group", "document", "author"]

# Singular nouns naming a person by function ("the general", "a spokesperson").
PERSON_ROLE_NOUNS: frozenset[str] = frozenset(
    {
        "general", "commander", "minister", "president", "spokesperson", "spokesman",
        "spokeswoman", "official", "officer", "governor", "mayor", "leader", "chief",
        "head", "director", "secretary", "ambassador", "diplomat", "analyst", "expert",
        "lawmaker", "senator", "representative", "prosecutor", "judge", "lawyer",
        "attorney", "colonel", "captain", "lieutenant", "sergeant", "admiral", "major",
        "chancellor", "premier", "king", "queen", "prince", "envoy", "adviser", "advisor",
        "aide", "negotiator", "researcher", "scientist", "economist", "professor",
        "doctor", "witness", "resident", "survivor", "activist", "journalist", "reporter",
        "correspondent", "editor", "author", "writer", "chairman", "chairwoman", "chair",
        "ceo", "founder", "executive", "manager", "pilot", "soldier", "source", "deputy",
        "mp", "legislator", "candidate", "strategist", "historian", "commentator",
        "veteran", "volunteer", "farmer", "owner", "teacher", "nurse", "engineer",
        "woman", "man", "politician", "marshal", "coach", "player", "organiser",
        "organizer", "inspector", "challenger", "incumbent", "moderator", "student",
        "meteorologist", "hydrologist", "councillor", "councilor", "superintendent",
        "vice-chancellor", "dean", "rector", "treasurer", "auditor", "critic",
        "commissioner", "master", "worker", "passenger", "father", "mother", "driver",
        "agent", "broker", "trader", "consultant", "surgeon", "physician",
    }
)  # fmt: skip

# Singular nouns naming an organisation ("the ministry said").
ORGANISATION_NOUNS: frozenset[str] = frozenset(
    {
        "ministry", "government", "army", "military", "police", "office", "agency",
        "company", "committee", "council", "staff", "service", "court", "parliament",
        "department", "embassy", "newswire", "newspaper", "channel", "broadcaster",
        "outlet", "administration", "cabinet", "commission", "command", "headquarters",
        "union", "party", "bank", "firm", "organisation", "organization", "institute",
        "university", "network", "navy", "guard", "regime", "kremlin", "operator",
        "directorate", "bureau", "board", "fund", "hospital", "mission", "alliance",
        "coalition", "federation", "association", "inspectorate", "authority", "forum",
        "brigade", "division", "unit", "jury", "publisher", "club", "group", "school",
        "municipality", "team", "campaign", "railway", "utility", "regulator",
        "watchdog", "charity", "foundation", "festival", "airline", "panel", "tribunal",
        "secretariat", "senate", "congress",
    }
)  # fmt: skip

_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "WORK_OF_ART", "PRODUCT", "LOC", "EVENT"})
_LABEL_KINDS: dict[str, SpeakerKind] = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "organisation",
    "FAC": "organisation",
    "WORK_OF_ART": "organisation",  # the small model tags outlets ("The Kyiv Independent") so
    "NORP": "group",
}
_FEMALE_WORDS = frozenset({"she", "her", "ms", "mrs", "miss", "spokeswoman", "chairwoman", "queen", "woman", "mother"})
_MALE_WORDS = frozenset({"he", "him", "mr", "spokesman", "chairman", "king", "man", "father"})
_AUTHOR_PRONOUNS = frozenset({"i", "me", "we", "us"})
_RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
_NP_PREMODIFIERS = frozenset({"det", "amod", "compound", "poss", "nummod", "nmod", "case", "quantmod"})
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})
_INDEFINITES = frozenset({"a", "an", "one", "another"})
_GROUP_PREPOSITIONS = frozenset({"of", "in", "at", "from", "for", "on"})
_SOURCE_PREPOSITIONS = frozenset({"by", "from", "of"})
_MEMBERSHIP_PREPOSITIONS = frozenset({"at", "from", "for", "with"})
_MAX_GROUP_PP_TOKENS = 5
_PERSON_ROLE_WORDS = (TITLE_WORDS | PERSON_ROLE_NOUNS) - {"the", "former", "acting", "deputy", "vice"}


@dataclass(frozen=True, slots=True)
class Mention:
    """A stretch of text naming whoever made a claim, before in-article resolution."""

    text: str
    start: int
    end: int
    form: MentionForm
    kind: SpeakerKind
    name: str = ""  # proposed speaker name; empty for pronouns
    role: str = ""
    head: str = ""  # head-noun lemma for role matching ("general")
    gender: str = ""  # "m", "f" or "" when unknown


# -- which token speaks ----------------------------------------------------------------


def speaker_token(verb: Token, depth: int = 0) -> Token | None:
    """Subject of a reporting verb, following conjuncts and participles ('..., adding that')."""
    subjects = [child for child in verb.children if child.dep_ == "nsubj"]
    if subjects:
        # "The opposition Civic Alliance said": two subjects; the named one speaks.
        return max(subjects, key=lambda s: (s.pos_ == "PROPN" or bool(s.ent_type_), s.i))
    for child in verb.children:
        if child.dep_ == "agent":  # "was told by X"
            return next((c for c in child.children if c.dep_ == "pobj"), None)
    if depth < 3 and verb.dep_ in {"conj", "advcl", "xcomp"} and verb.head is not verb:
        return speaker_token(verb.head, depth + 1)
    return _noun_phrase_ending_before(verb) if verb.dep_ == "ROOT" else None


def _noun_phrase_before(relative: Token) -> Token | None:
    """'the deputy director of the authority, who said': the noun phrase right before 'who'.

    The small model often hangs the relative clause on the wrong noun, so walk back over
    the comma and up through 'of' phrases instead of trusting the arc.
    """
    doc = relative.doc
    index = relative.i - 1
    while index >= relative.sent.start and doc[index].is_punct:
        index -= 1
    if index < relative.sent.start or doc[index].pos_ not in {"NOUN", "PROPN"}:
        return None
    token = doc[index]
    while token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.pos_ in {"NOUN", "PROPN"}:
        token = token.head.head
    return token


def _noun_phrase_ending_before(verb: Token) -> Token | None:
    """Parser lost the subject ('a junior doctor who asked not to be named said'): take the
    noun whose phrase ends right before the verb."""
    best: Token | None = None
    for token in verb.doc[verb.sent.start : verb.i]:
        if token.pos_ in {"NOUN", "PROPN"} and token.right_edge.i == verb.i - 1:
            best = token
    return best


def source_token(noun: Token) -> Token:
    """'the agency's audit' / 'a poll by the forum': the owner of a document speaks for it."""
    lemma = noun.lemma_.lower()
    if noun.pos_ not in {"NOUN", "PROPN"} or noun.ent_type_ or lemma in PERSON_ROLE_NOUNS | ORGANISATION_NOUNS:
        return noun
    for child in noun.children:
        if child.dep_ == "poss":
            return child
    for child in noun.children:
        if child.dep_ == "prep" and child.lower_ in _SOURCE_PREPOSITIONS:
            owner = next((c for c in child.children if c.dep_ == "pobj"), None)
            if owner is not None and (lemma in SOURCE_DOCUMENT_NOUNS or owner.ent_type_):
                return owner
    return noun


# -- building mentions -------------------------------------------------------------------


def mention_for(token: Token) -> Mention | None:
    """Mention for the noun phrase headed by `token` (a subject or an 'according to' object)."""
    token = _antecedent(token)
    if token.lower_ in _AUTHOR_PRONOUNS:
        return _mention(_single(token), "author", "unknown")
    if token.pos_ == "PRON":
        return _pronoun_mention(token)
    if is_common_noun(token) and token.lemma_.lower() in SOURCE_DOCUMENT_NOUNS and not token.ent_type_:
        owner = source_token(token)
        if owner is not token:
            return mention_for(owner)
        return _mention(np_core(token), "document", "unknown", head=token.lemma_.lower())
    appositive = _appositive_name(token)
    if appositive is not None:
        return _name_mention(appositive, head_phrase=np_core(token), head_noun=token.lemma_.lower())
    if is_name_token(token):
        return _name_mention(token)
    if is_common_noun(token):
        return _noun_mention(token)
    return None


def is_name_token(token: Token) -> bool:
    """A proper noun, or a capitalised word inside a named entity (the tagger calls 'Reyes' a noun)."""
    if not token.text[:1].isupper():
        return False  # the tagger also calls some lowercase nouns PROPN ('roads department')
    return token.pos_ == "PROPN" or token.ent_type_ in _NAME_LABELS


def is_common_noun(token: Token) -> bool:
    """A noun that is not a name; lowercase words the tagger calls PROPN count."""
    return token.pos_ == "NOUN" or (token.pos_ == "PROPN" and not token.text[:1].isupper())


def _single(token: Token) -> Span:
    return token.doc[token.i : token.i + 1]


def _antecedent(token: Token) -> Token:
    """'analysts who told ...': the relative pronoun stands for the noun the clause modifies."""
    if token.lower_ in _RELATIVE_PRONOUNS and token.head.dep_ == "relcl" and token.head.head is not token.head:
        return _noun_phrase_before(token) or token.head.head
    return token


def _entity_of(token: Token) -> Span | None:
    """The named entity containing `token`, found by walking its IOB tags."""
    if not token.ent_type_:
        return None
    doc = token.doc
    start = token.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=token.ent_type_)


def _appositive_name(token: Token) -> Token | None:
    """'the Kremlin's newswire, Tass' / 'A resident of Fernhill, Agnes Bohm, 71,': the name speaks."""
    if not is_common_noun(token):
        return None
    for child in token.rights:
        if child.dep_ == "appos" and is_name_token(child):
            return child
    doc = token.doc
    # The parser often hangs the name on the last noun of a prepositional phrase instead.
    for index in range(token.i + 2, token.right_edge.i + 1):
        if doc[index - 1].text == "," and is_name_token(doc[index]):
            end = index
            while end + 1 <= token.right_edge.i and is_name_token(doc[end + 1]):
                end += 1
            return doc[end]
    return None


def _pronoun_mention(token: Token) -> Mention | None:
    lower = token.lower_
    if lower in {"he", "him", "she", "her"}:
        return _mention(_single(token), "pronoun", "person", gender="f" if lower in _FEMALE_WORDS else "m")
    if lower in {"they", "them"}:
        return _mention(_single(token), "pronoun", "group")
    if lower == "it":
        return _mention(_single(token), "pronoun", "organisation")
    return None


_POSSESSIVE_ENDINGS = frozenset({"'s", "’s", "'", "’"})


def name_span(token: Token) -> tuple[Span, Span]:
    """(name, prefix) for a name token: the entity or proper-noun chain, minus leading titles,
    determiners and lowercase words, which are returned as `prefix`."""
    doc = token.doc
    entity = _entity_of(token)
    if entity is not None and entity.label_ in _NAME_LABELS:
        start, end = entity.start, entity.end
    else:
        start, end = token.i, token.i + 1
    while start > 0 and doc[start - 1].pos_ == "PROPN" and doc[start - 1].head.i in range(start, end + 1):
        start -= 1
    while end - 1 > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].lower_ in _POSSESSIVE_ENDINGS):
        end -= 1  # the entity 'Hillary Clinton’s' (the tagger's source 'Hillary Clinton’s campaign') is Hillary Clinton
    name_start = start
    while name_start < end - 1 and (doc[name_start].is_punct or doc[name_start].lower_ in _DETERMINERS):
        name_start += 1
    while name_start < end - 1 and doc[name_start].text.islower():
        name_start += 1
    # Titles, possibly stacked behind other capitalised words ("Health Minister Conrad Pellham"),
    # but "General Staff" is an organisation's name, not a general called Staff.
    for index in range(end - 2, name_start - 1, -1):
        if _is_title_word(doc[index]) and _looks_like_personal_name(doc[index + 1 : end]):
            name_start = index + 1
            break
    return doc[name_start:end], doc[start:name_start]


def _is_title_word(token: Token) -> bool:
    return token.lower_.rstrip(".") in TITLE_WORDS or token.lemma_.lower() in PERSON_ROLE_NOUNS


def _looks_like_personal_name(span: Span) -> bool:
    return all(
        t.is_alpha and t.is_title and t.lower_ not in ORGANISATION_WORDS | ORGANISATION_NOUNS and not _is_title_word(t)
        for t in span
    )


def _name_mention(token: Token, *, head_phrase: Span | None = None, head_noun: str = "") -> Mention:
    """A named speaker; `head_phrase` is the noun phrase a named appositive hangs on."""
    name, prefix = name_span(token)
    doc = token.doc
    role_parts = [_text(_premodifiers(name, prefix)), _appositive_role(name.root)]
    if head_phrase is not None:
        role_parts.append(_strip_determiner(head_phrase).text)
    role = ", ".join(part for part in role_parts if part)
    kind = _name_kind(name, role, head_noun)
    if kind != "person":
        name = _with_possessor(name)
        # An organisation's premodifiers are part of its name ("Ukraine's General Staff").
        role = ", ".join(part for part in role_parts[1:] if part)
    gender = _gender_from_words(t.lower_ for t in doc[name.root.left_edge.i : name.start])
    return _mention(name, "name", kind, name=name.text, role=role, head=name.root.lemma_.lower(), gender=gender)


def _name_kind(name: Span, role: str, head_noun: str) -> SpeakerKind:
    """Person, organisation or group, trusting titles and role nouns over the NER label."""
    label = name.root.ent_type_ or next((t.ent_type_ for t in name if t.ent_type_), "")
    role_words = {word.strip(",").casefold() for word in role.replace("-", " ").split()}
    name_words = {t.lower_ for t in name}
    relative = _relative_pronoun(name.root)
    if relative == "which" or name_words & (ORGANISATION_WORDS | ORGANISATION_NOUNS):
        return "organisation"  # "Greystone Aggregates, which operates the quarry", "General Staff"
    if label == "PERSON" or relative == "who" or head_noun in PERSON_ROLE_NOUNS or role_words & _PERSON_ROLE_WORDS:
        return "person"
    if head_noun in ORGANISATION_NOUNS:
        return "organisation"
    if head_noun and _looks_like_personal_name(name) and 2 <= len(name) <= 3:
        return "person"  # 'her predecessor, Arvid Lunde': a name set beside a common noun
    return _LABEL_KINDS.get(label, "unknown")


def _relative_pronoun(root: Token) -> str:
    for child in root.rights:
        if child.dep_ == "relcl":
            pronoun = child.left_edge.lower_
            if pronoun in {"who", "which"}:
                return pronoun
    return ""


def _premodifiers(name: Span, prefix: Span) -> Span:
    """Words in front of a name inside its noun phrase: 'Russian General' in 'Russian General X'."""
    first = prefix.start if len(prefix) else name.start
    left = min([first, *(t.left_edge.i for t in prefix)])
    for child in name.root.lefts:
        if child.i < first and child.dep_ in _NP_PREMODIFIERS:
            left = min(left, child.left_edge.i)
    return _trim_punct(_strip_determiner(name.doc[left : name.start]))


def _appositive_role(root: Token) -> str:
    """'Yury Dashkin, commander of X,' -> 'commander of X' (named appositives are not roles)."""
    for child in root.rights:
        if child.dep_ == "appos" and is_common_noun(child):
            span = root.doc[child.left_edge.i : child.right_edge.i + 1]
            return _strip_determiner(_trim_punct(span)).text
    return ""


def _with_possessor(name: Span) -> Span:
    """'Ukraine's General Staff': keep a named possessor in front of an organisation's name."""
    start = name.start
    for child in name.root.lefts:
        if child.dep_ == "poss" and child.i < name.start and is_name_token(child):
            start = min(start, child.left_edge.i)
    return _strip_determiner(name.doc[start : name.end])


def np_core(token: Token) -> Span:
    """The noun phrase up to its head: determiners, adjectives, compounds and possessors."""
    left = token.i
    for child in token.lefts:
        if child.dep_ in _NP_PREMODIFIERS:
            left = min(left, child.left_edge.i)
    return token.doc[left : token.i + 1]


def _noun_mention(token: Token) -> Mention:
    core = np_core(token)
    determiner = core[0].lower_ if core[0].lower_ in _DETERMINERS else ""
    bare = _strip_determiner(core)
    head = token.lemma_.lower()
    if token.tag_ in {"NNS", "NNPS"} and head not in ORGANISATION_NOUNS:
        return _group_mention(token, core, bare, head)
    if head in ORGANISATION_NOUNS:
        form: MentionForm = "role" if determiner and len(bare) == 1 else "description"
        return _mention(core, form, "organisation", name=bare.text, head=head)
    if head in PERSON_ROLE_NOUNS:
        # "the deputy director of the water authority" introduces someone; it is not "the director" again.
        qualified = any(child.dep_ == "prep" and child.lower_ == "of" for child in token.rights)
        definite = bool(determiner) and determiner not in _INDEFINITES and len(bare) <= 2 and not qualified
        return _mention(
            core,
            "role" if definite else "description",
            "person",
            name=bare.text,
            role=bare.text,
            head=head,
            gender=_gender_from_words(t.lower_ for t in core),
        )
    return _mention(core, "description", "unknown", name=bare.text, head=head)


def _group_mention(token: Token, core: Span, bare: Span, head: str) -> Mention:
    """'Meteorologists at the X Service' speak for X; 'residents of Hollow Ridge' stay a group."""
    for child in token.rights:
        if child.dep_ != "prep" or child.lower_ not in _GROUP_PREPOSITIONS:
            continue
        pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
        if pobj is None:
            continue
        if pobj.ent_type_ == "ORG" and child.lower_ in _MEMBERSHIP_PREPOSITIONS:
            return _name_mention(pobj)  # 'residents of X' are people from X, not X
        if child.right_edge.i - token.i <= _MAX_GROUP_PP_TOKENS:
            phrase = token.doc[core.start : child.right_edge.i + 1]
            return _mention(phrase, "group", "group", name=_strip_determiner(phrase).text, head=head)
    return _mention(core, "group", "group", name=bare.text, head=head)


def _mention(
    span: Span,
    form: MentionForm,
    kind: SpeakerKind,
    *,
    name: str = "",
    role: str = "",
    head: str = "",
    gender: str = "",
) -> Mention:
    start = span.start_char
    text = span.text
    return Mention(text, start, start + len(text), form, kind, name, role, head, gender)


def _strip_determiner(span: Span) -> Span:
    start = span.start
    while start < span.end - 1 and (span.doc[start].lower_ in _DETERMINERS or span.doc[start].is_punct):
        start += 1
    return span.doc[start : span.end]


def _trim_punct(span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and (span.doc[start].is_punct or span.doc[start].is_space):
        start += 1
    while end > start and (span.doc[end - 1].is_punct or span.doc[end - 1].is_space):
        end -= 1
    return span.doc[start:end]


def _text(span: Span) -> str:
    return span.text if len(span) else ""


def _gender_from_words(words: Iterable[str]) -> str:
    for word in words:
        lower = word.rstrip(".")
        if lower in _FEMALE_WORDS:
            return "f"
        if lower in _MALE_WORDS:
            return "m"
    return ""


def subject_name(token: Token) -> tuple[str, SpeakerKind] | None:
    """Name and kind a main-clause subject gives, for pronoun antecedents; None for non-names."""
    named = _appositive_name(token) if is_common_noun(token) else token
    if named is None or not is_name_token(named):
        return None
    mention = _name_mention(named, head_noun=token.lemma_.lower() if named is not token else "")
    return mention.name, mention.kind
