"""Function views: parse the request, call a selector or service, render. Permission checks live here.

With htmx, a view renders only the partial the request targets (`HX-Target`) and announces what changed
through `HX-Trigger` so other panels refresh themselves; without JavaScript the same URLs do POST/redirect/GET.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from claims_app import claim_embeddings, claim_rows, ingest_jobs, link_suggestions, origins, roles, selectors, services
from claims_app.forms import (
    AddClaimForm,
    BulkStatusForm,
    ClaimFilterForm,
    CorrectionForm,
    EvidenceForm,
    LinkForm,
    MergeForm,
    RejectForm,
    RelationForm,
    StatusForm,
    UploadForm,
)
from claims_app.highlighting import claim_context, highlighted_paragraphs
from claims_app.http import AuthenticatedHttpRequest
from claims_app.models import Article, Claim, ClaimLink, IngestJob, Speaker, SpeakerMerge, SpeakerMergeSuggestion
from claims_app.nlp.records import InputRejected

logger = logging.getLogger(__name__)

# htmx events: what changed, so the panels that show it can refresh.
CLAIM_REVIEWED = "claimReviewed"
CLAIM_CORRECTED = "claimCorrected"
CLAIMS_CHANGED = "claimsChanged"
LINKS_CHANGED = "linksChanged"
EVIDENCE_ADDED = "evidenceAdded"
ARTICLE_CHANGED = "articleChanged"

DETAIL_PANELS = {
    "head",
    "status-panel",
    "correct-panel",
    "history",
    "evidence",
    "links",
    "card",
    "link-results",
    "origin-panel",
}


# ---------------------------------------------------------------- helpers


def _render(
    request: AuthenticatedHttpRequest,
    template: str,
    context: dict[str, Any],
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    response = TemplateResponse(request, f"{template}#{partial}" if partial else template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _target(request: AuthenticatedHttpRequest) -> str:
    return (request.htmx.target or "") if request.htmx else ""


def _page(request: AuthenticatedHttpRequest, object_list, per_page: int | None = None):  # type: ignore[no-untyped-def]
    return Paginator(object_list, per_page or settings.CLAIMS_PAGE_SIZE).get_page(request.GET.get("page"))


def _page_number(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def _get_or_404(selector, pk: int):  # type: ignore[no-untyped-def]
    try:
        return selector(pk)
    except (Article.DoesNotExist, Claim.DoesNotExist, Speaker.DoesNotExist):
        raise Http404("Not found.") from None


def _safe_next(request: AuthenticatedHttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


def _first_error(exc: ValidationError) -> str:
    return next(iter(exc.messages), "Not saved.")


def _conflict_message(claim: Claim) -> str:
    """Tell the editor what the other person did, so they can decide whether to re-apply their change."""
    history = selectors.claim_history(selectors.claim_detail(claim.pk))
    other = ""
    if history:
        entry = history[0]
        who = entry.who or "someone"
        ago = timesince(entry.when)
        if entry.kind == "status":
            change = entry.change
            other = f" {who} marked it “{change.get_new_status_display()}” {ago} ago"  # type: ignore[union-attr]
            if change.note:
                other += f" (note: “{change.note}”)"
        else:
            other = f" {who} corrected its {entry.change.get_field_display().lower()} {ago} ago"  # type: ignore[union-attr]
        other += "."
    return (
        f"Not saved: someone else changed this claim meanwhile.{other} "
        f"It is now “{claim.get_status_display()}”. Review the latest version and try again."
    )


# ---------------------------------------------------------------- home


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render(
        request,
        "claims_app/home.html",
        {
            "status_counts": selectors.status_counts(),
            "articles": selectors.article_list()[:5],
            "waiting": selectors.waiting_for_review(),
            "activity": selectors.recent_activity(),
            "open_suggestions": selectors.merge_suggestions().count(),
        },
    )


# ---------------------------------------------------------------- claim list


@require_GET
def claim_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET, outlets=selectors.outlets())
    filters = form.filters()
    page = selectors.claim_page(filters, _page_number(request), settings.CLAIMS_PAGE_SIZE, only=claim_rows.COLUMNS)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": claim_rows.claim_rows(page.object_list),
        "next": request.get_full_path(),
        "query": query.urlencode(),
        "speaker_chip": Speaker.objects.filter(pk=filters.speaker).first() if filters.speaker else None,
        "article_chip": Article.objects.defer("raw", "body").filter(pk=filters.article).first()
        if filters.article
        else None,
    }
    partial = "results" if _target(request) == "results" else None
    return _render(request, "claims_app/claim_list.html", context, partial)


def _row_response(request: AuthenticatedHttpRequest, pk: int, **extra: Any) -> HttpResponse:
    back = extra.pop("next", None) or request.get_full_path()
    context = {"claim": claim_rows.claim_rows([selectors.claim_row(pk)])[0], "next": back, **extra}
    return _render(request, "claims_app/claim_list.html", context, "row")


@require_POST
def claim_bulk_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(roles.can_review(request.user), "Only editors can review claims.")
    form = BulkStatusForm(request.POST)
    back = _safe_next(request) or reverse("claims_app:claim_list")
    if not form.is_valid():
        error = "Select some claims and a status."
        if request.htmx:
            context = {"bulk_error": error, "next": back}
            return _render(request, "claims_app/claim_list.html", context, "bulk-form")
        messages.error(request, error)
        return redirect(back)
    changed = services.bulk_change_status(
        claim_ids=form.cleaned_data["ids"],
        user=request.user,
        status=form.cleaned_data["status"],
        note=form.cleaned_data["note"],
    )
    label = Claim.Status(form.cleaned_data["status"]).label
    message = f"Marked {changed} claim{'s' if changed != 1 else ''} “{label}”."
    if request.htmx:
        response = _render(
            request,
            "claims_app/claim_list.html",
            {"bulk_message": message, "next": back},
            "bulk-form",
        )
        return trigger_client_event(response, CLAIMS_CHANGED)
    messages.success(request, message)
    return redirect(back)


# ---------------------------------------------------------------- claim detail and its panels


def _detail_context(request: AuthenticatedHttpRequest, claim: Claim, **extra: Any) -> dict[str, Any]:
    links = selectors.claim_links(claim)
    linked_ids = {item.other.pk for item in links}
    link_q = request.GET.get("link_q", "").strip()
    context: dict[str, Any] = {
        "claim": claim,
        "context_segments": claim_context(claim.article.body, claim),
        "history": selectors.claim_history(claim),
        "links": links,
        "suggested": link_suggestions.suggestions_for(claim),
        "embedding_pending": claim_embeddings.enabled() and not getattr(claim, "has_embedding", True),
        "origin_suggestion": origins.suggest_origin(claim),
        "origin_claims": origins.origin_claims(claim.statement_origin),
        "link_q": link_q,
        "link_results": selectors.link_candidates(claim, link_q, linked_ids) if link_q else [],
        "speaker_claim_count": selectors.speaker_claim_count(claim.speaker),
        "relations": ClaimLink.Relation.choices,
        "status_form": StatusForm(initial={"status": claim.status, "version": claim.version}),
        "correction_form": CorrectionForm(
            initial={
                "text": claim.text,
                "speaker": claim.speaker.name if claim.speaker else "",
                "kind": claim.kind,
                "version": claim.version,
            }
        ),
        "evidence_form": EvidenceForm(),
        "link_form": LinkForm(),
    }
    context.update(extra)
    return context


def _detail_response(
    request: AuthenticatedHttpRequest, pk: int, partial: str | None = None, **extra: Any
) -> HttpResponse:
    claim = _get_or_404(selectors.claim_detail, pk)
    return _render(request, "claims_app/claim_detail.html", _detail_context(request, claim, **extra), partial)


@require_GET
def claim_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    panel = request.GET.get("panel", "") if request.htmx else ""
    return _detail_response(request, pk, panel if panel in DETAIL_PANELS else None)


@require_POST
def claim_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_review(request.user), "Only editors can review claims.")
    claim = _get_or_404(selectors.claim_ref, pk)  # the service locks and reads the row itself
    form = StatusForm(request.POST)
    target = _target(request)

    def panel_response(**extra: Any) -> HttpResponse:
        if target == f"claim-{pk}":
            return _row_response(request, pk, next=_safe_next(request), **extra)
        partial = "card" if target == "claim-card" else "status-panel"
        return _detail_response(request, pk, partial, **extra)

    if not form.is_valid():
        if request.htmx:
            return panel_response(status_error="Choose a valid status.")
        messages.error(request, "Choose a valid status.")
        return redirect(claim)
    try:
        claim = services.change_claim_status(
            claim=claim,
            user=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except services.ConflictError as exc:
        message = _conflict_message(exc.claim)
        if request.htmx:
            return panel_response(status_error=message)
        messages.error(request, message)
        return redirect(exc.claim)
    message = f"Marked “{claim.get_status_display()}”."
    if request.htmx:
        return trigger_client_event(panel_response(status_message=message), CLAIM_REVIEWED, {"id": claim.pk})
    messages.success(request, message)
    return redirect(_safe_next(request) or claim)


@require_POST
def claim_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_review(request.user), "Only editors can correct claims.")
    claim = _get_or_404(selectors.claim_detail, pk)
    form = CorrectionForm(request.POST)
    partial = "correct-panel" if request.htmx else None
    if form.is_valid():
        try:
            services.correct_claim(
                claim=claim,
                user=request.user,
                text=form.cleaned_data["text"],
                speaker_name=form.cleaned_data["speaker"],
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except services.ConflictError as exc:
            form.add_error(None, _conflict_message(exc.claim))
        except ValidationError as exc:
            form.add_error(None, _first_error(exc))
        else:
            if request.htmx:
                response = _detail_response(request, pk, partial, correction_message="Correction saved.")
                return trigger_client_event(response, CLAIM_CORRECTED, {"id": pk})
            messages.success(request, "Correction saved; it is in the history.")
            return redirect(claim)
    # Keep what the editor typed, but with the current version so a re-submit is deliberate.
    fresh = _get_or_404(selectors.claim_detail, pk)
    data = request.POST.copy()  # the form was bound to request.POST
    data["version"] = fresh.version
    form.data = data
    return _render(
        request, "claims_app/claim_detail.html", _detail_context(request, fresh, correction_form=form), partial
    )


@require_POST
def claim_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_review(request.user), "Only editors can reject claims.")
    claim = _get_or_404(selectors.claim_detail, pk)
    form = RejectForm(request.POST)
    form.is_valid()
    restore = "restore" in request.POST
    services.set_claim_rejected(
        claim=claim, user=request.user, rejected=not restore, note=form.cleaned_data.get("note", "")
    )
    message = "Restored as a claim." if restore else "Marked as not a claim; kept for extraction feedback."
    if request.htmx:
        partial = "card" if _target(request) == "claim-card" else "correct-panel"
        response = _detail_response(request, pk, partial, correction_message=message)
        return trigger_client_event(response, CLAIM_CORRECTED, {"id": pk})
    messages.success(request, message)
    return redirect(_safe_next(request) or claim)


@require_POST
def claim_add_evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_review(request.user), "Only editors can add evidence.")
    claim = _get_or_404(selectors.claim_detail, pk)
    form = EvidenceForm(request.POST)
    if form.is_valid():
        try:
            services.add_evidence(
                claim=claim, user=request.user, url=form.cleaned_data["url"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error(None, _first_error(exc))
        else:
            if request.htmx:
                response = _detail_response(request, pk, "evidence", evidence_message="Evidence added.")
                return trigger_client_event(response, EVIDENCE_ADDED, {"id": pk})
            messages.success(request, "Evidence added.")
            return redirect(claim)
    context = _detail_context(request, _get_or_404(selectors.claim_detail, pk), evidence_form=form)
    return _render(request, "claims_app/claim_detail.html", context, "evidence" if request.htmx else None)


def _links_response(
    request: AuthenticatedHttpRequest, pk: int, message: str = "", form: LinkForm | None = None
) -> HttpResponse:
    extra: dict[str, Any] = {"links_message": message}
    if form is not None:
        extra["link_form"] = form
    if request.htmx:
        response = _detail_response(request, pk, "links", **extra)
        return trigger_client_event(response, LINKS_CHANGED, {"id": pk}) if message else response
    if message:
        messages.success(request, message)
        return redirect(reverse("claims_app:claim_detail", args=[pk]) + "#links")
    return _detail_response(request, pk, None, **extra)


@require_POST
def claim_add_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_link(request.user), "Only editors can link claims.")
    claim = _get_or_404(selectors.claim_detail, pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        other = Claim.objects.filter(pk=form.cleaned_data["to_claim"]).first()
        if other is None:
            form.add_error("to_claim", "No claim has that id.")
        else:
            try:
                services.link_claims(
                    from_claim=claim,
                    to_claim=other,
                    relation=form.cleaned_data["relation"],
                    user=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                text = " ".join(exc.messages)
                form.add_error(
                    None,
                    "These claims are already linked."
                    if "pair" in text or "already" in text
                    else "A claim cannot be linked to itself."
                    if "self" in text
                    else text,
                )
            else:
                return _links_response(request, pk, f"Linked to claim {other.pk}.")
    return _links_response(request, pk, form=form)


@require_POST
def link_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_link(request.user), "Only editors can change links.")
    link = get_object_or_404(ClaimLink, pk=pk)
    claim_pk = _link_page_claim(request, link)
    form = RelationForm(request.POST)
    if not form.is_valid():
        return _links_response(request, claim_pk)
    services.change_link_relation(link=link, user=request.user, relation=form.cleaned_data["relation"])
    return _links_response(request, claim_pk, f"Relation changed to “{link.get_relation_display()}”.")


@require_POST
def link_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_link(request.user), "Only editors can remove links.")
    link = get_object_or_404(ClaimLink, pk=pk)
    claim_pk = _link_page_claim(request, link)
    services.remove_link(link=link, user=request.user)
    return _links_response(request, claim_pk, "Link removed.")


def _link_page_claim(request: AuthenticatedHttpRequest, link: ClaimLink) -> int:
    """The claim whose page the link was changed from (either end of the link)."""
    raw = request.POST.get("claim", "")
    return int(raw) if raw.isdigit() and int(raw) in (link.from_claim_id, link.to_claim_id) else link.from_claim_id


# ---------------------------------------------------------------- articles


@require_GET
def article_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render(request, "claims_app/article_list.html", {"page": _page(request, selectors.article_list())})


def _article_context(article: Article, **extra: Any) -> dict[str, Any]:
    claims = list(selectors.article_claims(article))
    return {
        "article": article,
        "claims": claims,
        "live_claims": [c for c in claims if not c.is_rejected],
        "paragraphs": highlighted_paragraphs(article.body, claims),
        "add_form": AddClaimForm(),
        **extra,
    }


@require_GET
def article_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    article = _get_or_404(selectors.article_detail, pk)
    partial = "body" if _target(request) == "article-body" else None
    return _render(request, "claims_app/article_detail.html", _article_context(article), partial)


@require_POST
def article_add_claim(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_review(request.user), "Only editors can add claims.")
    article = _get_or_404(selectors.article_detail, pk)
    form = AddClaimForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        start, end = data["start"], data["end"]
        try:
            if start is None or end is None or _words(article.body[start:end]) != _words(data["text"]):
                taken = article.claims.values_list("start", "end")
                start, end = services.find_span(article.body, data["text"], taken)
            claim = services.add_claim(
                article=article,
                user=request.user,
                start=start,
                end=end,
                kind=data["kind"],
                speaker_name=data["speaker"],
            )
        except ValidationError as exc:
            text = _first_error(exc)
            form.add_error(None, "That passage is already a claim." if "already exists" in text else text)
        else:
            message = f"Added claim {claim.pk}."
            if request.htmx:
                response = _render(
                    request,
                    "claims_app/article_detail.html",
                    _article_context(article, add_message=message, new_claim=claim),
                    "add-claim",
                )
                return trigger_client_event(response, ARTICLE_CHANGED, {"id": claim.pk})
            messages.success(request, message)
            return redirect(article)
    context = _article_context(article, add_form=form)
    return _render(request, "claims_app/article_detail.html", context, "add-claim" if request.htmx else None)


def _words(text: str) -> str:
    # A browser selection across paragraphs renders line breaks differently from the stored body.
    return " ".join(text.split())


@require_http_methods(["GET", "POST"])
def article_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(roles.can_upload(request.user), "Only editors can upload articles.")
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
        try:
            article = services.ingest_article(
                raw=raw,
                filename=filename,
                uploaded_by=request.user,
                overrides=services.ArticleOverrides(
                    title=form.cleaned_data["title"], url=form.cleaned_data["url"], outlet=form.cleaned_data["outlet"]
                ),
            )
        except InputRejected as exc:
            form.add_error(None, str(exc))
        except (OperationalError, InterfaceError):
            # The database went away mid-ingest (restart, failover): the transaction rolled back whole.
            logger.exception("upload failed: database unavailable", extra={"event": "ingest_db_error"})
            form.add_error(None, "The database was unavailable, so nothing was saved. Try again in a moment.")
            return _render(request, "claims_app/article_upload.html", {"form": form}, status=503)
        else:
            if article.is_duplicate:
                messages.info(request, f"Already filed: this is the same text as “{article.title}”. Nothing new saved.")
            else:
                messages.success(request, f"Filed “{article.title}” with {article.claims.count()} claims.")
            return redirect(article)
    return _render(request, "claims_app/article_upload.html", {"form": form, **_progress_context(request)})


def _progress_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    try:
        batch = uuid.UUID(request.GET.get("batch", "") or request.POST.get("batch", ""))
    except ValueError:
        return {"batch": None, "jobs": []}
    return _progress_context_for(batch)


@require_GET
def ingest_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The per-file progress of a bulk upload; htmx polls it every second until every file is finished."""
    _require(roles.can_upload(request.user), "Only editors can upload articles.")
    context = _progress_context(request)
    if context["batch"] is None:
        raise Http404("No such upload.")
    partial = "progress" if request.htmx else None
    return _render(request, "claims_app/article_upload.html", {"form": UploadForm(), **context}, partial)


