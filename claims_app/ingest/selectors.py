"""Ingest reads: the jobs of an upload a user may see, and what a filed article holds."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import User
from django.db.models import QuerySet

from claims_app import roles
from claims_app.models import Article, IngestJob


def visible_jobs(jobs: QuerySet[IngestJob], user: User) -> QuerySet[IngestJob]:
    """Admins see every upload; others only the ones they uploaded."""
    return jobs if roles.can_manage_any_upload(user) else jobs.filter(uploaded_by=user)


def batch_jobs(batch: uuid.UUID, user: User | None = None) -> QuerySet[IngestJob]:
    """The jobs of one upload, in upload order, without their bytes; with `user`, only those they may see."""
    jobs = IngestJob.objects.filter(batch=batch).defer("raw").select_related("article").order_by("created_at", "pk")
    return jobs if user is None else visible_jobs(jobs, user)


def visible_job(public_id: uuid.UUID, user: User) -> IngestJob:
    """One job without its bytes, if `user` may see it; someone else's is IngestJob.DoesNotExist too."""
    return visible_jobs(IngestJob.objects.defer("raw"), user).get(public_id=public_id)


def claim_count(article: Article) -> int:
    return article.claims.count()
