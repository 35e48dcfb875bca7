"""Origin tracing cost for one article at scale, against the embedding task's own cost in the same run.

Loads BENCH_CLAIMS synthetic claims (bench/suggestions.py's corpus: stand-in vectors, 2,000 speakers) inside a
transaction that is rolled back, then BENCH_ROUNDS times: ingests two retellings from eval/origins (real
text, real model), and times embed_claims (the task's encode + write) and trace_article (the tracing added to
the task) separately, counting trace_article's queries. Run: .venv/bin/python bench/origins.py
(BENCH_CLAIMS=200000 BENCH_ROUNDS=5 by default).
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("BENCH_CLAIMS", "200000")
spec = importlib.util.spec_from_file_location("bench_suggestions", ROOT / "bench" / "suggestions.py")
assert spec and spec.loader
corpus_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(corpus_bench)  # sets up Django

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from claims_app.ingest import services as ingest_services  # noqa: E402
from claims_app.linking import embeddings, origin_tracing  # noqa: E402
from claims_app.models import Claim  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
FIRST = ROOT / "eval" / "origins" / "01a_vilmora_helicopter_brenmark_daily.txt"
RETOLD = ROOT / "eval" / "origins" / "01b_vilmora_helicopter_vesta_news.txt"


class Rollback(Exception):
    pass


def main() -> None:
    import random

    embed_ms: list[float] = []
    trace_ms: list[float] = []
    queries = 0
    try:
        with transaction.atomic():
            started = time.perf_counter()
            corpus_bench.populate(random.Random(14))
            print(f"{corpus_bench.CLAIMS:,} synthetic claims loaded in {time.perf_counter() - started:.0f} s")
            first = ingest_services.ingest_article(raw=FIRST.read_bytes(), filename=FIRST.name)
            embeddings.embed_article(first.pk)
            embeddings.embed(["warm the model"])
            for _ in range(ROUNDS):
                sid = transaction.savepoint()
                article = ingest_services.ingest_article(raw=RETOLD.read_bytes(), filename=RETOLD.name)
                ids = list(Claim.objects.filter(article=article).values_list("pk", flat=True))
                t0 = time.perf_counter()
                embeddings.embed_claims(ids)
                t1 = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    made = origin_tracing.trace_article(article.pk)
                t2 = time.perf_counter()
                queries = len(captured.captured_queries)
                embed_ms.append((t1 - t0) * 1000)
                trace_ms.append((t2 - t1) * 1000)
                transaction.savepoint_rollback(sid)
            raise Rollback
    except Rollback:
        pass
    print(f"article of {len(ids)} claims, {len(made)} pairings, {queries} queries in trace_article")
    print(f"embedding (baseline): median {statistics.median(embed_ms):.1f} ms")
    print(f"origin tracing:       median {statistics.median(trace_ms):.1f} ms  (max {max(trace_ms):.1f})")


if __name__ == "__main__":
    main()
