"""Ranking public claim-retrieval sets with the production suggester (manage.py suggest-eval)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from claims_app.linking import embeddings, suggestions
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
    embeddings.embed_claims([*vclaim_ids, *query_ids])
    rows = Claim.objects.filter(article=query_article).values_list("pk", "text", "lexemes", "embedding_row__embedding")
    results: dict[str, list[str]] = {}
    for pk, text, lexemes, embedding in sorted(rows, key=lambda row: row[0]):
        query = suggestions.QueryClaim(
            claim_id=pk,
            text=text,
            lexemes=tuple(lexemes or ()),
            speaker_id=None,
            article_id=query_article.pk,
            published_at=None,
            embedding=tuple(float(x) for x in embedding) if embedding is not None else None,
        )
        ranked = suggestions.rank(query, top=top, scope_article_ids=[vclaim_article.pk])
        results[query_ids[pk]] = [vclaim_ids[s.claim_id] for s in ranked]
    return results
