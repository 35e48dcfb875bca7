"""Cross-article speaker matching: name normalisation, pairwise scores and an in-memory directory.

Pure functions over strings; the database layer calls `score_match`/`normalise_name`
on candidates it fetches, the extract CLI uses `SpeakerDirectory` across files.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from claims_app.nlp.records import SpeakerKind, SpeakerRecord

MERGE_THRESHOLD = 0.85
SUGGEST_THRESHOLD = 0.6

# Honorifics and ranks dropped from the front of a name ("General Yuri Dashkin").
TITLE_WORDS: frozenset[str] = frozenset(
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord",
        "lady", "rev", "reverend", "father", "sister", "brother", "sheikh", "king", "queen",
        "prince", "princess", "president", "pres", "vice", "prime", "minister", "premier",
        "chancellor", "senator", "sen", "rep", "representative", "congressman",
        "congresswoman", "governor", "gov", "mayor", "judge", "justice", "ambassador",
        "secretary", "general", "gen", "lt", "lieutenant", "col", "colonel", "maj", "major",
        "capt", "captain", "cmdr", "commander", "adm", "admiral", "sgt", "sergeant",
        "marshal", "field", "brig", "brigadier", "chief", "deputy", "acting", "former",
        "ex", "the", "mp", "mep", "pope", "patriarch", "metropolitan", "spokesperson",
        "spokesman", "spokeswoman",
    }
)  # fmt: skip

_NAME_SUFFIXES: frozenset[str] = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"})

# Words that make a name an organisation's; titles in front of them are part of the name
# ("General Staff"), and all words count when comparing.
ORGANISATION_WORDS: frozenset[str] = frozenset(
    {
        "staff", "ministry", "office", "command", "council", "assembly", "committee",
        "agency", "service", "services", "department", "government", "army", "navy",
        "force", "forces", "guard", "police", "court", "parliament", "party", "union",
        "bank", "company", "corporation", "group", "institute", "university", "embassy",
        "administration", "commission", "authority", "authorities", "kremlin", "house",
        "channel", "news", "times", "post", "independent", "press", "tass", "network",
        "electric", "motors", "hospital", "school", "foundation", "organisation",
        "organization", "association", "federation", "directorate", "headquarters",
        "cabinet", "senate", "congress", "duma", "rada", "board", "fund", "bureau",
    }
)  # fmt: skip

_POSSESSIVE = re.compile(r"['\u2019]s\b")
_NON_WORD = re.compile(r"[^\w\s]+")
_LEADING_VOWEL_GLIDE = re.compile(r"^i([aueo])")
_SOFT_ENDING = re.compile(r"(?:iy|yy|yi|ii|i|y)$")
_DOUBLED = re.compile(r"(\w)\1+")


def normalise_name(name: str) -> str:
    """Comparable key: casefolded, accent-free, titles dropped, transliteration variants folded."""
    tokens = _strip_titles(_plain(name).split())
    return " ".join(token if token in ORGANISATION_WORDS else fold_transliteration(token) for token in tokens)


def _strip_titles(tokens: list[str]) -> list[str]:
    if any(token in ORGANISATION_WORDS for token in tokens):
        return [token for token in tokens if token != "the"]
    while len(tokens) > 1 and tokens[0] in TITLE_WORDS:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in _NAME_SUFFIXES:
        tokens = tokens[:-1]
    return tokens


def fold_transliteration(token: str) -> str:
    """Fold Yury/Yuri/Iurii, Zelensky/Zelenskyy/Zelenskiy, Aleksandr/Alexandr, Kharkiv/Harkiv."""
    if not token.isalpha():
        return token
    token = token.replace("j", "y").replace("ks", "x").replace("kh", "h")
    token = _LEADING_VOWEL_GLIDE.sub(r"y\1", token)
    if len(token) > 3:
        token = _SOFT_ENDING.sub("y", token)
    return _DOUBLED.sub(r"\1", token)


def looks_like_organisation(name: str) -> bool:
    """True when a name contains a word that only organisations carry ('Staff', 'Ministry')."""
    return any(token in ORGANISATION_WORDS for token in _plain(name).split())


def score_match(
    a_name: str,
    a_role: str,
    b_name: str,
    b_role: str,
    *,
    organisation: bool | None = None,
) -> float:
    """Similarity in [0, 1] of two speaker descriptions; role only nudges the name score."""
    a, b = normalise_name(a_name).split(), normalise_name(b_name).split()
    if not a or not b:
        return 0.0
    if organisation is None:
        organisation = looks_like_organisation(a_name) or looks_like_organisation(b_name)
    name_score = _organisation_score(a, b) if organisation else _person_score(a, b)
    return max(0.0, min(1.0, name_score + _role_adjustment(a_role, b_role)))


def _same_token(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) > 3 and fuzz.ratio(a, b) >= 85)


def _same_given_name(a: str, b: str) -> bool:
    """Given names also match across the Ukrainian h / Russian g spelling (Yevhen/Yevgeny, Oleh/Oleg)."""
    return _same_token(a, b) or _same_token(a.replace("h", "g"), b.replace("h", "g"))


def _person_score(a: list[str], b: list[str]) -> float:
    if a == b:
        return 1.0 if len(a) > 1 else 0.9
    if _same_token(a[-1], b[-1]):
        return _given_names_score(a[:-1], b[:-1]) * (1.0 if a[-1] == b[-1] else 0.95)
    reordered = fuzz.token_sort_ratio(" ".join(a), " ".join(b)) / 100
    if reordered >= 0.95:  # "Kim Jong Un" / "Jong Un Kim"
        return 0.9
    return 0.5 * reordered


def _given_names_score(a: list[str], b: list[str]) -> float:
    """Score of the names before a shared surname: equal > initial-compatible > clashing."""
    if not a or not b:
        return 0.8  # surname only on one side: plausible, never certain
    if any(_same_given_name(x, y) for x in a for y in b):
        return 0.95
    if any(len(x) == 1 or len(y) == 1 for x in a for y in b if x[0] == y[0]):
        return 0.9
    return 0.6 if a[0][0] == b[0][0] else 0.25  # 'Ilsa'/'Ilse' may be a typo: worth asking


def _organisation_score(a: list[str], b: list[str]) -> float:
    if a == b:
        return 1.0
    ratio = fuzz.token_sort_ratio(" ".join(a), " ".join(b)) / 100
    if ratio >= 0.92:  # spelling variants such as defence/defense
        return ratio
    if set(a) < set(b) or set(b) < set(a):
        return 0.7  # "General Staff" vs "Ukraine's General Staff": ask, don't merge
    return 0.8 * ratio


def _role_adjustment(a_role: str, b_role: str) -> float:
    if not a_role or not b_role:
        return 0.0
    similarity = fuzz.token_set_ratio(_plain(a_role), _plain(b_role)) / 100
    if similarity >= 0.75:
        return 0.1
    return -0.05 if similarity < 0.35 else 0.0


def _plain(text: str) -> str:
    """Casefolded, accent-free words without possessive 's or punctuation."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", _POSSESSIVE.sub("", text.casefold()))


