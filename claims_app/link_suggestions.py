"""Link suggestions: rank claims from other articles that may repeat, paraphrase, support or contradict a claim.

Reads only. Computed on demand (about 10 ms at 100,000 claims, see bench/suggestions.py) and cached per
claim version and newest claim id, so a new article's claims show up at once; editors' decisions
(LinkSuggestionDecision) and existing links filter the cached ranking, so a dismissed pair never comes back.

Ranking, in two steps:
1. Candidates, one indexed query: claims sharing one of the query's *rarest* English lexemes
   (`lexemes && ARRAY[...]`, GIN index claim_lexemes_gin; rarity from cached document frequencies, so a
   common word cannot pull in half the table), or by the same speaker and sharing any lexeme.
2. Score each candidate: IDF-weighted lexeme cosine (stems, no stop words), pg_trgm similarity of the texts,
   agreement of the numbers they state, the same speaker (speaker rows are already alias-resolved at
   ingest), and how close the publication dates are.

`rank()` is the single code path for the claim page, the API, `manage.py suggest` and `manage.py suggest-eval`.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Q

from claims_app.models import Claim, ClaimLink, LinkSuggestionDecision

Relation = ClaimLink.Relation

# Weights of the final score (each part is in [0, 1]).
TEXT_WEIGHT = 0.75
SPEAKER_WEIGHT = 0.15
DATE_WEIGHT = 0.10
# Within the text part: lexeme cosine and trigram similarity, then a nudge for agreeing / clashing numbers.
LEXEME_SHARE = 0.65
TRIGRAM_SHARE = 0.35
NUMBER_NUDGE = 0.12
DATE_SCALE_DAYS = 30.0

# Candidate retrieval: add the query's lexemes rarest first until their document frequencies sum to this,
# which bounds the rows PostgreSQL fetches whatever the words are.
CANDIDATE_BUDGET = 400
MIN_LEXEMES = 2
CANDIDATE_LIMIT = 800
CACHED_RANKING = 30
STATS_TTL_SECONDS = 600
SUGGESTION_CACHE_SECONDS = 600

NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|neither|nor|denied|denies|deny|denying|rejected|refuted|false|untrue|"
    r"(?:did|does|do|is|was|were|are|has|have|had|will|would|could|can)n[’']t|won[’']t|cannot)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_SMALL_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty"
)
NUMBER_WORDS = {word: str(i) for i, word in enumerate(_SMALL_NUMBERS.split())} | {
    "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1000", "dozen": "12"
}


@dataclass(frozen=True, slots=True)
class QueryClaim:
    """What ranking needs to know about the claim it suggests links for."""

    claim_id: int | None
    text: str
    lexemes: tuple[str, ...]
    speaker_id: int | None
    article_id: int | None
    published_at: date | None


@dataclass(frozen=True, slots=True)
class Suggestion:
    claim_id: int
    score: float
    relation_guess: str
    text: str
    speaker: str | None
    speaker_id: int | None
    article_id: int
    article_title: str
    published_at: date | None

    def as_json(self) -> dict[str, object]:
        """The `manage.py suggest --json` contract."""
        return {
            "claim_id": self.claim_id,
            "score": self.score,
            "relation_guess": self.relation_guess,
            "text": self.text,
            "speaker": self.speaker,
            "article_id": self.article_id,
        }


# ---------------------------------------------------------------- text features (pure)


def numbers_in(text: str) -> frozenset[str]:
    found = {n.replace(",", "") for n in NUMBER.findall(text)}
    found |= {NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.casefold()) if w in NUMBER_WORDS}
    return frozenset(found)


def is_negated(text: str) -> bool:
    return bool(NEGATION.search(text))


def idf(df: int, total: int) -> float:
    return math.log((total + 1) / (df + 1)) + 1.0


def lexeme_cosine(query: Sequence[str], other: Sequence[str], weights: dict[str, float]) -> float:
    """Cosine of binary lexeme vectors weighted by IDF."""
    q, o = set(query), set(other)
    if not q or not o:
        return 0.0
    shared = sum(weights[lex] ** 2 for lex in q & o)
    if not shared:
        return 0.0
    return shared / math.sqrt(sum(weights[lex] ** 2 for lex in q) * sum(weights[lex] ** 2 for lex in o))


def number_agreement(query_numbers: frozenset[str], other_numbers: frozenset[str]) -> float:
    """+1 when both state numbers and share one, -1 when both state numbers and none agree, else 0."""
    if not query_numbers or not other_numbers:
        return 0.0
    return 1.0 if query_numbers & other_numbers else -1.0


def guess_relation(*, text_score: float, same_speaker: bool, negation_differs: bool) -> str:
    """A first guess at the link an editor would choose; they pick the final relation when accepting."""
    if negation_differs and text_score >= 0.2:
        return Relation.CONTRADICTS
    if same_speaker:
        return Relation.SAME_CLAIM if text_score >= 0.6 else Relation.PARAPHRASE
    return Relation.CORROBORATES


# ---------------------------------------------------------------- document frequencies

_stats: dict[str, object] = {}
# Below this many claims the figures are recounted whenever a claim is added (a few milliseconds); above it
# they are cached for STATS_TTL_SECONDS, since IDF weights barely move as articles arrive.
SMALL_TABLE = 20_000


def _table_size_estimate() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = 'claims_app_claim'::regclass")
        row = cursor.fetchone()
    return max(int(row[0]) if row else 0, 0)


def document_frequencies(scope_article_ids: Sequence[int] | None = None) -> tuple[int, dict[str, int]]:
    """(number of claims, lexeme -> number of claims containing it), over the table or some articles.

    A lexeme missing from stale figures just counts as rare.
    """
    if scope_article_ids is not None:
        return _frequencies("WHERE article_id = ANY(%s) AND NOT is_rejected", [list(scope_article_ids)])
    now = time.monotonic()
    if _table_size_estimate() < SMALL_TABLE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM claims_app_claim")
            key: object = tuple(cursor.fetchone())
    else:
        key = "large"
        if _stats.get("key") == key and now - float(_stats["at"]) > STATS_TTL_SECONDS:  # type: ignore[arg-type]
            _stats.clear()
    if _stats.get("key") == key:
        return _stats["value"]  # type: ignore[return-value]
    value = _frequencies("WHERE NOT is_rejected", [])
    _stats.update(key=key, at=now, value=value)
    return value


def _frequencies(where: str, params: list[object]) -> tuple[int, dict[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM claims_app_claim {where}", params)
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT lexeme, count(*) FROM claims_app_claim, unnest(lexemes) AS lexeme {where} GROUP BY lexeme",
            params,
        )
        return total, dict(cursor.fetchall())


def clear_statistics() -> None:
    _stats.clear()


# ---------------------------------------------------------------- candidates (one query)


CANDIDATE_SQL = """
SELECT c.id, c.text, c.lexemes, c.speaker_id, s.name, c.article_id, a.title, a.published_at,
       similarity(c.text, %(text)s) AS trigram
