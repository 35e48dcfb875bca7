"""Publish and unpublish (editors, on the claim page) and the public fact-check pages (no login).

The public views are the only ones marked `login_not_required` besides login and logout: anyone may read a
live fact-check, and nothing else of the desk; an unpublished claim is a 404 to everyone there.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from claims_app import roles
from claims_app.models import Claim, PublishedFactCheck, WorkflowSettings
from claims_app.publishing import selectors, services
from claims_app.publishing.claim_review import claim_review, organisation
from claims_app.publishing.feeds import FactCheckFeed
from claims_app.publishing.forms import PublishForm
from claims_app.web import events, htmx
from claims_app.web.request import AuthenticatedHttpRequest
from claims_app.web.script_safe import ld_json_script

PAGE_SIZE = 20


# ---------------------------------------------------------------- editors: the claim page's publish panel


def _panel_response(request: AuthenticatedHttpRequest, pk: int, **extra: Any) -> HttpResponse:
    claim = htmx.get_or_404(selectors.claim_for_publication, pk)
    context = {"claim": claim, "publication": selectors.publication(claim), **extra}
    return htmx.render(request, "claims_app/claim_detail.html", context, "publish-panel")


def _done(request: AuthenticatedHttpRequest, claim: Claim, *, message: str = "", error: str = "") -> HttpResponse:
    return htmx.answer(
        request,
        lambda: _panel_response(request, claim.pk, publish_message=message, publish_error=error),
        claim,
        message=message,
        error=error,
        event=events.CLAIM_PUBLISHED,
        detail={"id": claim.pk},
    )


@require_POST
def claim_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can publish fact-checks.")
    claim = htmx.get_or_404(selectors.claim_for_publication, pk)
    was_live = selectors.publication(claim).is_live
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _done(request, claim, error=str(form.errors["version"][0]))
    try:
        services.publish_claim(claim=claim, user=request.user, expected_version=form.cleaned_data["version"])
    except ValidationError as exc:
        return _done(request, claim, error=htmx.first_error(exc))
    return _done(request, claim, message=f"{'Updated' if was_live else 'Published'} the public fact-check.")


@require_POST
def claim_unpublish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    htmx.require(roles.can_review(request.user), "Only editors can unpublish fact-checks.")
    claim = htmx.get_or_404(selectors.claim_for_publication, pk)
    try:
        services.unpublish_claim(claim=claim, user=request.user)
    except ValidationError as exc:
        return _done(request, claim, error=htmx.first_error(exc))
    return _done(request, claim, message="Unpublished: the public page is gone.")


# ---------------------------------------------------------------- public pages (no login)


@login_not_required
@require_GET
def fact_check_list(request: HttpRequest) -> HttpResponse:
    page = htmx.paginate(request, selectors.live_fact_checks(), PAGE_SIZE)  # type: ignore[arg-type]
    context = {"page": page, "organisation": WorkflowSettings.load()}
    return htmx.render(request, "claims_app/fact_check_list.html", context)  # type: ignore[arg-type]


@login_not_required
@require_GET
def fact_check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        fact_check = selectors.fact_check_page(pk)
    except PublishedFactCheck.DoesNotExist:
        raise Http404("No published fact-check for that claim.") from None
    workflow = WorkflowSettings.load()
    review = {"@context": "https://schema.org", **claim_review(fact_check.claim, request, workflow, fact_check)}
    context = {
        "fact_check": fact_check,
        "claim": fact_check.claim,
        "organisation": organisation(workflow),
        "claim_review_script": ld_json_script(review),
    }
    return htmx.render(request, "claims_app/fact_check_detail.html", context)  # type: ignore[arg-type]


fact_check_feed = login_not_required(FactCheckFeed())
