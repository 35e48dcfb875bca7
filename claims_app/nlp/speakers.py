"""In-article speaker resolution: mentions (full names, surnames, pronouns, role nouns,
organisations) in document order become one `SpeakerRecord` per distinct speaker.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc

from claims_app.nlp.records import SpeakerKind, SpeakerRecord
from claims_app.nlp.speaker_matching import ORGANISATION_WORDS, normalise_name
from claims_app.nlp.speaker_mentions import (
    ORGANISATION_NOUNS,
    Mention,
    is_common_noun,
    name_span,
    np_core,
    subject_name,
)

# Nouns any organisation can be called; 'the ministry' or 'the union' name a specific one.
GENERIC_ORGANISATION_NOUNS = frozenset(
    {"company", "firm", "group", "organisation", "organization", "business", "body", "operator", "employer"}
)
PRONOUN_ANTECEDENT_WINDOW = 600  # characters back to look for the subject a pronoun continues
_MAIN_CLAUSE_DEPS = frozenset({"ROOT", "conj"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_DETERMINERS = frozenset({"the", "a", "an"})
# 'X said in a statement that ... "...," the statement said': the statement is X's.
NEARBY_CHARS = 300


@dataclass(frozen=True, slots=True)
class NameIndex:
    """What the article names outside quotes: people (for surnames), main-clause subjects
    (for pronouns) and organisations by head noun (for 'the agency')."""

    persons_by_surname: dict[str, tuple[tuple[int, str], ...]]
    subject_starts: tuple[int, ...]
    subject_names: tuple[tuple[str, SpeakerKind], ...]
    organisations_by_head: dict[str, tuple[tuple[int, str, bool], ...]]  # (start, name, is_entity)

    @classmethod
    def from_doc(cls, doc: Doc, outside_quotes: Sequence[bool]) -> NameIndex:
        """One pass over entities and one over tokens."""
        by_surname: dict[str, list[tuple[int, str]]] = {}
        organisations: dict[str, list[tuple[int, str, bool]]] = {}
        for ent in doc.ents:
            if not outside_quotes[ent.start]:
                continue
            if ent.label_ == "PERSON":
                name = name_span(ent.root)[0].text
                key = normalise_name(name).split()
                if len(key) > 1:
                    by_surname.setdefault(key[-1], []).append((ent.start_char, name))
            elif ent.label_ == "ORG":
                name = name_span(ent.root)[0].text
                organisations.setdefault(ent.root.lemma_.lower(), []).append((ent.start_char, name, True))
        subjects: list[tuple[int, tuple[str, SpeakerKind]]] = []
        for token in doc:
            if not outside_quotes[token.i]:
                continue
            if token.dep_ in _SUBJECT_DEPS and token.head.dep_ in _MAIN_CLAUSE_DEPS:
                named = subject_name(token)
                if named is not None:
                    subjects.append((token.idx, named))
            if is_common_noun(token) and not token.ent_type_ and token.lemma_.lower() in ORGANISATION_NOUNS:
                core = np_core(token)
                words = [t for t in core if t.lower_ not in _DETERMINERS]
                if len(words) > 1:
                    text = doc[words[0].i : core.end].text
                    organisations.setdefault(token.lemma_.lower(), []).append((words[0].idx, text, False))
        return cls(
            {key: tuple(value) for key, value in by_surname.items()},
            tuple(start for start, _ in subjects),
            tuple(name for _, name in subjects),
            {key: tuple(value) for key, value in organisations.items()},
        )

    def fullest_with_surname(self, surname_key: str, position: int) -> str | None:
        """Longest multi-word name ending in `surname_key`, preferring ones before `position`."""
        candidates = self.persons_by_surname.get(surname_key, ())
        if not candidates:
            return None
        return max((start < position, len(name.split()), name) for start, name in candidates)[2]

    def subject_before(self, position: int) -> tuple[str, SpeakerKind] | None:
        """Name and kind of the latest named main-clause subject shortly before `position`."""
        index = bisect_right(self.subject_starts, position - 1) - 1
        if index < 0 or position - self.subject_starts[index] > PRONOUN_ANTECEDENT_WINDOW:
            return None
        return self.subject_names[index]

    def organisation_for(self, head: str, words: str, position: int, exclude: range = range(0)) -> str | None:
        """Organisation named with this head noun, sharing most words with `words`, nearest first."""
        candidates = [c for c in self.organisations_by_head.get(head, ()) if c[0] not in exclude]
        if not candidates:
            return None
        wanted = set(words.casefold().split()) - {head}
        best = max(
            candidates,
            key=lambda c: (len(wanted & set(c[1].casefold().split())), c[2], c[0] < position, -abs(c[0] - position)),
        )
        return best[1]


@dataclass(slots=True)
class _Speaker:
    """Mutable in-article speaker while claims are being attributed."""

    kind: SpeakerKind
    names: list[str] = field(default_factory=list)  # proper-name forms, in order seen
    descriptions: list[str] = field(default_factory=list)  # "junior doctor", "shipping agents"
    roles: list[str] = field(default_factory=list)
    role_words: set[str] = field(default_factory=set)  # words of roles, for 'the general'
    heads: set[str] = field(default_factory=set)  # head nouns, for 'the agency'
    gender: str = ""
    last_seen: int = -1
    first_seen: int = 0
    pending_head: str = ""  # an unnamed 'senior commander' that a later name may claim

    def add_role(self, role: str) -> None:
        if role and role not in self.roles:
            self.roles.append(role)
            self.role_words.update(word.casefold().strip(",'’") for word in role.replace("-", " ").split())

    @property
    def fullest_name(self) -> str:
        if self.names:
            return max(self.names, key=lambda n: (len(n.split()), len(n)))
        return self.descriptions[0] if self.descriptions else ""


class SpeakerResolver:
    """Resolves mentions in document order; 'most recent speaker' is the state between claims.

    Lookups go through small indexes (surname, last name word, description, recency), so
    resolving a mention does not scan every speaker seen so far.
    """

    def __init__(self, names: NameIndex, *, lede_end: int = 0) -> None:
        self._index = names
        self._lede_end = lede_end  # end of the first paragraph
        self._speakers: list[_Speaker] = []
        self._parent: list[int] = []  # merges happen only in records()
        self._recent: OrderedDict[int, None] = OrderedDict()  # least recently seen first
        self._by_surname: dict[str, list[int]] = {}  # last normalised word of a person's name
        self._by_last_word: dict[str, list[int]] = {}  # same, for organisations and groups
        self._by_description: dict[str, int] = {}

    def resolve(self, mention: Mention) -> int | None:
        """Speaker id for `mention`; None when the author speaks ('I', 'we')."""
        if mention.form == "author":
            return None
        if mention.form == "pronoun":
            sid = self._resolve_pronoun(mention)
        elif mention.form == "name" or self._is_surname_seen_as_common_word(mention):
            sid = self._resolve_name(mention.name, mention.kind, mention.start)
        elif mention.form == "document":
            sid = self._resolve_document(mention)
        elif mention.kind == "organisation":
            sid = self._resolve_organisation_noun(mention)
        elif mention.form == "role":
            sid = self._resolve_person_role(mention)
        else:
            sid = self._resolve_description(mention)
        speaker = self._speakers[sid]
        speaker.last_seen = mention.start
        self._recent.move_to_end(sid)
        speaker.add_role(mention.role)
        if mention.head and mention.form != "pronoun":
            speaker.heads.add(mention.head)
        speaker.gender = speaker.gender or mention.gender
        return sid

    def name_of(self, sid: int) -> str:
        return self._speakers[self._find(sid)].fullest_name

    def records(self) -> tuple[SpeakerRecord, ...]:
        """One record per distinct speaker (after merges), in order of first appearance."""
        self._attach_descriptions()
        roots = sorted(self._roots(), key=lambda i: self._speakers[i].first_seen)
        return tuple(self._record(root) for root in roots)

    def _record(self, sid: int) -> SpeakerRecord:
        speaker = self._speakers[sid]
        # Descriptions ('senior commander') would match strangers across articles: names only.
        aliases = tuple(speaker.names) if speaker.names else tuple(speaker.descriptions)
        role = max(speaker.roles, key=len) if speaker.roles else ""
        return SpeakerRecord(name=speaker.fullest_name, kind=speaker.kind, role=role, aliases=aliases)

    # -- bookkeeping --

    def _new(self, kind: SpeakerKind, position: int) -> int:
        sid = len(self._speakers)
        self._speakers.append(_Speaker(kind=kind, first_seen=position, last_seen=position))
        self._parent.append(sid)
        self._recent[sid] = None
        return sid

    def _add_name(self, sid: int, name: str) -> None:
        speaker = self._speakers[sid]
        if not name or name in speaker.names:
            return
        speaker.names.append(name)
        speaker.heads.add(name.split()[-1].casefold())
        key = normalise_name(name).split()
        if key:
            index = self._by_surname if speaker.kind in {"person", "unknown"} else self._by_last_word
            bucket = index.setdefault(key[-1], [])
            if sid not in bucket:
                bucket.append(sid)

    def _find(self, sid: int) -> int:
        while self._parent[sid] != sid:
            self._parent[sid] = self._parent[self._parent[sid]]
            sid = self._parent[sid]
        return sid

    def _roots(self) -> list[int]:
        return [sid for sid in range(len(self._speakers)) if self._find(sid) == sid]

    def _recent_ids(self, *kinds: SpeakerKind) -> Iterator[int]:
        """Speaker ids (optionally of some kinds), most recently seen first."""
        for sid in reversed(self._recent):
            if not kinds or self._speakers[sid].kind in kinds:
                yield sid

    def _most_recent(self, candidates: Iterable[int]) -> int | None:
        return max(candidates, key=lambda sid: self._speakers[sid].last_seen, default=None)

    # -- by form --

    def _resolve_name(self, name: str, kind: SpeakerKind, position: int) -> int:
        key = normalise_name(name).split()
        if not key:
            return self._new(kind, position)
        kind = self._settle_kind(key, kind, position)
        sid = self._person_by_surname(key) if kind == "person" else self._organisation_by_name(key)
        if sid is None:
            sid = self._same_name_any_kind(key)  # NER labels one name PERSON here and ORG there
        if sid is None:
            sid = self._new(kind, position)
            if kind == "person" and len(key) == 1:  # surname only: borrow the article's full form
                self._add_name(sid, self._index.fullest_with_surname(key[0], position) or "")
        speaker = self._speakers[sid]
        if speaker.kind == "unknown":
            speaker.kind = kind
        self._add_name(sid, name)
        return sid

    def _same_name_any_kind(self, key: list[str]) -> int | None:
        joined = " ".join(key)
        candidates = [*self._by_surname.get(key[-1], ()), *self._by_last_word.get(key[-1], ())]
        matches = [sid for sid in candidates if any(normalise_name(n) == joined for n in self._speakers[sid].names)]
        return self._most_recent(matches)

    def _is_surname_seen_as_common_word(self, mention: Mention) -> bool:
        """'Fell argues that ...': the tagger read a known surname as a verb or noun."""
        words = mention.name.split()
        if mention.kind != "unknown" or len(words) != 1 or not words[0].istitle():
            return False
        key = normalise_name(words[0])
        return bool(key) and self._is_known_surname(key, mention.start)

    def _settle_kind(self, key: list[str], kind: SpeakerKind, position: int) -> SpeakerKind:
        """The small model tags people as ORG/GPE; a surname the article gives a person wins."""
        if kind == "person":
            return kind
        if self._is_known_surname(key[-1], position) and (len(key) == 1 or kind == "unknown"):
            return "person"
        if kind == "unknown" and 2 <= len(key) <= 3 and not set(key) & ORGANISATION_WORDS:
            return "person"
        return kind

    def _is_known_surname(self, surname: str, position: int) -> bool:
        if self._index.fullest_with_surname(surname, position):
            return True
        return any(self._speakers[sid].kind == "person" for sid in self._by_surname.get(surname, ()))

    def _person_by_surname(self, key: list[str]) -> int | None:
        """Most recent person with this surname whose first name (when both are known) starts alike."""
        compatible = []
        for sid in self._by_surname.get(key[-1], ()):
            if self._speakers[sid].kind not in {"person", "unknown"}:
                continue
            given = normalise_name(self._speakers[sid].fullest_name).split()[:-1]
            if not given or len(key) == 1 or given[0][0] == key[0][0]:
                compatible.append(sid)
        return self._most_recent(compatible)

    def _organisation_by_name(self, key: list[str]) -> int | None:
        """Organisation or group already seen under this name, or one ending in it."""
        joined = " ".join(key)
        matches = []
        for sid in self._by_last_word.get(key[-1], ()):
            for name in self._speakers[sid].names:
                other = normalise_name(name)
                if other == joined or other.endswith(" " + joined) or joined.endswith(" " + other):
                    matches.append(sid)
                    break
        return self._most_recent(matches)

    def _resolve_pronoun(self, mention: Mention) -> int:
        """he/she: the latest main-clause subject if it names a person, else the latest person
        speaker; they/it: the latest group or organisation speaker."""
        if mention.kind == "person":
            antecedent = self._index.subject_before(mention.start)
            if antecedent is not None:
                name, kind = antecedent
                key = normalise_name(name).split()
                if key and self._settle_kind(key, kind, mention.start) == "person":
                    sid = self._resolve_name(name, "person", mention.start)
                    if self._gender_fits(sid, mention.gender):
                        return sid
        kinds: tuple[SpeakerKind, ...] = (
            ("person",) if mention.kind == "person" else ("organisation", "group", "person")
        )
        for kind in kinds:
            for sid in self._recent_ids(kind):
                if self._gender_fits(sid, mention.gender):
                    return sid
        return self._resolve_description(mention)

    def _gender_fits(self, sid: int, gender: str) -> bool:
        known = self._speakers[sid].gender
        return not (gender and known and gender != known)

    def _resolve_person_role(self, mention: Mention) -> int:
        """'the general' -> the most recent person with that role word, else the most recent person."""
        latest = None
        for sid in self._recent_ids("person"):
            latest = sid if latest is None else latest
            if mention.head in self._speakers[sid].role_words | self._speakers[sid].heads:
                return sid
        return latest if latest is not None else self._resolve_description(mention)

    def _resolve_organisation_noun(self, mention: Mention) -> int:
        """'the ministry' / 'the regional water agency' -> an organisation the article names."""
        for sid in self._recent_ids("organisation"):
            if mention.head in self._speakers[sid].heads:
                return sid
        named = self._index.organisation_for(
            mention.head, mention.name, mention.start, exclude=range(mention.start, mention.end)
        )
        if named and len(named.split()) >= len(mention.name.split()):
            return self._resolve_name(named, "organisation", mention.start)
        if mention.form == "role" and mention.head in GENERIC_ORGANISATION_NOUNS:
            latest = next(self._recent_ids("organisation"), None)
            if latest is not None:
                return latest  # "the company said": the company last speaking
        return self._resolve_description(mention)

    def _resolve_document(self, mention: Mention) -> int:
        """'the statement said': whoever spoke just before (same stretch of text), else the
        organisation that spoke last."""
        nearest = next(self._recent_ids(), None)
        if nearest is not None and mention.start - self._speakers[nearest].last_seen <= NEARBY_CHARS:
            return nearest
        latest = next(self._recent_ids("organisation", "group"), None)
        if latest is None:
            latest = next(self._recent_ids(), None)
        return latest if latest is not None else self._resolve_description(mention)

    def _resolve_description(self, mention: Mention) -> int:
        label = mention.name or mention.text
        key = normalise_name(label)
        if key in self._by_description:
            return self._by_description[key]
        sid = self._new(mention.kind, mention.start)
        speaker = self._speakers[sid]
        speaker.descriptions.append(label)
        if key:
            self._by_description[key] = sid
        if mention.kind in {"person", "organisation"} and mention.head:
            speaker.pending_head = mention.head
        return sid

    def _attach_descriptions(self) -> None:
        """Merge unnamed speakers into named ones: 'a senior commander' into the person whose role
        says commander; 'the national rail operator' in the lede into the organisation named next."""
        named = sorted((sid for sid in self._roots() if self._speakers[sid].names), key=self._first_seen)
        for sid in range(len(self._speakers)):
            speaker = self._speakers[sid]
            if self._find(sid) != sid or speaker.names or not speaker.pending_head:
                continue
            target = self._named_target(speaker, [t for t in named if self._speakers[t].kind == speaker.kind])
            if target is not None:
                self._merge(sid, into=target)

    def _first_seen(self, sid: int) -> int:
        return self._speakers[sid].first_seen

    def _named_target(self, speaker: _Speaker, named: list[int]) -> int | None:
        head = speaker.pending_head
        if speaker.kind == "person":
            return next((t for t in named if head in self._speakers[t].role_words), None)
        matching = next((t for t in named if head in self._speakers[t].heads), None)
        if matching is not None or speaker.first_seen >= self._lede_end:
            return matching
        # News ledes describe the source ('the national rail operator said') and name it below.
        later = (t for t in named if self._speakers[t].first_seen > speaker.first_seen)
        return next((t for t in later if not self._speakers[t].heads & (ORGANISATION_NOUNS - {head})), None)

    def _merge(self, sid: int, *, into: int) -> None:
        source, target = self._speakers[sid], self._speakers[into]
        self._parent[sid] = into
        target.descriptions.extend(d for d in source.descriptions if d not in target.descriptions)
        for role in source.roles:
            target.add_role(role)
        target.heads |= source.heads
        target.first_seen = min(target.first_seen, source.first_seen)
        target.gender = target.gender or source.gender
