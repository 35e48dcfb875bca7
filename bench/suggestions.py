"""Link-suggestion speed with 100,000 claims: p50/p95 per claim, the query plans, and the ratio to brute force.

Generates synthetic articles, speakers and claims (Zipf-distributed made-up words) inside a transaction
that is rolled back, so the database is left as it was. Encoding 100,000 texts with the real model would take
about 5 minutes here, so each synthetic claim's embedding is the normalised sum of fixed random vectors of its
words (stand-ins with the right size and a realistic neighbourhood structure: claims sharing words are near);
ranking reads stored vectors only, so its cost does not depend on where they came from.
Run: .venv/bin/python bench/suggestions.py
(BENCH_CLAIMS=100000 BENCH_QUERIES=50 to change the sizes).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("CLAIMS_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from claimdesk_dev import corpus  # noqa: E402
from claims_app.linking import embeddings, suggestions  # noqa: E402
from claims_app.models import Article, Claim, ClaimEmbedding, Speaker  # noqa: E402

# A fresh checkout's database has no tables yet (the corpus itself is rolled back, the schema is not).
call_command("migrate", verbosity=0)

DIMENSIONS = embeddings.DIMENSIONS
CLAIMS = int(os.environ.get("BENCH_CLAIMS", "100000"))
QUERIES = int(os.environ.get("BENCH_QUERIES", "50"))
BRUTE_QUERIES = 5
PER_ARTICLE = 10
SPEAKERS = 2_000
_COMMON_WORDS = (
    "said will would people government city year percent new minister police army officials report "
    "told week month town river water school hospital border troops"
)
COMMON = _COMMON_WORDS.split()


def vocabulary(rng: random.Random, size: int = 6_000) -> list[str]:
    syllables = ["ka", "ro", "mi", "sel", "dan", "tor", "vel", "is", "un", "bra", "lek", "os", "tav", "rin", "ha"]
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def sentence(rng: random.Random, words: list[str], weights: list[float]) -> str:
    picked = rng.choices(words, weights=weights, k=rng.randint(8, 22))
    picked += rng.sample(COMMON, 3)
    rng.shuffle(picked)
    return " ".join(picked).capitalize() + "."


def populate(rng: random.Random) -> list[int]:
    words = vocabulary(rng)
    weights = [1 / (rank + 1) ** 1.05 for rank in range(len(words))]
    speakers = Speaker.objects.bulk_create(
        Speaker(name=f"Speaker {i}", normalised_name=f"speaker {i}") for i in range(SPEAKERS)
    )
    articles = []
    start_day = 738000
    for i in range(CLAIMS // PER_ARTICLE):
        body = f"bench article {i} {rng.random()}"
        articles.append(
            Article(
                title=f"Bench article {i}",
                outlet=f"Outlet {i % 40}",
                body=body,
                raw=b"",
                content_sha256=hashlib.sha256(body.encode()).hexdigest(),
                published_at=__import__("datetime").date.fromordinal(start_day + rng.randint(0, 900)),
            )
        )
    articles = Article.objects.bulk_create(articles, batch_size=5_000)
    claims = []
    for article in articles:
        for j in range(PER_ARTICLE):
            text = sentence(rng, words, weights)
            claims.append(
                Claim(
                    article=article,
                    speaker=rng.choice(speakers),
                    text=text,
                    start=j * 500,
                    end=j * 500 + len(text),
                    kind=Claim.Kind.DIRECT,
                )
            )
    vectors = corpus.stand_in_vectors([c.text for c in claims])
    with connection.cursor() as cursor:
        # Build the HNSW index once over the loaded rows (what a migration on a full table does), instead of
        # inserting 100,000 vectors into it one by one; all rolled back at the end.
        cursor.execute("DROP INDEX claim_embedding_hnsw")
    created = Claim.objects.bulk_create(claims, batch_size=5_000)
    ClaimEmbedding.objects.bulk_create(
        [ClaimEmbedding(claim=claim, embedding=vector) for claim, vector in zip(created, vectors, strict=True)],
        batch_size=5_000,
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred foreign-key checks first
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute(
            "CREATE INDEX claim_embedding_hnsw ON claims_app_claimembedding USING hnsw (embedding vector_cosine_ops)"
        )
    print(f"HNSW index built over {len(created):,} stand-in embeddings in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load: move the GIN fast-update list into the index proper.
        cursor.execute("SELECT gin_clean_pending_list('claim_lexemes_gin')")
        cursor.execute("ANALYZE claims_app_claim")
        cursor.execute("ANALYZE claims_app_article")
        cursor.execute("ANALYZE claims_app_speaker")
        cursor.execute("ANALYZE claims_app_speakeralias")
    return [c.pk for c in created]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def brute_force(query: suggestions.QueryClaim) -> None:
    """Every row scored by embedding cosine, trigram similarity and lexeme overlap, no index: what ranking
    costs without retrieval."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(
            """SELECT id, 1 - (e.embedding <=> %s::vector) + similarity(text, %s)
                      + cardinality(ARRAY(SELECT unnest(lexemes) INTERSECT SELECT unnest(%s::text[]))) AS s
               FROM claims_app_claim JOIN claims_app_claimembedding e ON e.claim_id = id
               WHERE NOT is_rejected AND article_id <> %s ORDER BY s DESC LIMIT 10""",
            [embeddings.to_sql(query.embedding), query.text, list(query.lexemes), query.article_id],
        )
        cursor.fetchall()
        cursor.execute("SET LOCAL enable_bitmapscan = on")
        cursor.execute("SET LOCAL enable_indexscan = on")


