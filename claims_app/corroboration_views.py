"""Claim-page actions for corroboration: accept or dismiss a suggested link, and edit the claim's origin.

Same pattern as views.py: permission check, call a service, then the panel partial for htmx (announcing the
change with HX-Trigger so the head and list badges refresh) or POST/redirect/GET without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from claims_app import corroboration_services, roles, views
from claims_app.forms import OriginForm, SuggestionDecisionForm
from claims_app.http import AuthenticatedHttpRequest
from claims_app.models import Claim, StatementOrigin

ORIGIN_CHANGED = "originChanged"


def _claim(pk: int) -> Claim:
    return views._get_or_404(lambda key: Claim.objects.select_related("speaker", "article").get(pk=key), pk)


@require_POST
def suggestion_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    views._require(roles.can_link(request.user), "Only editors can link claims.")
    claim = _claim(pk)
    form = SuggestionDecisionForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["relation"]:
        return views._links_response(request, pk)
    candidate = get_object_or_404(Claim, pk=form.cleaned_data["candidate"])
    try:
        corroboration_services.accept_link_suggestion(
            claim=claim,
            candidate=candidate,
            relation=form.cleaned_data["relation"],
            user=request.user,
            score=form.cleaned_data["score"],
            relation_guess=form.cleaned_data["relation_guess"],
        )
    except ValidationError:
        return views._links_response(request, pk, f"Claim {candidate.pk} is already linked.")
    return views._links_response(request, pk, f"Linked to claim {candidate.pk}.")


@require_POST
def suggestion_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    views._require(roles.can_link(request.user), "Only editors can dismiss suggestions.")
    claim = _claim(pk)
    form = SuggestionDecisionForm(request.POST)
    if form.is_valid():
        candidate = get_object_or_404(Claim, pk=form.cleaned_data["candidate"])
        corroboration_services.dismiss_link_suggestion(
            claim=claim,
            candidate=candidate,
            user=request.user,
            score=form.cleaned_data["score"],
            relation_guess=form.cleaned_data["relation_guess"],
        )
    if request.htmx:
        return views._detail_response(request, pk, "links", links_message="Suggestion dismissed.")
    messages.success(request, "Suggestion dismissed; it will not be suggested again.")
    return redirect(reverse("claims_app:claim_detail", args=[pk]) + "#links")


@require_POST
def claim_origin(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Accept the suggested origin, join an origin by id, start a new one, or leave the origin."""
    views._require(roles.can_link(request.user), "Only editors can edit origins.")
    claim = _claim(pk)
    form = OriginForm(request.POST)
    message, error = "", ""
    if not form.is_valid():
        error = "Choose what to do with the origin."
    else:
        data = form.cleaned_data
        action = data["action"]
        try:
            if action == "accept":
                origin = StatementOrigin.objects.filter(pk=data["origin"]).first() if data["origin"] else None
                origin = corroboration_services.accept_origin_suggestion(
                    claim=claim, peer_ids=data["peers"], user=request.user, medium=data["medium"], origin=origin
                )
                message = f"Grouped under origin #{origin.pk}."
            elif action == "join":
                origin = StatementOrigin.objects.filter(pk=data["origin"]).first() if data["origin"] else None
                if origin is None:
                    raise ValidationError("No origin has that id.")
                corroboration_services.set_statement_origin(
                    claims=[claim], origin=origin, user=request.user, note=data["note"]
                )
                message = f"Moved to origin #{origin.pk}."
            elif action == "new":
                origin = corroboration_services.create_origin(
                    user=request.user,
                    speaker=claim.speaker,
                    medium=data["medium"],
                    first_article=claim.article,
                    note=data["note"],
                )
                corroboration_services.set_statement_origin(
                    claims=[claim], origin=origin, user=request.user, note=data["note"]
                )
                message = f"Started origin #{origin.pk}."
            else:
                corroboration_services.set_statement_origin(
                    claims=[claim], origin=None, user=request.user, note=data["note"]
                )
                message = "Removed from its origin."
        except ValidationError as exc:
            error = views._first_error(exc)
    if request.htmx:
        response = views._detail_response(request, pk, "origin-panel", origin_message=message, origin_error=error)
        return trigger_client_event(response, ORIGIN_CHANGED, {"id": pk}) if message else response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, message)
    return redirect(reverse("claims_app:claim_detail", args=[pk]) + "#origin-panel")
