"""Function views: parse the request, call a selector or service, render. Permission checks live here.

With htmx, a view renders only the partial the request targets (`HX-Target`, read by htmx.partial_for) and
announces what changed through `HX-Trigger` so other panels refresh themselves; without JavaScript the same URLs
do POST/redirect/GET.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET, require_POST

from claims_app import roles
from claims_app.models import Article, Claim, ClaimStatusChange
from claims_app.review import feedback, rows, selectors, services, tagging
from claims_app.review.claim_page import PANEL_TARGETS, detail_context, detail_response, panel_claim
from claims_app.review.forms import (
    AddClaimForm,
    AssignForm,
    BulkAssignForm,
    BulkStatusForm,
    BulkTagForm,
    ClaimFilterForm,
    CorrectionForm,
    EvidenceForm,
    RejectForm,
    StatusForm,
    TagForm,
)
from claims_app.review.highlighting import highlighted_paragraphs
from claims_app.speakers import selectors as speakers_selectors
from claims_app.web import events, htmx
from claims_app.web.request import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------- helpers


def _conflict_message(claim: Claim) -> str:
    """Tell the editor what the other person did, so they can decide whether to re-apply their change."""
    # Comments are discussion, not a change someone made to the claim.
    entries = selectors.claim_history(selectors.claim_detail(claim.pk, ("history",)))
    history = [e for e in entries if e.kind != "comment"]
    other = ""
    if history:
        entry = history[0]
        who = entry.who or "someone"
        ago = timesince(entry.when)
        change = entry.change
        if isinstance(change, ClaimStatusChange):
            other = f" {who} marked it “{change.get_new_status_display()}” {ago} ago"
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
    return htmx.render(
        request,
        "claims_app/home.html",
        {
            "status_counts": selectors.status_counts(),
            "articles": selectors.article_list()[:5],
            "assigned": selectors.assigned_to(request.user),
            "waiting": selectors.waiting_for_review(),
            "activity": selectors.recent_activity(),
            "open_suggestions": speakers_selectors.merge_suggestions().count(),
        },
    )


# ---------------------------------------------------------------- claim list


@require_GET
def claim_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ClaimFilterForm(request.GET, outlets=selectors.outlets(), user=request.user)
    filters = form.filters()
    page = selectors.claim_page(filters, htmx.page_number(request), settings.CLAIMS_PAGE_SIZE, only=rows.COLUMNS)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows.claim_rows(page.object_list),
        "next": request.get_full_path(),
        "query": query.urlencode(),
        "speaker_chip": selectors.filter_speaker(filters.speaker),
        "article_chip": selectors.filter_article(filters.article),
        "origin_chip": selectors.filter_origin(filters.origin),
        "tag_filter_chips": _tag_filter_chips(query, filters.tags),
        "tag_names": selectors.tag_names() if roles.can_review(request.user) else [],
    }
    partial = htmx.partial_for(request, {"results": "results"})
    return htmx.render(request, "claims_app/claim_list.html", context, partial)


@require_GET
def extraction_precision(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Live precision per kind from editors' feedback; the claim list loads it after the page (one scan)."""
    partial = "panel" if request.htmx else None
    context = {"precision": feedback.live_precision()}
    return htmx.render(request, "claims_app/extraction_precision.html", context, partial)


def _tag_filter_chips(query: Any, tags: tuple[str, ...]) -> list[dict[str, str]]:
    """Each tag the list is filtered by, with the list's URL without it."""
    chips = []
    list_url = reverse("claims_app:claim_list")
    for name in tags:
        without = query.copy()
        without.setlist("tag", [t for t in tags if t != name])
        rest = without.urlencode()
        chips.append({"name": name, "url": rows.tag_chips([name], list_url)[0].url, "remove_url": f"{list_url}?{rest}"})
    return chips


def _row_response(request: AuthenticatedHttpRequest, pk: int, **extra: Any) -> HttpResponse:
    back = extra.pop("next", None) or request.get_full_path()
    context = {"claim": rows.claim_rows([selectors.claim_row(pk)])[0], "next": back, **extra}
    return htmx.render(request, "claims_app/claim_list.html", context, "row")


@require_POST
def claim_bulk_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can review claims.")
    form = BulkStatusForm(request.POST)
    back = htmx.safe_next(request) or reverse("claims_app:claim_list")
    if not form.is_valid():
        return _bulk_response(request, back, error="Select some claims and a status.")
    result = services.bulk_change_status(
        claim_versions=form.claim_versions(),
        user=request.user,
        status=form.cleaned_data["status"],
        note=form.cleaned_data["note"],
    )
    label = Claim.Status(form.cleaned_data["status"]).label
    changed = result.changed
    message = f"Marked {changed} claim{'s' if changed != 1 else ''} “{label}”."
    return _bulk_response(request, back, message=message, error=_bulk_conflict_message(result.conflicts))


