"""The claim page: its context and the partial an htmx request asks for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse

from claims_app import roles
from claims_app.discussion import selectors as discussion_selectors
from claims_app.discussion.forms import CommentForm
from claims_app.linking import origins, suggestions
from claims_app.linking import selectors as linking_selectors
from claims_app.linking.forms import LinkForm
from claims_app.models import Claim, ClaimLink
from claims_app.publishing import selectors as publishing_selectors
from claims_app.review import rows, selectors
from claims_app.review.forms import (
    AssignForm,
    CorrectionForm,
    EvidenceForm,
)
from claims_app.review.highlighting import claim_context
from claims_app.speakers import selectors as speakers_selectors
from claims_app.web import htmx, params
from claims_app.web.request import AuthenticatedHttpRequest


def _head(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    return {"claim": claim}


def _correction(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    initial = {
        "text": claim.text,
        "speaker": claim.speaker.name if claim.speaker else "",
        "kind": claim.kind,
        "version": claim.version,
    }
    return {"claim": claim, "correction_form": CorrectionForm(initial=initial)}


def _history(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    return {"claim": claim, "history": selectors.claim_history(claim)}


def _assign(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    initial = {"assignee": claim.assignee.get_username() if claim.assignee else ""}
    return {"claim": claim, "assign_form": AssignForm(initial=initial), "assignable": selectors.assignable_users()}


def _tags(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    return {
        "claim": claim,
        "tag_chips": rows.tag_chips(t.name for t in claim.tags.all()),
        # The add form's <datalist>: only editors see the form.
        "tag_names": selectors.tag_names() if roles.can_review(request.user) else [],
    }


def _evidence(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    return {"claim": claim, "evidence_form": EvidenceForm()}


def _comments(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    return {"claim": claim, "comments": discussion_selectors.claim_comments(claim), "comment_form": CommentForm()}


def _link_results(request: AuthenticatedHttpRequest, claim: Claim, links: list[Any] | None = None) -> dict[str, Any]:
    # Each result carries a Link form with a relation <select>, so the panel needs the relation choices too.
    link_q = params.clean_text(request.GET.get("link_q"))
    context: dict[str, Any] = {"claim": claim, "link_q": link_q, "relations": ClaimLink.Relation.choices}
    if not link_q:
        return {**context, "link_results": []}
    linked_ids = {item.other.pk for item in (links if links is not None else linking_selectors.claim_links(claim))}
    return {**context, "link_results": selectors.link_candidates(claim, link_q, linked_ids)}


def _links(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    links = linking_selectors.claim_links(claim)
    suggested, embedding_pending = suggestions.suggestions_and_pending(claim)
    return {
        "claim": claim,
        "links": links,
        "link_form": LinkForm(),
        "relations": ClaimLink.Relation.choices,
        "suggested": suggested,
        "embedding_pending": embedding_pending,
        **_link_results(request, claim, links),
    }


def _origin(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    return {
        "claim": claim,
        "origin_suggestion": origins.suggest_origin(claim),
        "origin_claims": origins.origin_claims(claim.statement_origin),
    }


def _publish(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    return {"claim": claim, "publication": publishing_selectors.publication(claim)}


def _page(request: AuthenticatedHttpRequest, claim: Claim) -> dict[str, Any]:
    """The whole page: every panel plus what only the full page shows."""
    context: dict[str, Any] = {}
    for build in (_head, _tags, _assign, _correction, _history, _comments, _evidence, _links, _origin, _publish):
        context.update(build(request, claim))
    context["context_segments"] = claim_context(claim.article.body, claim)
    context["speaker_claim_count"] = speakers_selectors.speaker_claim_count(claim.speaker)
    return context


# Each panel's own context builder: a refresh of one panel builds only what that panel shows.
PANELS: dict[str, Callable[[AuthenticatedHttpRequest, Claim], dict[str, Any]]] = {
    "head": _head,
    "status-panel": _head,
    "card": _head,
    "assign-panel": _assign,
    "tags-panel": _tags,
    "correct-panel": _correction,
    "history": _history,
    "evidence": _evidence,
    "links": _links,
    "link-results": _link_results,
    "origin-panel": _origin,
    "publish-panel": _publish,
}


# The element a claim-page request swaps (its id, sent as HX-Target) -> the panel that answers it.
PANEL_TARGETS: dict[str, str] = {
    "claim-head": "head",
    "status-panel": "status-panel",
    "tags-panel": "tags-panel",
    "assign-panel": "assign-panel",
    "correct-panel": "correct-panel",
    "history": "history",
    "evidence": "evidence",
    "links": "links",
    "link-results": "link-results",
    "origin-panel": "origin-panel",
    "publish-panel": "publish-panel",
    "claim-card": "card",
    "claim-panel": "card",  # the article page's side panel, which the card fills
}


def detail_context(
    request: AuthenticatedHttpRequest, claim: Claim, partial: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The context of one panel (`partial`) or, without one, of the whole claim page; `extra` wins."""
    build = PANELS.get(partial or "", _page)
    return {**build(request, claim), **extra}


# The related rows (selectors.CLAIM_RELATIONS) each panel's markup reads; a panel not listed, and the whole page,
# get them all.
PANEL_RELATIONS: dict[str, tuple[str, ...]] = {
    "head": (),
    "status-panel": (),
    "card": (),
    "assign-panel": (),
    "correct-panel": (),
    "tags-panel": ("tags",),
    "history": ("history",),
    "evidence": ("evidence",),
}


def panel_claim(pk: int, partial: str | None) -> Claim:
    """The claim for one panel (`partial`) or the whole page, with only the related rows that shows; 404 if none."""
    relations = PANEL_RELATIONS.get(partial or "", selectors.CLAIM_RELATIONS)
    return htmx.get_or_404(lambda key: selectors.claim_detail(key, relations), pk)


def detail_response(
    request: AuthenticatedHttpRequest, pk: int, partial: str | None = None, **extra: Any
) -> HttpResponse:
    claim = panel_claim(pk, partial)
    return htmx.render(
        request, "claims_app/claim_detail.html", detail_context(request, claim, partial, **extra), partial
    )
