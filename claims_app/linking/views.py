"""Claim-page actions for corroboration: accept or dismiss a suggested link, and edit the claim's origin.

Same pattern as views.py: permission check, call a service, then the panel partial for htmx (announcing the
change with HX-Trigger so the head and list badges refresh) or POST/redirect/GET without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from claims_app import roles
from claims_app.linking import selectors, services
from claims_app.linking.forms import LinkForm, OriginForm, RelationForm, SuggestionDecisionForm
from claims_app.models import Claim, ClaimLink, StatementOrigin
from claims_app.review import selectors as review_selectors
from claims_app.review.claim_page import detail_response
from claims_app.web import events, htmx, params
from claims_app.web.request import AuthenticatedHttpRequest


@require_POST
def suggestion_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_link(request.user), "Only editors can link claims.")
    claim = htmx.get_or_404(selectors.claim_with_article, pk)
    form = SuggestionDecisionForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["relation"]:
        return _links_response(request, pk)
    candidate = htmx.get_or_404(selectors.claim_by_id, form.cleaned_data["candidate"])
    try:
        services.accept_link_suggestion(
            claim=claim,
            candidate=candidate,
            relation=form.cleaned_data["relation"],
            user=request.user,
            score=form.cleaned_data["score"],
            relation_guess=form.cleaned_data["relation_guess"],
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "already_linked":
            return _links_response(request, pk, f"Claim {candidate.pk} is already linked.")
        return _links_response(request, pk, htmx.first_error(exc))
    return _links_response(request, pk, f"Linked to claim {candidate.pk}.")


@require_POST
def suggestion_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_link(request.user), "Only editors can dismiss suggestions.")
    claim = htmx.get_or_404(selectors.claim_with_article, pk)
    form = SuggestionDecisionForm(request.POST)
    if form.is_valid():
        candidate = htmx.get_or_404(selectors.claim_by_id, form.cleaned_data["candidate"])
        services.dismiss_link_suggestion(
            claim=claim,
            candidate=candidate,
            user=request.user,
            score=form.cleaned_data["score"],
            relation_guess=form.cleaned_data["relation_guess"],
        )
    return htmx.answer(
        request,
        lambda: detail_response(request, pk, "links", links_message="Suggestion dismissed."),
        reverse("claims_app:claim_detail", args=[pk]) + "#links",
        message="Suggestion dismissed; it will not be suggested again.",
    )


@require_POST
def claim_origin(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Accept the suggested origin, join an origin by id, start a new one, or leave the origin."""
    htmx.require(roles.can_link(request.user), "Only editors can edit origins.")
    claim = htmx.get_or_404(selectors.claim_with_article, pk)
    form = OriginForm(request.POST)
    message, error = "", ""
    if not form.is_valid():
        error = "Choose what to do with the origin."
    else:
        data = form.cleaned_data
        action = data["action"]
        try:
            if action == "accept":
                origin = services.accept_origin_suggestion(
                    claim=claim,
                    peer_ids=data["peers"],
                    user=request.user,
                    medium=data["medium"],
                    origin=selectors.origin_or_none(data["origin"]),
                )
                message = f"Grouped under origin #{origin.pk}."
            elif action == "join":
                joined = selectors.origin_or_none(data["origin"])
                if joined is None:
                    raise ValidationError("No origin has that id.")
                services.set_statement_origin(claims=[claim], origin=joined, user=request.user, note=data["note"])
                message = f"Moved to origin #{joined.pk}."
            elif action == "new":
                origin = services.create_origin(
                    user=request.user,
                    speaker=claim.speaker,
                    medium=data["medium"],
                    first_article=claim.article,
                    note=data["note"],
                )
                services.set_statement_origin(claims=[claim], origin=origin, user=request.user, note=data["note"])
                message = f"Started origin #{origin.pk}."
            else:
                services.set_statement_origin(claims=[claim], origin=None, user=request.user, note=data["note"])
                message = "Removed from its origin."
        except ValidationError as exc:
            error = htmx.first_error(exc)
    return _origin_response(request, pk, message, error)


@require_POST
def claim_origin_undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Undo an automatically traced origin (one click); the pairing never comes back."""
    htmx.require(roles.can_link(request.user), "Only editors can edit origins.")
    claim = htmx.get_or_404(selectors.claim_with_article, pk)
    message, error = "", ""
    try:
        services.undo_automatic_origin(claim=claim, user=request.user)
        message = "Automatic origin undone; these claims will not be paired again."
    except ValidationError as exc:
        error = htmx.first_error(exc)
    return _origin_response(request, pk, message, error)


def _origin_response(request: AuthenticatedHttpRequest, pk: int, message: str, error: str) -> HttpResponse:
    """The origin panel after a change (htmx), or back to the claim page with the outcome as a message."""
    return htmx.answer(
        request,
        lambda: detail_response(request, pk, "origin-panel", origin_message=message, origin_error=error),
        reverse("claims_app:claim_detail", args=[pk]) + "#origin-panel",
        message=message,
        error=error,
        event=events.ORIGIN_CHANGED,
        detail={"id": pk},
    )


def _links_response(
    request: AuthenticatedHttpRequest, pk: int, message: str = "", form: LinkForm | None = None
) -> HttpResponse:
    extra: dict[str, Any] = {"links_message": message}
    if form is not None:
        extra["link_form"] = form
    if not request.htmx and not message:
        return detail_response(request, pk, None, **extra)  # the link form's errors, on the whole page
    return htmx.answer(
        request,
        lambda: detail_response(request, pk, "links", **extra),
        reverse("claims_app:claim_detail", args=[pk]) + "#links",
        message=message,
        event=events.LINKS_CHANGED,
        detail={"id": pk},
    )


@require_POST
def claim_add_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_link(request.user), "Only editors can link claims.")
    claim = htmx.get_or_404(review_selectors.claim_detail, pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            other = selectors.claim_by_id(form.cleaned_data["to_claim"])
        except Claim.DoesNotExist:
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
                form.add_error(None, " ".join(exc.messages))  # the service words self_link and already_linked
            else:
                return _links_response(request, pk, f"Linked to claim {other.pk}.")
    return _links_response(request, pk, form=form)


@require_POST
def link_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_link(request.user), "Only editors can change links.")
    link = htmx.get_or_404(selectors.link, pk)
    claim_pk = _link_page_claim(request, link)
    form = RelationForm(request.POST)
    if not form.is_valid():
        return _links_response(request, claim_pk)
    services.change_link_relation(link=link, user=request.user, relation=form.cleaned_data["relation"])
    return _links_response(request, claim_pk, f"Relation changed to “{link.get_relation_display()}”.")


@require_POST
def link_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_link(request.user), "Only editors can remove links.")
    link = htmx.get_or_404(selectors.link, pk)
    claim_pk = _link_page_claim(request, link)
    services.remove_link(link=link, user=request.user)
    return _links_response(request, claim_pk, "Link removed.")


def _link_page_claim(request: AuthenticatedHttpRequest, link: ClaimLink) -> int:
    """The claim whose page the link was changed from (either end of the link)."""
    wanted = params.positive_int(request.POST.get("claim"))
    return wanted if wanted in (link.from_claim_id, link.to_claim_id) else link.from_claim_id


def origin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One statement origin: the original statement, every repeat in date order, related origins, a timeline."""
    try:
        page = selectors.origin_page(pk)
    except StatementOrigin.DoesNotExist:
        raise Http404("No such origin.") from None
    return TemplateResponse(request, "claims_app/origin_detail.html", {"page": page, "origin": page.origin})