def _bulk_response(request: AuthenticatedHttpRequest, back: str, *, message: str = "", error: str = "") -> HttpResponse:
    """The bulk bar's answer: its partial with the message and error (htmx; rows refresh when something changed),
    or both as flash messages and back to the list."""
    context = {"bulk_message": message, "bulk_error": error, "next": back}
    return htmx.answer(
        request,
        lambda: htmx.render(request, "claims_app/claim_list.html", context, "bulk-form"),
        back,
        message=message,
        error=error,
        event=events.CLAIMS_CHANGED,
    )


@require_POST
def claim_bulk_assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can assign claims.")
    form = BulkAssignForm(request.POST)
    back = htmx.safe_next(request) or reverse("claims_app:claim_list")
    message, error = "", ""
    if not form.is_valid():
        error = "Select some claims, and give a username (or leave it empty to unassign)."
    else:
        try:
            changed = services.bulk_assign(
                claim_ids=form.cleaned_data["ids"], user=request.user, assignee_username=form.cleaned_data["assignee"]
            )
        except ValidationError as exc:
            error = htmx.first_error(exc)
        else:
            who = form.cleaned_data["assignee"].strip()
            plural = "s" if changed != 1 else ""
            message = f"Assigned {changed} claim{plural} to {who}." if who else f"Unassigned {changed} claim{plural}."
    return _bulk_response(request, back, message=message, error=error)


@require_POST
def claim_bulk_tag(request: AuthenticatedHttpRequest) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can tag claims.")
    form = BulkTagForm(request.POST)
    back = htmx.safe_next(request) or reverse("claims_app:claim_list")
    message, error = "", ""
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors) or "Select some claims and a tag."
    else:
        result = tagging.bulk_tag(
            claim_ids=form.cleaned_data["ids"],
            user=request.user,
            name=form.cleaned_data["tag"],
            action=form.cleaned_data["action"],
        )
        message = tagging.describe(result)
    return _bulk_response(request, back, message=message, error=error)


def _bulk_conflict_message(conflicts: list[int]) -> str:
    if not conflicts:
        return ""
    ids = ", ".join(f"#{pk}" for pk in conflicts)
    return f"Not changed, because someone else changed them meanwhile: {ids}. Review them and try again."


# ---------------------------------------------------------------- claim detail and its panels


@require_GET
def claim_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return detail_response(request, pk, htmx.partial_for(request, PANEL_TARGETS))


