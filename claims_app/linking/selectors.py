"""Link reads."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Q,
)

from claims_app.models import (
    CLAIM_INDEX_ONLY,
    Claim,
    ClaimLink,
)
from claims_app.models.claims import ARTICLE_HEAVY


@dataclass(frozen=True, slots=True)
class LinkedClaim:
    link: ClaimLink
    other: Claim


def claim_links(claim: Claim) -> list[LinkedClaim]:
    links = (
        ClaimLink.objects.filter(Q(from_claim=claim) | Q(to_claim=claim))
        .select_related("from_claim__speaker", "from_claim__article", "to_claim__speaker", "to_claim__article")
        .defer(
            *(f"{side}__{col}" for side in ("from_claim", "to_claim") for col in (*ARTICLE_HEAVY, *CLAIM_INDEX_ONLY))
        )
        .order_by("-created_at", "-pk")
    )
    return [LinkedClaim(link, link.to_claim if link.from_claim_id == claim.pk else link.from_claim) for link in links]
