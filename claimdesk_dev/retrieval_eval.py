"""Claim-retrieval evaluation: load verified claims ("vclaims") and queries as claims, rank with the link
suggestion code, and score top-1 accuracy and MRR against a plain TF-IDF cosine baseline.

Used by `manage.py suggest-eval` and bench/retrieval_eval.py. Loading writes rows; callers wrap it in a
transaction they roll back, so the desk's data is never touched.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from claims_app.linking.retrieval import Item

# ---------------------------------------------------------------- baseline and metrics

TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


def tfidf_rank(vclaims: Sequence[Item], queries: Sequence[Item], *, top: int = 10) -> dict[str, list[str]]:
    """Plain TF-IDF cosine (scikit-learn defaults: lowercase, raw counts, smooth IDF, L2 norm), fitted on vclaims."""
    docs = [Counter(TOKEN.findall(v.text.lower())) for v in vclaims]
    df: Counter[str] = Counter(term for doc in docs for term in doc)
    n = len(docs)
    idf = {term: math.log((1 + n) / (1 + count)) + 1 for term, count in df.items()}

    def vector(counts: Counter[str]) -> dict[str, float]:
        weights = {t: c * idf[t] for t, c in counts.items() if t in idf}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    doc_vectors = [vector(d) for d in docs]
    results: dict[str, list[str]] = {}
    for query in queries:
        qv = vector(Counter(TOKEN.findall(query.text.lower())))
        scores = [(sum(w * dv.get(t, 0.0) for t, w in qv.items()), i) for i, dv in enumerate(doc_vectors)]
        scores.sort(key=lambda pair: (-pair[0], pair[1]))
        results[query.id] = [vclaims[i].id for score, i in scores[:top] if score > 0]
    return results


@dataclass(frozen=True, slots=True)
class Scores:
    queries: int
    top1: float
    mrr: float
    recall: float  # gold anywhere in the returned list


def score(ranked: dict[str, list[str]], gold: dict[str, str]) -> Scores:
    """Top-1 accuracy, MRR (over the returned list; a miss counts 0) and recall of the returned list."""
    top1 = rr = found = 0.0
    for query_id, expected in gold.items():
        ranking = ranked.get(query_id, [])
        if ranking[:1] == [expected]:
            top1 += 1
        if expected in ranking:
            rr += 1 / (ranking.index(expected) + 1)
            found += 1
    n = len(gold) or 1
    return Scores(queries=len(gold), top1=top1 / n, mrr=rr / n, recall=found / n)


def read_qrels(path: str | Path) -> dict[str, str]:
    """`{"query_id", "vclaim_id"}` per line: the one vclaim each query should find."""
    gold: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            gold[str(row["query_id"])] = str(row["vclaim_id"])
    return gold


def texts(items: Iterable[Item]) -> list[str]:
    return [item.text for item in items]