@require_POST
def claim_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can review claims.")
    claim = htmx.get_or_404(selectors.claim_ref, pk)  # the service locks and reads the row itself
    form = StatusForm(request.POST)
    # From the claim list's row, the article page's card, or the claim page's status panel.
    partial = htmx.partial_for(request, {f"claim-{pk}": "row", "claim-card": "card"}, default="status-panel")

    def panel_response(**extra: Any) -> HttpResponse:
        if partial == "row":
            return _row_response(request, pk, next=htmx.safe_next(request), **extra)
        return detail_response(request, pk, partial, **extra)

    if not form.is_valid():
        error = str(next(iter(form.errors.get("version", [])), "Choose a valid status."))
        return htmx.answer(request, lambda: panel_response(status_error=error), claim, error=error)
    try:
        claim = services.change_claim_status(
            claim=claim,
            user=request.user,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except services.ConflictError as exc:
        conflict = _conflict_message(exc.claim)
        return htmx.answer(request, lambda: panel_response(status_error=conflict), exc.claim, error=conflict)
    message = f"Marked “{claim.get_status_display()}”."
    return htmx.answer(
        request,
        lambda: panel_response(status_message=message),
        htmx.safe_next(request) or claim,
        message=message,
        event=events.CLAIM_REVIEWED,
        detail={"id": claim.pk},
    )


@require_POST
def claim_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can correct claims.")
    claim = htmx.get_or_404(selectors.claim_ref, pk)  # the service locks and reads the row itself
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
            form.add_error(None, htmx.first_error(exc))
        else:
            return htmx.answer(
                request,
                lambda: detail_response(request, pk, partial, correction_message="Correction saved."),
                claim,
                message="Correction saved; it is in the history.",
                event=events.CLAIM_CORRECTED,
                detail={"id": pk},
            )
    # Keep what the editor typed, but with the current version so a re-submit is deliberate.
    fresh = panel_claim(pk, partial)
    data = request.POST.copy()  # the form was bound to request.POST
    data["version"] = str(fresh.version)
    form.data = data
    return htmx.render(
        request, "claims_app/claim_detail.html", detail_context(request, fresh, partial, correction_form=form), partial
    )


@require_POST
def claim_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can reject claims.")
    claim = htmx.get_or_404(selectors.claim_ref, pk)  # the service locks and reads the row itself
    form = RejectForm(request.POST)
    form.is_valid()
    restore = "restore" in request.POST
    services.set_claim_rejected(
        claim=claim, user=request.user, rejected=not restore, note=form.cleaned_data.get("note", "")
    )
    message = "Restored as a claim." if restore else "Marked as not a claim; kept for extraction feedback."
    partial = htmx.partial_for(request, {"claim-card": "card"}, default="correct-panel")
    return htmx.answer(
        request,
        lambda: detail_response(request, pk, partial, correction_message=message),
        htmx.safe_next(request) or claim,
        message=message,
        event=events.CLAIM_CORRECTED,
        detail={"id": pk},
    )


@require_POST
def claim_add_evidence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can add evidence.")
    claim = htmx.get_or_404(selectors.claim_ref, pk)  # the evidence row needs only its claim's id
    form = EvidenceForm(request.POST)
    if form.is_valid():
        try:
            services.add_evidence(
                claim=claim, user=request.user, url=form.cleaned_data["url"], note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form.add_error(None, htmx.first_error(exc))
        else:
            return htmx.answer(
                request,
                lambda: detail_response(request, pk, "evidence", evidence_message="Evidence added."),
                claim,
                message="Evidence added.",
                event=events.EVIDENCE_ADDED,
                detail={"id": pk},
            )
    partial = "evidence" if request.htmx else None
    context = detail_context(request, panel_claim(pk, partial), partial, evidence_form=form)
    return htmx.render(request, "claims_app/claim_detail.html", context, partial)


@require_POST
def claim_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can assign claims.")
    claim = htmx.get_or_404(selectors.claim_ref, pk)
    form = AssignForm(request.POST)
    partial = "assign-panel" if request.htmx else None
    if form.is_valid():
        who = form.cleaned_data["assignee"].strip()
        try:
            services.assign_claim(claim=claim, user=request.user, assignee_username=who, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error("assignee", htmx.first_error(exc))
        else:
            message = f"Assigned to {who}." if who else "Unassigned."
            return htmx.answer(
                request,
                lambda: detail_response(request, pk, partial, assign_message=message),
                htmx.safe_next(request) or claim,
                message=message,
                event=events.CLAIM_ASSIGNED,
                detail={"id": pk},
            )
    error = str(next(iter(form.errors.get("assignee", [])), "Not assigned."))
    return htmx.answer(request, lambda: detail_response(request, pk, partial, assign_form=form), claim, error=error)


def _claim_tag(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can tag claims.")
    claim = htmx.get_or_404(selectors.claim_ref, pk)
    form = TagForm(request.POST)
    partial = "tags-panel" if request.htmx else None
    message, error = "", ""
    if not form.is_valid():
        error = str(next(iter(form.errors.get("tag", [])), "Give the tag a name."))
    else:
        change = tagging.add_tag if action == tagging.ADD else tagging.remove_tag
        result = change(claim=claim, user=request.user, name=form.cleaned_data["tag"])
        if result.action == tagging.ADD:
            message = f"Tagged “{result.tag}”." if result.changed else f"Already tagged “{result.tag}”."
        else:
            message = f"Removed “{result.tag}”." if result.changed else f"It was not tagged “{result.tag}”."
    return htmx.answer(
        request,
        lambda: detail_response(request, pk, partial, tag_message=message, tag_error=error),
        htmx.safe_next(request) or claim,
        message=message,
        error=error,
        event=events.CLAIM_TAGGED,
        detail={"id": pk},
    )


@require_POST
def claim_tag_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _claim_tag(request, pk, tagging.ADD)


@require_POST
def claim_tag_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _claim_tag(request, pk, tagging.REMOVE)


# ---------------------------------------------------------------- articles


@require_GET
def article_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return htmx.render(
        request, "claims_app/article_list.html", {"page": htmx.paginate(request, selectors.article_list())}
    )


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
    article = htmx.get_or_404(selectors.article_detail, pk)
    partial = htmx.partial_for(request, {"article-body": "body"})
    return htmx.render(request, "claims_app/article_detail.html", _article_context(article), partial)


@require_POST
def article_add_claim(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can add claims.")
    article = htmx.get_or_404(selectors.article_detail, pk)
    form = AddClaimForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        start, end = data["start"], data["end"]
        try:
            if start is None or end is None or _words(article.body[start:end]) != _words(data["text"]):
                start, end = services.find_span(article.body, data["text"], selectors.claim_spans(article))
            claim = services.add_claim(
                article=article,
                user=request.user,
                start=start,
                end=end,
                kind=data["kind"],
                speaker_name=data["speaker"],
            )
        except ValidationError as exc:
            form.add_error(None, htmx.first_error(exc))  # duplicate_span and not_found carry the editor's wording
        else:
            message = f"Added claim {claim.pk}."
            context = _article_context(article, add_message=message, new_claim=claim)
            return htmx.answer(
                request,
                lambda: htmx.render(request, "claims_app/article_detail.html", context, "add-claim"),
                article,
                message=message,
                event=events.ARTICLE_CHANGED,
                detail={"id": claim.pk},
            )
    context = _article_context(article, add_form=form)
    return htmx.render(request, "claims_app/article_detail.html", context, "add-claim" if request.htmx else None)


def _words(text: str) -> str:
    # A browser selection across paragraphs renders line breaks differently from the stored body.
    return " ".join(text.split())


# ---------------------------------------------------------------- speakers