@require_POST
def ingest_job_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_upload(request.user), "Only editors can retry uploads.")
    job = get_object_or_404(IngestJob.objects.defer("raw"), pk=pk)
    try:
        ingest_jobs.retry_job(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
    back = f"{reverse('claims_app:article_upload')}?batch={job.batch}"
    if request.htmx:
        context = {"form": UploadForm(), **_progress_context_for(job.batch)}
        return _render(request, "claims_app/article_upload.html", context, "progress")
    return redirect(back)


def _progress_context_for(batch: uuid.UUID) -> dict[str, Any]:
    jobs = list(ingest_jobs.batch_jobs(batch))
    return {
        "batch": batch,
        "jobs": jobs,
        "jobs_pending": any(not job.is_finished for job in jobs),
        "jobs_done": sum(job.is_finished for job in jobs),
    }


# ---------------------------------------------------------------- speakers


@require_GET
def speaker_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    context = {
        "page": _page(request, selectors.speaker_list(q)),
        "q": q,
        "query": f"q={q}" if q else "",
        "suggestions": list(selectors.merge_suggestions()[:20]),
    }
    partial = "speaker-results" if _target(request) == "speaker-results" else None
    return _render(request, "claims_app/speaker_list.html", context, partial)


@require_GET
def speaker_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    speaker = _get_or_404(selectors.speaker_detail, pk)
    return _render(
        request,
        "claims_app/speaker_detail.html",
        {
            "speaker": speaker,
            "page": _page(request, selectors.speaker_claims(speaker)),
            "by_month": selectors.speaker_claims_by_month(speaker),
            "suggestions": list(selectors.merge_suggestions(speaker)),
            "merges": list(selectors.speaker_merges(speaker)[:10]),
            "merge_form": MergeForm(),
        },
    )


@require_http_methods(["GET", "POST"])
def speaker_merge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET previews what would move from `other` into this speaker; POST does it."""
    _require(roles.can_merge_speakers(request.user), "Only admins can merge speakers.")
    keep = _get_or_404(selectors.speaker_detail, pk)
    form = MergeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, "Give the id of the speaker to merge into this one.")
        return redirect(keep)
    other, problem = _speaker_to_merge(keep, form.cleaned_data["other"])
    if other is None:
        messages.error(request, problem)
        return redirect(keep)
    suggestion = (
        SpeakerMergeSuggestion.objects.filter(pk=form.cleaned_data["suggestion"]).first()
        if form.cleaned_data["suggestion"]
        else None
    )
    if request.method == "POST":
        try:
            merge = services.merge_speakers(keep=keep, remove=other, user=request.user, suggestion=suggestion)
        except ValidationError as exc:
            messages.error(request, _first_error(exc))
            return redirect(keep)
        moved = len(merge.snapshot["claim_ids"])
        messages.success(request, f"Merged “{merge.removed_name}” into “{keep.name}”: {moved} claim(s) moved.")
        return redirect(keep)
    return _render(
        request,
        "claims_app/speaker_merge.html",
        {"preview": selectors.merge_preview(keep, other), "suggestion": suggestion},
    )


def _speaker_to_merge(keep: Speaker, wanted: str) -> tuple[Speaker | None, str]:
    """The speaker an admin means by an id or an exact name/alias, or why it is not clear."""
    wanted = wanted.strip().lstrip("#")
    candidates = Speaker.objects.prefetch_related("aliases").exclude(pk=keep.pk)
    if wanted.isdigit():
        matches = list(candidates.filter(pk=int(wanted)))
    else:
        matching = Speaker.objects.filter(Q(name__iexact=wanted) | Q(aliases__alias__iexact=wanted)).values("pk")
        matches = list(candidates.filter(pk__in=matching)[:5])
    if len(matches) == 1:
        return matches[0], ""
    if not matches:
        return None, f"Choose another existing speaker to merge; nothing matches “{wanted}”."
    ids = ", ".join(f"#{s.pk} {s.name}" for s in matches)
    return None, f"Several speakers match “{wanted}” ({ids}); give the id."


@require_POST
def speaker_merge_undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_merge_speakers(request.user), "Only admins can undo merges.")
    merge = get_object_or_404(SpeakerMerge, pk=pk)
    try:
        restored = services.undo_speaker_merge(merge=merge, user=request.user)
    except ValidationError as exc:
        messages.error(request, _first_error(exc))
        return redirect(merge.kept)
    messages.success(request, f"Undone: “{restored.name}” is back with its claims and aliases.")
    return redirect(restored)


@require_POST
def merge_suggestion_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(roles.can_merge_speakers(request.user), "Only admins can dismiss merge suggestions.")
    suggestion = get_object_or_404(SpeakerMergeSuggestion, pk=pk)
    services.dismiss_merge_suggestion(suggestion=suggestion, user=request.user)
    if request.htmx:
        return HttpResponse("")  # the row swaps itself away
    messages.success(request, "Suggestion dismissed.")
    return redirect(_safe_next(request) or reverse("claims_app:speaker_list"))
