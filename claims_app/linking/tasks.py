"""Background tasks for claim embeddings; thin wrappers over linking.embeddings."""

from __future__ import annotations

from django_tasks import task


@task()
def embed_article_task(article_id: int) -> int:
    """Embed the claims of a newly filed article (queued when its ingest commits)."""
    from claims_app.linking import embeddings  # tasks import their services in the body (see ingest.tasks)

    return embeddings.embed_article(article_id)


@task()
def embed_claims_task(claim_ids: list[int]) -> int:
    """Re-embed claims an editor added or corrected."""
    from claims_app.linking import embeddings  # tasks import their services in the body (see ingest.tasks)

    return embeddings.embed_claims(claim_ids)