FROM claims_app_claim c
JOIN claims_app_article a ON a.id = c.article_id
LEFT JOIN claims_app_speaker s ON s.id = c.speaker_id
WHERE (c.lexemes && %(rare)s::text[] OR (c.speaker_id = %(speaker)s AND c.lexemes && %(all)s::text[]))
  AND NOT c.is_rejected
  AND c.article_id IS DISTINCT FROM %(article)s
  {scope}
LIMIT %(limit)s
"""


def retrieval_lexemes(lexemes: Iterable[str], frequencies: dict[str, int]) -> list[str]:
    """The query's rarest lexemes, as many as fit in CANDIDATE_BUDGET (at least MIN_LEXEMES)."""
    chosen: list[str] = []
    spent = 0
    for lex in sorted(set(lexemes), key=lambda lex: (frequencies.get(lex, 0), lex)):
        df = frequencies.get(lex, 0)
        if len(chosen) >= MIN_LEXEMES and spent + df > CANDIDATE_BUDGET:
            break
        chosen.append(lex)
        spent += df
    return chosen


def candidate_query(query: QueryClaim, frequencies: dict[str, int], scope_article_ids: Sequence[int] | None):  # type: ignore[no-untyped-def]
    """The SQL and parameters that fetch candidates (also used by the benchmark's EXPLAIN)."""
    scope = "AND c.article_id = ANY(%(scope)s)" if scope_article_ids is not None else ""
    params = {
        "text": query.text,
        "rare": retrieval_lexemes(query.lexemes, frequencies),
        "all": list(set(query.lexemes)),
        "speaker": query.speaker_id,
        "article": query.article_id,
        "scope": list(scope_article_ids or []),
        "limit": CANDIDATE_LIMIT,
    }
    return CANDIDATE_SQL.format(scope=scope), params


