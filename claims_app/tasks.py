"""Background tasks (django-tasks, database backend); each is a thin wrapper over a service."""

from __future__ import annotations

from django_tasks import task

from claims_app import ingest_jobs


@task()
def ingest_job_task(job_id: int) -> str:
    """Ingest one uploaded file queued as an IngestJob."""
    return ingest_jobs.run_job(job_id=job_id)
