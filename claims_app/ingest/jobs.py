"""Background ingestion: queue one IngestJob per file, run it in a task worker, recover jobs whose worker died.

The article itself is still written by `services.ingest_article` (one transaction, unique content hash). Here
the job row is locked (`SELECT ... FOR UPDATE`) for the whole ingest and marked done in that same
transaction, so:

- a worker killed mid-ingest rolls back everything it wrote, and its job row lock goes with its connection;
- `recover_stalled_jobs` requeues exactly the RUNNING jobs whose row it can lock (nobody is working on them);
- a retry can never file the article twice: either the first run committed (article and job "done" together)
  or nothing of it survives.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, close_old_connections, transaction
from django.db.models import Sum
from django.db.models.functions import Length
from django.utils import timezone

from claims_app import roles
from claims_app.ingest import services, tasks
from claims_app.models import Article, IngestJob
from claims_app.nlp.records import InputRejected

logger = logging.getLogger(__name__)

Status = IngestJob.Status


def max_attempts() -> int:
    return int(settings.CLAIMS_INGEST_MAX_ATTEMPTS)


def queue_files(
    *,
    files: Iterable[tuple[str, bytes]],
    uploaded_by: User | None = None,
    outlet: str = "",
    overrides: services.ArticleOverrides | None = None,
) -> uuid.UUID:
    """Store each (filename, raw bytes) as a queued job and enqueue one task per file; returns the batch id.

    Jobs and their tasks commit together, so a worker never picks up a task whose job is not visible yet.
    Files over the upload limit are recorded as failed at once rather than stored. `overrides` (one long
    upload's title, URL and outlet) apply to every file; an empty filename means pasted text.
    """
    if uploaded_by is not None and not roles.can_upload(uploaded_by):
        raise PermissionDenied("Only editors can upload articles.")
    batch = uuid.uuid4()
    limit = services.max_upload_bytes()
    jobs = []
    for name, raw in files:
        job = IngestJob(
            batch=batch,
            filename=name[-255:] if overrides else (name or "upload")[-255:],
            raw=raw,
            size=len(raw),
            outlet=(overrides.outlet if overrides and overrides.outlet else outlet).strip()[:300],
            title=(overrides.title if overrides else "").strip()[:500],
            url=(overrides.url if overrides else "").strip()[:2000],
            uploaded_by=uploaded_by,
        )
        if len(raw) > limit:
            job.raw = b""
            job.status = Status.FAILED
            job.retryable = False
            job.finished_at = timezone.now()
            job.message = f"File is {len(raw) / 1024 / 1024:.1f} MB; the limit is {settings.CLAIMS_MAX_UPLOAD_MB} MB."
        jobs.append(job)
    with transaction.atomic():
        IngestJob.objects.bulk_create(jobs)
        queued = [job for job in jobs if job.status == Status.QUEUED]
        for job in queued:
            job.task_id = _enqueue(job.pk)
        IngestJob.objects.bulk_update(queued, ["task_id"])
    logger.info(
        "ingest batch queued",
        extra={"event": "ingest_queued", "batch": str(batch), "files": len(jobs), "queued": len(queued)},
    )
    return batch


def _enqueue(job_id: int, *, delay_seconds: float = 0) -> str:
    task = tasks.ingest_job_task
    if delay_seconds:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay_seconds))
    return str(task.enqueue(job_id).id)


def run_job(*, job_id: int) -> str:
    """Ingest one queued job (the task body); returns its final status, or why it was skipped."""
    with transaction.atomic():
        job = IngestJob.objects.select_for_update(skip_locked=True).defer("raw").filter(pk=job_id).first()
        if job is None:
            return "skipped: missing or being run elsewhere"
        if job.status != Status.QUEUED:
            return f"skipped: {job.status}"
        job.status = Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.message = ""
        job.save(update_fields=["status", "attempts", "started_at", "message"])
    attempt = job.attempts
    try:
        with transaction.atomic():
            job = IngestJob.objects.select_for_update().get(pk=job_id)
            if job.status != Status.RUNNING or job.attempts != attempt:
                return "skipped: superseded by a retry"  # recovery requeued it between our two transactions
            article = services.ingest_article(
                raw=bytes(job.raw),
                filename=job.filename,
                uploaded_by=job.uploaded_by,
                overrides=services.ArticleOverrides(title=job.title, url=job.url, outlet=job.outlet),
            )
            job.status = Status.DUPLICATE if article.is_duplicate else Status.DONE
            job.article = article
            job.raw = b""  # the article keeps the upload as received
            job.finished_at = timezone.now()
            job.message = (
                f"Same text as “{article.title}”; nothing new saved."
                if article.is_duplicate
                else f"Filed “{article.title}” with {article.claims.count()} claims."
            )
            job.save()
    except InputRejected as exc:
        # The file itself was refused (binary, empty, no text ...): the same bytes would be refused again.
        return _finish(job_id, attempt, Status.FAILED, str(exc), retryable=False)
    except (OperationalError, InterfaceError) as exc:
        # The database went away mid-ingest: the transaction is gone, so retry the whole file later.
        close_old_connections()
        if attempt < max_attempts():
            return _requeue(job_id, attempt, f"Database error ({exc.__class__.__name__}); retrying.")
        return _finish(job_id, attempt, Status.FAILED, f"Database error on {attempt} attempts; try again later.")
    except Exception as exc:
        logger.exception("ingest job %s failed", job_id, extra={"event": "ingest_job_error", "job": job_id})
        return _finish(job_id, attempt, Status.FAILED, f"Unexpected error ({exc.__class__.__name__}); try again.")
    logger.info(
        "ingest job finished",
        extra={"event": "ingest_job", "job": job.pk, "status": job.status, "article": job.article_id},
    )
    return job.status


def _finish(job_id: int, attempt: int, status: str, message: str, *, retryable: bool = True) -> str:
    IngestJob.objects.filter(pk=job_id, status=Status.RUNNING, attempts=attempt).update(
        status=status, message=message[:2000], finished_at=timezone.now(), retryable=retryable
    )
    logger.info("ingest job finished", extra={"event": "ingest_job", "job": job_id, "status": status, "why": message})
    return str(status)


def _requeue(job_id: int, attempt: int, message: str) -> str:
    with transaction.atomic():
        updated = IngestJob.objects.filter(pk=job_id, status=Status.RUNNING, attempts=attempt).update(
            status=Status.QUEUED, message=message, task_id=_enqueue(job_id, delay_seconds=2**attempt)
        )
    return "requeued" if updated else "skipped: superseded"


def recover_stalled_jobs() -> list[int]:
    """Requeue RUNNING jobs that no live worker holds (their worker died); fail them after too many attempts."""
    from django_tasks_db.models import DBTaskResult  # the backend's model, imported only where the worker recovers jobs

    recovered: list[int] = []
    with transaction.atomic():
        stalled = list(IngestJob.objects.select_for_update(skip_locked=True).filter(status=Status.RUNNING).defer("raw"))
        for job in stalled:
            if job.task_id:
                # The dead worker never finished its task result; close it so the task list tells the truth.
                DBTaskResult.objects.filter(pk=job.task_id, status="RUNNING").update(
                    status="FAILED", finished_at=timezone.now()
                )
            if job.attempts >= max_attempts():
                job.status = Status.FAILED
                job.finished_at = timezone.now()
                job.message = f"The worker stopped during ingestion {job.attempts} times; not retried automatically."
                job.save(update_fields=["status", "finished_at", "message"])
            else:
                job.status = Status.QUEUED
                job.message = "The worker stopped mid-ingest; queued again."
                job.task_id = _enqueue(job.pk)
                job.save(update_fields=["status", "message", "task_id"])
                recovered.append(job.pk)
    if stalled:
        logger.warning(
            "recovered stalled ingest jobs",
            extra={"event": "ingest_recovered", "requeued": recovered, "stalled": [j.pk for j in stalled]},
        )
    return recovered


def retry_job(*, job: IngestJob, user: User) -> IngestJob:
    """Queue a failed job again (an editor's Retry)."""
    if not roles.can_upload(user):
        raise PermissionDenied("Only editors can retry uploads.")
    with transaction.atomic():
        locked = IngestJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != Status.FAILED:
            raise ValidationError("Only failed uploads can be retried.", code="not_failed")
        if locked.size > services.max_upload_bytes() or _stored_size(locked.pk) != locked.size:
            raise ValidationError("Nothing to retry: the file was too large to store.", code="not_retryable")
        if not locked.retryable:
            raise ValidationError(
                "A retry would fail the same way: fix the file and upload it again.", code="not_retryable"
            )
        locked.status = Status.QUEUED
        locked.message = ""
        locked.finished_at = None
        locked.task_id = _enqueue(locked.pk)
        locked.save(update_fields=["status", "message", "finished_at", "task_id"])
    logger.info("ingest job retried", extra={"event": "ingest_retry", "job": locked.pk, "user": user.get_username()})
    return locked


def _stored_size(job_id: int) -> int:
    return IngestJob.objects.filter(pk=job_id).annotate(n=Length("raw")).values_list("n", flat=True).first() or 0


def estimate_time_left(jobs: list[IngestJob]) -> None:
    """Set `seconds_left` on each running job: its size at the pace of the latest filed articles (ingest time
    per stored byte), less the time it has run. The worker holds the job's row for the whole ingest, so the
    job cannot report its own progress; the pace of past ingests is the honest guess."""
    running = [job for job in jobs if job.status == Status.RUNNING and job.started_at]
    if not running:
        return
    recent = Article.objects.filter(ingest_seconds__gt=0).order_by("-pk")[:50]
    pace = Article.objects.filter(pk__in=recent.values("pk")).aggregate(
        seconds=Sum("ingest_seconds"), size=Sum(Length("raw"))
    )
    seconds_per_byte = (pace["seconds"] or 0.0) / (pace["size"] or 1) or 1e-4  # ~100 s per MB with no history
    now = timezone.now()
    for job in running:
        elapsed = (now - job.started_at).total_seconds()  # type: ignore[operator]
        job.seconds_left = max(0, round(job.size * seconds_per_byte - elapsed))


def display_name(job: IngestJob) -> str:
    return Path(job.filename).name or job.filename
