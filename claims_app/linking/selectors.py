"""Link reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Q,
)

from claims_app.linking.wording import WordingSegment, unchanged, wording_diff
from claims_app.models import (
    CLAIM_INDEX_ONLY,
    Claim,
    ClaimLink,
    StatementOrigin,
)
from claims_app.models.claims import ARTICLE_HEAVY


@dataclass(frozen=True, slots=True)
class LinkedClaim:
    link: ClaimLink
    other: Claim


def claim_with_article(pk: int) -> Claim:
    """A claim with its speaker and article, which the link and origin actions read."""
    return Claim.objects.select_related("speaker", "article").get(pk=pk)


def claim_by_id(pk: int) -> Claim:
    """The claim at the other end of a link or suggestion."""
    return Claim.objects.get(pk=pk)


def claim_for_suggestions(pk: int) -> Claim:
    """A claim with its article (not its text columns), which ranking its suggestions reads."""
    return Claim.objects.select_related("article").defer("article__raw", "article__body").get(pk=pk)


def origin_or_none(pk: int | None) -> StatementOrigin | None:
    return StatementOrigin.objects.filter(pk=pk).first() if pk else None


def origin_claim_ids(origin: StatementOrigin, limit: int = 500) -> list[int]:
    """The ids of the claims in an origin, in id order (at most `limit`)."""
    return list(origin.claims.order_by("pk").values_list("pk", flat=True)[:limit])


def link(pk: int) -> ClaimLink:
    return ClaimLink.objects.get(pk=pk)


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


# ---------------------------------------------------------------- origin page


@dataclass(frozen=True, slots=True)
class OriginAppearance:
    """One claim repeating the origin, with its wording diffed word by word against the first appearance."""

    claim: Claim
    wording: list[WordingSegment]


@dataclass(frozen=True, slots=True)
class RelatedOrigin:
    relation: str  # corroborates | contradicts
    origin: StatementOrigin | None  # None: a claim with no origin of its own
    claim: Claim


@dataclass(frozen=True, slots=True)
class TimelineDot:
    x: float
    y: float
    outlet: str
    label: str
    claim_id: int


@dataclass(frozen=True, slots=True)
class OriginPage:
    origin: StatementOrigin
    appearances: list[OriginAppearance]
    related: list[RelatedOrigin]
    outlets: list[tuple[str, float]]  # timeline rows: outlet, y
    dots: list[TimelineDot]
    width: int
    height: int


TIMELINE_WIDTH = 640
TIMELINE_ROW = 24
TIMELINE_LEFT = 150


def origin_page(pk: int) -> OriginPage:
    """Everything the origin page shows, in four queries (raises StatementOrigin.DoesNotExist)."""
    origin = (
        StatementOrigin.objects.select_related("speaker", "first_article")
        .defer(*(f"first_{col}" for col in ARTICLE_HEAVY))
        .get(pk=pk)
    )
    claims = list(
        Claim.objects.filter(statement_origin=origin)
        .select_related("article", "speaker")
        .defer(*ARTICLE_HEAVY, *CLAIM_INDEX_ONLY)
    )
    claims.sort(key=lambda c: (c.article.published_at or date.max, c.pk))
    first = claims[0].text if claims else ""
    appearances = [
        OriginAppearance(c, wording_diff(first, c.text) if i else unchanged(c.text)) for i, c in enumerate(claims)
    ]
    ids = [c.pk for c in claims]
    links = (
        ClaimLink.objects.filter(
            Q(from_claim__in=ids) | Q(to_claim__in=ids),
            relation__in=[ClaimLink.Relation.CORROBORATES, ClaimLink.Relation.CONTRADICTS],
        )
        .select_related(
            "from_claim__statement_origin", "to_claim__statement_origin", "from_claim__speaker", "to_claim__speaker"
        )
        .defer(*(f"{side}__{col}" for side in ("from_claim", "to_claim") for col in CLAIM_INDEX_ONLY))
    )
    related: list[RelatedOrigin] = []
    seen: set[tuple[str, object]] = set()
    for link in links:
        other = link.to_claim if link.from_claim_id in ids else link.from_claim
        if other.statement_origin_id == origin.pk:
            continue
        key = (link.relation, other.statement_origin_id or f"claim-{other.pk}")
        if key not in seen:
            seen.add(key)
            related.append(RelatedOrigin(link.relation, other.statement_origin, other))
    outlets = list(dict.fromkeys(c.article.outlet or "unknown outlet" for c in claims))
    rows = {name: 20 + i * TIMELINE_ROW for i, name in enumerate(outlets)}
    dated = [c.article.published_at for c in claims if c.article.published_at]
    lo, hi = (min(dated), max(dated)) if dated else (None, None)
    span = max(((hi - lo).days if lo and hi else 0), 1)
    dots = []
    for i, c in enumerate(claims):
        published = c.article.published_at
        if lo and published:
            x = TIMELINE_LEFT + (TIMELINE_WIDTH - TIMELINE_LEFT - 20) * (published - lo).days / span
        else:
            x = TIMELINE_LEFT + 10.0 * i
        outlet = c.article.outlet or "unknown outlet"
        label = f"{outlet}, {published:%d %b %Y}" if published else outlet
        dots.append(TimelineDot(round(x, 1), rows[outlet], outlet, label, c.pk))
    return OriginPage(
        origin=origin,
        appearances=appearances,
        related=related,
        outlets=[(name, y) for name, y in rows.items()],
        dots=dots,
        width=TIMELINE_WIDTH,
        height=20 + TIMELINE_ROW * max(len(outlets), 1),
    )