def main() -> None:
    rng = random.Random(11)
    with transaction.atomic():
        started = time.perf_counter()
        ids = populate(rng)
        print(
            f"generated {len(ids):,} claims in {time.perf_counter() - started:.1f} s "
            f"(table now ~{Claim.objects.count():,} claims)"
        )
        suggestions.clear_statistics()
        started = time.perf_counter()
        suggestions.document_frequencies()
        print(
            f"document frequencies (cached {suggestions.STATS_TTL_SECONDS} s): "
            f"{(time.perf_counter() - started) * 1000:.0f} ms"
        )
        sample = rng.sample(ids, QUERIES)
        queries = [suggestions.query_for(c) for c in Claim.objects.select_related("article").filter(pk__in=sample)]
        for query in queries[:3]:
            suggestions.rank(query)  # warm the buffer cache
        assert all(q.embedding is not None for q in queries)
        print("embeddings: stand-ins (normalised sums of random word vectors), not the model's; see the docstring")
        timings, candidates = [], []
        for query in queries:
            t0 = time.perf_counter()
            ranked = suggestions.rank(query, top=10)
            timings.append((time.perf_counter() - t0) * 1000)
            candidates.append(len(ranked))
        p50, p95 = statistics.median(timings), percentile(timings, 95)
        print(
            f"suggestions for one claim over {len(queries)} claims: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
            f"max {max(timings):.1f} ms; suggestions returned per claim: median {statistics.median(candidates)}"
        )

        _, frequencies = suggestions.document_frequencies()
        sql, params = suggestions.candidate_query(queries[0], frequencies, None)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print("\nEXPLAIN of the candidate query:\n" + plan + "\n")
        assert "claim_lexemes_gin" in plan, "the candidate query did not use the lexeme index"
        sql, params = suggestions.neighbour_query(queries[0], queries[0].embedding, None)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        plan = re.sub(r"'\[[^']{60,}\]'", "'[...384 floats...]'", plan)
        print("EXPLAIN of the nearest-neighbour query:\n" + plan + "\n")
        assert "claim_embedding_hnsw" in plan, "the neighbour query did not use the HNSW index"

        brute = []
        for query in queries[:BRUTE_QUERIES]:
            t0 = time.perf_counter()
            brute_force(query)
            brute.append((time.perf_counter() - t0) * 1000)
        b50 = statistics.median(brute)
        print(
            f"brute-force scan (cosine + similarity + lexeme overlap over every row): p50 {b50:.0f} ms "
            f"over {len(brute)} claims; indexed ranking is {b50 / p50:.0f}x faster at p50"
        )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