def _fullest(forms: list[str]) -> list[str]:
    """The forms with the most words ('Ilse Varga' over 'Varga')."""
    most = max(len(form.split()) for form in forms)
    return [form for form in forms if len(form.split()) == most]


def _kinds_clash(a: SpeakerKind, b: SpeakerKind) -> bool:
    known = {"person", "organisation", "group"}
    return a in known and b in known and a != b


@dataclass(slots=True)
class _Entry:
    canonical: str
    kind: SpeakerKind
    role: str
    forms: list[str] = field(default_factory=list)


class SpeakerDirectory:
    """In-memory speaker registry across articles: merges confident matches, suggests middling ones."""

    def __init__(
        self,
        *,
        merge_threshold: float = MERGE_THRESHOLD,
        suggest_threshold: float = SUGGEST_THRESHOLD,
    ) -> None:
        self.merge_threshold = merge_threshold
        self.suggest_threshold = suggest_threshold
        self._entries: list[_Entry] = []
        self._by_token: defaultdict[str, set[int]] = defaultdict(set)
        self._keys: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def canonical_names(self) -> list[str]:
        return [entry.canonical for entry in self._entries]

    def resolve(self, record: SpeakerRecord) -> tuple[str, list[str]]:
        """Canonical name for `record` plus names it might also be (not merged)."""
        forms = list(dict.fromkeys(f for f in (record.name, *record.aliases) if normalise_name(f)))
        if not forms:
            return record.name, []
        scored = sorted(
            ((self._score(record, forms, index), index) for index in self._candidates(forms)),
            reverse=True,
        )
        if scored and scored[0][0] >= self.merge_threshold:
            best = scored[0][1]
            self._absorb(best, record, forms)
            others = [self._entries[i].canonical for s, i in scored[1:] if s >= self.suggest_threshold]
            return self._entries[best].canonical, others
        suggestions = [self._entries[i].canonical for s, i in scored if s >= self.suggest_threshold]
        self._add(record, forms)
        return record.name, suggestions

    def _candidates(self, forms: list[str]) -> set[int]:
        """Entries sharing a normalised word with any form, else close fuzzy keys."""
        found: set[int] = set()
        for form in forms:
            for token in normalise_name(form).split():
                found |= self._by_token.get(token, set())
        if not found and self._keys:
            key = normalise_name(forms[0])
            for _, _, index in process.extract(key, self._keys, scorer=fuzz.token_sort_ratio, score_cutoff=80, limit=5):
                found.add(index)
        return found

    def _score(self, record: SpeakerRecord, forms: list[str], index: int) -> float:
        entry = self._entries[index]
        organisation = "organisation" in (record.kind, entry.kind) or "group" in (record.kind, entry.kind)
        # Compare the fullest forms only: a bare surname alias ('Varga') would otherwise make
        # 'Ilsa Varga' look like a sure match for 'Ilse Varga'.
        score = max(
            score_match(form, record.role, other, entry.role, organisation=organisation)
            for form in _fullest(forms)
            for other in _fullest(entry.forms)
        )
        if _kinds_clash(record.kind, entry.kind):
            return min(score, self.merge_threshold - 0.01)
        return score

    def _add(self, record: SpeakerRecord, forms: list[str]) -> None:
        index = len(self._entries)
        self._entries.append(_Entry(record.name, record.kind, record.role, list(forms)))
        self._keys[index] = normalise_name(record.name)
        self._index_forms(index, forms)

    def _absorb(self, index: int, record: SpeakerRecord, forms: list[str]) -> None:
        # The canonical string never changes once handed out, so earlier answers stay valid.
        entry = self._entries[index]
        new_forms = [form for form in forms if form not in entry.forms]
        entry.forms.extend(new_forms)
        if entry.kind == "unknown":
            entry.kind = record.kind
        if len(record.role) > len(entry.role):
            entry.role = record.role
        self._index_forms(index, new_forms)

    def _index_forms(self, index: int, forms: list[str]) -> None:
        for form in forms:
            for token in normalise_name(form).split():
                self._by_token[token].add(index)
