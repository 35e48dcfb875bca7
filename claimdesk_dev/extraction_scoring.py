"""Scoring claim extraction against the labelled set in eval/extraction/.

Pure Python (no Django): load gold annotations, anchor gold claim texts in a cleaned
article body, and compare predicted spans with gold spans.

Typical use::

    golds = load_gold(Path("eval/extraction"))
    total = Counts()
    for article in golds:
        body = clean(article.source_path)              # whatever the pipeline produces
        gold_claims, missing = anchor_claims(article, body)
        predicted = [PredictedClaim(c.start, c.end, c.speaker, c.kind) for c in extract(body)]
        total += score(gold_claims, predicted)
        total.fn += len(missing); total.speaker_fn += len(missing)  # body lost a gold claim
    print(total.precision, total.recall, total.f1, total.speaker_counts.f1)

Matching: a predicted span matches a gold span when their character overlap is at least
half of the shorter span. Pairs are matched one-to-one, greedily, best overlap first.
"Span" counts use that matching alone; "span+speaker" counts redo the matching with the
extra condition that `names_match(predicted.speaker, gold.speaker)`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from claims_app.nlp.speaker_matching import fold_transliteration, normalise_name

KINDS: tuple[str, ...] = ("direct", "indirect", "according_to", "assertion")
MATCH_THRESHOLD = 0.5


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class GoldClaim:
    """One labelled claim. `start`/`end` index into a body once anchored (see `anchor_claims`)."""

    text: str
    kind: str
    speaker: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class PredictedClaim:
    """One claim produced by the extractor; offsets index into the same body as the gold."""

    start: int
    end: int
    speaker: str | None = None
    kind: str | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class GoldArticle:
    source: str
    source_path: Path
    title: str
    author: str | None
    outlet: str | None
    published: dt.date | None
    claims: tuple[GoldClaim, ...]
    boilerplate: tuple[str, ...] = ()
    genre: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def format(self) -> str:
        """'txt', 'md' or 'html' (from the source file's extension)."""
        return self.source_path.suffix.lstrip(".").lower()

    def read_source(self) -> str:
        return self.source_path.read_text(encoding="utf-8")


def load_gold(folder: Path) -> list[GoldArticle]:
    """Every `*.gold.json` in `folder`, sorted by file name. Unknown keys are ignored."""
    folder = Path(folder)
    articles: list[GoldArticle] = []
    for path in sorted(folder.glob("*.gold.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        published = data.get("published")
        claims = tuple(GoldClaim(text=c["text"], kind=c["kind"], speaker=c["speaker"]) for c in data.get("claims", []))
        articles.append(
            GoldArticle(
                source=data["source"],
                source_path=folder / data["source"],
                title=data.get("title") or "",
                author=data.get("author"),
                outlet=data.get("outlet"),
                published=dt.date.fromisoformat(published) if published else None,
                claims=claims,
                boilerplate=tuple(data.get("boilerplate", [])),
                genre=data.get("genre"),
                notes=tuple(data.get("notes", [])),
            )
        )
    return articles


# --------------------------------------------------------------------------- locating

_CHAR_MAP: dict[str, str] = {
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\u301d\u301e\uff02", '"'),
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    "\u2026": "...",
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space
    "\ufeff": "",
}


def _normalise(text: str, *, keep_spaces: bool = True, fold_case: bool = False) -> tuple[str, list[int]]:
    """Normalised text plus, for each output character, its index in `text`.

    Curly quotes become straight ones, whitespace runs become one space (or vanish when
    `keep_spaces` is false). The index list lets a match be mapped back to `text`.
    """
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if keep_spaces and out and out[-1] != " ":
                out.append(" ")
                index.append(i)
            continue
        mapped = _CHAR_MAP.get(ch, ch)
        if fold_case:
            lowered = mapped.lower()
            mapped = lowered if len(lowered) == len(mapped) else mapped
        for piece in mapped:
            out.append(piece)
            index.append(i)
    return "".join(out), index


def locate(gold_text: str, body: str, start: int = 0) -> tuple[int, int] | None:
    """(start, end) of `gold_text` in `body` at or after `start`, or None.

    Tries, in order: exact match; match ignoring curly/straight quote differences and
    whitespace differences; the same ignoring whitespace entirely; the same ignoring case.
    Offsets are in `body` and cover the matched text exactly (end exclusive).
    """
    needle = gold_text.strip()
    if not needle:
        return None
    pos = body.find(needle, start)
    if pos >= 0:
        return pos, pos + len(needle)
    for keep_spaces, fold_case in ((True, False), (False, False), (False, True)):
        hay, index = _normalise(body, keep_spaces=keep_spaces, fold_case=fold_case)
        pattern, _ = _normalise(needle, keep_spaces=keep_spaces, fold_case=fold_case)
        pattern = pattern.strip()
        if not pattern:
            return None
        found = hay.find(pattern, bisect_left(index, start))
        if found >= 0:
            return index[found], index[found + len(pattern) - 1] + 1
    return None


def anchor_claims(article: GoldArticle, body: str) -> tuple[list[GoldClaim], list[GoldClaim]]:
    """Gold claims of `article` with offsets into `body`, plus those that could not be found.

    Claims are searched in listed (document) order, each after the previous match, so a
    sentence repeated later in the article is anchored to the right occurrence; if that
    fails the whole body is searched.
    """
    located: list[GoldClaim] = []
    missing: list[GoldClaim] = []
    cursor = 0
    for claim in article.claims:
        span = locate(claim.text, body, cursor) or locate(claim.text, body, 0)
        if span is None:
            missing.append(claim)
            continue
        located.append(GoldClaim(claim.text, claim.kind, claim.speaker, span[0], span[1]))
        cursor = span[0] + 1  # an identical later claim must anchor further on
    return located, missing


# --------------------------------------------------------------------------- names

_TITLES: frozenset[str] = frozenset(
    {
        "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "president",
        "vice", "prime", "minister", "premier", "chancellor", "senator", "governor", "mayor",
        "judge", "justice", "ambassador", "secretary", "general", "gen", "lt", "lieutenant",
        "col", "colonel", "maj", "major", "capt", "captain", "commander", "admiral", "sgt",
        "sergeant", "marshal", "chief", "deputy", "acting", "former", "the", "rev",
        "reverend", "father", "sister", "spokesman", "spokeswoman", "spokesperson",
    }
)  # fmt: skip
_SUFFIXES: frozenset[str] = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md"})
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_NON_WORD = re.compile(r"[^\w\s]+")


def _tokens(name: str) -> list[str]:
    text = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    text = _NON_WORD.sub(" ", _POSSESSIVE.sub("", text.casefold().replace("\u2019", "'")))
    tokens = text.split()
    while len(tokens) > 1 and tokens[0] in _TITLES:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in _SUFFIXES:
        tokens = tokens[:-1]
    return tokens


def _similar(a: str, b: str, threshold: float) -> bool:
    if a == b:
        return True
    sa, sb = fold_transliteration(a), fold_transliteration(b)
    if sa == sb:
        return True
    return SequenceMatcher(None, sa, sb).ratio() >= threshold


def _given_compatible(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    if a.startswith(b) or b.startswith(a):  # Alex / Alexander
        return True
    return _similar(a, b, 0.75)


def names_match(predicted: str | None, gold: str | None) -> bool:
    """True when two speaker names plausibly denote the same speaker.

    Equal after casefolding, accent stripping and dropping titles ("Colonel Mara Ostrova" =
    "mara ostrova"); or the same surname (allowing transliteration variants such as
    Vorensky/Vorenskyy) with compatible given names (equal, an initial, a prefix, or a
    transliteration variant such as Yevgeny/Evgeniy) or a surname alone on one side; or,
    for multi-word organisation names, one name's words being a subset of the other's
    ("Harbour Authority" / "Saltmere Harbour Authority").
    """
    if not predicted or not gold:
        return False
    a, b = _tokens(predicted), _tokens(gold)
    if not a or not b:
        return False
    if a == b:
        return True
    if normalise_name(predicted) == normalise_name(gold):  # production's rule for one speaker
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 2 and set(short) <= set(long_):
        return True
    if not _similar(a[-1], b[-1], 0.8) or a[-1][0] != b[-1][0]:
        return False
    if len(a) == 1 or len(b) == 1:
        return True
    return _given_compatible(a[0], b[0])


# --------------------------------------------------------------------------- counting


@dataclass(slots=True)
class Counts:
    """tp/fp/fn for spans and for span+speaker, with a per-kind breakdown.

    `by_kind` attributes tp and fn to the gold kind and fp to the predicted kind
    ("unknown" when the prediction has none). Counts add with `+` and `sum(...)`.
    `kind_correct` counts span matches whose predicted kind equals the gold kind.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0
    speaker_tp: int = 0
    speaker_fp: int = 0
    speaker_fn: int = 0
    kind_correct: int = 0
    by_kind: dict[str, Counts] = field(default_factory=dict)

    @staticmethod
    def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    @property
    def precision(self) -> float:
        return self._prf(self.tp, self.fp, self.fn)[0]

    @property
    def recall(self) -> float:
        return self._prf(self.tp, self.fp, self.fn)[1]

    @property
    def f1(self) -> float:
        return self._prf(self.tp, self.fp, self.fn)[2]

    @property
    def speaker_precision(self) -> float:
        return self._prf(self.speaker_tp, self.speaker_fp, self.speaker_fn)[0]

    @property
    def speaker_recall(self) -> float:
        return self._prf(self.speaker_tp, self.speaker_fp, self.speaker_fn)[1]

    @property
    def speaker_f1(self) -> float:
        return self._prf(self.speaker_tp, self.speaker_fp, self.speaker_fn)[2]

    @property
    def speaker_counts(self) -> Counts:
        """The span+speaker numbers as a plain Counts (so `.precision` etc. apply)."""
        return Counts(tp=self.speaker_tp, fp=self.speaker_fp, fn=self.speaker_fn)

    def __add__(self, other: Counts) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        kinds = {}
        for kind in sorted(set(self.by_kind) | set(other.by_kind)):
            kinds[kind] = self.by_kind.get(kind, Counts()) + other.by_kind.get(kind, Counts())
        return Counts(
            tp=self.tp + other.tp,
            fp=self.fp + other.fp,
            fn=self.fn + other.fn,
            speaker_tp=self.speaker_tp + other.speaker_tp,
            speaker_fp=self.speaker_fp + other.speaker_fp,
            speaker_fn=self.speaker_fn + other.speaker_fn,
            kind_correct=self.kind_correct + other.kind_correct,
            by_kind=kinds,
        )

    def __radd__(self, other: object) -> Counts:
        if other == 0:  # makes sum([...]) work
            return self
        return NotImplemented

    def kind(self, kind: str) -> Counts:
        return self.by_kind.get(kind, Counts())

    def as_dict(self) -> dict[str, object]:
        return {
            "tp": self.tp, "fp": self.fp, "fn": self.fn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "speaker_tp": self.speaker_tp, "speaker_fp": self.speaker_fp, "speaker_fn": self.speaker_fn,
            "speaker_precision": round(self.speaker_precision, 4),
            "speaker_recall": round(self.speaker_recall, 4),
            "speaker_f1": round(self.speaker_f1, 4),
            "kind_correct": self.kind_correct,
            "by_kind": {k: v.as_dict() for k, v in sorted(self.by_kind.items())},
        }  # fmt: skip


def overlap_ratio(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    """Character overlap of two half-open spans divided by the shorter span's length."""
    shorter = min(a_end - a_start, b_end - b_start)
    if shorter <= 0:
        return 0.0
    return max(0, min(a_end, b_end) - max(a_start, b_start)) / shorter


def _greedy_match(
    gold: Sequence[GoldClaim],
    predicted: Sequence[PredictedClaim],
    threshold: float,
    accept: Callable[[GoldClaim, PredictedClaim], bool] | None = None,
) -> list[tuple[int, int]]:
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predicted):
            ratio = overlap_ratio(g.start, g.end, p.start, p.end)  # type: ignore[arg-type]
            if ratio >= threshold and (accept is None or accept(g, p)):
                overlap = min(g.end, p.end) - max(g.start, p.start)  # type: ignore[type-var,operator]
                candidates.append((-ratio, -overlap, abs(g.start - p.start), gi, pi))  # type: ignore[operator]
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for *_, gi, pi in candidates:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            pairs.append((gi, pi))
    return pairs


def score(
    gold: Iterable[GoldClaim],
    predicted: Iterable[PredictedClaim],
    *,
    threshold: float = MATCH_THRESHOLD,
    name_matcher: Callable[[str | None, str | None], bool] = names_match,
) -> Counts:
    """Compare predicted claim spans with anchored gold spans of ONE article body."""
    gold = list(gold)
    predicted = list(predicted)
    for g in gold:
        if g.start is None or g.end is None:
            raise ValueError(f"gold claim is not anchored (use anchor_claims first): {g.text[:60]!r}")

    span_pairs = _greedy_match(gold, predicted, threshold)
    speaker_pairs = _greedy_match(gold, predicted, threshold, lambda g, p: name_matcher(p.speaker, g.speaker))

    by_kind: dict[str, Counts] = {}

    def bucket(kind: str | None) -> Counts:
        return by_kind.setdefault(kind or "unknown", Counts())

    matched_g = {gi for gi, _ in span_pairs}
    matched_p = {pi for _, pi in span_pairs}
    kind_correct = 0
    for gi, pi in span_pairs:
        bucket(gold[gi].kind).tp += 1
        if predicted[pi].kind == gold[gi].kind:
            kind_correct += 1
            bucket(gold[gi].kind).kind_correct += 1
    for gi, g in enumerate(gold):
        if gi not in matched_g:
            bucket(g.kind).fn += 1
    for pi, p in enumerate(predicted):
        if pi not in matched_p:
            bucket(p.kind).fp += 1

    s_matched_g = {gi for gi, _ in speaker_pairs}
    s_matched_p = {pi for _, pi in speaker_pairs}
    for gi, _ in speaker_pairs:
        bucket(gold[gi].kind).speaker_tp += 1
    for gi, g in enumerate(gold):
        if gi not in s_matched_g:
            bucket(g.kind).speaker_fn += 1
    for pi, p in enumerate(predicted):
        if pi not in s_matched_p:
            bucket(p.kind).speaker_fp += 1

    return Counts(
        tp=len(span_pairs),
        fp=len(predicted) - len(span_pairs),
        fn=len(gold) - len(span_pairs),
        speaker_tp=len(speaker_pairs),
        speaker_fp=len(predicted) - len(speaker_pairs),
        speaker_fn=len(gold) - len(speaker_pairs),
        kind_correct=kind_correct,
        by_kind=dict(sorted(by_kind.items())),
    )
