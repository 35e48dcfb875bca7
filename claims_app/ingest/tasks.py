"""Ingest tasks (django-tasks, database backend); each is a thin wrapper over a service.

Tasks import the services they call inside their bodies and callers import this module at module level,
so services -> tasks never closes a cycle.
"""

from __future__ import annotations

from django_tasks import task


@task()
def ingest_job_task(job_id: int) -> str:
    """Ingest one uploaded file queued as an IngestJob."""
    from claims_app.ingest import jobs  # tasks import their services in the body; jobs imports this module

    return jobs.run_job(job_id=job_id)
