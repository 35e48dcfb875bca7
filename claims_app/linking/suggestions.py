"""Link suggestions: rank claims from other articles that may repeat, paraphrase, support or contradict a claim.

Reads only. Computed on demand
(p50 about 60 ms at 100,000 claims, see bench/suggestions.py and docs/performance.md) and cached per
claim version, newest claim id and newest embedded claim id, so a new article's claims show up at once;
editors' decisions (LinkSuggestionDecision) and existing links are left out of both candidate queries and
filter the cached ranking, so a dismissed pair never comes back.

Ranking, in two steps:
1. Candidates, from two indexed queries merged:
   - lexical: claims sharing one of the query's *rarest* English lexemes (`lexemes && ARRAY[...]`, GIN index
     claim_lexemes_gin; rarity from cached document frequencies, so a common word cannot pull in half the
     table), or by the same speaker and sharing any lexeme;
   - semantic: the nearest neighbours of the claim's sentence embedding (`embedding <=> query`, HNSW index
     claim_embedding_hnsw, cosine), which finds paraphrases that share no words.
   Both skip the claim's own article, rejected claims and claims already linked or decided on.
2. Score each candidate. The main signal is the cosine similarity of the two embeddings
   (claims_app/claim_embeddings.py); smaller terms: IDF-weighted lexeme cosine (stems, no stop words), pg_trgm
   similarity of the texts, agreement of the numbers they state, the same speaker (speaker rows are already
   alias-resolved at ingest), and how close the publication dates are.

Embeddings are stored by a background task after each ingest commits. Web requests (the claim page, the API)
never run the model: a query claim without a stored embedding yet (just filed, or corrected) is ranked
lexically and its embedding is queued, and a candidate without one is scored by its lexical text score, so a
web worker never imports torch. The command line (`manage.py suggest`, the evaluations) embeds missing ones on
the fly instead (`embed_missing=True`). With CLAIMS_EMBEDDING_MODEL empty the semantic half is skipped and the
score is the lexical one alone.

`rank()` is the single code path for the claim page, the API, `manage.py suggest` and `manage.py suggest-eval`.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q

from claims_app.linking import embeddings
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
# With embeddings, the text part is this much embedding cosine and the rest the lexical text score above
# (so of the whole score: cosine 0.675, lexical 0.075, speaker 0.15, date 0.10). On eval/retrieval 0.9 gives
# top-1 0.725 / MRR 0.831 (1.0: 0.75 / 0.856, 0.8: 0.675 / 0.804): its distractors share words on purpose.
COSINE_SHARE = 0.9
# Semantic candidates: this many nearest neighbours, kept only from this cosine up (below it, a neighbour is
# just the least unrelated claim in a small table). Lexical candidates are kept whatever their cosine.
NEIGHBOURS = 40
MIN_NEIGHBOUR_COSINE = 0.35
# Lexical candidates without a stored embedding are embedded on the fly, at most this many per ranking
# (the rest are scored by their lexical text score alone).
ON_THE_FLY_LIMIT = 64

# Candidate retrieval: add the query's lexemes rarest first until their document frequencies sum to this,
# which bounds the rows PostgreSQL fetches whatever the words are.
CANDIDATE_BUDGET = 150
MIN_LEXEMES = 2
CANDIDATE_LIMIT = 800
COMMON_LEXEME_CLAIMS = 300  # with embeddings on, a lexeme in more claims than this fetches no candidates
SPEAKER_CANDIDATE_LIMIT = 100  # the speaker's most recent claims sharing a lexeme
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
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
    "thousand": "1000",
    "dozen": "12",
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
    embedding: tuple[float, ...] | None = None  # the stored one; computed on the fly when missing


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


# ---------------------------------------------------------------- text features (pure)


def numbers_in(text: str) -> frozenset[str]:
    found = {n.replace(",", "") for n in NUMBER.findall(text)}
    found |= {NUMBER_WORDS[w] for w in re.findall(r"[a-z]+", text.casefold()) if w in NUMBER_WORDS}
    return frozenset(found)


def is_negated(text: str) -> bool:
    return bool(NEGATION.search(text))


def idf(df: int, total: int) -> float:
    return math.log((total + 1) / (df + 1)) + 1.0


def number_agreement(query_numbers: frozenset[str], other_numbers: frozenset[str]) -> float:
    """+1 when both state numbers and share one, -1 when both state numbers and none agree, else 0."""
    if not query_numbers or not other_numbers:
        return 0.0
    return 1.0 if query_numbers & other_numbers else -1.0


def guess_relation(*, text_score: float, same_speaker: bool, negation_differs: bool) -> str:
    """A first guess at the link an editor would choose; they pick the final relation when accepting.

    A speaker repeating a statement often words it with and without a negation ("it jammed, we could
    neither close nor open it"), and rarely contradicts themselves, so only other speakers contradict.
    """
    if negation_differs and text_score >= 0.2 and not same_speaker:
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
    if _stats.get("key") == "large" and now - float(_stats["at"]) <= STATS_TTL_SECONDS:  # type: ignore[arg-type]
        return _stats["value"]  # type: ignore[return-value]  # (a large table stays large: no size check)
    key: object = "large"
    if _table_size_estimate() < SMALL_TABLE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM claims_app_claim")
            key = tuple(cursor.fetchone())
        if _stats.get("key") == key:
            return _stats["value"]  # type: ignore[return-value]
    value = (_planner_frequencies() if key == "large" else None) or _frequencies("WHERE NOT is_rejected", [])
    _stats.update(key=key, at=now, value=value)
    return value


def _planner_frequencies() -> tuple[int, dict[str, int]] | None:
    """Lexeme frequencies from PostgreSQL's own statistics (pg_stats.most_common_elems of Claim.lexemes, kept
    by ANALYZE / autovacuum; migration 0011 raises the column's statistics target so the 10,000 commonest
    lexemes are listed). Reading them took 12–38 ms where counting every claim's lexemes took ~0.8 s at
    200,000 claims (once per process every STATS_TTL_SECONDS, inside some unlucky request). A
    lexeme not listed is rare, which is all the ranking needs to know. None before the first ANALYZE."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.reltuples::bigint, s.most_common_elems::text::text[], s.most_common_elem_freqs
               FROM pg_class c LEFT JOIN pg_stats s
                 ON s.schemaname = current_schema() AND s.tablename = c.relname AND s.attname = 'lexemes'
               WHERE c.oid = 'claims_app_claim'::regclass"""
        )
        row = cursor.fetchone()
    if row is None or not row[1] or row[0] <= 0:
        return None
    total, elements, fractions = int(row[0]), row[1], row[2]
    # The fractions are of all rows (rejected claims included; they are ~2%), plus three trailing summary
    # figures (min, max, null fraction) that zip() drops.
    return total, {lexeme: max(1, round(f * total)) for lexeme, f in zip(elements, fractions, strict=False)}


def _frequencies(where: str, params: list[Any]) -> tuple[int, dict[str, int]]:
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


# No trigram similarity here: over the ~150 candidates it was half the candidate query's time (9.0 against
# 3.8 ms at 100,000 claims); `trigrams` computes it afterwards for the few rows that can still reach the top.
_COLUMNS = """c.id, c.text, c.lexemes, c.speaker_id, s.name, c.article_id, a.title, a.published_at,
       {cosine} AS cosine"""

TRIGRAM_SQL = "SELECT id, similarity(text, %s) FROM claims_app_claim WHERE id = ANY(%s)"

# Two bounded branches: claims sharing the query's rarest lexemes, and the speaker's own most recent claims
# sharing any lexeme. Bounding the speaker branch on its own keeps a prolific speaker from flooding the
# candidates (and the per-row trigram and cosine work) with hundreds of rows.
CANDIDATE_SQL = """
WITH candidate AS (
    (SELECT c.id FROM claims_app_claim c
     WHERE c.lexemes && %(rare)s::text[]
       AND NOT c.is_rejected AND c.article_id IS DISTINCT FROM %(article)s {scope}
     LIMIT %(limit)s)
    UNION
    (SELECT c.id FROM claims_app_claim c
     WHERE c.speaker_id = %(speaker)s AND c.lexemes && %(all)s::text[]
       AND NOT c.is_rejected AND c.article_id IS DISTINCT FROM %(article)s {scope}
     ORDER BY c.id DESC
     LIMIT %(speaker_limit)s)
)
SELECT {columns}
FROM candidate
JOIN claims_app_claim c ON c.id = candidate.id
LEFT JOIN claims_app_claimembedding e ON e.claim_id = c.id
JOIN claims_app_article a ON a.id = c.article_id
LEFT JOIN claims_app_speaker s ON s.id = c.speaker_id
WHERE NOT (c.id = ANY(%(exclude)s::bigint[]))
"""

NEIGHBOUR_SQL = """
SELECT {columns}
FROM claims_app_claimembedding e
JOIN claims_app_claim c ON c.id = e.claim_id
JOIN claims_app_article a ON a.id = c.article_id
LEFT JOIN claims_app_speaker s ON s.id = c.speaker_id
WHERE NOT c.is_rejected
  AND c.article_id IS DISTINCT FROM %(article)s
  AND NOT (c.id = ANY(%(exclude)s::bigint[]))
  {scope}
