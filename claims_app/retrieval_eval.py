"""Claim-retrieval evaluation: load verified claims ("vclaims") and queries as claims, rank with the link
suggestion code, and score top-1 accuracy and MRR against a plain TF-IDF cosine baseline.

Used by `manage.py suggest-eval` and bench/retrieval_eval.py. Loading writes rows; callers wrap it in a
transaction they roll back, so the desk's data is never touched.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from claims_app import claim_embeddings, link_suggestions
from claims_app.models import Article, Claim


class RetrievalInputError(ValueError):
    """A JSON-lines file we cannot use; the message is one line."""


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    text: str


def read_items(path: str | Path) -> list[Item]:
    """`{"id", "text"}` objects, one per line (blank lines skipped); ids must be unique."""
    items: list[Item] = []
    seen: set[str] = set()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise RetrievalInputError(f"{path}: cannot read ({exc})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            item = Item(id=str(row["id"]), text=str(row["text"]).strip())
        except (json.JSONDecodeError, KeyError, TypeError):
            raise RetrievalInputError(f'{path}:{number}: expected a JSON object with "id" and "text"') from None
        if not item.text:
            raise RetrievalInputError(f"{path}:{number}: empty text")
        if item.id in seen:
            raise RetrievalInputError(f"{path}:{number}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise RetrievalInputError(f"{path}: no items")
    return items


def _load(items: Sequence[Item], title: str) -> tuple[Article, dict[int, str]]:
    """One article holding the items as claims (offsets into a body made of their texts); claim pk -> item id."""
    body_parts: list[str] = []
    spans: list[tuple[int, int]] = []
    offset = 0
    for item in items:
        spans.append((offset, offset + len(item.text)))
        body_parts.append(item.text)
        offset += len(item.text) + 1
    body = "\n".join(body_parts)
    article = Article.objects.create(
        title=title,
        body=body,
        raw=b"",
        content_sha256=hashlib.sha256(f"{uuid.uuid4()}\n{body}".encode()).hexdigest(),
    )
    claims = Claim.objects.bulk_create(
        Claim(article=article, text=item.text, start=start, end=end, kind=Claim.Kind.ASSERTION)
        for item, (start, end) in zip(items, spans, strict=True)
    )
    return article, {c.pk: item.id for c, item in zip(claims, items, strict=True)}


def rank_items(vclaims: Sequence[Item], queries: Sequence[Item], *, top: int = 10) -> dict[str, list[str]]:
    """For each query id, vclaim ids best first, ranked by link_suggestions.rank (call inside a rolled-back
    transaction: this inserts the items as claims)."""
    vclaim_article, vclaim_ids = _load(vclaims, "suggest-eval vclaims")
    query_article, query_ids = _load(queries, "suggest-eval queries")
    # What the ingest's background task does for real articles, done here and now (it is all rolled back).
    claim_embeddings.embed_claims([*vclaim_ids, *query_ids])
    rows = Claim.objects.filter(article=query_article).values_list("pk", "text", "lexemes", "embedding")
    results: dict[str, list[str]] = {}
    for pk, text, lexemes, embedding in sorted(rows, key=lambda row: row[0]):
        query = link_suggestions.QueryClaim(
            claim_id=pk,
            text=text,
            lexemes=tuple(lexemes or ()),
            speaker_id=None,
            article_id=query_article.pk,
            published_at=None,
            embedding=tuple(float(x) for x in embedding) if embedding is not None else None,
        )
        ranked = link_suggestions.rank(query, top=top, scope_article_ids=[vclaim_article.pk])
        results[query_ids[pk]] = [vclaim_ids[s.claim_id] for s in ranked]
    return results


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
