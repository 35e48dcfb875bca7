"""Publishing reads: the live fact-checks for the public pages and feed, and a claim's publication state."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest

from claims_app.models import CLAIM_INDEX_ONLY, Claim, PublishedFactCheck

# What a public page never shows: the claim's index columns and the articles' bodies and uploads.
_HEAVY = (
    *(f"claim__{column}" for column in CLAIM_INDEX_ONLY),
    "claim__article__body",
    "claim__article__raw",
    "claim__article__boilerplate_removed",
)


def live_fact_checks() -> QuerySet[PublishedFactCheck]:
    """Published fact-checks, newest first, with the claim and the article it appeared in (one query)."""
    return (
        PublishedFactCheck.objects.filter(is_live=True)
        .select_related("claim__article")
        .defer(*_HEAVY)
        .order_by("-published_at", "-pk")
    )


def fact_check_page(claim_id: int) -> PublishedFactCheck:
    """The live fact-check of a claim with what its public page shows; DoesNotExist when not published."""
    return (
        PublishedFactCheck.objects.filter(is_live=True)
        .select_related("claim__article", "claim__statement_origin__first_article")
        .defer(*_HEAVY, "claim__statement_origin__first_article__body", "claim__statement_origin__first_article__raw")
        .get(claim_id=claim_id)
    )


@dataclass(frozen=True, slots=True)
class Publication:
    """A claim's publication state as its claim page shows it."""

    fact_check: PublishedFactCheck | None
    verdict_changed: bool  # the live page shows another verdict than the claim has now
    claim_changed: bool  # reviewed, corrected or given other evidence since publishing

    @property
    def is_live(self) -> bool:
        return self.fact_check is not None and self.fact_check.is_live


def publication(claim: Claim) -> Publication:
    """The claim's publication state; reads `claim.published_fact_check` (select_related by claim_detail)."""
    fact_check: PublishedFactCheck | None = getattr(claim, "published_fact_check", None)
    if fact_check is None or not fact_check.is_live:
        return Publication(fact_check, verdict_changed=False, claim_changed=False)
    # A review or correction bumps the version; adding evidence does not, so the lists are compared too
    # (claim_detail prefetches the evidence; the panel's own refresh reads it in one query).
    evidence = [{"url": e.url, "note": e.note} for e in sorted(claim.evidence.all(), key=lambda e: (e.added_at, e.pk))]
    return Publication(
        fact_check,
        verdict_changed=fact_check.status != claim.status,
        claim_changed=fact_check.claim_version != claim.version or fact_check.evidence != evidence,
    )


def claim_for_publication(pk: int) -> Claim:
    """A claim with what the publish panel shows (status, version, its fact-check)."""
    return Claim.objects.select_related("published_fact_check").defer(*CLAIM_INDEX_ONLY).get(pk=pk)


def published_url(claim: Claim, request: HttpRequest | None = None) -> str | None:
    """The public page of a claim's live fact-check (absolute with a request), or None when not published."""
    state = publication(claim)
    if state.fact_check is None or not state.is_live:
        return None
    path = state.fact_check.get_absolute_url()
    return request.build_absolute_uri(path) if request else path