# ---------------------------------------------------------------- ranking


def rank(query: QueryClaim, *, top: int = 10, scope_article_ids: Sequence[int] | None = None) -> list[Suggestion]:
    """The best `top` claims from other articles for `query`, best first (no decisions or links applied)."""
    if not query.lexemes:
        return []
    total, frequencies = document_frequencies(scope_article_ids)
    sql, params = candidate_query(query, frequencies, scope_article_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    weights = {lex: idf(frequencies.get(lex, 0), total) for lex in query.lexemes}
    query_numbers = numbers_in(query.text)
    query_negated = is_negated(query.text)
    scored: list[Suggestion] = []
    for claim_id, text, lexemes, speaker_id, speaker_name, article_id, title, published, trigram in rows:
        if claim_id == query.claim_id:
            continue
        for lex in lexemes:
            if lex not in weights:
                weights[lex] = idf(frequencies.get(lex, 0), total)
        text_score = LEXEME_SHARE * lexeme_cosine(query.lexemes, lexemes, weights) + TRIGRAM_SHARE * float(trigram)
        text_score += NUMBER_NUDGE * number_agreement(query_numbers, numbers_in(text))
        text_score = min(max(text_score, 0.0), 1.0)
        if query.speaker_id is None or speaker_id is None:
            speaker_part, same_speaker = 0.5, False
        else:
            same_speaker = speaker_id == query.speaker_id
            speaker_part = 1.0 if same_speaker else 0.0
        if query.published_at and published:
            date_part = math.exp(-abs((query.published_at - published).days) / DATE_SCALE_DAYS)
        else:
            date_part = 0.5
        score = TEXT_WEIGHT * text_score + SPEAKER_WEIGHT * speaker_part + DATE_WEIGHT * date_part
        scored.append(
            Suggestion(
                claim_id=claim_id,
                score=round(score, 4),
                relation_guess=guess_relation(
                    text_score=text_score, same_speaker=same_speaker, negation_differs=is_negated(text) != query_negated
                ),
                text=text,
                speaker=speaker_name,
                speaker_id=speaker_id,
                article_id=article_id,
                article_title=title,
                published_at=published,
            )
        )
    scored.sort(key=lambda s: (-s.score, s.claim_id))
    return scored[:top]


def query_for(claim: Claim) -> QueryClaim:
    return QueryClaim(
        claim_id=claim.pk,
        text=claim.text,
        lexemes=tuple(claim.lexemes or ()),
        speaker_id=claim.speaker_id,
        article_id=claim.article_id,
        published_at=claim.article.published_at,
    )


def excluded_ids(claim: Claim) -> set[int]:
    """Claims already linked to this one or decided on (accepted or dismissed) for it."""
    linked = ClaimLink.objects.filter(Q(from_claim=claim) | Q(to_claim=claim)).values_list(
        "from_claim_id", "to_claim_id"
    )
    decided = LinkSuggestionDecision.objects.filter(Q(claim=claim) | Q(candidate=claim)).values_list(
        "claim_id", "candidate_id"
    )
    return {pk for pair in (*linked, *decided) for pk in pair} - {claim.pk}


def suggestions_for(claim: Claim, *, top: int = 5) -> list[Suggestion]:
    """Ranked suggestions for a claim, without claims already linked or decided on; cached per claim version."""
    excluded = excluded_ids(claim)
    depth = top + len(excluded)
    if depth > CACHED_RANKING:
        ranking = rank(query_for(claim), top=depth)
    else:
        newest = Claim.objects.aggregate(newest=Max("pk"))["newest"] or 0
        key = f"claimdesk:suggestions:v1:{claim.pk}:{claim.version}:{newest}"
        ranking = cache.get(key)
        if ranking is None:
            ranking = rank(query_for(claim), top=CACHED_RANKING)
            cache.set(key, ranking, SUGGESTION_CACHE_SECONDS)
    return [s for s in ranking if s.claim_id not in excluded][:top]
