"""Background tasks (django-tasks, database backend); each is a thin wrapper over a service."""

from __future__ import annotations

from django_tasks import task

from claims_app import ingest_jobs


@task()
def ingest_job_task(job_id: int) -> str:
    """Ingest one uploaded file queued as an IngestJob."""
    return ingest_jobs.run_job(job_id=job_id)


@task()
def embed_article_task(article_id: int) -> int:
    """Embed the claims of a newly filed article (queued when its ingest commits)."""
    from claims_app import claim_embeddings

    return claim_embeddings.embed_article(article_id)


@task()
def embed_claims_task(claim_ids: list[int]) -> int:
    """Re-embed claims an editor added or corrected."""
    from claims_app import claim_embeddings

    return claim_embeddings.embed_claims(claim_ids)
