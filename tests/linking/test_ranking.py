"""Link-suggestion ranking: the two-pass scoring (trigram similarity and numbers only for rows that can still reach
the top) keeps exactly the ranking of scoring every candidate in full."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from claims_app.linking.suggestions import QueryClaim, _Ranking

WORDS = ["port", "ferry", "pier", "council", "budget", "storm", "tide", "harbour", "mayor", "vote"]
NUMBERS = ["", " 12", " 40", " twelve", " 3,000"]


def _rows(rng: random.Random, n: int, with_cosine: bool) -> list[tuple]:
    rows = []
    for claim_id in range(1, n + 1):
        lexemes = rng.sample(WORDS, rng.randint(0, 5))
        text = " ".join(lexemes) + rng.choice(NUMBERS) + rng.choice(["", " not"])
        published = date(2026, 1, 1) + timedelta(days=rng.randint(0, 90)) if rng.random() < 0.8 else None
        cosine = round(rng.uniform(-0.2, 1.0), 3) if with_cosine and rng.random() < 0.9 else None
        speaker = rng.choice([None, 1, 2, 3])
        rows.append((claim_id, text, lexemes, speaker, f"s{speaker}", 7, "t", published, cosine))
    return rows


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(0, 120), top=st.integers(1, 12), with_cosine=st.booleans())
def test_two_pass_ranking_equals_scoring_every_candidate(seed: int, n: int, top: int, with_cosine: bool) -> None:
    rng = random.Random(seed)
    query = QueryClaim(
        claim_id=0,
        text="port council budget 12 not",
        lexemes=("port", "council", "budget"),
        speaker_id=1,
        article_id=3,
        published_at=date(2026, 2, 1),
    )
    frequencies = {word: rng.randint(0, 500) for word in WORDS}
    rows = _rows(rng, n, with_cosine)
    similarity = {row[0]: rng.random() for row in rows}
    asked: list[int] = []

    def trigrams(text: str, ids: Sequence[int]) -> dict[int, float]:
        assert text == query.text
        asked.extend(ids)
        return {i: similarity[i] for i in ids}

    ranking = _Ranking(query, 1000, frequencies, exclude={5})
    everything = ranking.best(rows, len(rows) + 1, trigrams)
    asked.clear()
    assert ranking.best(rows, top, trigrams) == everything[:top]
    assert len(asked) <= len(rows)
    assert all(s.claim_id != 5 for s in everything)
    assert [s.score for s in everything] == sorted((s.score for s in everything), reverse=True)
