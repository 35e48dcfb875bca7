"""The one schema.org ClaimReview builder: the JSON-LD export (api/exports.py) and the public fact-check page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from claims_app.models import Claim, PublishedFactCheck, WorkflowSettings

# Verdicts a ClaimReview is written for; the labels and numbers come from WorkflowSettings (Django admin).
RATED = frozenset(Claim.Status) - {Claim.Status.UNREVIEWED}


def rating(workflow: WorkflowSettings, status: str) -> tuple[int, str]:
    """(ratingValue, alternateName) for a verdict on the desk's scale."""
    return getattr(workflow, f"{status}_rating"), getattr(workflow, f"{status}_label")


def _creative_work(article: Any, request: HttpRequest | None) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "headline": article.title}
    if article.url:
        work["url"] = article.url
    elif request is not None:
        work["url"] = request.build_absolute_uri(article.get_absolute_url())
    if article.published_at:
        work["datePublished"] = article.published_at.isoformat()
    if article.outlet:
        work["publisher"] = {"@type": "Organization", "name": article.outlet}
    return work


def organisation(workflow: WorkflowSettings) -> dict[str, Any]:
    """The desk as a schema.org Organization (name, and url and logo when set in admin)."""
    result: dict[str, Any] = {"@type": "Organization", "name": workflow.organisation_name}
    if workflow.organisation_url:
        result["url"] = workflow.organisation_url
    if workflow.organisation_logo_url:
        result["logo"] = workflow.organisation_logo_url
    return result


def claim_review(
    claim: Claim,
    request: HttpRequest | None,
    workflow: WorkflowSettings,
    published: PublishedFactCheck | None = None,
) -> dict[str, Any]:
    """A schema.org ClaimReview for a claim with a verdict, on the desk's rating scale.

    With `published`, the text, speaker, verdict and dates are the published snapshot's and the url is the
    public fact-check page; without it, the claim as it is now, pointing at the desk's claim page.
    """
    if published is not None:
        text, speaker_name, speaker_kind = published.claim_text, published.speaker_name, published.speaker_kind
        value, label = published.rating_value, published.rating_label
        best, worst = published.best_rating, published.worst_rating
        path = published.get_absolute_url()
    else:
        text = claim.text
        speaker_name = claim.speaker.name if claim.speaker else ""
        speaker_kind = claim.speaker.kind if claim.speaker else ""
        value, label = rating(workflow, claim.status)
        best, worst = workflow.best_rating, workflow.worst_rating
        path = claim.get_absolute_url()
    # A public page must not point readers at the desk's own article pages (they need a login): without the
    # article's own url, its appearance has none.
    work_request = request if published is None else None
    author: dict[str, Any] = {"@type": "Person" if speaker_kind == "person" else "Organization"}
    author["name"] = speaker_name or "Unknown"
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": author,
        "appearance": _creative_work(claim.article, work_request),
    }
    if claim.article.published_at:
        item["datePublished"] = claim.article.published_at.isoformat()
    origin = claim.statement_origin
    if origin is not None and origin.first_article is not None:
        item["firstAppearance"] = _creative_work(origin.first_article, work_request)
    else:
        item["firstAppearance"] = item["appearance"]
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "url": request.build_absolute_uri(path) if request else path,
        "claimReviewed": text,
        "itemReviewed": item,
        "author": organisation(workflow),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": best,
            "worstRating": worst,
            "alternateName": label,
        },
    }
    if published is not None:
        review["datePublished"] = published.published_at.isoformat()
        review["dateModified"] = published.updated_at.isoformat()
    else:
        review["datePublished"] = timezone.localdate(claim.reviewed_at or claim.created_at).isoformat()
    return review