ORDER BY e.embedding <=> %(vector)s::vector
LIMIT %(neighbours)s
"""


def retrieval_lexemes(lexemes: Iterable[str], frequencies: dict[str, int], *, max_df: int | None = None) -> list[str]:
    """The query's rarest lexemes, as many as fit in CANDIDATE_BUDGET (at least MIN_LEXEMES).

    With `max_df`, lexemes in more claims than that are never used: fetching thousands of rows for a
    common word costs tens of milliseconds and finds nothing the embedding neighbours would not.
    """
    chosen: list[str] = []
    spent = 0
    for lex in sorted(set(lexemes), key=lambda lex: (frequencies.get(lex, 0), lex)):
        df = frequencies.get(lex, 0)
        at_least = MIN_LEXEMES if max_df is None else 1
        if (len(chosen) >= at_least and spent + df > CANDIDATE_BUDGET) or (max_df is not None and df > max_df):
            break
        chosen.append(lex)
        spent += df
    return chosen


def _params(
    query: QueryClaim, scope_article_ids: Sequence[int] | None, exclude: Iterable[int], vector: Sequence[float] | None
) -> dict[str, object]:
    return {
        "text": query.text,
        "speaker": query.speaker_id,
        "article": query.article_id,
        "scope": list(scope_article_ids or []),
        "exclude": sorted(set(exclude)),
        "vector": embeddings.to_sql(vector) if vector is not None else None,
    }


def _sql(template: str, scope_article_ids: Sequence[int] | None, vector: Sequence[float] | None) -> str:
    cosine = "1 - (e.embedding <=> %(vector)s::vector)" if vector is not None else "NULL::float8"
    scope = "AND c.article_id = ANY(%(scope)s)" if scope_article_ids is not None else ""
    return template.format(columns=_COLUMNS.format(cosine=cosine), scope=scope)


def candidate_query(
    query: QueryClaim,
    frequencies: dict[str, int],
    scope_article_ids: Sequence[int] | None,
    *,
    exclude: Iterable[int] = (),
    vector: Sequence[float] | None = None,
):
    """The SQL and parameters that fetch lexical candidates (also used by the benchmark's EXPLAIN)."""
    params = _params(query, scope_article_ids, exclude, vector) | {
        # With embeddings the neighbours carry recall, so only genuinely rare words fetch lexical candidates.
        "rare": retrieval_lexemes(
            query.lexemes, frequencies, max_df=COMMON_LEXEME_CLAIMS if vector is not None else None
        ),
        "all": list(set(query.lexemes)),
        "limit": CANDIDATE_LIMIT,
        "speaker_limit": SPEAKER_CANDIDATE_LIMIT,
    }
    return _sql(CANDIDATE_SQL, scope_article_ids, vector), params


def neighbour_query(
    query: QueryClaim,
    vector: Sequence[float],
    scope_article_ids: Sequence[int] | None,
    *,
    exclude: Iterable[int] = (),
):
    """The SQL and parameters that fetch the embedding's nearest neighbours (also used by the benchmark)."""
    params = _params(query, scope_article_ids, exclude, vector) | {"neighbours": NEIGHBOURS}
    return _sql(NEIGHBOUR_SQL, scope_article_ids, vector), params


def query_vector(query: QueryClaim, *, embed_missing: bool = True) -> tuple[float, ...] | None:
    """The query's embedding: stored, else computed now (`embed_missing`); None when embeddings are off or the
    claim has none and `embed_missing` is false."""
    if not embeddings.enabled():
        return None
    if query.embedding is not None:
        return tuple(query.embedding)
    if not embed_missing:
        return None
    return tuple(float(x) for x in embeddings.embed([query.text])[0])


def _fill_missing_cosines(rows: list[list], vector: Sequence[float]) -> None:
    """Embed (on the fly, one batch) candidates that have no stored embedding yet; their cosine is set in place."""
    missing = [row for row in rows if row[COSINE] is None][:ON_THE_FLY_LIMIT]
    if not missing:
        return
    import numpy as np  # numpy only when cosines are filled in, never on import

    vectors = embeddings.embed([row[1] for row in missing])
    for row, similarity in zip(missing, vectors @ np.asarray(vector, dtype=np.float32), strict=True):
        row[COSINE] = float(similarity)


COSINE = 8  # column of the cosine in a candidate row


def trigrams(text: str, claim_ids: Sequence[int]) -> dict[int, float]:
    """pg_trgm similarity of `text` to each claim's text, in one query."""
    if not claim_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(TRIGRAM_SQL, [text, list(claim_ids)])
        return {claim_id: float(similarity) for claim_id, similarity in cursor.fetchall()}


# ---------------------------------------------------------------- ranking


def rank(
    query: QueryClaim,
    *,
    top: int = 10,
    scope_article_ids: Sequence[int] | None = None,
    exclude: Iterable[int] = (),
    embed_missing: bool = True,
) -> list[Suggestion]:
    """The best `top` claims from other articles for `query`, best first, leaving out the `exclude` ids.

    With `embed_missing` false the model is never run: no stored query vector means a lexical ranking, and
    candidates without a stored vector keep their lexical text score."""
    vector = query_vector(query, embed_missing=embed_missing)
    if not query.lexemes and vector is None:
        return []
    exclude = set(exclude)
    total, frequencies = document_frequencies(scope_article_ids)
    rows: dict[int, list] = {}
    neighbours: list[tuple[Any, ...]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        # Planned for each call's own values: a prepared statement's generic plan cannot see how rare the
        # lexemes are or how many claims the speaker has, and took the candidate query from ~1 to 11.7 ms a
        # claim (bench/suggestions.py). The HNSW scan is filtered afterwards; relaxed_order keeps scanning
        # until NEIGHBOURS rows pass the filters.
        cursor.execute(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
            " set_config('hnsw.iterative_scan', 'relaxed_order', true)"
        )
        if query.lexemes:
            sql, params = candidate_query(query, frequencies, scope_article_ids, exclude=exclude, vector=vector)
            cursor.execute(sql, params)
            rows.update((row[0], list(row)) for row in cursor.fetchall())
        if vector is not None:
            sql, params = neighbour_query(query, vector, scope_article_ids, exclude=exclude)
            cursor.execute(sql, params)
            neighbours = cursor.fetchall()
    for row in neighbours:
        if row[0] not in rows and row[COSINE] is not None and row[COSINE] >= MIN_NEIGHBOUR_COSINE:
            rows[row[0]] = list(row)
    if vector is not None and embed_missing:
        _fill_missing_cosines(list(rows.values()), vector)
    return _Ranking(query, total, frequencies, exclude).best(rows.values(), top, trigrams)


class _SquaredIdf(dict[str, float]):
    """Squared IDF weight per lexeme, computed the first time a ranking meets the lexeme."""

    def __init__(self, frequencies: dict[str, int], total: int) -> None:
        super().__init__()
        self.frequencies = frequencies
        self.total = total

    def __missing__(self, lexeme: str) -> float:
        weight = self[lexeme] = idf(self.frequencies.get(lexeme, 0), self.total) ** 2
        return weight


class _Ranking:
    """Scores candidate rows against one query and keeps the best.

    A claim's score is TEXT_WEIGHT x text + SPEAKER_WEIGHT x speaker + DATE_WEIGHT x date, where text mixes the
    embedding cosine, the IDF-weighted lexeme cosine, trigram similarity and a small nudge when both texts state
    numbers (NUMBER_NUDGE, +-). Trigram similarity (a database function) and reading the numbers and negations of
    hundreds of candidates are most of the time, so the first pass scores every row without either, giving each a
    lowest and highest possible score; only rows whose highest score reaches the `top`-th best lowest score are
    scored in full (the same ranking, exactly, for a fraction of the work: with embeddings, trigram and nudge
    together move a score by at most 0.044).
    """

    def __init__(self, query: QueryClaim, total: int, frequencies: dict[str, int], exclude: set[int]) -> None:
        self.query = query
        self.exclude = exclude
        self.squared = _SquaredIdf(frequencies, total)
        self.query_lexemes = frozenset(query.lexemes)
        self.query_norm = sum(map(self.squared.__getitem__, self.query_lexemes))

    def _lexeme_cosine(self, lexemes: Sequence[str]) -> float:
        """Cosine of the binary lexeme vectors of the query and a candidate, weighted by IDF (the query's half is
        computed once; the sums run in C, since this is the Python part's inner loop)."""
        if not self.query_norm or not lexemes:
            return 0.0
        shared = self.query_lexemes.intersection(lexemes)
        if not shared:
            return 0.0
        weight = self.squared.__getitem__
        return sum(map(weight, shared)) / math.sqrt(self.query_norm * sum(map(weight, set(lexemes))))

    @staticmethod
    def _text(lexical: float, cosine: float | None) -> float:
        """The text part of the score: the lexical score (clamped to 0-1), mixed with the cosine when there is one."""
        lexical = min(max(lexical, 0.0), 1.0)
        if cosine is None:
            return lexical
        return COSINE_SHARE * min(max(float(cosine), 0.0), 1.0) + (1 - COSINE_SHARE) * lexical

    @staticmethod
    def _score(text: float, speaker_part: float, date_part: float) -> float:
        return TEXT_WEIGHT * text + SPEAKER_WEIGHT * speaker_part + DATE_WEIGHT * date_part

    def best(
        self, rows: Iterable[Sequence[Any]], top: int, trigrams: Callable[[str, Sequence[int]], dict[int, float]]
    ) -> list[Suggestion]:
        """The best `top` of `rows` (candidate rows: see _COLUMNS); `trigrams(text, ids)` gives the trigram
        similarity of the query's text to the rows that need it."""
        query = self.query
        first: list[tuple[float, float, Sequence[Any], float, float, float, bool]] = []
        for row in rows:
            claim_id, _text, lexemes, speaker_id, _name, _article, _title, published, cosine = row
            if claim_id == query.claim_id or claim_id in self.exclude:
                continue
            lexical = LEXEME_SHARE * self._lexeme_cosine(lexemes or ())
            if query.speaker_id is None or speaker_id is None:
                speaker_part, same_speaker = 0.5, False
            else:
                same_speaker = speaker_id == query.speaker_id
                speaker_part = 1.0 if same_speaker else 0.0
            if query.published_at and published:
                date_part = math.exp(-abs((query.published_at - published).days) / DATE_SCALE_DAYS)
            else:
                date_part = 0.5
            low = self._score(self._text(lexical - NUMBER_NUDGE, cosine), speaker_part, date_part)
            high = self._score(self._text(lexical + TRIGRAM_SHARE + NUMBER_NUDGE, cosine), speaker_part, date_part)
            first.append((low, high, row, lexical, speaker_part, date_part, same_speaker))
        if len(first) > top:
            bar = heapq.nlargest(top, (entry[0] for entry in first))[-1]
            first = [entry for entry in first if entry[1] + 1e-4 >= bar]  # (scores are rounded to 4 places)
        similarity = trigrams(query.text, [entry[2][0] for entry in first])
        query_numbers = numbers_in(query.text)
        query_negated = is_negated(query.text)
        scored: list[Suggestion] = []
        for _low, _high, row, lexical, speaker_part, date_part, same_speaker in first:
            claim_id, text, _lexemes, speaker_id, speaker_name, article_id, title, published, cosine = row
            text_base = lexical + TRIGRAM_SHARE * similarity.get(claim_id, 0.0)
            text_score = self._text(
                text_base + NUMBER_NUDGE * number_agreement(query_numbers, numbers_in(text)), cosine
            )
            scored.append(
                Suggestion(
                    claim_id=claim_id,
                    score=round(self._score(text_score, speaker_part, date_part), 4),
                    relation_guess=guess_relation(
                        text_score=text_score,
                        same_speaker=same_speaker,
                        negation_differs=is_negated(text) != query_negated,
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
    """The ranking input for a claim: its lexemes (deferred on pages) and embedding (its own table), in one query."""
    lexemes, vector = Claim.objects.filter(pk=claim.pk).values_list("lexemes", "embedding_row__embedding").get()
    return QueryClaim(
        claim_id=claim.pk,
        text=claim.text,
        lexemes=tuple(lexemes or ()),
        speaker_id=claim.speaker_id,
        article_id=claim.article_id,
        published_at=claim.article.published_at,
        embedding=tuple(float(x) for x in vector) if vector is not None else None,
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


def suggestions_for(claim: Claim, *, top: int = 5, embed_missing: bool = False) -> list[Suggestion]:
    """Ranked suggestions for a claim, without claims already linked or decided on; cached per claim version.

    By default (web requests) the model is not run here: a claim with no stored embedding gets a lexical
    ranking now and its embedding is queued for the worker (once per EMBED_REQUEUE_SECONDS); the semantic
    ranking follows on a later view. `embed_missing=True` (command line) computes missing vectors now."""
    return suggestions_and_pending(claim, top=top, embed_missing=embed_missing)[0]


def suggestions_and_pending(
    claim: Claim, *, top: int = 5, embed_missing: bool = False
) -> tuple[list[Suggestion], bool]:
    """suggestions_for, and whether the claim's embedding is still pending (the ranking is then lexical and the
    embedding queued), which the claim page says; read in the same query as the cache key, not again."""
    excluded = excluded_ids(claim)
    depth = top + len(excluded)
    # The newest claim and the newest embedded claim (a new article's claims, and later their embeddings,
    # which can bring in new semantic candidates, each start a fresh ranking) and whether this claim has
    # an embedding, in one round trip and without reading the vector itself.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT max(id) FROM claims_app_claim),"
            " (SELECT max(claim_id) FROM claims_app_claimembedding),"
            " EXISTS (SELECT 1 FROM claims_app_claimembedding WHERE claim_id = %s)",
            [claim.pk],
        )
        newest, newest_embedded, has_embedding = cursor.fetchone()
    pending = embeddings.enabled() and not has_embedding and not embed_missing
    if pending:
        queue_embedding(claim.pk)
    if depth > CACHED_RANKING:
        ranking = rank(query_for(claim), top=depth, exclude=excluded, embed_missing=embed_missing)
    else:
        decided = hashlib.blake2b(repr(sorted(excluded)).encode(), digest_size=6).hexdigest()
        mode = "l" if not embeddings.enabled() else ("p" if pending else "e")
        key = (
            f"claimdesk:suggestions:v2:{mode}:{claim.pk}:{claim.version}:{newest or 0}:{newest_embedded or 0}:{decided}"
        )
        ranking = cache.get(key)
        if ranking is None:
            ranking = rank(query_for(claim), top=CACHED_RANKING, exclude=excluded, embed_missing=embed_missing)
            cache.set(key, ranking, SUGGESTION_CACHE_SECONDS)
    return [s for s in ranking if s.claim_id not in excluded][:top], pending


EMBED_REQUEUE_SECONDS = 300


def queue_embedding(claim_id: int) -> bool:
    """Queue the embedding of a claim that has none, at most once per EMBED_REQUEUE_SECONDS (a claim page viewed
    again before the worker got to it queues nothing more); True if queued now."""
    if not cache.add(f"claimdesk:embed-queued:{claim_id}", 1, EMBED_REQUEUE_SECONDS):
        return False
    embeddings.queue_after_commit(claim_ids=[claim_id])
    return True
