"""Upload views: one file filed in the request, several queued for the worker, and their progress."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from claims_app import roles
from claims_app.ingest import jobs as ingest_jobs
from claims_app.ingest import selectors, services
from claims_app.ingest.forms import UploadForm
from claims_app.nlp.records import InputRejected
from claims_app.web import htmx
from claims_app.web.request import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def article_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    htmx.require(roles.can_upload(request.user), "Only editors can upload articles.")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and len(form.cleaned_data["file"]) > 1:
        batch = ingest_jobs.queue_files(
            files=((f.name, f.read()) for f in form.cleaned_data["file"]),
            uploaded_by=request.user,
            outlet=form.cleaned_data["outlet"],
        )
        messages.info(request, f"Queued {len(form.cleaned_data['file'])} files; progress is shown below.")
        return redirect(f"{reverse('claims_app:article_upload')}?batch={batch}")
    if request.method == "POST" and form.is_valid():
        # One file or pasted text is filed in the request (about a second): the editor lands on the article.
        upload = next(iter(form.cleaned_data["file"]), None)
        raw = upload.read() if upload else form.cleaned_data["text"].encode("utf-8")
        filename = upload.name if upload else ""
        overrides = services.ArticleOverrides(
            title=form.cleaned_data["title"], url=form.cleaned_data["url"], outlet=form.cleaned_data["outlet"]
        )
        try:
            cleaned = services.prepare_article(raw=raw, filename=filename, overrides=overrides)
            if services.belongs_in_background(cleaned) and services.existing_article(cleaned) is None:
                # A long article would hold the request (and a web worker) for many seconds: the worker files it.
                batch = ingest_jobs.queue_files(files=[(filename, raw)], uploaded_by=request.user, overrides=overrides)
                messages.info(
                    request,
                    f"This article is long ({len(cleaned.body):,} characters), so it is being filed in the "
                    "background; progress is shown below and the article links from here when it is done.",
                )
                return redirect(f"{reverse('claims_app:article_upload')}?batch={batch}")
            article = services.ingest_article(
                raw=raw, filename=filename, uploaded_by=request.user, overrides=overrides, cleaned=cleaned
            )
        except InputRejected as exc:
            form.add_error(None, str(exc))
        except (OperationalError, InterfaceError):
            # The database went away mid-ingest (restart, failover): the transaction rolled back whole.
            logger.exception("upload failed: database unavailable", extra={"event": "ingest_db_error"})
            form.add_error(None, "The database was unavailable, so nothing was saved. Try again in a moment.")
            return htmx.render(request, "claims_app/article_upload.html", {"form": form}, status=503)
        else:
            if article.is_duplicate:
                messages.info(request, f"Already filed: this is the same text as “{article.title}”. Nothing new saved.")
            else:
                messages.success(request, f"Filed “{article.title}” with {selectors.claim_count(article)} claims.")
            return redirect(article)
    return htmx.render(request, "claims_app/article_upload.html", {"form": form, **_progress_context(request)})


def _progress_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    try:
        batch = uuid.UUID(request.GET.get("batch", "") or request.POST.get("batch", ""))
    except ValueError:
        return {"batch": None, "jobs": []}
    return _progress_context_for(batch, request.user)


@require_GET
def ingest_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The per-file progress of a bulk upload; htmx polls it every second until every file is finished."""
    htmx.require(roles.can_upload(request.user), "Only editors can upload articles.")
    context = _progress_context(request)
    if context["batch"] is None or not context["jobs"]:  # someone else's batch is "not found" too
        raise Http404("No such upload.")
    partial = "progress" if request.htmx else None
    return htmx.render(request, "claims_app/article_upload.html", {"form": UploadForm(), **context}, partial)


@require_POST
def ingest_job_retry(request: AuthenticatedHttpRequest, job_id: uuid.UUID) -> HttpResponse:
    htmx.require(roles.can_upload(request.user), "Only editors can retry uploads.")
    # Someone else's job is "not found", so its batch and file names stay private.
    job = htmx.get_or_404(lambda public_id: selectors.visible_job(public_id, request.user), job_id)
    try:
        ingest_jobs.retry_job(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, htmx.first_error(exc))
    back = f"{reverse('claims_app:article_upload')}?batch={job.batch}"
    if request.htmx:
        context = {"form": UploadForm(), **_progress_context_for(job.batch, request.user)}
        return htmx.render(request, "claims_app/article_upload.html", context, "progress")
    return redirect(back)


def _progress_context_for(batch: uuid.UUID, user: Any) -> dict[str, Any]:
    jobs = list(selectors.batch_jobs(batch, user))
    ingest_jobs.estimate_time_left(jobs)
    return {
        "batch": batch,
        "jobs": jobs,
        "jobs_pending": any(not job.is_finished for job in jobs),
        "jobs_done": sum(job.is_finished for job in jobs),
    }
